// The ring benchmark's harness (bench/ring/): the simulated kernel thread (producer.c, through
// koffi) hands a few thousand pre-filled feed frames to xdpfeed's real receive loop over rings
// whose free-running indices start just below 2^32.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as L from "../assembly/layout.js";
import * as Sim from "../bench/ring/sim.js";
import { loadProducer, producerStats, buildNative, SIM_STATE } from "../bench/ring/sim.js";
import { openLoop, type Mode } from "../bench/ring/loop.js";
import { itchFrames, PORT } from "../bench/ring/frames.js";

const Bench = suite("ring benchmark harness");

const hasCc = (() => {
  try {
    execFileSync("cc", ["--version"], { stdio: "ignore" });
    execFileSync("make", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

const RING = 256;
const FRAMES = 5000;
const START = 2 ** 32 - 1000;

interface Drive {
  frames: number;
  messages: number;
  produced: number;
  producedMessages: number;
  gaps: number;
  duplicates: number;
  fill: { prod: number; cons: number; addrs: number[] };
  rx: { prod: number; cons: number };
  umemChunks: number[];
}

// The producer gives FRAMES frames, the loop takes them (bounded by a deadline), then both stop.
function drive(mode: Mode, frames: ReturnType<typeof itchFrames>): Drive {
  const loop = openLoop({
    module: "itch50", mode, batch: 64, port: PORT, ring: RING, frameSize: 2048, frames, start: START, limit: FRAMES,
  });
  const { memory, layout } = loop;
  const buf = memory.buffer;
  const p = loadProducer();
  p.start(buf, layout.sim);
  const deadline = Date.now() + 10_000;
  try {
    while (loop.frames() < FRAMES && Date.now() < deadline) loop.step();
  } finally {
    p.join();
  }
  // poll keeps the last batch's frames until the next call: give them back.
  loop.x.rxRecycle();
  const dv = new DataView(buf);
  const ps = (off: number) => Number(dv.getBigUint64(L.PSTATS_BASE + off, true));
  const word = (at: number) => dv.getUint32(at, true);
  const { fill, rx, frameSize } = layout.map;
  const fillProd = word(fill.offset + fill.off.producer);
  const fillCons = word(fill.offset + fill.off.consumer);
  const addrs: number[] = [];
  for (let i = fillCons; i !== fillProd; i = (i + 1) >>> 0) {
    addrs.push(Number(dv.getBigUint64(fill.offset + fill.off.desc + (i & (fill.size - 1)) * 8, true)));
  }
  const st = producerStats(buf, layout.sim);
  assert.is(word(layout.sim + SIM_STATE), 2, "the producer thread ran and stopped");
  return {
    frames: loop.frames(), messages: loop.messages(), produced: st.produced, producedMessages: st.messages,
    gaps: ps(L.PS_GAPS), duplicates: ps(L.PS_DUPLICATES),
    fill: { prod: fillProd, cons: fillCons, addrs },
    rx: { prod: word(rx.offset + rx.off.producer), cons: word(rx.offset + rx.off.consumer) },
    umemChunks: Array.from({ length: RING }, (_, i) => i * frameSize),
  };
}

function checkDrive(d: Drive): void {
  assert.is(d.produced, FRAMES, "the producer put every frame on RX");
  assert.is(d.frames, FRAMES, "the loop took every frame");
  // Parsed once: the producer numbered the messages as one contiguous stream; a frame parsed twice
  // would show as duplicates, one skipped as a gap.
  assert.is(d.messages, d.producedMessages, "every message delivered");
  assert.is(d.gaps, 0);
  assert.is(d.duplicates, 0);
  // Every buffer back on FILL: the whole ring's worth, each chunk exactly once.
  assert.is((d.fill.prod - d.fill.cons) >>> 0, RING, "FILL holds every buffer again");
  assert.equal([...d.fill.addrs].sort((a, b) => a - b), d.umemChunks);
  // The indices went past 2^32.
  const end = (START + FRAMES) >>> 0;
  assert.ok(end < START, "the run crosses 2^32");
  assert.is(d.rx.prod, end, "RX producer wrapped");
  assert.is(d.rx.cons, end, "RX consumer wrapped and caught up");
  assert.is(d.fill.cons, end, "FILL consumer wrapped");
  assert.is(d.fill.prod, (end + RING) >>> 0, "FILL producer wrapped");
}

// Every `#define NAME value` of the C files that names a layout.ts (or sim.ts) constant.
function cDefines(file: string): Array<[string, number]> {
  const text = readFileSync(new URL(`../bench/ring/${file}`, import.meta.url), "utf8");
  return [...text.matchAll(/^#define (\w+) \(?(0x[0-9a-fA-F]+|\d+)u?\b/gm)].map((m) => [m[1], Number(m[2])]);
}

Bench("the C files' copies of the memory layout match assembly/layout.ts and bench/ring/sim.ts", () => {
  const known = { ...L, ...Sim } as unknown as Record<string, unknown>;
  let checked = 0;
  for (const file of ["layout.h", "producer.h", "producer.c", "c_ring.c"]) {
    for (const [name, value] of cDefines(file)) {
      if (typeof known[name] !== "number") continue;
      assert.is(value, known[name], `${file}: ${name}`);
      checked++;
    }
  }
  assert.ok(checked >= 40, `only ${checked} constants found`);
});

if (!hasCc) {
  console.log("  skipped: no cc/make to build the simulated producer (bench/ring/producer.c)");
} else {
  buildNative();

  Bench("run parses every one-message frame once and returns every buffer to FILL across 2^32", () => {
    checkDrive(drive("run", itchFrames(RING, { maxMessages: 1 })));
  });

  Bench("poll with a strategy reading every tick takes frames of many messages the same way", () => {
    const d = drive("strategy", itchFrames(RING, { maxMessages: 0xfffe, maxPayload: 1400 }));
    checkDrive(d);
    assert.ok(d.messages > FRAMES * 10, "tens of messages per frame");
  });

  Bench("the headers-only loop takes every frame and parses no message", () => {
    const loop = openLoop({ module: "itch50", mode: "headers", batch: 64, port: PORT, ring: RING, frameSize: 2048, frames: itchFrames(RING), start: START, limit: FRAMES });
    const p = loadProducer();
    p.start(loop.memory.buffer, loop.layout.sim);
    const deadline = Date.now() + 10_000;
    try {
      while (loop.frames() < FRAMES && Date.now() < deadline) loop.step();
    } finally {
      p.join();
    }
    assert.is(loop.frames(), FRAMES);
    assert.is(loop.messages(), 0);
    const rejected = new DataView(loop.memory.buffer).getBigUint64(L.PSTATS_BASE + L.PS_REJECTED + L.REJ_OTHER_PORT * 8, true);
    assert.is(Number(rejected), FRAMES, "each frame counted under otherPort");
  });
}

Bench.run();
