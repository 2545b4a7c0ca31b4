// Socket mode allocates nothing on the receive path: a child process receives a stream of
// datagrams on loopback through KernelFeedReceiver, polling in a busy loop and then in an
// interrupt loop (wait() when idle), reading every record's seq and receive time, with empty polls
// in between, and counts the garbage collections that start in that window (a
// PerformanceObserver on "gc" entries; the young generation is kept at 1 MiB and emptied just
// before, so that any allocation on the path shows as scavenges) and the heap's growth. Twice:
// as V8 runs it after warming up, and in the interpreter alone, where nothing is optimized.
//
// This file is also its own child process: with XDPFEED_ALLOC_CHILD set (JSON, ChildArgs) it
// opens the receiver, prints PORT, WARM and RESULT lines, and runs no tests. Traffic stays on
// 127.0.0.1; every loop is bounded.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { PerformanceObserver, constants } from "node:perf_hooks";
import { KernelFeedReceiver } from "../src/feeds/kernel.js";
import { itch50 } from "../src/feeds/feeds.js";
import { moldFrames } from "../src/itchgen/itch-writers.js";
import { libc, SOCK_CLOEXEC } from "../bridge/libc.js";
import { AF_INET, SOCK_DGRAM, SOCKADDR_IN_SIZE, sockaddrIn } from "../bridge/udp.js";
import { runNode } from "./helpers/child.js";
import * as L from "../assembly/layout.js";
import * as R from "../assembly/records.js";

interface ChildArgs {
  /** Records (messages) in the stream up to the end of each block of BLOCK datagrams. */
  marks: number[];
  /** Empty polls after each warm-up round. */
  emptyPolls: number;
}

/** Datagrams per warm-up round; the measured window takes MEASURED_BLOCKS blocks. */
const BLOCK = 10_000;
const MEASURED_BLOCKS = 5;
const MAX_WARM_ROUNDS = 6;

interface Run {
  records: number;
  emptyPolls: number;
  waits: number;
  /** Records whose seq did not follow the last one's, or whose receive time is not about now. */
  errors: number;
  /** The seq the next record should have. */
  next: number;
  /** The bound was hit before all records arrived. */
  gaveUp: boolean;
}

// ---- the child process ----

// One poll, and a read of each record: what a strategy's loop does. A small function called for
// every poll. It reads seq's low word and receiveTs's high word straight from the records:
// small integers, which no tier of V8 boxes (TickView's u64 getters compute doubles, which code
// V8 has not optimized, or has not inlined them into, boxes: a cost of the reader, not of the
// receive path).
function step(rx: KernelFeedReceiver, run: Run, words: Uint32Array, tsHi: number): number {
  const n = rx.poll(64);
  for (let i = 0; i < n; i++) {
    const at = (L.RECORDS_BASE + i * R.RECORD_SIZE) >>> 2;
    const seq = words[at + (R.R_SEQ >>> 2)];
    const hi = words[at + (R.R_RECEIVE_TS >>> 2) + 1];
    // Within 2^32 * 64 ns (4.6 minutes) of the child's start, wall clock.
    if (seq !== run.next || hi - tsHi > 64 || tsHi - hi > 64) run.errors++;
    run.next = seq + 1;
  }
  return n;
}

// Polls until `target` records in all (counted on from run.records); when idle, spins (busy)
// or blocks in wait() (interrupt). Only small integers and booleans here, so even unoptimized
// this loop allocates nothing; the bounds are counts, no clock is read. A receiver whose wait()
// returns a promise (one fed from the event loop) gets it awaited.
async function receive(rx: KernelFeedReceiver, run: Run, target: number, interrupt: boolean, words: Uint32Array, tsHi: number): Promise<void> {
  let idle = 0;
  const limit = interrupt ? 4000 : 40_000_000;
  while (run.records < target) {
    const n = step(rx, run, words, tsHi);
    if (n > 0) {
      run.records += n;
      idle = 0;
      continue;
    }
    run.emptyPolls++;
    if (++idle > limit) {
      run.gaveUp = true;
      return;
    }
    if (interrupt) {
      run.waits++;
      const r = rx.wait(5) as boolean | Promise<boolean>;
      if (r !== true && r !== false) await r;
    }
  }
}

