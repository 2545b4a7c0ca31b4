// FeedParser's input region: input placed there by the caller (parsePlaced, or a chunk that is a
// view of `input`) parses exactly as copied input does; entries outside it are refused before
// wasm sees them; a larger region keeps an order book after it.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as L from "../assembly/layout.js";
import { XdpError } from "../bridge/errors.js";
import { FeedParser, INPUT_CAPACITY, PREFIXED_RUN, type EntryKind } from "../src/feeds/parser.js";
import { itch50 } from "../src/feeds/feeds.js";
import { attachBook, enableBook } from "../src/book/book.js";
import { moldPackets, itchInputChunks } from "../src/itchgen/itch-writers.js";
import { frameOf } from "./helpers/wire.js";

const SESSION = { seed: 7, symbols: 20, messages: 6000 };
const payloads = [...moldPackets(SESSION, { maxPayload: 600 })];
const messages = [...itchInputChunks(SESSION)];

interface Entries {
  data: Uint8Array;
  count: number;
  offsets: number[];
  lengths: number[];
}

/** Entries packed back to back from `at` in a buffer of `size` bytes, `gap` bytes apart. */
function pack(entries: Uint8Array[], size: number, at = 0, gap = 0): Entries {
  const data = new Uint8Array(size);
  const offsets: number[] = [];
  for (const e of entries) {
    offsets.push(at);
    data.set(e, at);
    at += e.length + gap;
  }
  return { data, count: entries.length, offsets, lengths: entries.map((e) => e.length) };
}

/** Every record a parse delivers (tick fields, the message's JSON, and where it lies), then the summary. */
function collect(p: FeedParser, run: (onRecords: (n: number) => void) => number) {
  const records: Array<{ tick: Record<string, number | string>; msg: unknown; at: number }> = [];
  const delivered = run((n) => {
    for (let i = 0; i < n; i++) {
      const t = p.ticks.at(i);
      records.push({ tick: t.copy(), msg: p.message.at(t.msgOffset, t.msgLength).toJSON(t.seq), at: t.msgOffset });
    }
  });
  assert.is(delivered, records.length);
  return { records, summary: p.summary() };
}

const withoutAddress = (rs: Array<{ tick: unknown; msg: unknown }>) => rs.map(({ tick, msg }) => ({ tick, msg }));

const P = suite("FeedParser placed input");

P("payloads placed in the input region give the same records and summary as the copied chunk", () => {
  const chunk = pack(payloads, payloads.reduce((a, p) => a + p.length + 3, 5), 5, 3);
  const copied = new FeedParser(itch50);
  const want = collect(copied, (on) => copied.parse(chunk, "payloads", on));
  assert.ok(want.records.length >= SESSION.messages);

  const placed = new FeedParser(itch50);
  placed.input.set(chunk.data, 1000);
  const offsets = chunk.offsets.map((o) => o + 1000);
  const got = collect(placed, (on) => placed.parsePlaced(chunk.count, offsets, chunk.lengths, "payloads", on));
  assert.equal(withoutAddress(got.records), withoutAddress(want.records));
  assert.equal(got.summary, want.summary);
  // The records point at the bytes where they were placed.
  assert.is(got.records[0].at, placed.inputBase + offsets[0] + 20 + 2);
});

P("bare messages are numbered from firstSeq across batch-table refills, frames keep their timestamps", () => {
  // More messages than the batch table holds at once.
  const all = messages.flatMap((c) => c.offsets.map((o, i) => c.data.subarray(o, o + c.lengths[i])));
  assert.ok(all.length > L.BATCH_MAX);
  const m = pack(all, all.reduce((a, x) => a + x.length, 0));
  const p = new FeedParser(itch50);
  p.input.set(m.data, 64);
  const seqs: number[] = [];
  p.parsePlaced(m.count, m.offsets.map((o) => o + 64), m.lengths, "messages", (n) => {
    for (let i = 0; i < n; i++) seqs.push(p.ticks.at(i).seq);
  }, 1000);
  assert.equal(seqs, all.map((_, i) => 1000 + i));

  const frames = payloads.slice(0, 50).map(frameOf);
  const f = pack(frames, frames.reduce((a, x) => a + x.length, 0));
  const ts = frames.map((_, i) => 1_700_000_000_000_000_000n + BigInt(i) * 1000n);
  const q = new FeedParser(itch50);
  q.input.set(f.data);
  const seen = new Set<number>();
  q.parsePlaced(f.count, f.offsets, f.lengths, "frames", (n) => {
    for (let i = 0; i < n; i++) seen.add(q.ticks.at(i).receiveTs);
  }, 0, 0, ts);
  assert.ok(seen.size > 1);
  for (const t of seen) assert.ok(ts.some((x) => Number(x) === t), `receive time ${t} is one of the frames'`);
});

