// One xdpfeed case of the ring benchmark, run by bench/ring/run.ts in a fresh process:
//
//   node --import tsx bench/ring/case.ts --set itch1|itch|iex-deep --mode run|poll|strategy|headers|ring
//       [--book] [--seconds S] [--warmup S] [--batch N] [--ring N] [--producer-cpu N] [--cores 2|1] [--module PATH]
//
// Lays out the memory (bench/ring/sim.ts), instantiates the feed module on it (bench/ring/loop.ts),
// starts the simulated kernel thread (pinned to --producer-cpu), runs the loop for --warmup
// seconds (default 0.3), then --seconds (default 1) timed, stops the producer and prints one JSON
// line: frames and messages taken in the timed part, the loop's calls (frames per call far below
// the batch: the consumer often found RX empty, i.e. it outran the producer), the consumer thread's
// CPU time, the producer's and the parser's counters. --cores 1: no producer thread; the producer
// fills RX (ring_producer_step) and the loop drains it, in turns on this thread, and only the loop's
// turns are timed, by the thread's CPU clock (a rate other work on the machine does not skew).
// --module loads another build of the feed module (e.g. one with a name section, for perf).

import { parseArgs } from "node:util";
import * as L from "../../assembly/layout.js";
import { REJECT_REASONS } from "../../src/feeds/reasons.js";
import { busyJiffies } from "../decode/cpu.js";
import { framesOf, PORT, SET_FORMAT, SETS, type FrameSet } from "./frames.js";
import { openLoop, MODES, type Mode } from "./loop.js";
import { loadProducer, producerStats } from "./sim.js";

const a = parseArgs({
  options: {
    set: { type: "string" },
    mode: { type: "string", default: "run" },
    book: { type: "boolean", default: false },
    seconds: { type: "string", default: "1" },
    warmup: { type: "string", default: "0.3" },
    batch: { type: "string", default: "64" },
    ring: { type: "string", default: "4096" },
    "producer-cpu": { type: "string", default: "-1" },
    cores: { type: "string", default: "2" },
    module: { type: "string" },
  },
  strict: true,
}).values;
const set = a.set as FrameSet;
const mode = a.mode as Mode;
const cores = Number(a.cores);
if (!SETS.includes(set) || !MODES.includes(mode) || (cores !== 1 && cores !== 2)) {
  process.stderr.write(`usage: case.ts --set ${SETS.join("|")} --mode ${MODES.join("|")} [--book] [--seconds S] [--warmup S] [--batch N] [--ring N] [--producer-cpu N] [--cores 2|1]\n`);
  process.exit(2);
}
const seconds = Number(a.seconds);
const warmup = Number(a.warmup);
const batch = Number(a.batch);
const ring = Number(a.ring);
const FRAME_SIZE = 2048;
const HEADROOM = 256;

const { module, iex } = SET_FORMAT[set];
const frames = await framesOf(set, ring, FRAME_SIZE - HEADROOM);
const loop = openLoop({ module, mode, batch, port: PORT, ring, frameSize: FRAME_SIZE, frames, headroom: HEADROOM, book: a.book, iex, moduleFile: a.module });
const buf = loop.memory.buffer;
const producer = loadProducer();
const step = loop.step;
const sim = loop.layout.sim;

// One core: fill RX, drain it, again; returns the loop's own CPU ns over `ms` of wall time.
function oneCore(ms: number): { ownNs: number; calls: number } {
  let own = 0;
  let calls = 0;
  const end = performance.now() + ms;
  do {
    for (let k = 0; k < 16; k++) {
      producer.step(buf, sim, ring);
      const c0 = producer.threadCpuNs();
      while (step() !== 0) calls++;
      calls++;
      own += producer.threadCpuNs() - c0;
    }
  } while (performance.now() < end);
  return { ownNs: own, calls };
}

// Two cores: the producer thread runs on its own; the loop is timed by the wall clock.
function twoCores(ms: number): { ownNs: number; calls: number } {
  const c0 = producer.threadCpuNs();
  let calls = 0;
  const end = performance.now() + ms;
  do {
    for (let k = 0; k < 16; k++) step();
    calls += 16;
  } while (performance.now() < end);
  return { ownNs: producer.threadCpuNs() - c0, calls };
}

if (cores === 2) producer.start(buf, sim, Number(a["producer-cpu"]));
const timed = cores === 2 ? twoCores : oneCore;
timed(warmup * 1000);
const f0 = loop.frames();
const m0 = loop.messages();
const busy0 = busyJiffies();
const t0 = performance.now();
const { ownNs, calls } = timed(seconds * 1000);
const wall = (performance.now() - t0) / 1000;
const framesTaken = loop.frames() - f0;
const messages = loop.messages() - m0;
const busy = busyJiffies() - busy0;
if (cores === 2) producer.stop(buf, sim);
const elapsed = cores === 2 ? wall : ownNs / 1e9;

const dv = new DataView(buf);
const ps = (off: number) => Number(dv.getBigUint64(L.PSTATS_BASE + off, true));
const rejected: Record<string, number> = {};
for (let r = 0; r < L.REJ_COUNT; r++) {
  const v = ps(L.PS_REJECTED + r * 8);
  if (v) rejected[REJECT_REASONS[r] ?? `reason${r}`] = v;
}
const book = a.book
  ? {
    updates: ps(L.PS_BOOK_UPDATES), bboChanges: ps(L.PS_BOOK_BBO_CHANGES), unknownOrder: ps(L.PS_BOOK_UNKNOWN_ORDER),
    duplicateOrder: ps(L.PS_BOOK_DUPLICATE_ORDER), ordersFull: ps(L.PS_BOOK_ORDERS_FULL), levelsFull: ps(L.PS_BOOK_LEVELS_FULL),
  }
  : undefined;
const st = producerStats(buf, sim);
console.log(JSON.stringify({
  impl: "xdpfeed", set, mode, book: a.book, cores, wall, frames: framesTaken, messages, seconds: elapsed,
  nsPerFrame: framesTaken ? (elapsed * 1e9) / framesTaken : 0, framesPerSecond: framesTaken / elapsed, messagesPerSecond: messages / elapsed,
  producer: { ...st, nextSeq: String(st.nextSeq) },
  parser: {
    frames: ps(L.PS_FRAMES), packets: ps(L.PS_PACKETS), messages: ps(L.PS_MESSAGES), gaps: ps(L.PS_GAPS),
    duplicates: ps(L.PS_DUPLICATES), resets: ps(L.PS_RESETS), rejected,
  },
  calls, bookCounters: book, strategySum: loop.sum(),
  cpu: { busyJiffies: busy, ownSeconds: ownNs / 1e9 },
}));
