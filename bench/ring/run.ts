// Ring benchmark (npm run bench:ring): the receive loop's own ceiling with the kernel taken out.
// A simulated kernel thread (bench/ring/producer.c) plays the kernel's side of the FILL and RX
// rings over a socket's memory laid out as for a real AF_XDP socket, the UMEM pre-filled with feed
// frames (bench/ring/frames.ts); the consumer under test takes them as fast as it can:
//
//   xdpfeed  the compiled feed module's run / poll in a fresh Node process (bench/ring/case.ts,
//            loop.ts), with the book off and on, with and without a strategy reading every tick
//   C        the same loop in C with libxdp's ring helpers and the project's C decoder
//            (bench/ring/c_ring.c), the baseline, over the same memory image and producer
//
//   node --import tsx bench/ring/run.ts [--rounds R] [--seconds S] [--warmup S] [--sets LIST]
//       [--cores LIST] [--cases LIST] [--ring N] [--batch N] [--rx-cpu N] [--producer-cpu N]
//       [--retries N] [--quiet-wait S] [--out FILE]
//
// Each case runs in a fresh process pinned to --rx-cpu (default 1), --warmup s (default 0.3)
// untimed, then --seconds (default 1) timed, in each layout of --cores (default 2,1):
//   2  the producer thread on --producer-cpu (default 0), the loop's rate by the wall clock: the
//      real arrangement, cache lines crossing between cores; a case during which the consumer's
//      thread or the producer's had its CPU for less than 90% of the time (other work on the
//      machine) is repeated (--retries, default 2) and kept as discarded;
//   1  producer and loop take turns on one thread, the loop's rate by its own CPU time: what the
//      loop costs, which other work on a shared machine does not skew.
// R rounds (default 3), the case order rotating each round; medians reported. --cases runs only
// the cases with these ids (x-run, c-run, ...: CASES below); --out writes the JSON elsewhere.
//
// Reported per frame set: frames/s and messages/s per core, ns per frame, the rate relative to C
// in the same run (like for like: run/run, poll + strategy / poll + strategy, headers/headers),
// and where the time goes, from differences of the medians: ring handling (the ring-only cases:
// metadata read, nothing parsed), frame headers (headers - ring; the headers case has a port
// filter no frame matches), session parsing and records (run - headers), the order book (book -
// no book), the JavaScript side (poll - run: one call per batch and frames kept until the next;
// strategy - poll: reading every tick). C's ring-only case with two cores is also the most the
// producer delivers; its one-core turns give the producer's own cost per frame.
// Prints the tables on stdout (progress on stderr) and writes bench/results/ring.json.

import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, release } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { cpuBusy, JIFFY } from "../decode/cpu.js";
import { median, runChild } from "../decode/common.js";
import { framesOf, PORT, SET_FORMAT, SETS, type FrameSet } from "./frames.js";
import { buildNative, layRings, ringBytes, BUILD, C_RING } from "./sim.js";
import { CASES, caseTable, fmtRate, shareTable, summarize, type CaseDef, type CaseResult, type Run } from "./cases.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CASE_TIMEOUT_MS = 60_000;
const OWN_SHARE_MIN = 0.9;
const QUIET_BUSY = 0.1;
const FRAME_SIZE = 2048;
const HEADROOM = 256;
/** The small-frame rate a tuned 100G NIC (ConnectX-6) delivers to one core. */
const NIC_TARGET = 14e6;

function fail(msg: string): never {
  process.stderr.write(`bench:ring: ${msg}\n`);
  process.exit(2);
}