P("a chunk that is a view of the input region is parsed where it lies, not copied", () => {
  const p = new FeedParser(itch50);
  const m = messages[0];
  // At the region's very end: a copy would land at its start instead.
  const at = p.inputCapacity - m.data.length;
  p.input.set(m.data, at);
  const view = p.input.subarray(at);
  const { records } = collect(p, (on) => p.parse({ data: view, count: m.count, offsets: m.offsets, lengths: m.lengths }, "messages", on, 1));
  assert.is(records.length, m.count);
  assert.is(records[0].at, p.inputBase + at + m.offsets[0]);
  assert.is(records[m.count - 1].at, p.inputBase + at + m.offsets[m.count - 1]);
});

P("a chunk larger than the region is copied in runs that fit, with the same records", () => {
  const chunk = pack(payloads, payloads.reduce((a, p) => a + p.length, 0));
  const big = new FeedParser(itch50);
  const want = collect(big, (on) => big.parse(chunk, "payloads", on));
  const small = new FeedParser(itch50, { inputCapacity: 4096 });
  assert.ok(chunk.data.length > 10 * small.inputCapacity);
  // The bytes after the region are not the region's: no run may spill into them.
  const after = new Uint8Array(small.memory.buffer, small.inputBase + small.inputCapacity, 16);
  after.fill(0xa5);
  const got = collect(small, (on) => small.parse(chunk, "payloads", on));
  assert.equal(withoutAddress(got.records), withoutAddress(want.records));
  assert.equal(got.summary, want.summary);
  assert.ok(after.every((b) => b === 0xa5), "nothing written past the input region");
});

const X = suite("FeedParser prefixed messages");

// The session's NASDAQ binary file as one chunk: each message after its u16 big-endian length.
function itchFile(): Entries {
  const data = new Uint8Array(messages.reduce((a, c) => a + c.data.length, 0));
  const offsets: number[] = [];
  const lengths: number[] = [];
  let at = 0;
  for (const c of messages) {
    data.set(c.data, at);
    for (let i = 0; i < c.count; i++) {
      offsets.push(at + c.offsets[i]);
      lengths.push(c.lengths[i]);
    }
    at += c.data.length;
  }
  return { data, count: offsets.length, offsets, lengths };
}

X("give the same records, numbers and summary as bare messages, placed, copied in small runs, or with the book on", () => {
  const file = itchFile();
  assert.ok(file.count > 20 * PREFIXED_RUN && file.count % PREFIXED_RUN !== 0);
  const bare = new FeedParser(itch50);
  const want = collect(bare, (on) => bare.parse(file, "messages", on, 1000));
  assert.is(want.records.length, file.count);
  assert.equal(want.records.map((r) => r.tick.seq), file.offsets.map((_, i) => 1000 + i));

  const copied = new FeedParser(itch50);
  const got = collect(copied, (on) => copied.parse(file, "prefixed", on, 1000));
  assert.equal(withoutAddress(got.records), withoutAddress(want.records));
  assert.equal(got.summary, want.summary);

  const placed = new FeedParser(itch50);
  placed.input.set(file.data, 8);
  const offsets = file.offsets.map((o) => o + 8);
  const inPlace = collect(placed, (on) => placed.parsePlaced(file.count, offsets, file.lengths, "prefixed", on, 1000));
  assert.equal(withoutAddress(inPlace.records), withoutAddress(want.records));
  assert.is(inPlace.records[0].at, placed.inputBase + offsets[0]);

  // Runs copied a few at a time into a region of 16 KiB: numbering continues across the copies.
  const small = new FeedParser(itch50, { inputCapacity: 16384 });
  const runs = collect(small, (on) => small.parse(file, "prefixed", on, 1000));
  assert.equal(withoutAddress(runs.records), withoutAddress(want.records));

  const books = [bare, copied].map((p) => {
    p.reset();
    const book = enableBook(p, { maxOrders: 1 << 16, maxLevels: 1 << 14, maxInstruments: 64 });
    p.parse(file, p === bare ? "messages" : "prefixed", () => {});
    assert.is(book.check(), "ok");
    return { counters: book.counters(), orders: book.orderCount(), levels: book.levelCount() };
  });
  assert.equal(books[1], books[0]);
  assert.ok(books[0].orders > 0);
});

