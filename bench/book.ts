// Order-book rate: ITCH messages/s parsed with the wasm order book (assembly/book/l3.ts) against
// decode only, each in a fresh process, on one generated session held in memory.
//
//   node --import tsx bench/book.ts [--messages 5000000] [--symbols 20,200,1000] [--seed 1] [--rounds 3]
//       [--input messages|payloads|both] [--max-orders 1048576] [--max-levels 262144]
//
// Inputs: "messages" is the session as a NASDAQ binary file (parsed as "prefixed" messages: wasm
// walks their length prefixes, PREFIXED_RUN messages per batch-table entry), "payloads" the same
// messages in MoldUDP64 packets of up to 1400 bytes (one entry per packet, as they come off a
// socket). Each child generates the session and places it in the parser's input region (not
// timed), parses it once to warm up, empties the parser (and the book), then times a second full
// pass of FeedParser.parsePlaced (parse where the input lies, records; the callback does nothing):
// decode only, with the book (BBO events), or with the book detecting depth changes and writing
// depth events too (depthEvents, as onBook needs). The three alternate their order each round;
// the medians are reported, as a table on stdout and in bench/results/book.json.

import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FeedParser, INPUT_CAPACITY, type InputChunk, type EntryKind } from "../src/feeds/parser.js";
import { itch50 } from "../src/feeds/feeds.js";
import { generateSession, forEachMessage } from "../src/itchgen/itch-session.js";
import { moldPackets } from "../src/itchgen/itch-writers.js";
import { enableBook } from "../src/book/book.js";

const { values: o } = parseArgs({
  options: {
    messages: { type: "string", default: "5000000" },
    symbols: { type: "string", default: "20,200,1000" },
    seed: { type: "string", default: "1" },
    rounds: { type: "string", default: "3" },
    input: { type: "string", default: "both" },
    "max-orders": { type: "string", default: String(1 << 20) },
    "max-levels": { type: "string", default: String(1 << 18) },
    child: { type: "string" },
  },
});
const resultsDir = fileURLToPath(new URL("results", import.meta.url));
const messages = Number(o.messages);
const symbols = Number(o.symbols);
const seed = Number(o.seed);
const maxOrders = Number(o["max-orders"]);
const maxLevels = Number(o["max-levels"]);

interface Result {
  mode: string; input: string; messages: number; seconds: number; rate: number; warmRate: number;
  orders: number; levels: number; bboChanges: number;
}

function messageChunks(): InputChunk[] {
  const chunks: InputChunk[] = [];
  const it = generateSession({ seed, symbols, messages, reuseBuffer: false });
  for (let r = it.next(); !r.done; r = it.next()) {
    const offsets: number[] = [];
    const lengths: number[] = [];
    forEachMessage(r.value, (_b, off, len) => {
      offsets.push(off);
      lengths.push(len);
    });
    chunks.push({ data: r.value, count: offsets.length, offsets: Uint32Array.from(offsets), lengths: Uint32Array.from(lengths) });
  }
  return chunks;
}

function payloadChunks(): InputChunk[] {
  const chunks: InputChunk[] = [];
  let data = new Uint8Array(1 << 20);
  let offsets: number[] = [];
  let lengths: number[] = [];
  let at = 0;
  const flush = () => {
    chunks.push({ data: data.subarray(0, at), count: offsets.length, offsets: Uint32Array.from(offsets), lengths: Uint32Array.from(lengths) });
    data = new Uint8Array(1 << 20);
    offsets = [];
    lengths = [];
    at = 0;
  };
  for (const p of moldPackets({ seed, symbols, messages }, { maxPayload: 1400 })) {
    if (at + p.length > Math.min(data.length, INPUT_CAPACITY)) flush();
    data.set(p, at);
    offsets.push(at);
    lengths.push(p.length);
    at += p.length;
  }
  if (offsets.length) flush();
  return chunks;
}

