// Which monotonic clock a JavaScript receiver of the latency benchmark can read per packet without
// allocating (hist.mjs uses the answer). Each candidate runs in a fresh node process, so that its
// call site is monomorphic as in a receiver: 200 warm-up batches (TurboFan optimizes the loop),
// then 10 million calls, timed, with the garbage collections during them counted (a
// PerformanceObserver on "gc" entries). A candidate that allocates 16 bytes per call fills the
// young generation every ~60,000 calls: 160 or more scavenges; an allocation-free one, 0-5.
//
//   node bench/latency/clock.mjs          a table
//   node bench/latency/clock.mjs --json   one JSON line (bench/latency/run.ts keeps it)

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { PerformanceObserver, performance } from "node:perf_hooks";

const CALLS = 10_000_000;
const T48 = 2 ** 48;

/** Each candidate returns a number, as a receiver uses it (ns, or ms for the ms clocks). */
const CANDIDATES = {
  "process.hrtime.bigint()": () => Number(process.hrtime.bigint() % 281474976710656n),
  "performance.now()": () => performance.now(),
  "Date.now()": () => Date.now(),
  "process.hrtime()": () => {
    const t = process.hrtime();
    return (t[0] * 1e9 + t[1]) % T48;
  },
  "now48() + Recorder.packet()": null, // hist.mjs, as the receivers call it
};

async function child(name) {
  let f = CANDIDATES[name];
  if (f === null) {
    const { now48, Recorder } = await import("./hist.mjs");
    const rec = new Recorder(2 ** 24, 0);
    let seq = 0;
    f = () => {
      seq = seq < 2 ** 24 ? seq + 1 : 1;
      rec.seen[seq] = 0;
      rec.packet(now48(), seq, 1000);
      return seq;
    };
  }
  const loop = (n) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += f();
    return s;
  };
  for (let i = 0; i < 200; i++) loop(10_000);
  let gcs = 0;
  const obs = new PerformanceObserver((l) => (gcs += l.getEntries().length));
  obs.observe({ entryTypes: ["gc"] });
  const t0 = performance.now();
  const sink = loop(CALLS);
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  console.log(JSON.stringify({ name, nsPerCall: Math.round((ms * 1e6 * 10) / CALLS) / 10, gcs, sink: sink > 0 }));
}

function main() {
  const rows = [];
  for (const name of Object.keys(CANDIDATES)) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", name], { encoding: "utf8", timeout: 120_000 });
    if (r.status !== 0) throw new Error(`${name}: ${r.stderr || r.error}`);
    const { nsPerCall, gcs } = JSON.parse(r.stdout.trim().split("\n").pop());
    rows.push({ name, nsPerCall, gcsPer10M: gcs });
  }
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify({ node: process.version, calls: CALLS, rows }));
    return;
  }
  console.log(`clock reads in Node ${process.version}, ${CALLS.toLocaleString("en-US")} calls each in a fresh process after warm-up`);
  console.log("| clock | ns/call | GCs during the calls |\n|---|---:|---:|");
  for (const r of rows) console.log(`| ${r.name} | ${r.nsPerCall} | ${r.gcsPer10M} |`);
}

const i = process.argv.indexOf("--child");
if (i > 0) await child(process.argv[i + 1]);
else main();