X("a length running past its run is counted and ends the run, the whole messages before it delivered", () => {
  const file = itchFile();
  const n = 10;
  const end = file.offsets[n - 1] + file.lengths[n - 1];
  const p = new FeedParser(itch50);
  const data = p.input.subarray(0, end + 16);
  data.set(file.data.subarray(0, end));
  data.fill(0xa5, end);
  // The last message claims 40 bytes more than the run holds.
  const last = file.offsets[n - 1] - 2;
  new DataView(data.buffer, data.byteOffset).setUint16(last, file.lengths[n - 1] + 40);
  const { records, summary } = collect(p, (on) => p.parse({ data, count: n, offsets: file.offsets.slice(0, n), lengths: file.lengths.slice(0, n) }, "prefixed", on, 1));
  assert.is(records.length, n - 1);
  assert.equal(summary.rejected, { lengthOverrun: 1 });
  assert.ok(data.subarray(end).every((b) => b === 0xa5));
});

X("runs of messages as large as lengths go are parsed, each unknown one counted, none refused for its size", () => {
  // 600 messages of 60,000 bytes of an unknown type: ~36 MB of runs, 15 MB a run.
  const n = 600;
  const size = 60_000;
  const data = new Uint8Array(n * (size + 2));
  const offsets: number[] = [];
  const lengths: number[] = [];
  for (let i = 0; i < n; i++) {
    const at = i * (size + 2);
    new DataView(data.buffer).setUint16(at, size);
    data[at + 2] = 0x7a; // "z": no ITCH 5.0 type
    offsets.push(at + 2);
    lengths.push(size);
  }
  const p = new FeedParser(itch50, { inputCapacity: 64 << 20 });
  const { records, summary } = collect(p, (on) => p.parse({ data, count: n, offsets, lengths }, "prefixed", on, 1));
  assert.is(records.length, 0);
  assert.equal(summary.rejected, { unknownType: n });
});

X("a run whose length prefixes describe more messages than it was given yields no more than its share", () => {
  // Offsets name 300 messages of 20 bytes; the bytes hold 2-byte prefixes of 0 (empty messages)
  // after the first: more blocks than the run's 256 messages, each counted, none past the run.
  const file = itchFile();
  const p = new FeedParser(itch50);
  const m = 300;
  const data = p.input.subarray(0, m * 22);
  data.fill(0);
  const offsets = Array.from({ length: m }, (_, i) => i * 22 + 2);
  const lengths = offsets.map(() => 20);
  // The first message is a real one (its prefix and bytes), the rest of each run zero prefixes.
  const first = file.data.subarray(file.offsets[0] - 2, file.offsets[0] + file.lengths[0]);
  data.set(first, 0);
  const { records, summary } = collect(p, (on) => p.parse({ data, count: m, offsets, lengths }, "prefixed", on, 1));
  assert.is(records.length, 1);
  assert.is(records[0].tick.seq, 1);
  // Run 1: the real message, then 255 empty blocks, then bytes left over; run 2: 256 empty blocks
  // and bytes left over.
  assert.is(summary.rejected.zeroLength, 255 + PREFIXED_RUN);
  assert.is(summary.rejected.trailingBytes, 2);
});

X("a first message with no room for its length before it is refused", () => {
  const p = new FeedParser(itch50);
  const file = itchFile();
  const e = (() => {
    try {
      p.parsePlaced(1, [1], [file.lengths[0]], "prefixed", () => {});
    } catch (err) {
      return err as XdpError;
    }
  })();
  assert.instance(e, XdpError);
  assert.is(e!.code, "ECONFIG");
  assert.match(e!.message, "not a run of messages each after its 2-byte length");
});

P.run();
X.run();

const E = suite("FeedParser input errors");

