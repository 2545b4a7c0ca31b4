// npm run fuzz -- --feed F --count N --seed S [--mode M] [--lines on|off|both] [--book on|off|both]
//                 [--batch N] [--skip IDENTITY,...] [--crashes DIR] [--captured N] [--data DIR]
// npm run fuzz -- --replay fuzz/crashes/NAME.json
//
// Mutated inputs through every parser (campaign.ts): progress on stderr, one JSON line on stdout
// at the end (inputs and time per feed and mode, failures). Exit status 1 when anything failed:
// a read out of bounds, a throw, an accounting identity; the first failing input of each kind
// is written to the crash directory. 2 for a usage error.

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { FEEDS, type Feed } from "../src/feeds/feeds.js";
import { MODES, type Mode } from "./batch.js";
import { campaign, type ModeReport } from "./campaign.js";
import { checkBatch } from "./run.js";
import { readCrash } from "./crashes.js";
import { IDENTITIES } from "./accounting.js";

const CRASH_DIR = fileURLToPath(new URL("./crashes/", import.meta.url));

function usage(msg: string): never {
  process.stderr.write(`fuzz: ${msg}\n` +
    "usage: npm run fuzz -- --feed itch50|iex-tops|iex-deep|cme-mdp3|all --count N --seed S [--mode frames|payloads|messages|prefixed|all]\n" +
    "         [--lines on|off|both] [--book on|off|both] [--batch N] [--skip IDENTITY,...] [--crashes DIR] [--captured N] [--data DIR]\n" +
    "       npm run fuzz -- --replay FILE.json\n" +
    `identities: ${IDENTITIES.map((i) => i.name).join(", ")}\n`);
  process.exit(2);
}

function list<T>(v: string, all: Record<string, T>, what: string): T[] {
  if (v === "all") return Object.values(all);
  return v.split(",").map((k) => all[k] ?? usage(`unknown ${what} '${k}'`));
}

function int(v: string | undefined, dflt: number, what: string): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) usage(`${what} must be a non-negative integer, got '${v}'`);
  return n;
}

function onOff(v: string, what: string): boolean[] {
  const m: Record<string, boolean[]> = { on: [true], off: [false], both: [false, true] };
  return m[v] ?? usage(`${what} must be on, off or both, got '${v}'`);
}

function replay(path: string): number {
  const { batch, failure } = readCrash(path);
  const found = checkBatch(batch);
  process.stderr.write(`recorded: ${failure.name}: ${failure.detail}\n`);
  for (const f of found) process.stderr.write(`now:      ${f.name}: ${f.detail}\n`);
  process.stdout.write(JSON.stringify({ replay: path, entries: batch.entries.length, failures: found }) + "\n");
  return found.length ? 1 : 0;
}

async function main(): Promise<number> {
  let a;
  try {
    a = parseArgs({
      options: {
        feed: { type: "string", default: "all" }, count: { type: "string" }, seed: { type: "string" }, mode: { type: "string", default: "all" },
        lines: { type: "string", default: "both" }, book: { type: "string", default: "both" }, batch: { type: "string" },
        skip: { type: "string", default: "" }, crashes: { type: "string", default: CRASH_DIR }, captured: { type: "string" },
        data: { type: "string" }, replay: { type: "string" },
      },
      strict: true,
    }).values;
  } catch (e) {
    usage((e as Error).message);
  }
  if (a.replay) return replay(a.replay);
  const feeds = list<Feed>(a.feed!, FEEDS, "feed");
  const modes = list<Mode>(a.mode!, Object.fromEntries(MODES.map((m) => [m, m])), "mode");
  const skip = new Set(a.skip!.split(",").filter(Boolean));
  for (const s of skip) if (!IDENTITIES.some((i) => i.name === s)) usage(`unknown identity '${s}'`);
  const count = int(a.count, 10_000, "--count");
  const seed = int(a.seed, 1, "--seed");
  const t0 = performance.now();
  let last = 0;
  const tty = process.stderr.isTTY;
  const { reports, notes } = await campaign(feeds, modes, {
    count, seed, skip, lines: onOff(a.lines!, "--lines"), book: onOff(a.book!, "--book"), batchSize: int(a.batch, 128, "--batch") || 128,
    crashDir: a.crashes, corpus: { capturedFrames: a.captured === undefined ? undefined : int(a.captured, 0, "--captured"), dataDir: a.data },
    onProgress: (p) => {
      const now = performance.now();
      if (now - last < (tty ? 200 : 5000) && p.inputs < p.count) return;
      last = now;
      const line = `fuzz: ${p.feed} ${p.mode}: ${p.inputs}/${p.count} inputs, ${p.failures} failing batches, ${((now - t0) / 1000).toFixed(1)} s`;
      process.stderr.write(tty ? `\r${line}\x1b[K${p.inputs >= p.count ? "\n" : ""}` : `${line}\n`);
    },
  });
  for (const n of notes) process.stderr.write(`fuzz: ${n}\n`);
  let failing = 0;
  for (const r of reports) {
    for (const [name, f] of Object.entries(r.failures)) {
      failing += f.batches;
      process.stderr.write(`fuzz: FAIL ${r.feed} ${r.mode} ${name} (${f.batches} batches): seed ${f.first.seed}, input ${f.first.input}: ${f.first.detail}` +
        `${f.first.file ? `\n      failing input: ${f.first.file}` : ""}\n`);
    }
  }
  const summary = (r: ModeReport) => ({
    feed: r.feed, mode: r.mode, inputs: r.inputs, batches: r.batches, ms: r.ms,
    failures: Object.fromEntries(Object.entries(r.failures).map(([k, f]) => [k, { kind: f.kind, batches: f.batches, input: f.first.input, file: f.first.file }])),
  });
  process.stdout.write(JSON.stringify({
    seed, count, ms: Math.round(performance.now() - t0), inputs: reports.reduce((x, r) => x + r.inputs, 0), failingBatches: failing,
    runs: reports.map(summary), notes,
  }) + "\n");
  return failing > 0 ? 1 : 0;
}

process.exitCode = await main();
