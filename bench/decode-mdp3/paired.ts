// Paired comparison of builds of the cme-mdp3 module, for generator changes of a few percent that
// bench:decode-mdp3's per-process figures cannot show on a shared machine: every build parses the
// benchmark's input (bench/.build/decode-mdp3.bin, written by run.ts) in one process, pass after
// pass in turns (the order reversed every other turn), so a slow spell of the machine falls on all
// of them alike. Records consumed as case.ts does (the low 32 bits of each record's price summed).
//
//   node --import tsx bench/decode-mdp3/paired.ts [--passes N] MODULE.wasm MODULE.wasm...
//
// Prints per build the median and fastest ns/message and the median of its per-pass time over the
// first build's in the same turn. Not a C comparison: run.ts gives the ratios to C.

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { FeedParser } from "../../src/feeds/parser.js";
import { cmeMdp3 } from "../../src/feeds/feeds.js";
import { RECORDS_BASE } from "../../assembly/layout.js";
import { R_PRICE, RECORD_SIZE } from "../../assembly/records.js";
import { entriesOf, fileSize, readInto } from "../decode/common.js";

const a = parseArgs({ options: { passes: { type: "string", default: "60" } }, allowPositionals: true });
const modules = a.positionals;
if (modules.length < 2) {
  process.stderr.write("usage: paired.ts [--passes N] MODULE.wasm MODULE.wasm...\n");
  process.exit(2);
}
const input = fileURLToPath(new URL("../.build/decode-mdp3.bin", import.meta.url));
let messages = 0;
const runners = modules.map((path) => {
  const parser = new FeedParser({ ...cmeMdp3, modulePath: () => path }, { inputCapacity: fileSize(input) });
  const e = entriesOf(parser.input.subarray(0, readInto(input, parser.input)), input);
  const words = new Uint32Array(parser.memory.buffer);
  const at = (RECORDS_BASE + R_PRICE) >>> 2;
  const stride = RECORD_SIZE >>> 2;
  let acc = 0;
  const consume = (n: number): void => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += words[at + i * stride] | 0;
    acc = (acc + sum) | 0;
  };
  return (): number => {
    parser.reset();
    parser.parsePlaced(e.count, e.offsets, e.lengths, "payloads", consume);
    messages = parser.summary().messages;
    return acc;
  };
});
for (let i = 0; i < 3; i++) for (const run of runners) run();
const ns: number[][] = modules.map(() => []);
for (let i = 0; i < Number(a.values.passes); i++) {
  const order = i % 2 ? [...runners.keys()].reverse() : [...runners.keys()];
  for (const k of order) {
    const t0 = process.hrtime.bigint();
    runners[k]();
    ns[k].push(Number(process.hrtime.bigint() - t0) / messages);
  }
}
const median = (v: number[]): number => [...v].sort((x, y) => x - y)[v.length >> 1];
for (let k = 0; k < modules.length; k++) {
  const ratio = median(ns[k].map((x, i) => x / ns[0][i]));
  process.stdout.write(`${modules[k]}: median ${median(ns[k]).toFixed(1)} ns/message, fastest ${Math.min(...ns[k]).toFixed(1)}, per-pass ratio to the first ${ratio.toFixed(3)}\n`);
}