/** The XdpError fn throws (failing when it throws none or another error). */
function xdpError(fn: () => unknown): XdpError {
  try {
    fn();
  } catch (e) {
    assert.instance(e, XdpError);
    return e as XdpError;
  }
  assert.unreachable("no error thrown");
  throw new Error("unreachable");
}

const untouched = (p: FeedParser) => {
  const s = p.summary();
  assert.is(s.frames, 0, "no entry reached wasm");
  assert.is(s.messages, 0);
};


E("an entry running past the region is refused with its offset, length and the capacity, before anything parses", () => {
  const p = new FeedParser(itch50, { inputCapacity: 8192 });
  const m = messages[0];
  p.input.set(m.data.subarray(0, 4000));
  // The first entry is valid: nothing is parsed all the same.
  const e = xdpError(() => p.parsePlaced(2, [m.offsets[0], 8190], [m.lengths[0], 20], "messages", () => {}));
  assert.is(e.code, "ECONFIG");
  assert.match(e.message, /entry 1 \(input offset 8190, 20 bytes\) lies outside the parser's 8192-byte input region/);
  untouched(p);
});

E("an entry outside the region in a later batch stops there: earlier batches were parsed, not its own", () => {
  const all = messages.flatMap((c) => c.offsets.map((o, i) => c.data.subarray(o, o + c.lengths[i])));
  const m = pack(all, all.reduce((a, x) => a + x.length, 0));
  const p = new FeedParser(itch50);
  p.input.set(m.data);
  const bad = L.BATCH_MAX + 10;
  m.offsets[bad] = p.inputCapacity;
  let delivered = 0;
  const e = xdpError(() => p.parsePlaced(m.count, m.offsets, m.lengths, "messages", (n) => (delivered += n), 1));
  assert.match(e.message, new RegExp(`entry ${bad} \\(input offset ${p.inputCapacity}, ${m.lengths[bad]} bytes\\)`));
  assert.is(delivered, L.BATCH_MAX);
  assert.is(p.summary().messages, L.BATCH_MAX);
});

E("negative offsets, negative lengths and arrays shorter than the count are refused", () => {
  const p = new FeedParser(itch50);
  for (const [offsets, lengths] of [[[-1], [10]], [[0], [-5]], [[0], []], [[], [3]]] as Array<[number[], number[]]>) {
    const e = xdpError(() => p.parsePlaced(1, offsets, lengths, "payloads", () => {}));
    assert.is(e.code, "ECONFIG");
    assert.match(e.message, /entry 0 \(input offset/);
  }
  untouched(p);
});

E("a view-of-input chunk whose entries lie outside the chunk is refused", () => {
  const p = new FeedParser(itch50);
  const e = xdpError(() => p.parse({ data: p.input.subarray(100, 200), count: 1, offsets: [90], lengths: [20] }, "payloads", () => {}));
  assert.match(e.message, /input offset 190, 20 bytes\) lies outside its chunk \(input region bytes 100 to 200\)/);
  const before = xdpError(() => p.parse({ data: p.input.subarray(100, 200), count: 1, offsets: [-10], lengths: [20] }, "payloads", () => {}));
  assert.match(before.message, /input offset 90, 20 bytes\) lies outside its chunk/);
  untouched(p);
});