const args = (() => {
  try {
    return parseArgs({
      options: {
        rounds: { type: "string", default: "3" },
        seconds: { type: "string", default: "1" },
        warmup: { type: "string", default: "0.3" },
        sets: { type: "string", default: SETS.join(",") },
        cores: { type: "string", default: "2,1" },
        cases: { type: "string" },
        out: { type: "string" },
        ring: { type: "string", default: "4096" },
        batch: { type: "string", default: "64" },
        "rx-cpu": { type: "string", default: "1" },
        "producer-cpu": { type: "string", default: "0" },
        retries: { type: "string", default: "2" },
        "quiet-wait": { type: "string", default: "20" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    fail(`${(e as Error).message}; usage: bench/ring/run.ts [--rounds R] [--seconds S] [--warmup S] [--sets LIST] [--cores LIST] [--cases LIST] [--ring N] [--batch N] [--rx-cpu N] [--producer-cpu N] [--retries N] [--quiet-wait S] [--out FILE]`);
  }
})();

function intArg(name: string, s: string, min: number, max: number): number {
  const v = Number(s);
  if (!Number.isInteger(v) || v < min || v > max) fail(`--${name} must be an integer from ${min} to ${max}, got '${s}'`);
  return v;
}
function numArg(name: string, s: string, min: number, max: number): number {
  const v = Number(s);
  if (!(v >= min && v <= max)) fail(`--${name} must be a number from ${min} to ${max}, got '${s}'`);
  return v;
}

const ROUNDS = intArg("rounds", args.rounds!, 1, 50);
const SECONDS = numArg("seconds", args.seconds!, 0.05, 30);
const WARMUP = numArg("warmup", args.warmup!, 0, 10);
const RING = intArg("ring", args.ring!, 64, 32768);
if ((RING & (RING - 1)) !== 0) fail("--ring must be a power of two");
const BATCH = intArg("batch", args.batch!, 1, 4096);
const RX_CPU = intArg("rx-cpu", args["rx-cpu"]!, 0, 1023);
const PRODUCER_CPU = intArg("producer-cpu", args["producer-cpu"]!, -1, 1023);
const RETRIES = intArg("retries", args.retries!, 0, 20);
const QUIET_WAIT = numArg("quiet-wait", args["quiet-wait"]!, 0, 600);
const SET_LIST = args.sets!.split(",").map((s) => s.trim()).filter(Boolean) as FrameSet[];
for (const s of SET_LIST) if (!SETS.includes(s)) fail(`--sets: unknown '${s}', expected some of ${SETS.join(",")}`);
if (SET_LIST.length === 0) fail("--sets is empty");
const CORES = args.cores!.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
if (CORES.length === 0 || CORES.some((c) => c !== 1 && c !== 2)) fail("--cores takes 2, 1 or both (2,1)");

const RESULTS = args.out ?? `${ROOT}bench/results/ring.json`;

const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

// ---------------------------------------------------------------- cases

const CASE_IDS = args.cases?.split(",").map((x) => x.trim()).filter(Boolean);
for (const id of CASE_IDS ?? []) if (!CASES.some((c) => c.id === id)) fail(`--cases: unknown '${id}', expected some of ${CASES.map((c) => c.id).join(",")}`);
const RUN_CASES = CASE_IDS ? CASES.filter((c) => CASE_IDS.includes(c.id)) : CASES;

function caseArgv(c: CaseDef, set: FrameSet, cores: number, image: { path: string; sim: number }): string[] {
  if (c.impl === "c") {
    return [C_RING, SET_FORMAT[set].format, c.mode, image.path, String(image.sim), String(SECONDS), String(WARMUP), String(BATCH), String(PRODUCER_CPU), String(PORT), String(cores)];
  }
  const argv = ["node", "--import", "tsx", `${ROOT}bench/ring/case.ts`, "--set", set, "--mode", c.mode, "--seconds", String(SECONDS),
    "--warmup", String(WARMUP), "--batch", String(BATCH), "--ring", String(RING), "--producer-cpu", String(PRODUCER_CPU), "--cores", String(cores)];
  if (c.book) argv.push("--book");
  return argv;
}

async function waitQuiet(): Promise<void> {
  const end = Date.now() + QUIET_WAIT * 1000;
  let busy = await cpuBusy(300);
  if (busy <= QUIET_BUSY) return;
  log(`  machine busy (${(busy * 100).toFixed(0)}% CPU), waiting up to ${QUIET_WAIT} s for it to quiet down`);
  while (busy > QUIET_BUSY && Date.now() < end) busy = await cpuBusy(1000);
  if (busy > QUIET_BUSY) log(`  still ${(busy * 100).toFixed(0)}% busy; measuring anyway`);
}

async function runCase(c: CaseDef, set: FrameSet, cores: number, image: { path: string; sim: number }, round: number): Promise<Run> {
  // One core is timed by its own CPU clock: other work does not skew it.
  if (cores === 2) await waitQuiet();
  const out = await runChild(["taskset", "-c", String(RX_CPU), ...caseArgv(c, set, cores, image)], { cwd: ROOT, timeoutMs: CASE_TIMEOUT_MS, shown: 9 });
  const line = out.trim().split("\n").pop() ?? "";
  let result: CaseResult;
  try {
    result = JSON.parse(line) as CaseResult;
  } catch {
    throw new Error(`${c.id} ${set}: no JSON on stdout: ${out.slice(0, 200)}`);
  }
  const ownShare = result.cpu.ownSeconds / result.seconds;
  const producerShare = cores === 1 ? 1 : result.producer.ns > 0 ? result.producer.cpuNs / result.producer.ns : 0;
  // No frame at all in the timed part: the producer never got its CPU.
  const disturbed = ownShare < OWN_SHARE_MIN || producerShare < OWN_SHARE_MIN || result.frames === 0;
  return { set, cores, id: c.id, round, result, ownShare, producerShare, disturbed };
}


// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  mkdirSync(BUILD, { recursive: true });
  mkdirSync(`${ROOT}bench/results`, { recursive: true });
  log("building bench/.build/c_ring and libringprod.so (make -C bench/ring)");
  buildNative();

  // The C baseline's memory: the same layout and frames the xdpfeed case lays into its wasm memory.
  const images = new Map<FrameSet, { path: string; sim: number; frames: number; messages: number }>();
  for (const set of SET_LIST) {
    const frames = await framesOf(set, RING, FRAME_SIZE - HEADROOM);
    const buf = new ArrayBuffer(ringBytes(RING, FRAME_SIZE));
    const l = layRings(buf, { ring: RING, frameSize: FRAME_SIZE, frames, headroom: HEADROOM });
    const path = `${BUILD}/ring-${set}.img`;
    writeFileSync(path, new Uint8Array(buf, 0, l.bytes));
    const messages = frames.reduce((a, f) => a + f.count, 0);
    images.set(set, { path, sim: l.sim, frames: frames.length, messages });
    log(`frames ${set}: ${frames.length} distinct frames, ${messages} messages, ${Math.round(frames.reduce((a, f) => a + f.bytes.length, 0) / frames.length)} bytes on average`);
  }

  const runs: Run[] = [];
  const discarded: Run[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    log(`round ${round}/${ROUNDS}`);
    for (const set of SET_LIST) {
      const order = RUN_CASES.map((_, k) => RUN_CASES[(k + round - 1) % RUN_CASES.length]);
      for (const cores of CORES) for (const c of order) {
        let r: Run | undefined;
        for (let attempt = 0; attempt <= RETRIES; attempt++) {
          r = await runCase(c, set, cores, images.get(set)!, round);
          const what = `  ${set.padEnd(8)} ${cores} core${cores === 1 ? " " : "s"} ${c.id.padEnd(16)} ${r.result.nsPerFrame.toFixed(1).padStart(7)} ns/frame ${fmtRate(r.result.framesPerSecond).padStart(8)} frames/s, consumer ${(r.ownShare * 100).toFixed(0)}% of its CPU, producer ${(r.producerShare * 100).toFixed(0)}%`;
          if (!r.disturbed) {
            log(what);
            break;
          }
          log(`${what} -- DISTURBED${attempt < RETRIES ? ", repeating" : ", keeping it"}`);
          if (attempt < RETRIES) discarded.push(r);
        }
        const p = r!.result.parser;
        if (p.gaps !== 0 || p.duplicates !== 0) throw new Error(`${set} ${cores} ${c.id}: the parser saw ${p.gaps} gaps and ${p.duplicates} duplicates: the producer's stream is not contiguous`);
        runs.push(r!);
      }
    }
  }

  const sums = SET_LIST.flatMap((s) => CORES.map((c) => summarize(s, c, runs)));
  const json = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "?", kernel: release(), node: process.version },
    options: { rounds: ROUNDS, seconds: SECONDS, warmup: WARMUP, sets: SET_LIST, cores: CORES, ring: RING, batch: BATCH, rxCpu: RX_CPU, producerCpu: PRODUCER_CPU, retries: RETRIES, frameSize: FRAME_SIZE, headroom: HEADROOM },
    images: Object.fromEntries([...images].map(([k, v]) => [k, { frames: v.frames, messages: v.messages }])),
    summary: sums,
    runs,
    discarded,
  };
  writeFileSync(RESULTS, JSON.stringify(json, null, 2) + "\n");

  console.log(`\nxdpfeed ring benchmark, ${json.date}`);
  console.log(`consumer on CPU ${RX_CPU}; 2 cores: simulated kernel thread on CPU ${PRODUCER_CPU}, rates by the wall clock; 1 core: producer and loop take turns, rates by the loop's CPU time`);
  console.log(`${RING}-entry FILL/RX rings, ${FRAME_SIZE}-byte chunks, batch ${BATCH}; median of ${ROUNDS} rounds of ${SECONDS} s`);
  console.log(`${json.machine.cpus} x ${json.machine.cpuModel}, Linux ${json.machine.kernel}, Node ${json.machine.node}`);
  if (discarded.length) console.log(`${discarded.length} run(s) repeated because other work took a CPU (kept under "discarded" in the JSON)`);
  for (const s of sums) {
    console.log(`\n${s.set}, ${s.cores === 2 ? "2 cores (producer thread)" : "1 core (turns, CPU time)"}: ${images.get(s.set)!.frames} distinct frames, ${(images.get(s.set)!.messages / images.get(s.set)!.frames).toFixed(2)} messages per frame\n`);
    console.log(caseTable(s));
    console.log("");
    console.log(shareTable(s));
  }
  for (const one of sums.filter((s) => s.set === "itch1")) {
    const x = one.cases.find((c) => c.id === "x-run");
    const c = one.cases.find((c) => c.id === "c-run");
    const floor = one.cases.find((c) => c.id === "c-ring");
    if (x && c) {
      console.log(`\none ITCH message per frame, decode only, ${one.cores} core${one.cores === 1 ? "" : "s"}: xdpfeed ${fmtRate(x.framesPerSecond)} frames/s, C ${fmtRate(c.framesPerSecond)} frames/s ` +
        `(${(x.framesPerSecond / c.framesPerSecond).toFixed(2)}x C; target 0.9x), against ${NIC_TARGET / 1e6} M frames/s of a tuned NIC: ` +
        `${x.framesPerSecond >= NIC_TARGET ? "reached" : `${((x.framesPerSecond / NIC_TARGET) * 100).toFixed(0)}% of it`}` +
        (floor && one.cores === 2 ? `; the producer delivers ${fmtRate(floor.framesPerSecond)} frames/s to C's ring-only loop` : ""));
    }
  }
  // The producer's own cost: its turns in C's one-core ring-only case (frames it moved / its CPU time).
  const floor = runs.filter((r) => r.cores === 1 && r.id === "c-ring" && r.result.producer.cpuNs > 0);
  if (floor.length) {
    const ns = median(floor.map((r) => r.result.producer.cpuNs / r.result.producer.produced));
    console.log(`\nthe simulated producer's own cost (its turns in C's one-core ring-only runs): ${ns.toFixed(1)} ns/frame, a ceiling of ${fmtRate(1e9 / ns)} frames/s`);
  }
  console.log(`\nresults: ${RESULTS}`);
}

main().catch((e) => {
  process.stderr.write(`bench:ring: ${(e as Error).stack ?? e}\n`);
  process.exit(2);
});
