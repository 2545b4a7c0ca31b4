// One xdpfeed case of the ring benchmark, run by bench/ring/run.ts in a fresh process:
//
//   node --import tsx bench/ring/case.ts --set itch1|itch|iex-deep --mode run|poll|strategy|headers
//       [--book] [--seconds S] [--warmup S] [--batch N] [--ring N] [--producer-cpu N]
//
// Lays out the memory (bench/ring/sim.ts), instantiates the feed module on it (bench/ring/loop.ts),
// starts the simulated kernel thread (pinned to --producer-cpu), runs the loop for --warmup
// seconds (default 0.3), then --seconds (default 1) timed, stops the producer and prints one JSON
// line: frames and messages taken in the timed part, the loop's calls (frames per call far below
// the batch: the consumer often found RX empty, i.e. it outran the producer), the consumer thread's
// CPU time, the producer's and the parser's counters.

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
  },
  strict: true,
}).values;
const set = a.set as FrameSet;
const mode = a.mode as Mode;
if (!SETS.includes(set) || !MODES.includes(mode)) {
  process.stderr.write(`usage: case.ts --set ${SETS.join("|")} --mode ${MODES.join("|")} [--book] [--seconds S] [--warmup S] [--batch N] [--ring N] [--producer-cpu N]\n`);
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
const loop = openLoop({ module, mode, batch, port: PORT, ring, frameSize: FRAME_SIZE, frames, headroom: HEADROOM, book: a.book, iex });
const buf = loop.memory.buffer;
const producer = loadProducer();
producer.start(buf, loop.layout.sim, Number(a["producer-cpu"]));

const step = loop.step;
let end = performance.now() + warmup * 1000;
while (performance.now() < end) for (let k = 0; k < 16; k++) step();
const f0 = loop.frames();
const m0 = loop.messages();
const busy0 = busyJiffies();
const cpu0 = producer.threadCpuNs();
const t0 = performance.now();
end = t0 + seconds * 1000;
let t1: number;
let calls = 0;
do {
  for (let k = 0; k < 16; k++) step();
  calls += 16;
  t1 = performance.now();
} while (t1 < end);
const framesTaken = loop.frames() - f0;
const messages = loop.messages() - m0;
const ownNs = producer.threadCpuNs() - cpu0;
const busy = busyJiffies() - busy0;
producer.stop(buf, loop.layout.sim);
const elapsed = (t1 - t0) / 1000;

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
const st = producerStats(buf, loop.layout.sim);
console.log(JSON.stringify({
  impl: "xdpfeed", set, mode, book: a.book, frames: framesTaken, messages, seconds: elapsed,
  nsPerFrame: framesTaken ? (elapsed * 1e9) / framesTaken : 0, framesPerSecond: framesTaken / elapsed, messagesPerSecond: messages / elapsed,
  producer: { ...st, nextSeq: String(st.nextSeq) },
  parser: {
    frames: ps(L.PS_FRAMES), packets: ps(L.PS_PACKETS), messages: ps(L.PS_MESSAGES), gaps: ps(L.PS_GAPS),
    duplicates: ps(L.PS_DUPLICATES), resets: ps(L.PS_RESETS), rejected,
  },
  calls, bookCounters: book, strategySum: loop.sum(),
  cpu: { busyJiffies: busy, ownSeconds: ownNs / 1e9 },
}));
