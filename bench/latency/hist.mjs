// What the JavaScript receivers of the latency benchmark share (bench/latency/rx-*.mjs): the
// clock, the per-packet recorder and the report. Plain JavaScript, run by node itself (no tsx, no
// loader thread on the receiver's CPU).
//
// The clock. A receiver reads CLOCK_MONOTONIC in ns, modulo 2^48 like the sender's stamp, once
// per packet, and the read must not allocate: an allocation per packet is garbage the harness
// adds to what it measures. In Node 20 (bench/latency/clock.mjs measures it, 10 million calls
// per candidate, scavenges counted):
//   process.hrtime.bigint()   allocates a BigInt per call (and Number(big % 2n**48n) more)
//   performance.now()         returns a double boxed as a 16-byte heap number (~160 scavenges)
//   Date.now()                the same, and it is not monotonic
//   process.hrtime()          [s, ns] from two Uint32Array reads into a fresh array; once
//                             TurboFan inlines it into the caller, escape analysis removes the
//                             array: no allocation (0-2 scavenges per 10 million calls)
// So now48() reads process.hrtime(), destructured at once, and turns it into ns relative to a
// base taken at start-up (whose value mod 2^48 is computed once, with BigInt), so that the
// arithmetic stays below 2^53 and exact whatever the machine's uptime. Before TurboFan has
// optimized the receive path the array is allocated; that is part of the warm-up.
//
// The record: latencies go into a node:perf_hooks RecordableHistogram (HdrHistogram, 3
// significant digits, record() costs ~20 ns and allocates nothing for values that are small
// integers, below 2^31: latencies are clamped at 2^31 - 1 ns, 2.1 s). Nothing is sorted.

import { createHistogram, PerformanceObserver, performance } from "node:perf_hooks";

const T48 = 2 ** 48;
const MAX_NS = 2 ** 31 - 1;
const base = process.hrtime();
const B0 = base[0];
const B1 = base[1];
const BASE48 = Number((BigInt(B0) * 1_000_000_000n + BigInt(B1)) % (1n << 48n));

/** CLOCK_MONOTONIC in ns, modulo 2^48. Allocation-free once optimized (see above). */
export function now48() {
  const t = process.hrtime();
  return (BASE48 + (t[0] - B0) * 1e9 + (t[1] - B1)) % T48;
}

/**
 * Per-packet bookkeeping: packets by MoldUDP64 sequence number 1..count, the first `warmup` of
 * them not recorded, the others counted once (a bitmap) and their latency recorded.
 */
export class Recorder {
  /** @param {number} count @param {number} warmup */
  constructor(count, warmup) {
    this.count = count;
    this.warmup = warmup;
    this.seen = new Uint8Array(count + 1);
    this.h = createHistogram({ lowest: 1, highest: MAX_NS, figures: 3 });
    this.received = 0;
    this.warmupReceived = 0;
    this.duplicates = 0;
    this.outOfRange = 0;
    /** The packet with the last sequence number has arrived. */
    this.done = false;
    /** performance.now() at the first recorded packet (the end of the warm-up). */
    this.measureStart = -1;
  }

  /** One packet: now = now48() read on its arrival, seq its sequence number, stamp its 48-bit send time. */
  packet(now, seq, stamp) {
    if (seq < 1 || seq > this.count) {
      this.outOfRange++;
      return;
    }
    if (this.seen[seq] !== 0) {
      this.duplicates++;
      return;
    }
    this.seen[seq] = 1;
    if (seq === this.count) this.done = true;
    if (seq <= this.warmup) {
      this.warmupReceived++;
      return;
    }
    if (this.measureStart < 0) this.measureStart = performance.now();
    let d = now - stamp;
    if (d < 0) d += T48;
    this.h.record(d < 1 ? 1 : d > MAX_NS ? MAX_NS : d);
    this.received++;
  }
}

/** Garbage collections from now on, split at the end of the warm-up (gc.split(measureStart)). */
export function watchGc() {
  /** @type {Array<[number, number]>} */
  const entries = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) entries.push([e.startTime, e.duration]);
  });
  obs.observe({ entryTypes: ["gc"] });
  return {
    /**
     * GCs after `from` (performance.now() ms; the end of the warm-up): count, total and longest
     * pause in ms; and the count of all GCs since watchGc() (with the warm-up).
     */
    after(from) {
      const xs = from < 0 ? [] : entries.filter(([t]) => t >= from).map(([, d]) => d);
      return { count: xs.length, ms: round3(xs.reduce((a, b) => a + b, 0)), maxMs: round3(Math.max(0, ...xs)), all: entries.length };
    },
    stop() {
      obs.disconnect();
    },
  };
}

const round3 = (x) => Math.round(x * 1000) / 1000;

/**
 * HdrHistogram's percentile output as rows [percentile, value ns, count]: levels 0, 10, ..., 50,
 * 55, ..., 75, 77.5, ... (5 per halving of 100 - percentile), up to the level that reaches the
 * last sample, then 100. The value at a level is h.percentile(level); the count is the rank of
 * that level, ceil(level / 100 * total) (the histogram does not give the count at a value).
 */
export function distRows(h) {
  const n = h.count;
  const rows = [];
  if (n === 0) return rows;
  for (let p = 0; ;) {
    const rank = p > 0 ? Math.min(n, Math.ceil((p / 100) * n)) : 1;
    rows.push([p, p > 0 ? h.percentile(p) : h.min, rank]);
    if (p >= 100) break;
    if (rank >= n) {
      p = 100;
      continue;
    }
    p += 100 / (5 * 2 ** (Math.floor(Math.log2(100 / (100 - p))) + 1));
  }
  return rows;
}

/** The JSON line every receiver prints: the same fields as the C receiver's (xsk_lat.c). */
export function report(receiver, rec, extra) {
  const h = rec.h;
  const n = h.count;
  return {
    receiver, count: rec.count, warmup: rec.warmup, received: rec.received, warmupReceived: rec.warmupReceived,
    duplicates: rec.duplicates, outOfRange: rec.outOfRange, ...extra,
    ns: n === 0 ? null : {
      min: h.min, p50: h.percentile(50), p90: h.percentile(90), p99: h.percentile(99), p999: h.percentile(99.9),
      max: h.max, mean: Math.round(h.mean * 10) / 10, stddev: Math.round(h.stddev * 10) / 10,
    },
    dist: distRows(h),
  };
}

/** The receivers' common options. */
export const OPTIONS = {
  iface: { type: "string" },
  port: { type: "string" },
  count: { type: "string" },
  warmup: { type: "string" },
  "timeout-ms": { type: "string" },
  mode: { type: "string" },
};

/** Parses the integer option `name` of values; exits 2 with a one-line error if it is not one. */
export function intOption(values, name, min, max) {
  const s = values[name];
  const v = Number(s);
  if (typeof s !== "string" || !/^\d+$/.test(s) || v < min || v > max) {
    process.stderr.write(`${process.argv[1].split("/").pop()}: --${name} expects an integer ${min}..${max}, got '${s}'\n`);
    process.exit(2);
  }
  return v;
}