const newRun = (): Run => ({ records: 0, emptyPolls: 0, waits: 0, errors: 0, next: 1, gaveUp: false });

async function child(a: ChildArgs): Promise<void> {
  const gcs: Array<{ kind: number; start: number }> = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ kind: (e as unknown as { detail: { kind: number } }).detail.kind, start: e.startTime });
  }).observe({ entryTypes: ["gc"] });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const rx = KernelFeedReceiver.open(itch50, { ports: [0], bindAddress: "127.0.0.1" });
  const words = new Uint32Array(rx.parser.memory.buffer);
  const tsHi = Math.floor(Date.now() * 1e6 / 2 ** 32);
  const run = newRun();
  console.log(`PORT ${rx.ports[0]}`);
  // Warm-up rounds of BLOCK datagrams (half busy, half interrupt-driven, then empty polls), two
  // at least, until one runs without a garbage collection: V8 has optimized the path by then.
  // Each round, and the measured window, starts with an empty young generation (gc()).
  const gc = (globalThis as { gc?: () => void }).gc!;
  let block = 0;
  for (let round = 1; ; round++) {
    gc();
    const t0 = performance.now();
    await receive(rx, run, (a.marks[block] + (block > 0 ? a.marks[block - 1] : 0)) / 2, false, words, tsHi);
    await receive(rx, run, a.marks[block], true, words, tsHi);
    for (let i = 0; i < a.emptyPolls; i++) if (step(rx, run, words, tsHi) !== 0) run.errors++; // nothing is sent now
    block++;
    await sleep(50); // the observer's entries come on the event loop
    const collected = gcs.filter((g) => g.start >= t0).length;
    if (run.gaveUp || run.errors > 0) {
      console.log("RESULT " + JSON.stringify({ error: `warm-up round ${round} incomplete`, run }));
      rx.close();
      return;
    }
    if ((collected === 0 && round >= 2) || round === MAX_WARM_ROUNDS) {
      console.log(`ROUND ${round} WARM`);
      break;
    }
    console.log(`ROUND ${round} MORE (${collected} GCs)`);
  }
  const warm = { records: run.records, rounds: block, gcs: gcs.length };
  const from = run.records;
  const { getHeapSpaceStatistics } = await import("node:v8");
  const space = () => Object.fromEntries(getHeapSpaceStatistics().map((x) => [x.space_name, x.space_used_size]));
  Object.assign(run, newRun(), { records: from, next: run.next });
  gc();
  const before = space();
  const t0 = performance.now();
  // The measured window: the parent sends MEASURED_BLOCKS blocks now, the receiver takes the
  // first half busy and the rest interrupt-driven.
  const end = a.marks[block + MEASURED_BLOCKS - 1];
  await receive(rx, run, (from + end) / 2, false, words, tsHi);
  await receive(rx, run, end, true, words, tsHi);
  const t1 = performance.now();
  const after = space();
  await sleep(200);
  const inWindow = gcs.filter((g) => g.start >= t0 && g.start <= t1);
  const stats = rx.stats();
  rx.close();
  console.log("RESULT " + JSON.stringify({
    warm, run: { ...run, records: run.records - from }, expected: end - from, ms: Math.round(t1 - t0),
    youngGrowth: after.new_space - before.new_space, oldGrowth: after.old_space - before.old_space,
    gc: { scavenges: inWindow.filter((g) => g.kind === constants.NODE_PERFORMANCE_GC_MINOR).length, all: inWindow.length },
    stats,
  }));
}

const CHILD = process.env.XDPFEED_ALLOC_CHILD;
if (CHILD) await child(JSON.parse(CHILD) as ChildArgs);
else tests();

