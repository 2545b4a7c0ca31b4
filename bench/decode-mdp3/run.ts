// CME MDP 3.0 decoder benchmark (npm run bench:decode-mdp3): a generated session (src/mdp3gen:
// definitions, then market-by-price updates of every action, market-by-order updates, trade
// summaries with their orders, volume, statistics, status; default 100,000 event packets over
// 200 instruments with Zipf-like activity) decoded into 96-byte tick records, one per group
// entry, by three decoders, each case in a fresh process on the same input file:
//
//   wasm  the generated cme-mdp3 module through FeedParser (bench/decode-mdp3/case.ts)
//   ts    a straightforward TypeScript DataView decoder (bench/decode-mdp3/ts-decoder.ts)
//   c     the same work in C, cc -O2 (bench/decode-mdp3/c_mdp3.c): the baseline
//
//   node --import tsx bench/decode-mdp3/run.ts [--rounds R] [--min-seconds S] [--packets N]
//       [--instruments N] [--seed N] [--module PATH]... [--only-wasm]
//
// --module PATH (repeatable): another build of the cme-mdp3 module as one more case, "wasm:NAME"
// (its file name), for comparing generator changes in one run; --only-wasm leaves out the
// TypeScript decoder (C stays: the ratios are to it).
//
// R rounds (default 3), the cases' order rotating. Every run must agree on messages, records and
// the checksum over seq, price, quantity and kind of every record (exit status 1 otherwise).
// Reported per decoder: the median ns/message, messages/s, records (entries)/s, and the rates
// relative to C. Also the generator's own speed on a 100-message schema. Prints the table and
// writes bench/results/decode-mdp3.json.