E("a copied entry larger than the region, or past its chunk's bytes, is refused with its size", () => {
  const p = new FeedParser(itch50, { inputCapacity: 100 });
  const e = xdpError(() => p.parse({ data: new Uint8Array(500), count: 1, offsets: [0], lengths: [200] }, "payloads", () => {}));
  assert.match(e.message, /entry 0 of 200 bytes exceeds the parser's 100-byte input region/);
  const f = xdpError(() => p.parse({ data: new Uint8Array(50), count: 1, offsets: [40], lengths: [20] }, "payloads", () => {}));
  assert.match(f.message, /entries 0 to 0 span offsets 40 to 60, not a run within the chunk's 50 bytes/);
  untouched(p);
});

E("copied entries out of order are refused, never read from outside what was copied", () => {
  const p = new FeedParser(itch50, { inputCapacity: 100 });
  // Descending: the run from entry 0 ends before it begins.
  const e = xdpError(() => p.parse({ data: new Uint8Array(150), count: 2, offsets: [60, 0], lengths: [30, 30] }, "payloads", () => {}));
  assert.match(e.message, /entries 0 to 1 span offsets 60 to 30/);
  // Within the span of its run, but before the run's first entry.
  const f = xdpError(() => p.parse({ data: new Uint8Array(150), count: 3, offsets: [20, 0, 40], lengths: [10, 10, 10] }, "payloads", () => {}));
  assert.match(f.message, /entry 1 \(input offset -?\d+, 10 bytes\) lies outside its chunk/);
  untouched(p);
});

E("inputCapacity must be a whole number of bytes that fits in 4 GiB with the fixed regions", () => {
  // The largest region leaves two pages at the top of the 4 GiB: a length read near the end of an
  // entry must not wrap an address past 2^32.
  for (const bad of [0, -1, 1.5, NaN, 65536 * L.WASM_PAGE, (65536 - 2) * L.WASM_PAGE - L.DYNAMIC_BASE + 1]) {
    const e = xdpError(() => new FeedParser(itch50, { inputCapacity: bad }));
    assert.match(e.message, /inputCapacity .* must be an integer from 1 to/);
  }
  assert.is(new FeedParser(itch50).inputCapacity, INPUT_CAPACITY);
});

E.run();

const B = suite("FeedParser input region and order book");

/** The session's first chunk of bare messages placed at the end of p's input region, parsed. */
function parseAtEnd(p: FeedParser, kind: EntryKind = "messages"): number {
  const m = messages[0];
  const at = p.inputCapacity - m.data.length;
  p.input.set(m.data, at);
  return p.parsePlaced(m.count, m.offsets.map((o) => o + at), m.lengths, kind, () => {}, 1);
}

B("a larger input region sizes the memory, and a book attached at bookBase grows it further and works", () => {
  const cap = (16 << 20) + 123;
  const p = new FeedParser(itch50, { inputCapacity: cap });
  assert.is(p.input.length, cap);
  assert.ok(p.memory.buffer.byteLength >= p.inputBase + cap);
  const before = p.memory.buffer.byteLength;
  const book = attachBook(p.memory, p.x, p.bookBase, { maxOrders: 1 << 16, maxLevels: 1 << 14, maxInstruments: 64 });
  assert.ok(book.base >= p.inputBase + cap, "the book lies after the input region");
  assert.ok(p.memory.buffer.byteLength > before, "the memory grew for the book");
  assert.ok(p.memory.buffer.byteLength >= book.base + book.bytes);
  // The input view made before the growth still reaches the region: it is inside the first pages.
  assert.is(parseAtEnd(p), messages[0].count);
  assert.ok(book.orderCount() > 0);
  assert.is(book.check(), "ok");
});

B("enableBook on the default region puts the book at bookBase, and the input view survives the growth", () => {
  const p = new FeedParser(itch50);
  const book = enableBook(p, { maxOrders: 1 << 16, maxLevels: 1 << 14, maxInstruments: 64 });
  assert.is(book.base, p.bookBase);
  assert.ok(p.memory.buffer.byteLength >= book.base + book.bytes);
  assert.is(parseAtEnd(p), messages[0].count);
  assert.ok(book.orderCount() > 0);
  assert.is(book.check(), "ok");
});

B("enableBook on a larger input region puts the book after it, at bookBase", () => {
  const p = new FeedParser(itch50, { inputCapacity: 16 << 20 });
  const book = enableBook(p, { maxOrders: 1 << 16, maxLevels: 1 << 14, maxInstruments: 64 });
  assert.is(book.base, p.bookBase);
  assert.ok(book.base >= p.inputBase + p.inputCapacity);
  assert.is(parseAtEnd(p), messages[0].count);
  assert.ok(book.orderCount() > 0);
  assert.is(book.check(), "ok");
});

B("a book attached over the input region is refused before anything parses", () => {
  const p = new FeedParser(itch50, { inputCapacity: 16 << 20 });
  attachBook(p.memory, p.x, L.DYNAMIC_BASE + (1 << 20), { maxOrders: 1024, maxLevels: 1024, maxInstruments: 64 });
  const e = xdpError(() => parseAtEnd(p));
  assert.is(e.code, "ECONFIG");
  assert.match(e.message, new RegExp(`overlaps the parser's input region .*attach it at parser.bookBase \\(${p.bookBase}\\)`));
  untouched(p);
});

B.run();
