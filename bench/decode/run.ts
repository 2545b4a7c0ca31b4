// Decoder benchmark (npm run bench:decode): the same feeds decoded into 96-byte tick records by
// three decoders, each case in a fresh process, on the same input files:
//
//   wasm  the compiled AssemblyScript parsers through FeedParser (src/feeds/parser.ts): the input
//         read once into the parser's wasm memory, every pass parsing it in place (parsePlaced)
//   ts    a plain TypeScript DataView decoder written for the benchmark (bench/decode/ts-decoder.ts)
//   c     the same work in C, cc -O2 (bench/decode/c_decoder.c): the baseline
//
//   node --import tsx bench/decode/run.ts [--rounds R] [--min-seconds S] [--messages N]
//       [--symbols N] [--seed N] [--formats LIST] [--impls LIST] [--retries N] [--wasm-dir DIR]
//       [--consumer raw|tick] [--profile uniform,realistic]
//
// Inputs, prepared once here (bench/decode/inputs.ts) and written to bench/.build/decode-*.bin:
// itch50, generated ITCH 5.0 sessions of 20,000,000 messages (--messages) for each --profile
// (default both): "uniform" over 1,000 symbols, and "realistic", a NASDAQ-shaped day over 8,000
// symbols (src/itchgen/day-profile.ts), as MoldUDP64 payloads of <= 1400 bytes; iex-tops and
// iex-deep, the UDP payloads of the IEX sample captures. Each case (bench/decode/case.ts, or the C program) reads its file, makes one
// verification pass hashing every record, two warm-up passes, then decodes the whole input
// again and again for at least --min-seconds (default 0.5), timing only those passes; the
// record callback reads one field per record into a sum (--consumer: raw, from a typed array
// over the records as C reads its struct, the default; tick, through the TickView flyweight;
// see case.ts). Every pass starts from fresh decoder state (counters, sequence, symbol table).
//
// R rounds (default 5; the order of the cases rotates each round); before each case the machine
// must be quiet (below 10% busy, waited for up to 60 s), and a case during which other work took
// more than 0.15 CPU, or kept it off its CPU for more than 10% of the time, is repeated
// (--retries, default 3) and kept in the JSON as discarded. Reported per format and decoder: the
// median ns/message and messages/s, and the rates relative to C and to TypeScript.
//
// Agreement: for each format every run of every decoder must report the same message count,
// counters (messages by type, rejections by reason, gaps, duplicates, resets) and checksums
// (over seq, price, quantity and kind of every record; over every record field but msgOffset;
// the timed passes' sum): a mismatch is printed loudly and the exit status is 1.
//
// --wasm-dir DIR runs the wasm case with DIR/NAME.wasm (NAME: itch50, iex_tops, iex_deep) in
// place of assembly/build/ (for experiments with modified AssemblyScript).
//
// Prints the table on stdout (progress on stderr) and writes bench/results/decode.json.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, release } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FEEDS } from "../../src/feeds/feeds.js";
import { FORMATS, markdownTable, median, runChild, type CaseResult, type Format } from "./common.js";
import { cpuBusy, JIFFY } from "./cpu.js";
import { prepareIex, prepareItch, type Prepared } from "./inputs.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BUILD = `${ROOT}bench/.build`;
const C_DECODER = `${BUILD}/c_decoder`;
const CASE = `${ROOT}bench/decode/case.ts`;
const RESULTS = `${ROOT}bench/results/decode.json`;
const CASE_TIMEOUT_MS = 300_000;
/** Other work above this many CPUs during the timed passes disturbs a case. */
const DISTURBED_OTHER_CPU = 0.15;
/** ...as does the case having its CPU for less than this fraction of the time. */
const DISTURBED_OWN = 0.9;
const QUIET_WAIT_MS = 60_000;
const QUIET_BUSY = 0.1;

const IMPLS = ["wasm", "ts", "c"] as const;
type Impl = (typeof IMPLS)[number];
const LABEL: Record<Impl, string> = { wasm: "wasm (FeedParser)", ts: "TypeScript DataView", c: "C -O2 (baseline)" };

function fail(msg: string): never {
  process.stderr.write(`bench:decode: ${msg}\n`);
  process.exit(2);
}