import { spawnSync, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { mdp3Session } from "../../src/mdp3gen/index.js";
import { readSbeSchema } from "../../src/sbe/schema.js";
import { generate } from "../../src/sbe/generate.js";
import { writeEntries, markdownTable, median } from "../decode/common.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BUILD = `${ROOT}bench/.build`;
const INPUT = `${BUILD}/decode-mdp3.bin`;
const C = `${BUILD}/c_mdp3`;
const RESULTS = `${ROOT}bench/results/decode-mdp3.json`;
type Impl = string;
const LABEL: Record<Impl, string> = { wasm: "wasm (generated, FeedParser)", ts: "TypeScript DataView", c: "C -O2 (baseline)" };

interface Result { impl: Impl; messages: number; records: number; packets: number; passes: number; seconds: number; nsPerMessage: number; checksum: string }

const a = parseArgs({
  options: {
    rounds: { type: "string", default: "3" }, "min-seconds": { type: "string", default: "0.5" }, packets: { type: "string", default: "100000" },
    instruments: { type: "string", default: "200" }, seed: { type: "string", default: "1" },
    module: { type: "string", multiple: true, default: [] }, "only-wasm": { type: "boolean", default: false }, help: { type: "boolean", default: false },
  },
}).values;
if (a.help) {
  const lines = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n");
  process.stdout.write(lines.slice(0, lines.findIndex((l) => !l.startsWith("//"))).map((l) => l.slice(3)).join("\n") + "\n");
  process.exit(0);
}
const MODULES = new Map(a.module!.map((path) => [`wasm:${path.split("/").pop()!.replace(/\.wasm$/, "")}`, path]));
for (const [impl, path] of MODULES) LABEL[impl] = `${impl} (${path})`;
const IMPLS: Impl[] = ["wasm", ...(a["only-wasm"] ? [] : ["ts"]), "c", ...MODULES.keys()];
const log = (s: string): void => void process.stderr.write(`bench:decode-mdp3: ${s}\n`);

mkdirSync(BUILD, { recursive: true });
const t0 = performance.now();
const payloads = [...mdp3Session({ seed: Number(a.seed), instruments: Number(a.instruments), packets: Number(a.packets) })].map((p) => p.bytes);
const bytes = writeEntries(INPUT, payloads);
log(`input: ${payloads.length} packets, ${bytes} bytes, generated in ${((performance.now() - t0) / 1000).toFixed(1)} s (${INPUT})`);
execFileSync("make", ["-s", "-C", `${ROOT}bench/decode-mdp3`], { stdio: "inherit" });
if (!existsSync(`${ROOT}assembly/build/cme_mdp3.wasm`)) throw new Error("assembly/build/cme_mdp3.wasm is missing: npm run build:wasm");

function runCase(impl: Impl): Result {
  const r = impl === "c"
    ? spawnSync(C, [INPUT, a["min-seconds"]!, "2"], { encoding: "utf8", timeout: 300_000 })
    : spawnSync(process.execPath, ["--import", "tsx", `${ROOT}bench/decode-mdp3/case.ts`, "--impl", impl === "ts" ? "ts" : "wasm", "--input", INPUT, "--min-seconds", a["min-seconds"]!,
      ...(MODULES.has(impl) ? ["--module", MODULES.get(impl)!] : [])], { encoding: "utf8", timeout: 300_000, cwd: ROOT });
  if (r.status !== 0) throw new Error(`${impl} failed (${r.status}): ${r.stderr}`);
  return { ...JSON.parse(r.stdout.trim().split("\n").pop()!), impl } as Result;
}

const runs: Result[] = [];
for (let round = 0; round < Number(a.rounds); round++) {
  for (let k = 0; k < IMPLS.length; k++) {
    const impl = IMPLS[(k + round) % IMPLS.length];
    const r = runCase(impl);
    log(`round ${round + 1} ${impl}: ${r.nsPerMessage.toFixed(1)} ns/message, ${r.messages} messages, ${r.records} records, checksum ${r.checksum}`);
    runs.push(r);
  }
}

// Agreement: every run of every decoder saw the same messages, records and checksum.
const first = runs[0];
const mismatches = runs.filter((r) => r.messages !== first.messages || r.records !== first.records || r.checksum !== first.checksum);
for (const r of mismatches) process.stderr.write(`MISMATCH: ${r.impl}: ${r.messages} messages, ${r.records} records, checksum ${r.checksum} vs ${first.impl}'s ${first.messages}, ${first.records}, ${first.checksum}\n`);

// The generator on a 100-message schema: CME's version 9 messages repeated under new ids.
const v9 = readFileSync(fileURLToPath(new URL("../../../shared/data/cme/mdp3-v9.xml", import.meta.url)), "utf8");
const bodies = [...v9.matchAll(/<ns2:message [^>]*\/>|<ns2:message [^>]*[^/]>[\s\S]*?<\/ns2:message>/g)].map((m) => m[0]);
const many = Array.from({ length: 100 }, (_, i) => bodies[i % bodies.length].replace(/name="([^"]+)" id="\d+"/, `name="$1x${i}" id="${1000 + i}"`)).join("\n");
const schemaXml = v9.replace(/<ns2:message [\s\S]*<\/ns2:messageSchema>/, `${many}\n</ns2:messageSchema>`);
const g0 = performance.now();
const gs = readSbeSchema(schemaXml, "mdp3-v9 x100");
const files = generate(gs, { name: "many", source: "many.xml", mdp3Book: true });
const generatorMs = performance.now() - g0;

const stats = IMPLS.map((impl) => {
  const mine = runs.filter((r) => r.impl === impl);
  const ns = median(mine.map((r) => r.nsPerMessage));
  return { impl, nsPerMessage: ns, messagesPerS: 1e9 / ns, recordsPerS: (1e9 / ns) * (first.records / first.messages), runs: mine.length };
});
const c = stats.find((s) => s.impl === "c")!;
const rows = [["decoder", "ns/message", "messages/s", "entries/s", "rate vs C"], ...stats.map((s) => [
  LABEL[s.impl], s.nsPerMessage.toFixed(1), `${(s.messagesPerS / 1e6).toFixed(2)} M`, `${(s.recordsPerS / 1e6).toFixed(2)} M`, `${(c.nsPerMessage / s.nsPerMessage).toFixed(2)}x`,
])];
process.stdout.write(`CME MDP 3.0 decode: ${first.packets} packets, ${first.messages} messages, ${first.records} entries (records) per pass; median of ${a.rounds} rounds\n\n`);
process.stdout.write(markdownTable(rows, (i) => i > 0) + "\n\n");
process.stdout.write(`generator: ${gs.messages.length}-message schema read and generated in ${generatorMs.toFixed(1)} ms (${files.module.split("\n").length} lines of module)\n`);
mkdirSync(`${ROOT}bench/results`, { recursive: true });
writeFileSync(RESULTS, JSON.stringify({
  date: new Date().toISOString(), cpu: cpus()[0]?.model, node: process.version, options: a, input: { packets: payloads.length, bytes, messages: first.messages, records: first.records },
  stats, generator: { messages: gs.messages.length, ms: generatorMs }, runs, agree: mismatches.length === 0,
}, null, 2) + "\n");
process.exit(mismatches.length ? 1 : 0);
