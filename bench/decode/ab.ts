// A/B of wasm builds in one process, for changes worth a few percent on a noisy machine:
//
//   node --import tsx bench/decode/ab.ts FORMAT FILE MODULE.wasm MODULE.wasm... [--rounds N] [--book]
//
// Each build gets its own FeedParser with FILE read into its input region (a decoder benchmark
// input, bench/.build/decode-FORMAT.bin: payloads; or a NASDAQ binary ITCH file, *.itch: bare
// messages); then the builds take turns, one whole pass each, N rounds (default 30), records
// consumed as case.ts does (raw). Passes of different builds run back to back, so the machine's
// other work falls on all of them alike, which separate processes (run.ts) cannot promise.
// Prints min, lower quartile and median ns/message per build, and each build's consumed sum
// (they must agree). With --book each parser builds its order book (emptied before each pass, not
// timed), and the builds must also agree on the book's counters.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { parseArgs } from "node:util";
import { FeedParser, type EntryKind } from "../../src/feeds/parser.js";
import { FEEDS } from "../../src/feeds/feeds.js";
import { RECORDS_BASE } from "../../assembly/layout.js";
import { R_PRICE, RECORD_SIZE } from "../../assembly/records.js";
import { enableBook } from "../../src/book/book.js";
import { FORMATS, entriesOf, hex, type Format } from "./common.js";

const a = parseArgs({
  options: { rounds: { type: "string", default: "30" }, book: { type: "boolean", default: false } },
  allowPositionals: true, strict: true,
});
const [format, path, ...modules] = a.positionals as [Format, string, ...string[]];
const rounds = Number(a.values.rounds);
if (!FORMATS.includes(format) || !path || modules.length === 0 || !(rounds >= 1)) {
  process.stderr.write("usage: ab.ts itch50|iex-tops|iex-deep FILE MODULE.wasm... [--rounds N] [--book]\n");
  process.exit(2);
}

/** Offsets and lengths of the messages of a NASDAQ binary ITCH file (u16 BE length, message). */
function itchEntries(b: Uint8Array): { count: number; offsets: Uint32Array; lengths: Uint32Array } {
  const offsets: number[] = [];
  const lengths: number[] = [];
  for (let at = 0; at + 2 <= b.length;) {
    const len = (b[at] << 8) | b[at + 1];
    offsets.push(at + 2);
    lengths.push(len);
    at += 2 + len;
  }
  return { count: offsets.length, offsets: Uint32Array.from(offsets), lengths: Uint32Array.from(lengths) };
}

const kind: EntryKind = path.endsWith(".itch") ? "prefixed" : "payloads";
const fd = openSync(path, "r");
const size = fstatSync(fd).size;
const builds = modules.map((m) => {
  const p = new FeedParser({ ...FEEDS[format], modulePath: () => m }, { inputCapacity: Math.max(1, size) });
  for (let at = 0; at < size;) {
    const got = readSync(fd, p.input, at, size - at, at);
    if (got === 0) throw new Error(`${path}: file ended at ${at} of ${size} bytes`);
    at += got;
  }
  const book = a.values.book ? enableBook(p, { maxOrders: 1 << 20, maxLevels: 1 << 18, maxInstruments: 65536 }) : undefined;
  const data = p.input.subarray(0, size);
  const e = kind === "prefixed" ? itchEntries(data) : entriesOf(data, path);
  const words = new Uint32Array(p.memory.buffer);
  const price = (RECORDS_BASE + R_PRICE) >>> 2;
  const stride = RECORD_SIZE >>> 2;
  let acc = 0;
  const consume = (n: number): void => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += words[price + i * stride] | 0;
    acc = (acc + sum) | 0;
  };
  return {
    module: m,
    times: [] as number[],
    messages: 0,
    book,
    prepare(): void {
      p.reset();
      book?.reset();
    },
    pass(): number {
      acc = 0;
      p.parsePlaced(e.count, e.offsets, e.lengths, kind, consume, 1);
      this.messages = p.summary().messages;
      return acc;
    },
  };
});
closeSync(fd);

const sums = builds.map((b) => {
  let sum = 0;
  for (let i = 0; i < 3; i++) {
    b.prepare();
    sum = b.pass();
  }
  if (b.book && b.book.check() !== "ok") throw new Error(`${b.module}: book check ${b.book.check()}`);
  return sum;
});
const counters = builds.map((b) => JSON.stringify(b.book?.counters() ?? {}));
for (let r = 0; r < rounds; r++) {
  for (const b of builds) {
    b.prepare();
    const t0 = process.hrtime.bigint();
    b.pass();
    b.times.push(Number(process.hrtime.bigint() - t0) / b.messages);
  }
}
const width = Math.max(...modules.map((m) => m.length));
builds.forEach((b, i) => {
  const t = [...b.times].sort((x, y) => x - y);
  const q = (f: number) => t[Math.min(t.length - 1, Math.floor(f * t.length))].toFixed(2);
  console.log(`${b.module.padEnd(width)}  min ${q(0)}  p25 ${q(0.25)}  median ${q(0.5)} ns/message  (${b.messages} messages, sum ${hex(sums[i])})`);
});
if (new Set(counters).size > 1) {
  console.log(`MISMATCH: the builds' books differ:\n${counters.join("\n")}`);
  process.exit(1);
}
if (new Set(sums).size > 1) {
  console.log("MISMATCH: the builds consumed different sums");
  process.exit(1);
}