const args = (() => {
  try {
    return parseArgs({
      options: {
        rounds: { type: "string", default: "5" },
        "min-seconds": { type: "string", default: "0.5" },
        messages: { type: "string", default: "20000000" },
        symbols: { type: "string" },
        profile: { type: "string", default: "uniform,realistic" },
        seed: { type: "string", default: "1" },
        formats: { type: "string", default: FORMATS.join(",") },
        impls: { type: "string", default: IMPLS.join(",") },
        retries: { type: "string", default: "3" },
        "wasm-dir": { type: "string" },
        consumer: { type: "string", default: "raw" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    fail(`${(e as Error).message}; usage: bench/decode/run.ts [--rounds R] [--min-seconds S] [--messages N] [--symbols N] [--seed N] [--formats LIST] [--impls LIST] [--retries N] [--wasm-dir DIR] [--consumer raw|tick] [--profile uniform,realistic]`);
  }
})();

function intArg(name: string, s: string, min: number, max: number): number {
  const v = Number(s);
  if (!Number.isInteger(v) || v < min || v > max) fail(`--${name} must be an integer from ${min} to ${max}, got '${s}'`);
  return v;
}

function listArg<T extends string>(name: string, s: string, all: readonly T[]): T[] {
  const v = s.split(",").map((x) => x.trim()).filter(Boolean);
  for (const x of v) if (!all.includes(x as T)) fail(`--${name}: unknown '${x}', expected some of ${all.join(",")}`);
  if (v.length === 0) fail(`--${name} is empty`);
  return v as T[];
}

const ROUNDS = intArg("rounds", args.rounds!, 1, 100);
const MIN_SECONDS = Number(args["min-seconds"]);
if (!(MIN_SECONDS > 0 && MIN_SECONDS <= 60)) fail(`--min-seconds must be in (0, 60]`);
const MESSAGES = intArg("messages", args.messages!, 10_000, 100_000_000);
const PROFILES = listArg("profile", args.profile!, ["uniform", "realistic"] as const);
type Profile = (typeof PROFILES)[number];
const symbolsOf = (p: Profile): number => (args.symbols !== undefined ? intArg("symbols", args.symbols, 1, 65535) : p === "realistic" ? 8000 : 1000);
const SEED = intArg("seed", args.seed!, 0, 0x7fffffff);
const RETRIES = intArg("retries", args.retries!, 0, 20);
const FMTS = listArg("formats", args.formats!, FORMATS);
const IMPL_LIST = listArg("impls", args.impls!, IMPLS);
const WASM_DIR = args["wasm-dir"];
const CONSUMER = listArg("consumer", args.consumer!, ["raw", "tick"] as const);
if (CONSUMER.length !== 1) fail("--consumer takes one of raw, tick");
if (WASM_DIR) {
  for (const f of FMTS) if (!existsSync(`${WASM_DIR}/${FEEDS[f].module}.wasm`)) fail(`--wasm-dir: no ${WASM_DIR}/${FEEDS[f].module}.wasm`);
}

/** One input: a format's file (itch50: one per profile), named by `key` in the runs and the table. */
interface Input {
  key: string;
  format: Format;
  profile?: Profile;
}
const INPUTS: Input[] = FMTS.flatMap((f): Input[] => (f === "itch50"
  ? PROFILES.map((p) => ({ key: p === "uniform" ? "itch50" : `itch50 ${p}`, format: f, profile: p }))
  : [{ key: f, format: f }]));

const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

// ---------------------------------------------------------------- cases

interface Run {
  impl: Impl;
  input: string;
  format: Format;
  round: number;
  result: CaseResult;
  /** Other work during the timed passes, in CPUs; this case's share of its CPU. */
  otherCpu: number;
  ownShare: number;
  disturbed: boolean;
}

function caseArgv(impl: Impl, format: Format, input: string): string[] {
  const secs = String(MIN_SECONDS);
  if (impl === "c") return [C_DECODER, format, input, secs, "2"];
  const argv = ["node", "--import", "tsx", CASE, "--impl", impl, "--format", format, "--input", input, "--min-seconds", secs, "--warmup", "2", "--consumer", CONSUMER[0]];
  if (impl === "wasm" && WASM_DIR) argv.push("--module", `${WASM_DIR}/${FEEDS[format].module}.wasm`);
  return argv;
}

async function waitQuiet(): Promise<void> {
  const end = Date.now() + QUIET_WAIT_MS;
  let busy = await cpuBusy(500);
  if (busy <= QUIET_BUSY) return;
  log(`  machine busy (${(busy * 100).toFixed(0)}% CPU), waiting up to ${QUIET_WAIT_MS / 1000} s for it to quiet down`);
  while (busy > QUIET_BUSY && Date.now() < end) busy = await cpuBusy(1000);
  if (busy > QUIET_BUSY) log(`  still ${(busy * 100).toFixed(0)}% busy; measuring anyway`);
}

async function runCase(impl: Impl, inp: Input, path: string, round: number): Promise<Run> {
  const format = inp.format;
  await waitQuiet();
  const out = await runChild(caseArgv(impl, format, path), { cwd: ROOT, timeoutMs: CASE_TIMEOUT_MS });
  const line = out.trim().split("\n").pop() ?? "";
  let result: CaseResult;
  try {
    result = JSON.parse(line) as CaseResult;
  } catch {
    throw new Error(`${impl} ${format}: no JSON on stdout: ${out.slice(0, 200)}`);
  }
  const otherCpu = Math.max(0, (result.cpu.busyJiffies * JIFFY - result.cpu.ownSeconds) / result.seconds);
  const ownShare = result.cpu.ownSeconds / result.seconds;
  const disturbed = otherCpu > DISTURBED_OTHER_CPU || ownShare < DISTURBED_OWN;
  return { impl, input: inp.key, format, round, result, otherCpu, ownShare, disturbed };
}

// ---------------------------------------------------------------- report

/** The fields every decoder must agree on, as one comparable string per run. */
function agreementKey(r: CaseResult): string {
  const sorted = (o: Record<string, number>) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
  return JSON.stringify({
    messages: r.messages, packets: r.packets, checksum: r.checksum, fullChecksum: r.fullChecksum,
    lightChecksum: r.lightChecksum, byType: sorted(r.byType), rejected: sorted(r.rejected), gaps: r.gaps,
    duplicates: r.duplicates, resets: r.resets,
  });
}

interface Summary {
  /** The input (Input.key). */
  format: string;
  messages: number;
  checksum: string;
  impls: Partial<Record<Impl, { nsPerMessage: number; messagesPerSecond: number; runs: number[] }>>;
  /** Rate of wasm relative to C and to TypeScript (rate ratio = their ns / wasm ns). */
  wasmVsC?: number;
  wasmVsTs?: number;
  tsVsC?: number;
}

function fmtRate(r: number): string {
  return r >= 1e6 ? `${(r / 1e6).toFixed(1)} M/s` : `${(r / 1e3).toFixed(0)} k/s`;
}

function table(sums: Summary[]): string {
  const rows: string[][] = [["format", "decoder", "messages", "ns/message", "messages/s", "rate vs C", "note"]];
  for (const s of sums) {
    const c = s.impls.c?.nsPerMessage;
    for (const impl of IMPL_LIST) {
      const v = s.impls[impl];
      if (!v) continue;
      const note = impl === "wasm" && s.wasmVsTs !== undefined ? `${s.wasmVsTs.toFixed(2)}x TypeScript` : "";
      rows.push([
        s.format, LABEL[impl], s.messages.toLocaleString("en-US"), v.nsPerMessage.toFixed(1), fmtRate(v.messagesPerSecond),
        c ? `${(c / v.nsPerMessage).toFixed(2)}x` : "-", note,
      ]);
    }
  }
  return markdownTable(rows, (i) => i >= 2 && i <= 5);
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  mkdirSync(BUILD, { recursive: true });
  mkdirSync(`${ROOT}bench/results`, { recursive: true });
  if (IMPL_LIST.includes("c")) {
    log(`building ${C_DECODER} (make -C bench/decode)`);
    execFileSync("make", ["-s", "-C", `${ROOT}bench/decode`], { stdio: "inherit" });
  }

  const inputs: Record<string, Prepared> = {};
  for (const inp of INPUTS) {
    const t0 = performance.now();
    const path = `${BUILD}/decode-${inp.key.replace(" ", "-")}.bin`;
    inputs[inp.key] = inp.profile
      ? prepareItch(path, { seed: SEED, symbols: symbolsOf(inp.profile), messages: MESSAGES, maxPayload: 1400, profile: inp.profile })
      : await prepareIex(inp.format as "iex-tops" | "iex-deep", path);
    const p = inputs[inp.key];
    log(`input ${inp.key}: ${p.entries.toLocaleString("en-US")} payloads, ${(p.bytes / 1e6).toFixed(1)} MB (${p.source}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  const runs: Run[] = [];
  const discarded: Run[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    log(`round ${round}/${ROUNDS}`);
    // Rotate the order of the decoders each round (formats stay grouped: same input in cache).
    for (const inp of INPUTS) {
      const impls = IMPL_LIST.map((_, k) => IMPL_LIST[(k + round - 1) % IMPL_LIST.length]);
      for (const impl of impls) {
        let r: Run | undefined;
        for (let attempt = 0; attempt <= RETRIES; attempt++) {
          r = await runCase(impl, inp, inputs[inp.key].path, round);
          const what = `  ${inp.key.padEnd(16)} ${impl.padEnd(4)} ${r.result.nsPerMessage.toFixed(2).padStart(7)} ns/msg  ${r.result.passes} passes, other work ${r.otherCpu.toFixed(2)} CPU, own ${(r.ownShare * 100).toFixed(0)}%`;
          if (!r.disturbed) {
            log(what);
            break;
          }
          log(`${what} -- DISTURBED${attempt < RETRIES ? ", repeating" : ", keeping it"}`);
          if (attempt < RETRIES) discarded.push(r);
        }
        runs.push(r!);
      }
    }
  }

  // Agreement across decoders and rounds.
  const mismatches: string[] = [];
  const sums: Summary[] = [];
  for (const { key: f } of INPUTS) {
    const rs = runs.filter((r) => r.input === f);
    const keys = new Map<string, string[]>();
    for (const r of rs) {
      const k = agreementKey(r.result);
      keys.set(k, [...(keys.get(k) ?? []), `${r.impl}#${r.round}`]);
    }
    if (keys.size > 1) {
      mismatches.push(`${f}: the decoders disagree:\n${[...keys].map(([k, who]) => `    ${who.join(", ")}: ${k}`).join("\n")}`);
    }
    const s: Summary = { format: f, messages: rs[0].result.messages, checksum: rs[0].result.checksum, impls: {} };
    for (const impl of IMPL_LIST) {
      const ns = rs.filter((r) => r.impl === impl).map((r) => r.result.nsPerMessage);
      if (ns.length === 0) continue;
      const m = median(ns);
      s.impls[impl] = { nsPerMessage: m, messagesPerSecond: 1e9 / m, runs: ns };
    }
    const ns = (i: Impl) => s.impls[i]?.nsPerMessage;
    if (ns("wasm") && ns("c")) s.wasmVsC = ns("c")! / ns("wasm")!;
    if (ns("wasm") && ns("ts")) s.wasmVsTs = ns("ts")! / ns("wasm")!;
    if (ns("ts") && ns("c")) s.tsVsC = ns("c")! / ns("ts")!;
    sums.push(s);
  }

  const disturbedKept = runs.filter((r) => r.disturbed).length;
  const json = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "?", kernel: release(), node: process.version, cc: ccVersion() },
    options: { rounds: ROUNDS, minSeconds: MIN_SECONDS, messages: MESSAGES, symbols: Object.fromEntries(PROFILES.map((p) => [p, symbolsOf(p)])), profiles: PROFILES, seed: SEED, formats: FMTS, impls: IMPL_LIST, retries: RETRIES, wasmDir: WASM_DIR ?? null, consumer: CONSUMER[0] },
    inputs,
    summary: sums,
    agreement: mismatches.length === 0 ? "ok" : mismatches,
    runs: runs.map(({ result, ...r }) => ({ ...r, result })),
    discarded: discarded.map(({ result, ...r }) => ({ ...r, result })),
  };
  writeFileSync(RESULTS, JSON.stringify(json, null, 2) + "\n");

  console.log(`\nDecoders: median of ${ROUNDS} fresh-process runs, ns per message decoded into a 96-byte tick record (lower is better; consumer ${CONSUMER[0]})\n`);
  console.log(table(sums));
  console.log("");
  for (const s of sums) {
    const parts = [];
    if (s.wasmVsC !== undefined) parts.push(`wasm/C ${s.wasmVsC.toFixed(2)}x`);
    if (s.wasmVsTs !== undefined) parts.push(`wasm/TS ${s.wasmVsTs.toFixed(2)}x`);
    if (s.tsVsC !== undefined) parts.push(`TS/C ${s.tsVsC.toFixed(2)}x`);
    console.log(`${s.format}: rate ratios ${parts.join(", ")}`);
  }
  if (disturbedKept > 0) console.log(`\nnote: ${disturbedKept} run(s) stayed disturbed by other work after ${RETRIES} retries (see ${RESULTS})`);
  console.log(`\nresults: ${RESULTS}`);
  if (mismatches.length > 0) {
    const bar = "!".repeat(78);
    console.log(`\n${bar}\nMISMATCH: the decoders do not agree\n${mismatches.join("\n")}\n${bar}`);
    process.exit(1);
  }
  console.log(`agreement: every run of every decoder reports the same messages, counters and checksums (${sums.map((s) => `${s.format} ${s.messages} msgs, ${s.checksum}`).join("; ")})`);
}

function ccVersion(): string {
  try {
    return execFileSync("cc", ["--version"], { encoding: "utf8" }).split("\n")[0];
  } catch {
    return "?";
  }
}

main().catch((e) => {
  process.stderr.write(`bench:decode: ${(e as Error).stack ?? e}\n`);
  process.exit(2);
});
