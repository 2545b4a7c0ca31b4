// One wasm case of the book benchmark, run by bench/book.ts in a fresh process:
//
//   node --import tsx bench/book/child.ts --mode decode|book|depth|events --input messages|payloads --file FILE
//       --max-orders N --max-levels N --max-instruments N
//
// FILE is the session as bench/book.ts wrote it: for "messages" a NASDAQ binary ITCH file (parsed
// as "prefixed" messages: wasm walks their length prefixes), for "payloads" its MoldUDP64 packets
// in the decoder benchmark's entry format (bench/decode/common.ts). The file is read straight into
// the parser's input region (not timed) and parsed where it lies (FeedParser.parsePlaced, records;
// the callback does nothing), as the AF_XDP path parses the UMEM: a first pass, which also hashes
// the book's BBO events (./common.ts EventHash), then the parser and book emptied and a second,
// timed pass. decode: the book off; book: on (BBO events); depth: on, detecting depth changes and
// writing depth events too (as onBook needs); events: on (BBO events), with records on demand
// (records: "book": a record only for the messages the events name). The book's counters must show no unknown order, no
// duplicate and no capacity exhausted, and its check() must pass. Prints one JSON line
// (BookCaseResult).

import { parseArgs } from "node:util";
import { FeedParser, type EntryKind } from "../../src/feeds/parser.js";
import { itch50 } from "../../src/feeds/feeds.js";
import { enableBook } from "../../src/book/book.js";
import { BOOK_CTL_BASE, BK_EVENTS } from "../../assembly/layout.js";
import { entriesOf, fileSize, hex, readInto } from "../decode/common.js";
import { EventHash, peakRssKiB, type BookCaseResult, type Mode } from "./common.js";

const { values: o } = parseArgs({
  options: {
    mode: { type: "string" },
    input: { type: "string" },
    file: { type: "string" },
    "max-orders": { type: "string" },
    "max-levels": { type: "string" },
    "max-instruments": { type: "string" },
  },
  strict: true,
});
const mode = o.mode as Mode;
if (!["decode", "book", "depth", "events"].includes(mode) || (o.input !== "messages" && o.input !== "payloads") || !o.file) {
  process.stderr.write("usage: child.ts --mode decode|book|depth|events --input messages|payloads --file FILE --max-orders N --max-levels N --max-instruments N\n");
  process.exit(2);
}
const path = o.file;
const kind: EntryKind = o.input === "payloads" ? "payloads" : "prefixed";

const p = new FeedParser(itch50, { inputCapacity: Math.max(1, fileSize(path)), records: mode === "events" ? "book" : "all" });
const size = readInto(path, p.input);

// The batch table: one entry per message (after its 2-byte length) or per packet.
let count: number;
let offsets: Uint32Array;
let lengths: Uint32Array;
if (kind === "payloads") {
  ({ count, offsets, lengths } = entriesOf(p.input.subarray(0, size), path));
} else {
  const input = p.input;
  count = 0;
  for (let at = 0; at + 2 <= size; count++) at += 2 + ((input[at] << 8) | input[at + 1]);
  offsets = new Uint32Array(count);
  lengths = new Uint32Array(count);
  for (let at = 0, i = 0; i < count; i++) {
    const len = (input[at] << 8) | input[at + 1];
    offsets[i] = at + 2;
    lengths[i] = len;
    at += 2 + len;
  }
  if (offsets[count - 1] + lengths[count - 1] !== size) throw new Error(`${path}: not a run of length-prefixed messages`);
}

const book = mode === "decode" ? undefined : enableBook(p, {
  maxOrders: Number(o["max-orders"]), maxLevels: Number(o["max-levels"]), maxInstruments: Number(o["max-instruments"]),
  depthEvents: mode === "depth",
});

// First pass: the BBO events hashed as each batch of records and events is handed over, each by
// its message's index: its record's sequence number less the first message's (0 for "prefixed"
// messages, numbered from 0; the first packet's for MoldUDP64 payloads).
const h = new EventHash();
const words = new Uint32Array(p.memory.buffer);
const eventsAt = words[(BOOK_CTL_BASE + BK_EVENTS) >>> 2];
const seq0 = kind === "payloads" ? Number(new DataView(p.input.buffer, p.input.byteOffset + offsets[0]).getBigUint64(10)) : 0;
const w0 = process.hrtime.bigint();
const warmN = p.parsePlaced(count, offsets, lengths, kind, () => {
  if (book) h.add(words, eventsAt, book.eventCount(), seq0);
});
const warmSeconds = Number(process.hrtime.bigint() - w0) / 1e9;
const warmMessages = p.summary().messages;
const c = book?.counters();
const orders = book?.orderCount() ?? 0;
const levels = book?.levelCount() ?? 0;
if (c && c.unknownOrder + c.ordersFull + c.levelsFull + c.duplicateOrder + c.eventsLost > 0) throw new Error(`book counters: ${JSON.stringify(c)}`);
if (book && book.check() !== "ok") throw new Error(`book check: ${book.check()}`);
if (c && h.events !== c.bboChanges) throw new Error(`${h.events} BBO events hashed, ${c.bboChanges} BBO changes counted`);

// Second pass, timed, from an empty parser and book.
p.reset();
book?.reset();
const t0 = process.hrtime.bigint();
const u0 = process.cpuUsage();
const records = p.parsePlaced(count, offsets, lengths, kind, () => {});
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const u1 = process.cpuUsage(u0);
// Messages, not records: with records on demand most messages have none.
const n = p.summary().messages;
if (n !== warmMessages || records !== warmN) throw new Error(`parsed ${n} messages (${records} records), the first pass ${warmMessages} (${warmN})`);

const { depthChanges: _d, eventsLost: _l, ordersOffWindow: _w, ordersEvicted: _e, orderPagesPaused: _p, ...counters } =
  c ?? { depthChanges: 0, eventsLost: 0, ordersOffWindow: 0, ordersEvicted: 0, orderPagesPaused: 0 };
const out: BookCaseResult = {
  impl: "wasm", mode, messages: n, seconds, warmSeconds, nsPerMessage: (seconds * 1e9) / n,
  cpuNsPerMessage: ((u1.user + u1.system) * 1e3) / n,
  events: h.events, eventChecksum: book ? hex(h.hash) : "", orders, levels,
  maxRssKiB: peakRssKiB(), counters: counters as Record<string, number>, orderTable: book?.orderTable(),
};
process.stdout.write(JSON.stringify(out) + "\n");
