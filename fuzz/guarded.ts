// One run of a batch through a fresh parser, its inputs placed in the parser's input region by
// hand with guard bytes around each: GUARD_BYTES before the first and after every entry (for
// prefixed messages, after every run of them: each batch-table entry). A parser that reads only
// its entries gives the same records and counters whatever the guard bytes hold; comparing two
// runs with different guards (run.ts) finds any read out of bounds.
//
// What a run yields is a copy of every record delivered (its 96 bytes, and the bytes of the
// message it points at unless they lie inside one entry, where both runs have the same bytes),
// the parser's summary, the order book's counters and check when it has one, and what it threw.

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as L from "../assembly/layout.js";
import * as R from "../assembly/records.js";
import { FeedParser, PREFIXED_RUN, type FeedParserOptions, type ParserSummary } from "../src/feeds/parser.js";
import type { Feed } from "../src/feeds/feeds.js";
import { enableBook, type BookCounters } from "../src/book/book.js";
import type { Batch } from "./batch.js";

/** Guard bytes before the first entry and after each. */
export const GUARD_BYTES = 64;
/** Guard bytes after the last entry: as far as a 16-bit length read in it could reach. */
const GUARD_REACH = 0x10000 + GUARD_BYTES;

/** Makes the parser a run uses (the default: a FeedParser; tests plant faulty ones). */
export type ParserFactory = (feed: Feed, opts: FeedParserOptions) => FeedParser;

export const newParser: ParserFactory = (feed, opts) => new FeedParser(feed, opts);

// Every run makes a parser whose shared memory (4 MiB and more) V8 frees only in a full
// collection, which garbage made in JavaScript does not bring on soon enough: a campaign would
// grow by gigabytes. A full collection is forced every PARSERS_PER_COLLECTION parsers.
const PARSERS_PER_COLLECTION = 200;
setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;
let parsers = 0;

/** Small books, so that their limits are reached too. */
const BOOK = { maxLevels: 1024, maxInstruments: 64 };

export interface RunResult {
  /** Records delivered. */
  records: number;
  /** The records' bytes, each followed by its message's when that lies outside the entries. */
  bytes: Uint8Array;
  summary: ParserSummary;
  book?: { check: string; counters: BookCounters };
  /** What the parser threw, if it did. */
  error?: string;
}

// Bytes appended in copies (native), kept in one growing buffer.
class Log {
  #buf = new Uint8Array(1 << 16);
  length = 0;

  append(from: Uint8Array, at: number, n: number): void {
    if (this.length + n > this.#buf.length) {
      const next = new Uint8Array(Math.max(this.#buf.length * 2, this.length + n));
      next.set(this.#buf.subarray(0, this.length));
      this.#buf = next;
    }
    this.#buf.set(from.subarray(at, at + n), this.length);
    this.length += n;
  }

  get bytes(): Uint8Array {
    return this.#buf.subarray(0, this.length);
  }
}

/** Where each entry goes in the input region: after GUARD_BYTES, then each entry and its guard. */
export function placement(entries: Uint8Array[]): { offsets: Uint32Array; end: number } {
  const offsets = new Uint32Array(entries.length);
  let at = GUARD_BYTES;
  entries.forEach((e, i) => {
    offsets[i] = at;
    at += e.length + GUARD_BYTES;
  });
  return { offsets, end: at };
}

/** Runs a batch through a fresh parser whose input region is first filled by guard(). */
export function runGuarded(batch: Batch, guard: (region: Uint8Array) => void, make: ParserFactory = newParser): RunResult {
  if (++parsers % PARSERS_PER_COLLECTION === 0) collect();
  const p = make(batch.feed, { lines: batch.lines, port: batch.port });
  const book = batch.book ? enableBook(p, { ...BOOK, maxOrders: batch.feed.framing === "moldudp64" ? 2048 : 0 }) : undefined;
  const { offsets, end } = placement(batch.entries);
  if (end > p.inputCapacity) throw new RangeError(`a batch of ${end} bytes with its guards exceeds the ${p.inputCapacity}-byte input region`);
  guard(p.input.subarray(0, Math.min(p.inputCapacity, end + GUARD_REACH)));
  const lengths = Uint32Array.from(batch.entries, (e) => e.length);
  batch.entries.forEach((e, i) => p.input.set(e, offsets[i]));

  const log = new Log();
  const u32 = new Uint32Array(p.memory.buffer);
  const u8 = new Uint8Array(p.memory.buffer);
  let records = 0;
  const inside = insideEntry(p.inputBase, offsets, batch.entries);
  const onRecords = (n: number): void => {
    records += n;
    log.append(u8, L.RECORDS_BASE, n * R.RECORD_SIZE);
    for (let i = 0; i < n; i++) {
      const at = L.RECORDS_BASE + i * R.RECORD_SIZE;
      const msg = u32[(at + R.R_MSG_OFFSET) >>> 2];
      const len = u8[at + R.R_MSG_LENGTH] | (u8[at + R.R_MSG_LENGTH + 1] << 8);
      if (!inside(msg, len)) log.append(u8, msg, len);
    }
  };

  let error: string | undefined;
  try {
    parse(p, batch, offsets, lengths, onRecords);
    if (batch.lines) p.flush(onRecords);
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  return {
    records, bytes: log.bytes, summary: p.summary(), error,
    book: book && { check: book.check(), counters: book.counters() },
  };
}

/** Whether wasm bytes [at, at + len) lie inside one entry (entries placed in ascending order). */
function insideEntry(base: number, offsets: Uint32Array, entries: Uint8Array[]): (at: number, len: number) => boolean {
  return (at, len) => {
    let lo = 0;
    let hi = offsets.length - 1;
    // The last entry starting at or before `at`.
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (base + offsets[mid] <= at) lo = mid;
      else hi = mid - 1;
    }
    return offsets.length > 0 && base + offsets[lo] <= at && at + len <= base + offsets[lo] + entries[lo].length;
  };
}

function parse(p: FeedParser, batch: Batch, offsets: Uint32Array, lengths: Uint32Array, onRecords: (n: number) => void): void {
  const n = batch.entries.length;
  switch (batch.mode) {
    case "frames":
    case "messages":
      p.parsePlaced(n, offsets, lengths, batch.mode, onRecords, batch.firstSeq);
      return;
    case "payloads": {
      // Each run of entries from one line in one call.
      const line = batch.lineOf;
      for (let i = 0; i < n;) {
        let j = line ? i + 1 : n;
        while (line && j < n && line[j] === line[i]) j++;
        p.parsePlaced(j - i, offsets.subarray(i, j), lengths.subarray(i, j), "payloads", onRecords, 0, line ? line[i] : 0);
        i = j;
      }
      return;
    }
    case "prefixed": {
      // Each entry is a run of prefixed messages: PREFIXED_RUN messages as the parser counts
      // them, the first starting after the run's first length prefix, the last ending with it.
      const mo = new Uint32Array(n * PREFIXED_RUN);
      const ml = new Uint32Array(n * PREFIXED_RUN);
      for (let i = 0; i < n; i++) {
        mo.fill(offsets[i] + 2, i * PREFIXED_RUN, (i + 1) * PREFIXED_RUN);
        ml[(i + 1) * PREFIXED_RUN - 1] = lengths[i] - 2;
      }
      p.parsePlaced(n * PREFIXED_RUN, mo, ml, "prefixed", onRecords, batch.firstSeq);
    }
  }
}
