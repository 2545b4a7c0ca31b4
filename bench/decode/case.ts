// One case of the decoder benchmark, run by bench/decode/run.ts in a fresh process:
//
//   node --import tsx bench/decode/case.ts --impl wasm|ts --format F --input FILE [--min-seconds S]
//       [--warmup N] [--module PATH]
//
// Reads the input file (UDP payloads, bench/decode/common.ts), then
//   1. one verification pass: decode everything, hash every record (checksum, fullChecksum);
//   2. --warmup untimed passes (default 2);
//   3. timed passes until --min-seconds (default 0.5) have passed: each pass resets the decoder
//      (counters, session, symbol table) and decodes the whole input; the record callback reads
//      one field (price) of every record into a sum.
// Prints one JSON line (CaseResult). --module loads another build of the feed's wasm module
// (for experiments with modified AssemblyScript).
//
// wasm: FeedParser (src/feeds/parser.ts) over "payloads" in chunks of at most 4096 entries and
// 4 MiB (its input capacity), records read with parser.ticks.at(i).price.
// ts:   TsDecoder (bench/decode/ts-decoder.ts) over the whole input, records read from its buffer.

import { parseArgs } from "node:util";
import { FeedParser, INPUT_CAPACITY, type InputChunk } from "../../src/feeds/parser.js";
import { FEEDS, type Feed } from "../../src/feeds/feeds.js";
import { REJECT_REASONS } from "../../src/feeds/reasons.js";
import { BATCH_MAX, RECORDS_BASE } from "../../assembly/layout.js";
import { busyJiffies } from "./cpu.js";
import { TsDecoder } from "./ts-decoder.js";
import { FORMATS, RecordHash, readEntries, hex, type CaseResult, type Entries, type Format } from "./common.js";

const a = parseArgs({
  options: {
    impl: { type: "string" },
    format: { type: "string" },
    input: { type: "string" },
    "min-seconds": { type: "string", default: "0.5" },
    warmup: { type: "string", default: "2" },
    module: { type: "string" },
  },
  strict: true,
}).values;
const impl = a.impl;
const format = a.format as Format;
if ((impl !== "wasm" && impl !== "ts") || !FORMATS.includes(format) || !a.input) {
  process.stderr.write("usage: case.ts --impl wasm|ts --format itch50|iex-tops|iex-deep --input FILE [--min-seconds S] [--warmup N] [--module PATH]\n");
  process.exit(2);
}
const minSeconds = Number(a["min-seconds"]);
const warmup = Number(a.warmup);
const input = readEntries(a.input);

interface Runner {
  /** One pass over the input with fresh decoder state; onRecords consumes each run of records. */
  pass(onRecords: (n: number) => void): void;
  /** Hashes records [0, n) of the current record buffer. */
  hash(h: RecordHash, n: number): void;
  /** Consumes records [0, n): sum of the low 32 bits of price, mod 2^32. */
  consume(n: number, acc: number): number;
  summary(): Pick<CaseResult, "messages" | "packets" | "byType" | "rejected" | "gaps" | "duplicates" | "resets">;
}

/** Entries cut into chunks the FeedParser takes in one copy (<= BATCH_MAX entries, <= INPUT_CAPACITY bytes). */
function chunks(e: Entries): InputChunk[] {
  const out: InputChunk[] = [];
  let first = 0;
  while (first < e.count) {
    let n = 0;
    while (first + n < e.count && n < BATCH_MAX && e.offsets[first + n] + e.lengths[first + n] - e.offsets[first] <= INPUT_CAPACITY) n++;
    if (n === 0) throw new Error(`payload ${first} is larger than the parser's input region`);
    out.push({ data: e.data, count: n, offsets: e.offsets.subarray(first, first + n), lengths: e.lengths.subarray(first, first + n) });
    first += n;
  }
  return out;
}

function wasmRunner(feed: Feed): Runner {
  const modulePath = a.module;
  const f: Feed = modulePath ? { ...feed, modulePath: () => modulePath } : feed;
  const parser = new FeedParser(f);
  const list = chunks(input);
  const words = new Uint32Array(parser.memory.buffer);
  const ticks = parser.ticks;
  return {
    pass(onRecords) {
      parser.reset();
      for (let i = 0; i < list.length; i++) parser.parse(list[i], "payloads", onRecords);
    },
    hash(h, n) {
      h.add(words, RECORDS_BASE >>> 2, n);
    },
    consume(n, acc) {
      for (let i = 0; i < n; i++) acc = (acc + ticks.at(i).price) | 0;
      return acc;
    },
    summary() {
      const s = parser.summary();
      return { messages: s.messages, packets: s.packets, byType: s.byType, rejected: s.rejected, gaps: s.gaps, duplicates: s.duplicates, resets: s.resets };
    },
  };
}

function tsRunner(): Runner {
  const d = new TsDecoder(format);
  return {
    pass(onRecords) {
      d.reset();
      d.parse(input.data, input.offsets, input.lengths, input.count, onRecords);
    },
    hash(h, n) {
      h.add(d.u32, 0, n);
    },
    consume(n, acc) {
      for (let i = 0; i < n; i++) acc = (acc + d.price(i)) | 0;
      return acc;
    },
    summary() {
      const byType: Record<string, number> = {};
      for (let t = 0; t < 256; t++) if (d.byType[t]) byType[String.fromCharCode(t)] = d.byType[t];
      const rejected: Record<string, number> = {};
      for (let r = 0; r < d.rejected.length; r++) if (d.rejected[r]) rejected[REJECT_REASONS[r] ?? String(r)] = d.rejected[r];
      return { messages: d.messages, packets: d.packets, byType, rejected, gaps: d.gaps, duplicates: d.duplicates, resets: d.resets };
    },
  };
}

const run = impl === "wasm" ? wasmRunner(FEEDS[format]) : tsRunner();

// 1. verification pass
const h = new RecordHash();
run.pass((n) => run.hash(h, n));
const sum = run.summary();
if (h.records !== sum.messages) throw new Error(`${impl}: ${h.records} records handed out, ${sum.messages} messages counted`);

// 2. warm-up, 3. timed passes
let acc = 0;
const consume = (n: number): void => {
  acc = run.consume(n, acc);
};
for (let i = 0; i < warmup; i++) run.pass(consume);
acc = 0;
let passes = 0;
const busy0 = busyJiffies();
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
let elapsed = 0;
do {
  run.pass(consume);
  passes++;
  elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
} while (elapsed < minSeconds);
const cpu1 = process.cpuUsage(cpu0);
const busy = busyJiffies() - busy0;

// The sum over all passes is passes x the sum of one pass (mod 2^32); report one pass's value,
// derived by replaying one more pass, so that it compares across implementations.
const timedAcc = acc;
acc = 0;
run.pass(consume);
const onePass = acc;
let expect = 0;
for (let i = 0; i < passes; i++) expect = (expect + onePass) | 0;
if (expect !== timedAcc) throw new Error(`${impl}: timed passes consumed ${hex(timedAcc)}, expected ${hex(expect)}`);

const out: CaseResult = {
  impl, format, ...sum, passes, seconds: elapsed, nsPerMessage: (elapsed * 1e9) / (passes * sum.messages),
  checksum: hex(h.check), fullChecksum: hex(h.full), lightChecksum: hex(onePass),
  cpu: { busyJiffies: busy, ownSeconds: (cpu1.user + cpu1.system) / 1e6 },
};
process.stdout.write(JSON.stringify(out) + "\n");
