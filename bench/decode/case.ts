// One case of the decoder benchmark, run by bench/decode/run.ts in a fresh process:
//
//   node --import tsx bench/decode/case.ts --impl wasm|ts --format F --input FILE [--min-seconds S]
//       [--warmup N] [--module PATH] [--consumer raw|tick]
//
// Reads the input file (UDP payloads, bench/decode/common.ts) once, as the C decoder freads it
// into one buffer, then
//   1. one verification pass: decode everything, hash every record (checksum, fullChecksum);
//   2. --warmup untimed passes (default 2);
//   3. timed passes until --min-seconds (default 0.5) have passed: each pass resets the decoder
//      (counters, session, symbol table) and decodes the whole input; the record callback reads
//      one field (price) of every record into a sum.
// Prints one JSON line (CaseResult). --module loads another build of the feed's wasm module
// (for experiments with modified AssemblyScript).
//
// wasm: the file is read (fs.readSync) straight into the input region of a FeedParser
//       (src/feeds/parser.ts) sized to hold it; each pass parses every payload where it lies
//       (parsePlaced, "payloads").
// ts:   TsDecoder (bench/decode/ts-decoder.ts) over the whole input.
//
// The record callback, as C's: for each record, the low 32 bits of price, summed mod 2^32.
// --consumer raw (default) reads that word from a Uint32Array over the records, as C reads the
// struct field; tick reads price through the flyweight (wasm: parser.ticks.at(i).price; ts:
// its price(i)), which costs a few ns per record more. Either way the words are summed into a
// double and wrapped once per run of records: a wrapping int32 sum per record ((acc + x) | 0)
// runs through float conversions in V8 once it overflows, several ns per record that C's
// integer add does not pay.

import { parseArgs } from "node:util";
import { FeedParser } from "../../src/feeds/parser.js";
import { FEEDS, type Feed } from "../../src/feeds/feeds.js";
import { REJECT_REASONS } from "../../src/feeds/reasons.js";
import { RECORDS_BASE } from "../../assembly/layout.js";
import { R_PRICE, RECORD_SIZE } from "../../assembly/records.js";
import { busyJiffies } from "./cpu.js";
import { TsDecoder } from "./ts-decoder.js";
import { FORMATS, RecordHash, entriesOf, fileSize, readEntries, readInto, hex, type CaseResult, type Format } from "./common.js";

const a = parseArgs({
  options: {
    impl: { type: "string" },
    format: { type: "string" },
    input: { type: "string" },
    "min-seconds": { type: "string", default: "0.5" },
    warmup: { type: "string", default: "2" },
    module: { type: "string" },
    consumer: { type: "string", default: "raw" },
  },
  strict: true,
}).values;
const impl = a.impl;
const format = a.format as Format;
if ((impl !== "wasm" && impl !== "ts") || !FORMATS.includes(format) || !a.input || (a.consumer !== "tick" && a.consumer !== "raw")) {
  process.stderr.write("usage: case.ts --impl wasm|ts --format itch50|iex-tops|iex-deep --input FILE [--min-seconds S] [--warmup N] [--module PATH] [--consumer raw|tick]\n");
  process.exit(2);
}
const minSeconds = Number(a["min-seconds"]);
const warmup = Number(a.warmup);
const path = a.input;

interface Runner {
  /** One pass over the input with fresh decoder state; onRecords consumes each run of records. */
  pass(onRecords: (n: number) => void): void;
  /** Hashes records [0, n) of the current record buffer. */
  hash(h: RecordHash, n: number): void;
  /** Consumes records [0, n): sum of the low 32 bits of price, mod 2^32. */
  consume(n: number, acc: number): number;
  summary(): Pick<CaseResult, "messages" | "packets" | "byType" | "rejected" | "gaps" | "duplicates" | "resets">;
}

function wasmRunner(feed: Feed): Runner {
  const modulePath = a.module;
  const f: Feed = modulePath ? { ...feed, modulePath: () => modulePath } : feed;
  // The input placed once, before anything is timed, in the input region of a parser sized for
  // it: the file read straight into wasm memory, then parsed where it lies on every pass.
  const size = fileSize(path);
  const parser = new FeedParser(f, { inputCapacity: Math.max(1, size) });
  const e = entriesOf(parser.input.subarray(0, readInto(path, parser.input)), path);
  const words = new Uint32Array(parser.memory.buffer);
  const ticks = parser.ticks;
  const priceWord = (RECORDS_BASE + R_PRICE) >>> 2;
  const stride = RECORD_SIZE >>> 2;
  return {
    pass(onRecords) {
      parser.reset();
      parser.parsePlaced(e.count, e.offsets, e.lengths, "payloads", onRecords);
    },
    hash(h, n) {
      h.add(words, RECORDS_BASE >>> 2, n);
    },
    consume: a.consumer === "raw"
      ? (n, acc) => {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += words[priceWord + i * stride] | 0;
        return (acc + sum) | 0;
      }
      : (n, acc) => {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += ticks.at(i).price | 0;
        return (acc + sum) | 0;
      },
    summary() {
      const s = parser.summary();
      return { messages: s.messages, packets: s.packets, byType: s.byType, rejected: s.rejected, gaps: s.gaps, duplicates: s.duplicates, resets: s.resets };
    },
  };
}

function tsRunner(): Runner {
  const input = readEntries(path);
  const d = new TsDecoder(format);
  const priceWord = R_PRICE >>> 2;
  const stride = RECORD_SIZE >>> 2;
  return {
    pass(onRecords) {
      d.reset();
      d.parse(input.data, input.offsets, input.lengths, input.count, onRecords);
    },
    hash(h, n) {
      h.add(d.u32, 0, n);
    },
    consume: a.consumer === "raw"
      ? (n, acc) => {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += d.u32[i * stride + priceWord] | 0;
        return (acc + sum) | 0;
      }
      : (n, acc) => {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += d.price(i) | 0;
        return (acc + sum) | 0;
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
