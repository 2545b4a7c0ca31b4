// A/B of feed-module builds against each other and the C baseline, in one process, for changes
// worth a few percent on a shared, noisy machine (bench/ring/run.ts's separate processes each
// see different interference):
//
//   node --no-liftoff --import tsx bench/ring/ab.ts [--set itch1|itch|iex-deep] [--mode run|headers]
//       [--seconds S] [--warmup S] CASE...
//
// CASE: c (the C baseline: c_ring.c's loop, bench/.build/libcpass.so), built (the set's module in
// assembly/build/) or the path of another build of it. Each case has its own memory laid out as
// bench/ring/sim.ts does, in the one-core arrangement: the producer fills the RX ring (4096 frames)
// and the loop drains it, one pass; passes of the cases alternate (the order rotating) for
// --seconds (default 10) after --warmup (default 1.5) untimed, each drain timed by the thread's CPU
// clock. Prints per case the ns per frame of its passes at the minimum, 10th, 25th and 50th
// percentile, and the first case's over each (> 1: faster than the first). Passes disturbed by
// other work land in the upper percentiles: compare the low ones. --no-liftoff: every build is
// optimized from the start (otherwise one may run unoptimized for a while).

import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import koffi from "koffi";
import { framesOf, PORT, SET_FORMAT, SETS, type FrameSet } from "./frames.js";
import { openLoop } from "./loop.js";
import { buildNative, layRings, loadProducer, ringBytes, BUILD } from "./sim.js";

const a = parseArgs({
  options: {
    set: { type: "string", default: "itch1" },
    mode: { type: "string", default: "run" },
    seconds: { type: "string", default: "10" },
    warmup: { type: "string", default: "1.5" },
  },
  allowPositionals: true,
  strict: true,
});
const set = a.values.set as FrameSet;
const mode = a.values.mode as "run" | "headers";
const cases = a.positionals;
if (!SETS.includes(set) || (mode !== "run" && mode !== "headers") || cases.length === 0) {
  process.stderr.write("usage: bench/ring/ab.ts [--set itch1|itch|iex-deep] [--mode run|headers] [--seconds S] [--warmup S] c|built|PATH...\n");
  process.exit(2);
}
const RING = 4096;
const FRAME_SIZE = 2048;
const HEADROOM = 256;
const { module, format, iex } = SET_FORMAT[set];
const frames = await framesOf(set, RING, FRAME_SIZE - HEADROOM);
buildNative();
const producer = loadProducer();

const passes: Array<() => number> = cases.map((c) => {
  if (c === "c") {
    const buf = new ArrayBuffer(ringBytes(RING, FRAME_SIZE));
    const l = layRings(buf, { ring: RING, frameSize: FRAME_SIZE, frames, headroom: HEADROOM });
    const image = `${BUILD}/ab-${set}.img`;
    writeFileSync(image, new Uint8Array(buf, 0, l.bytes));
    const lib = koffi.load(`${BUILD}/libcpass.so`);
    const init = lib.func("int cp_init(const char *path, uint32_t sim, uint32_t format, uint32_t mode, uint32_t port)");
    if (init(image, l.sim, format === "itch50" ? 0 : 1, mode === "headers" ? 1 : 0, PORT) !== 0) throw new Error("cp_init failed");
    const pass = lib.func("double cp_pass(void)");
    return () => pass() as number;
  }
  const l = openLoop({ module, mode, batch: 64, port: PORT, ring: RING, frameSize: FRAME_SIZE, frames, headroom: HEADROOM, iex,
    moduleFile: c === "built" ? undefined : c });
  const buf = l.memory.buffer;
  return () => {
    producer.step(buf, l.layout.sim, RING);
    const f0 = l.frames();
    const c0 = producer.threadCpuNs();
    while (l.step() !== 0) {}
    const ns = producer.threadCpuNs() - c0;
    const f = l.frames() - f0;
    return f > 0 ? ns / f : 0;
  };
});

const samples: number[][] = passes.map(() => []);
const warm = performance.now() + Number(a.values.warmup) * 1000;
while (performance.now() < warm) for (const p of passes) p();
const end = performance.now() + Number(a.values.seconds) * 1000;
for (let r = 0; performance.now() < end; r++) {
  for (let j = 0; j < passes.length; j++) {
    const k = (j + r) % passes.length;
    const v = passes[k]();
    if (v > 0) samples[k].push(v);
  }
}
const sorted = samples.map((s) => [...s].sort((x, y) => x - y));
const at = (s: number[], p: number): number => s[Math.min(s.length - 1, Math.floor(s.length * p))];
const width = Math.max(...cases.map((c) => c.length));
console.log(`${set} ${mode}: ns per frame of ${sorted[0].length} passes each (min, p10, p25, p50); ${cases[0]} over each at p10 and p25`);
for (let k = 0; k < cases.length; k++) {
  const s = sorted[k];
  const f = (p: number): string => at(s, p).toFixed(2).padStart(6);
  console.log(`${cases[k].padEnd(width)}  ${f(0)} ${f(0.1)} ${f(0.25)} ${f(0.5)}   ${(at(sorted[0], 0.1) / at(s, 0.1)).toFixed(3)} ${(at(sorted[0], 0.25) / at(s, 0.25)).toFixed(3)}`);
}
