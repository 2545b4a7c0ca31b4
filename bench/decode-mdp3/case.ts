// One case of the MDP 3.0 decoder benchmark, run by bench/decode-mdp3/run.ts in a fresh process:
//
//   node --import tsx bench/decode-mdp3/case.ts --impl wasm|ts --input FILE [--min-seconds S] [--warmup N] [--module PATH]
//
// As bench/decode/case.ts: the input (UDP payloads, bench/decode/common.ts's file format) read
// once (wasm: straight into the parser's input region, parsed where it lies), one verification
// pass hashing every record (seq, price, quantity, kind: RecordHash.check), --warmup untimed
// passes, then timed passes from fresh decoder state until --min-seconds. The record callback
// sums the low 32 bits of every record's price. Prints one JSON line (nsPerMessage over all timed
// passes, minNsPerMessage of the fastest).
//
// wasm: the generated cme-mdp3 module through FeedParser (--module: another build of it, for
// experiments with the generator); ts: bench/decode-mdp3/ts-decoder.ts.

import { parseArgs } from "node:util";
import { FeedParser } from "../../src/feeds/parser.js";
import { cmeMdp3 } from "../../src/feeds/feeds.js";
import { RECORDS_BASE } from "../../assembly/layout.js";
import { R_PRICE, RECORD_SIZE } from "../../assembly/records.js";
import { RecordHash, entriesOf, fileSize, readEntries, readInto, hex } from "../decode/common.js";
import { TsMdp3Decoder } from "./ts-decoder.js";

const a = parseArgs({ options: { impl: { type: "string" }, input: { type: "string" }, "min-seconds": { type: "string", default: "0.5" }, warmup: { type: "string", default: "2" }, module: { type: "string" } } }).values;
if ((a.impl !== "wasm" && a.impl !== "ts") || !a.input) {
  process.stderr.write("usage: case.ts --impl wasm|ts --input FILE [--min-seconds S] [--warmup N]\n");
  process.exit(2);
}
const path = a.input;

interface Runner {
  pass(onRecords: (n: number) => void): void;
  words: () => Uint32Array;
  base: number;
  counts(): { messages: number; packets: number; gaps: number; rptGaps: number; rejected: number };
}

function wasmRunner(): Runner {
  const modulePath = a.module;
  const feed = modulePath ? { ...cmeMdp3, modulePath: () => modulePath } : cmeMdp3;
  const parser = new FeedParser(feed, { inputCapacity: Math.max(1, fileSize(path)) });
  const e = entriesOf(parser.input.subarray(0, readInto(path, parser.input)), path);
  const words = new Uint32Array(parser.memory.buffer);
  return {
    pass(onRecords) {
      parser.reset();
      parser.parsePlaced(e.count, e.offsets, e.lengths, "payloads", onRecords);
    },
    words: () => words,
    base: RECORDS_BASE >>> 2,
    counts() {
      const s = parser.summary();
      return { messages: s.messages, packets: s.packets, gaps: s.gaps, rptGaps: s.instrumentSequence?.gaps ?? 0, rejected: Object.values(s.rejected).reduce((x, y) => x + y, 0) };
    },
  };
}

function tsRunner(): Runner {
  const input = readEntries(path);
  const d = new TsMdp3Decoder();
  return {
    pass(onRecords) {
      d.reset();
      d.parse(input.data, input.offsets, input.lengths, input.count, onRecords);
    },
    words: () => d.u32,
    base: 0,
    counts: () => ({ messages: d.messages, packets: d.packets, gaps: d.gaps, rptGaps: d.rptGaps, rejected: d.rejected }),
  };
}

const run = a.impl === "wasm" ? wasmRunner() : tsRunner();
const h = new RecordHash();
run.pass((n) => h.add(run.words(), run.base, n));
const counts = run.counts();
const priceWord = R_PRICE >>> 2;
const stride = RECORD_SIZE >>> 2;
let acc = 0;
const consume = (n: number): void => {
  const w = run.words();
  const at = run.base + priceWord;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += w[at + i * stride] | 0;
  acc = (acc + sum) | 0;
};
for (let i = 0; i < Number(a.warmup); i++) run.pass(consume);
let passes = 0;
const t0 = process.hrtime.bigint();
let elapsed = 0;
// The fastest pass too: on a shared machine the passes another process preempted are slower.
let fastest = Infinity;
do {
  const p0 = process.hrtime.bigint();
  run.pass(consume);
  const p1 = process.hrtime.bigint();
  fastest = Math.min(fastest, Number(p1 - p0));
  passes++;
  elapsed = Number(p1 - t0) / 1e9;
} while (elapsed < Number(a["min-seconds"]));
process.stdout.write(JSON.stringify({
  impl: a.impl, ...counts, records: h.records, passes, seconds: elapsed, nsPerMessage: (elapsed * 1e9) / (passes * counts.messages),
  minNsPerMessage: fastest / counts.messages, checksum: hex(h.check),
}) + "\n");
