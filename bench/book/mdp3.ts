// CME MDP 3.0 book building rate (npm run bench:mdp3-book): market-by-price entries per second
// through the wasm book's hooks (assembly/book/mdp3.ts), with depth events, with market-by-order
// entries, and a straightforward TypeScript market-by-price book as the baseline in the same run,
// each case in a fresh process (./mdp3-child.ts) on one seeded generated session.
//
//   node --import tsx bench/book/mdp3.ts [--messages 300000] [--instruments 1000] [--seed 1] [--rounds 3]
//
// The hooks are driven by the test module test/fixtures/mdp3-book.as.ts, compiled here (release)
// into bench/.build/. Cases alternate their order each round; medians are printed as a table and
// written to bench/results/mdp3-book.json, with the wasm book's rate relative to the baseline's.
// Agreement: the wasm "mbp" case and the baseline must count the same BBO changes, else the exit
// status is 1. Target on the project's machine: 10 M entries/s or more for "mbp".

import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { compileFeedSource } from "../../src/feeds/build-feed.js";
import { markdownTable, median } from "../decode/common.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BUILD = `${ROOT}bench/.build`;
const CHILD = `${ROOT}bench/book/mdp3-child.ts`;
const RESULTS = `${ROOT}bench/results`;

const { values: o } = parseArgs({
  options: {
    messages: { type: "string", default: "300000" },
    instruments: { type: "string", default: "1000" },
    seed: { type: "string", default: "1" },
    rounds: { type: "string", default: "3" },
    passes: { type: "string", default: "5" },
  },
  strict: true,
});

interface CaseResult {
  case: string;
  entries: number;
  best: number;
  median: number;
  entriesPerSecond: number;
  nsPerEntry: number;
  check: { bboChanges: number };
}

mkdirSync(BUILD, { recursive: true });
const wasm = `${BUILD}/mdp3-book`;
await compileFeedSource(`${ROOT}test/fixtures/mdp3-book.as.ts`, wasm);

const CASES = ["mbp", "depth", "mbo", "ts"];
const runs = new Map<string, CaseResult[]>(CASES.map((c) => [c, []]));
for (let r = 0; r < Number(o.rounds); r++) {
  const order = r % 2 === 0 ? CASES : [...CASES].reverse();
  for (const c of order) {
    const out = execFileSync(process.execPath, [
      "--import", "tsx", CHILD, "--wasm", `${wasm}.wasm`, "--case", c, "--seed", o.seed!, "--instruments", o.instruments!,
      "--messages", o.messages!, "--passes", o.passes!,
    ], { encoding: "utf8", timeout: 600_000, maxBuffer: 1 << 20 });
    runs.get(c)!.push(JSON.parse(out.trim().split("\n").pop()!) as CaseResult);
  }
}

const rate = (c: string) => median(runs.get(c)!.map((x) => x.entriesPerSecond));
const base = rate("ts");
const rows = CASES.map((c) => {
  const x = runs.get(c)![0];
  return [c, String(x.entries), (rate(c) / 1e6).toFixed(2), (1e9 / rate(c)).toFixed(1), (rate(c) / base).toFixed(2), String(x.check.bboChanges)];
});
process.stdout.write(markdownTable([["case", "entries", "M entries/s", "ns/entry", "vs TS baseline", "BBO changes"], ...rows], (col) => col > 0) + "\n");

let ok = true;
if (runs.get("mbp")![0].check.bboChanges !== runs.get("ts")![0].check.bboChanges) {
  process.stdout.write(`MISMATCH: the wasm book counted ${runs.get("mbp")![0].check.bboChanges} BBO changes, the baseline ${runs.get("ts")![0].check.bboChanges}\n`);
  ok = false;
}
mkdirSync(RESULTS, { recursive: true });
writeFileSync(`${RESULTS}/mdp3-book.json`, JSON.stringify({
  options: o, cases: Object.fromEntries(CASES.map((c) => [c, { entriesPerSecond: rate(c), vsBaseline: rate(c) / base, runs: runs.get(c) }])),
}, null, 2) + "\n");
process.exit(ok ? 0 : 1);