// Runs the child with these V8 flags, sends it the warm-up rounds and the measured stream, and
// checks what it reports. Small datagrams (four messages each): the per-datagram path dominates.
async function measure(what: string, v8Flags: string[]): Promise<void> {
  const blocks = MAX_WARM_ROUNDS + MEASURED_BLOCKS;
  const frames = [...moldFrames({ seed: 51, symbols: 20, messages: blocks * BLOCK * 4 + 100 }, { session: "ALLOC00001", endOfSession: false, maxMessages: 4 })]
    .slice(0, blocks * BLOCK).map((f) => ({ payload: f.payload.slice(), count: f.count }));
  assert.is(frames.length, blocks * BLOCK);
  const marks: number[] = [];
  for (let b = 0, sum = 0; b < blocks; b++) {
    for (let i = b * BLOCK; i < (b + 1) * BLOCK; i++) sum += frames[i].count;
    marks.push(sum);
  }
  const args: ChildArgs = { marks, emptyPolls: 100_000 };
  const c = runNode("../kernel-alloc.test.ts", [], {
    // A 1 MiB young generation: any allocation on the path shows as scavenges within the run.
    // XDPFEED_ALLOC_NODE_ARGS: more flags for the child, to look into a failure (e.g. --trace-deopt).
    nodeArgs: ["--max-semi-space-size=1", "--expose-gc", ...v8Flags, ...(process.env.XDPFEED_ALLOC_NODE_ARGS?.split(" ").filter(Boolean) ?? [])],
    env: { XDPFEED_ALLOC_CHILD: JSON.stringify(args) },
  });
  const fd = libc.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  try {
    const port = Number((await c.line(/^PORT /)).slice(5));
    const dst = sockaddrIn("127.0.0.1", port);
    // Bursts of 50 with a millisecond between them: the receiver polls empty in the gaps.
    let next = 0;
    const send = async (blocksToSend: number) => {
      for (const end = next + blocksToSend * BLOCK; next < end; next++) {
        const p = frames[next].payload;
        assert.ok(libc.sendto(fd, p, p.length, 0, dst, SOCKADDR_IN_SIZE) === p.length, "sendto");
        if ((next + 1) % 50 === 0) await new Promise((r) => setTimeout(r, 1));
      }
    };
    for (let round = 1; ; round++) {
      await send(1);
      const line = await c.line(new RegExp(`^(ROUND ${round} |RESULT )`), 60_000);
      if (line.startsWith("RESULT ")) assert.unreachable(line);
      if (line.endsWith("WARM")) break;
    }
    await send(MEASURED_BLOCKS);
    const line = await c.line(/^RESULT /, 60_000);
    const r = JSON.parse(line.slice(7));
    console.log(`# ${what}: warm-up ${r.warm.rounds} x ${BLOCK} datagrams, ${r.warm.gcs} GCs; measured window: ${r.run.records} records of ` +
      `${MEASURED_BLOCKS * BLOCK} datagrams in ${r.ms} ms, ${r.run.emptyPolls} empty polls, ${r.run.waits} waits; GCs ${r.gc.all} ` +
      `(scavenges ${r.gc.scavenges}); young generation +${r.youngGrowth} bytes, old +${r.oldGrowth}`);
    assert.not.ok(r.error, line);
    assert.not.ok(r.run.gaveUp, `every datagram arrived: ${line}`);
    assert.is(r.run.records, r.expected);
    assert.is(r.run.errors, 0, "every record in sequence, with a wall-clock receive time");
    assert.equal([r.stats.datagrams, r.stats.parsed, r.stats.dropped, r.stats.kernelDrops], [next, next, 0, 0]);
    assert.ok(r.run.emptyPolls > 1000 && r.run.waits > 100, `empty polls (${r.run.emptyPolls}) and waits (${r.run.waits}) in the window`);
    assert.is(r.gc.scavenges, 0, `no scavenge in the measured window: ${line}`);
    assert.is(r.gc.all, 0, `no garbage collection at all in the measured window: ${line}`);
    assert.is((await c.exit()).code, 0);
  } finally {
    libc.close(fd);
    c.proc.kill("SIGKILL");
  }
}

function tests(): void {
  const A = suite("KernelFeedReceiver allocation");

  A("receives 50,000 datagrams, busy and interrupt-driven, with empty polls between them, and allocates nothing: no garbage collection starts", async () => {
    await measure("optimized", []);
  });

  A("allocates nothing even before V8 optimizes it: the same in the interpreter alone (--no-opt --no-sparkplug)", async () => {
    await measure("interpreted", ["--no-opt", "--no-sparkplug"]);
  });

  A.run();
}