function child(mode: string, input: string): Result {
  const kind: EntryKind = input === "payloads" ? "payloads" : "prefixed";
  const chunks = kind === "payloads" ? payloadChunks() : messageChunks();
  // The whole session placed once in the parser's input region, parsed where it lies (as the
  // AF_XDP path parses the UMEM, and as the decoder benchmark does): no copy is timed.
  const bytes = chunks.reduce((a, c) => a + c.data.length, 0);
  const count = chunks.reduce((a, c) => a + c.count, 0);
  const p = new FeedParser(itch50, { inputCapacity: bytes });
  const offsets = new Uint32Array(count);
  const lengths = new Uint32Array(count);
  for (let at = 0, k = 0; k < count;) {
    const c = chunks.shift()!;
    p.input.set(c.data, at);
    for (let i = 0; i < c.count; i++, k++) {
      offsets[k] = at + c.offsets[i];
      lengths[k] = c.lengths[i];
    }
    at += c.data.length;
  }
  const book = mode === "decode" ? undefined : enableBook(p, { maxOrders, maxLevels, maxInstruments: symbols + 1, depthEvents: mode === "depth" });
  const pass = (): [number, number] => {
    let n = 0;
    const t0 = process.hrtime.bigint();
    n += p.parsePlaced(count, offsets, lengths, kind, () => {});
    return [n, Number(process.hrtime.bigint() - t0) / 1e9];
  };
  const [warmN, warmS] = pass();
  p.reset();
  book?.reset();
  const [n, s] = pass();
  if (n !== messages || warmN !== messages) throw new Error(`parsed ${n}, expected ${messages}`);
  const c = book?.counters();
  if (c && c.unknownOrder + c.ordersFull + c.levelsFull + c.duplicateOrder > 0) throw new Error(`book counters: ${JSON.stringify(c)}`);
  if (book && book.check() !== "ok") throw new Error(`book check: ${book.check()}`);
  return {
    mode, input, messages: n, seconds: s, rate: n / s, warmRate: warmN / warmS,
    orders: book?.orderCount() ?? 0, levels: book?.levelCount() ?? 0, bboChanges: c?.bboChanges ?? 0,
  };
}

if (o.child) {
  console.log(JSON.stringify(child(o.child, o.input === "payloads" ? "payloads" : "messages")));
} else {
  const self = fileURLToPath(import.meta.url);
  const inputs = o.input === "both" ? ["messages", "payloads"] : [o.input!];
  const symbolList = o.symbols!.split(",").map(Number);
  const rounds = Number(o.rounds);
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const report: Record<string, unknown> = { date: new Date().toISOString(), messages, seed, rounds, maxOrders, maxLevels, node: process.version, cases: [] };
  const rows: string[][] = [];
  for (const syms of symbolList) {
    for (const input of inputs) {
      const runs: Record<string, Result[]> = { decode: [], book: [], depth: [] };
      for (let r = 0; r < rounds; r++) {
        for (const mode of r % 2 ? ["depth", "book", "decode"] : ["decode", "book", "depth"]) {
          const out = execFileSync(process.execPath, [
            "--import", "tsx", self, "--child", mode, "--input", input, "--messages", String(messages), "--symbols", String(syms),
            "--seed", String(seed), "--max-orders", String(maxOrders), "--max-levels", String(maxLevels),
          ], { encoding: "utf8" });
          const res = JSON.parse(out.trim().split("\n").pop()!) as Result;
          runs[mode].push(res);
          console.error(`${syms} symbols, ${input}, round ${r + 1}, ${mode}: ${(res.rate / 1e6).toFixed(2)}M msg/s (${res.seconds.toFixed(3)} s)`);
        }
      }
      const d = median(runs.decode.map((x) => x.rate));
      const b = median(runs.book.map((x) => x.rate));
      const bd = median(runs.depth.map((x) => x.rate));
      const last = runs.book[runs.book.length - 1];
      const c = {
        symbols: syms, input, decodeMsgsPerSec: Math.round(d), bookMsgsPerSec: Math.round(b), bookOverDecode: +(b / d).toFixed(3),
        bookNsPerMsg: +(1e9 / b - 1e9 / d).toFixed(1), ordersAtEnd: last.orders, levelsAtEnd: last.levels, bboChanges: last.bboChanges,
        bookDepthEventsMsgsPerSec: Math.round(bd),
        decodeRuns: runs.decode.map((x) => Math.round(x.rate)), bookRuns: runs.book.map((x) => Math.round(x.rate)),
        bookDepthEventsRuns: runs.depth.map((x) => Math.round(x.rate)),
      };
      (report.cases as unknown[]).push(c);
      rows.push([String(syms), input, `${(d / 1e6).toFixed(1)} M/s`, `${(b / 1e6).toFixed(1)} M/s`, `${c.bookOverDecode.toFixed(2)}x`,
        (1e9 / b).toFixed(1), c.bookNsPerMsg.toFixed(1), `${(bd / 1e6).toFixed(1)} M/s`, c.ordersAtEnd.toLocaleString("en-US"), c.levelsAtEnd.toLocaleString("en-US")]);
    }
  }
  const head = ["symbols", "input", "decode only", "with L3 book", "book/decode", "ns/msg (book)", "book ns/msg over decode", "book + depth events", "orders at end", "levels at end"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((x, i) => (i < 2 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join(" | ")} |`;
  console.log(`ITCH book-building rate, ${messages.toLocaleString("en-US")} generated messages (seed ${seed}), median of ${rounds} fresh processes per cell`);
  console.log(line(head));
  console.log(`|${widths.map((w, i) => (i < 2 ? `-${"-".repeat(w)}-` : `-${"-".repeat(w)}:`)).join("|")}|`);
  for (const r of rows) console.log(line(r));
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(`${resultsDir}/book.json`, JSON.stringify(report, null, 2) + "\n");
}
