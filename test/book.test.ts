// Order books in wasm memory (assembly/book/, src/book/book.ts) against the plain TypeScript
// reference books (test/oracle/reference-book.ts): generated ITCH sessions checked after every
// message, hand-built edge cases, capacity exhaustion, unknown references, and the IEX DEEP /
// TOPS books.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as L from "../assembly/layout.js";
import * as E from "../assembly/book/events.js";
import { FeedParser, type InputChunk } from "../src/feeds/parser.js";
import { itch50, iexDeep, iexTops } from "../src/feeds/feeds.js";
import { ITCH50_SCHEMA as S } from "../src/feeds/itch50-schema.js";
import { generateSession, forEachMessage } from "../src/itchgen/itch-session.js";
import { enableBook, Side, type BookView, type BookCapacities } from "../src/book/book.js";
import { ReferenceL3, ReferenceLevels, type RefBbo, type RefCapacities, type RefResult } from "./oracle/reference-book.js";
import { Rng } from "../src/itchgen/rng.js";
import { encodeBySchema, entriesOf } from "./helpers/wire.js";

// ---- helpers ----


/** A chunk of the given messages, one entry each. */
function chunkOf(msgs: Uint8Array[]): InputChunk {
  const data = new Uint8Array(msgs.reduce((a, m) => a + m.length, 0));
  const offsets: number[] = [];
  let at = 0;
  for (const m of msgs) {
    offsets.push(at);
    data.set(m, at);
    at += m.length;
  }
  return { data, count: msgs.length, offsets, lengths: msgs.map((m) => m.length) };
}

function sameBbo(book: BookView, ref: { bbo(i: number): RefBbo }, inst: number, where: string): void {
  const b = book.bbo(inst);
  const r = ref.bbo(inst);
  if (b.bidPx !== r.bidPx || b.bidQty !== r.bidQty || b.askPx !== r.askPx || b.askQty !== r.askQty) {
    assert.equal({ bidPx: b.bidPx, bidQty: b.bidQty, askPx: b.askPx, askQty: b.askQty }, r, `BBO of ${inst} ${where}`);
  }
}

function sameDepth(book: BookView, ref: ReferenceL3 | ReferenceLevels, inst: number, n: number, where: string, orders = true): void {
  for (const side of [Side.BID, Side.ASK]) {
    const d = book.depth(inst, side, n);
    const r = ref.depth(inst, side, n);
    let ok = d.count === r.length;
    for (let i = 0; ok && i < d.count; i++) {
      ok = d.price[i] === r[i].price && d.shares[i] === r[i].shares && (!orders || d.orders[i] === r[i].orders);
    }
    if (!ok) {
      const got = Array.from({ length: d.count }, (_, i) => ({ price: d.price[i], shares: d.shares[i], orders: orders ? d.orders[i] : 0 }));
      assert.equal(got, r.map((l) => ({ ...l, orders: orders ? l.orders : 0 })), `depth of ${inst} side ${side} ${where}`);
    }
  }
}

function sameEverywhere(book: BookView, ref: ReferenceL3 | ReferenceLevels, where: string, orders = true): void {
  const max = book.capacities.maxInstruments;
  for (let inst = 0; inst < max; inst++) {
    sameBbo(book, ref, inst, where);
    const b = book.bbo(inst);
    if (b.bidLevels !== ref.levels(inst, 0) || b.askLevels !== ref.levels(inst, 1)) {
      assert.equal([b.bidLevels, b.askLevels], [ref.levels(inst, 0), ref.levels(inst, 1)], `level counts of ${inst} ${where}`);
    }
    if (b.bidLevels + b.askLevels > 0) sameDepth(book, ref, inst, L.BOOK_DEPTH_MAX, where, orders);
  }
  assert.is(book.levelCount(), ref.levelCount, `levels ${where}`);
  if (ref instanceof ReferenceL3) assert.is(book.orderCount(), ref.orderCount(), `orders ${where}`);
  assert.is(book.check(), "ok", `book invariants ${where}`);
}

function sameCounters(book: BookView, ref: ReferenceL3 | ReferenceLevels): void {
  const c = book.counters();
  const r = ref.counters;
  assert.equal({
    updates: c.updates, bboChanges: c.bboChanges, depthChanges: c.depthChanges, unknownOrder: c.unknownOrder,
    ordersFull: c.ordersFull, levelsFull: c.levelsFull, duplicateOrder: c.duplicateOrder,
    badInstrument: c.badInstrument, oversized: c.oversized, invalid: c.invalid, wrongLocate: c.wrongLocate,
  }, r);
  assert.is(c.eventsLost, 0);
}

/** The book event the reference expects for a message's result, at record `at` (null: none). */
function expectedEvent(ref: ReferenceL3 | ReferenceLevels, res: RefResult, at: number, depthEvents = true) {
  const flags = depthEvents ? res.flags : res.flags & E.EV_BBO;
  return flags === 0 ? null : { recordIndex: at, instrument: res.instrument, flags, ...ref.bbo(res.instrument) };
}

/**
 * Parses a whole chunk in batches and checks, through BookView.forEach, that the book events
 * interleave with the records exactly where the reference's BBO or watched depth changed.
 * Returns records seen.
 */
function parseChecked(p: FeedParser, book: BookView, ref: ReferenceL3, chunk: InputChunk, where: string, depthEvents = true): number {
  const mem = new Uint8Array(p.memory.buffer);
  let records = 0;
  let pending: ReturnType<typeof expectedEvent> = null;
  p.parse(chunk, "messages", (n) => {
    book.forEach(n, (i) => {
      if (pending) assert.unreachable(`${where}: no book event for record ${pending.recordIndex} (${JSON.stringify(pending)})`);
      const t = p.ticks.at(i);
      pending = expectedEvent(ref, ref.apply(mem, t.msgOffset, t.msgLength), i, depthEvents);
    }, (ev) => {
      if (!pending || ev.recordIndex !== pending.recordIndex) assert.unreachable(`${where}: unexpected book event ${JSON.stringify(ev.copy())}`);
      assert.equal(ev.copy(), pending, where);
      pending = null;
    });
    if (pending) assert.unreachable(`${where}: no book event for the batch's last record`);
    records += n;
  });
  return records;
}

const ITCH_CAPS = { maxOrders: 1 << 17, maxLevels: 1 << 15, maxInstruments: 1024, depthEvents: true };

// ---- generated sessions, message by message ----

const G = suite("ITCH book on generated sessions");

for (const seed of [1, 2, 3]) {
  G(`seed ${seed}: after every one of 200,000 messages, the touched instrument's BBO, book event and top 5 levels equal the reference's`, () => {
    const p = new FeedParser(itch50);
    const book = enableBook(p, ITCH_CAPS);
    const ref = new ReferenceL3(ITCH_CAPS);
    const one: InputChunk = { data: new Uint8Array(0), count: 1, offsets: [0], lengths: [0] };
    const offsets = one.offsets as number[];
    const lengths = one.lengths as number[];
    let seen = 0;
    let events = 0;
    let depthEvents = 0;
    let msgs = 0;
    const it = generateSession({ seed, symbols: 200, messages: 200_000 });
    for (let r = it.next(); !r.done; r = it.next()) {
      const chunk = r.value;
      one.data = chunk;
      forEachMessage(chunk, (buf, off, len) => {
        offsets[0] = off;
        lengths[0] = len;
        const res = ref.apply(buf, off, len);
        seen += p.parse(one, "messages", () => {});
        const where = `after message ${msgs} (${String.fromCharCode(buf[off])})`;
        const k = book.eventCount();
        const want = expectedEvent(ref, res, 0);
        if (want) {
          if (k !== 1) assert.unreachable(`${where}: ${k} book events, expected 1`);
          const ev = book.events.at(0);
          if (res.bbo) assert.equal({ bidPx: ev.bidPx, bidQty: ev.bidQty, askPx: ev.askPx, askQty: ev.askQty }, res.bbo, where);
          assert.equal(ev.copy(), want, where);
          if (res.bbo) events++;
          if (res.flags & (E.EV_DEPTH_BID | E.EV_DEPTH_ASK)) depthEvents++;
        } else if (k !== 0) {
          assert.unreachable(`${where}: unexpected book event ${JSON.stringify(book.events.at(0).copy())}`);
        }
        const inst = res.instrument >= 0 ? res.instrument : (buf[off + 1] << 8) | buf[off + 2];
        sameBbo(book, ref, inst, where);
        sameDepth(book, ref, inst, 5, where);
        msgs++;
      });
    }
    assert.is(seen, msgs);
    assert.is(msgs, 200_000);
    assert.ok(events > 10_000, `BBO changes: ${events}`);
    assert.ok(depthEvents > events, `depth changes: ${depthEvents}`);
    assert.ok(ref.orderCount() > 1000, `orders on the book: ${ref.orderCount()}`);
    sameEverywhere(book, ref, "at the end");
    sameCounters(book, ref);
    const c = book.counters();
    assert.is(c.unknownOrder + c.ordersFull + c.levelsFull + c.duplicateOrder + c.invalid + c.oversized, 0);
    assert.is(c.bboChanges, events);
    assert.is(c.depthChanges, depthEvents);
  });
}

// Order references moved up by `shift` in place (adds, executions, cancels, deletes and both of a
// replace's): the same day with references past 2^32.
function shiftRefs(chunk: Uint8Array, shift: bigint): void {
  const v = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  forEachMessage(chunk, (_b, off, _len) => {
    const type = String.fromCharCode(chunk[off]);
    if ("AFECXDU".includes(type)) v.setBigUint64(off + 11, v.getBigUint64(off + 11) + shift);
    if (type === "U") v.setBigUint64(off + 19, v.getBigUint64(off + 19) + shift);
  });
}

G("a realistic day over 8,000 symbols, its references moved past 2^32: every book event equals the reference's, and so do the books", () => {
  const caps = { maxOrders: 1 << 17, maxLevels: 1 << 15, maxInstruments: 8192, depthEvents: true };
  const p = new FeedParser(itch50);
  const book = enableBook(p, caps);
  const ref = new ReferenceL3(caps);
  let records = 0;
  let maxRef = 0n;
  const it = generateSession({ seed: 5, messages: 300_000, profile: "realistic" });
  for (let r = it.next(); !r.done; r = it.next()) {
    shiftRefs(r.value, 1n << 33n);
    forEachMessage(r.value, (b, off) => {
      if (b[off] === 0x41) {
        const ref = new DataView(b.buffer, b.byteOffset).getBigUint64(off + 11);
        if (ref > maxRef) maxRef = ref;
      }
    });
    records += parseChecked(p, book, ref, entriesOf(r.value), `chunk at message ${records}`);
    assert.is(book.check(), "ok");
  }
  assert.is(records, 300_000);
  assert.ok(maxRef > 1n << 33n, `references past 2^32: ${maxRef}`);
  assert.ok(ref.orderCount() > 500, `orders on the book: ${ref.orderCount()}`);
  sameEverywhere(book, ref, "at the end");
  sameCounters(book, ref);
  const c = book.counters();
  assert.is(c.unknownOrder + c.ordersFull + c.levelsFull + c.duplicateOrder + c.invalid + c.oversized, 0);
});

G("in batches of 4,096 messages, BookView.forEach interleaves each book event right after its record", () => {
  const p = new FeedParser(itch50);
  const book = enableBook(p, ITCH_CAPS);
  const ref = new ReferenceL3(ITCH_CAPS);
  let records = 0;
  const it = generateSession({ seed: 7, symbols: 300, messages: 300_000 });
  for (let r = it.next(); !r.done; r = it.next()) records += parseChecked(p, book, ref, entriesOf(r.value), "batch");
  assert.is(records, 300_000);
  assert.is(p.summary().messages, 300_000);
  sameEverywhere(book, ref, "at the end");
  sameCounters(book, ref);
});

G("without depthEvents only BBO changes write events and depth changes are not counted; switched on, depth events and counts follow", () => {
  const caps = { ...ITCH_CAPS, depthEvents: false };
  const p = new FeedParser(itch50);
  const book = enableBook(p, caps);
  const ref = new ReferenceL3(caps);
  assert.is(book.depthEvents, false);
  const chunks = [...generateSession({ seed: 8, symbols: 100, messages: 100_000, reuseBuffer: false })].map(entriesOf);
  assert.ok(chunks.length >= 2, `${chunks.length} chunks`);
  const half = chunks.length >> 1;
  let records = 0;
  for (let i = 0; i < chunks.length; i++) {
    if (i === half) {
      assert.is(book.counters().depthChanges, 0);
      assert.ok(book.counters().bboChanges > 1000, JSON.stringify(book.counters()));
      sameCounters(book, ref);
      book.depthEvents = true;
      ref.depthEvents = true;
      assert.is(book.depthEvents, true);
    }
    records += parseChecked(p, book, ref, chunks[i], i < half ? "BBO only" : "depth events on", i >= half);
  }
  assert.is(records, 100_000);
  const c = book.counters();
  assert.ok(c.depthChanges > 1000, JSON.stringify(c));
  sameCounters(book, ref);
});

G("with the book off, the parser writes the same records and no events, and the book stays as it was", () => {
  const msgs: Uint8Array[] = [];
  const it = generateSession({ seed: 5, symbols: 50, messages: 20_000 });
  for (let r = it.next(); !r.done; r = it.next()) forEachMessage(r.value, (b, o, l) => msgs.push(b.slice(o, o + l)));
  const ticks = (p: FeedParser, onBatch: () => void = () => {}) => {
    const out: string[] = [];
    p.parse(chunkOf(msgs), "messages", (n) => {
      for (let i = 0; i < n; i++) out.push(JSON.stringify({ ...p.ticks.at(i).copy(), receiveTs: 0 }));
      onBatch();
    });
    return out;
  };
  const plain = new FeedParser(itch50);
  const withBook = new FeedParser(itch50);
  const book = enableBook(withBook, { maxOrders: 1 << 16, maxLevels: 1 << 14, maxInstruments: 256 });
  assert.equal(ticks(withBook), ticks(plain));
  assert.ok(book.orderCount() > 0);
  const orders = book.orderCount();
  const changes = book.counters().updates;
  book.enabled = false;
  let events = 0;
  ticks(withBook, () => (events += book.eventCount()));
  assert.is(events, 0);
  assert.is(book.orderCount(), orders);
  assert.is(book.counters().updates, changes);
  assert.is(book.enabled, false);
});

G.run();

// ---- hand-built messages ----

const H = suite("ITCH book edge cases");

const LOC = 7;
let tsNext = 34_200_000_000_000;
function itch(type: string, values: Record<string, number | bigint | string>): Uint8Array {
  return encodeBySchema(S, type, { stockLocate: LOC, timestamp: tsNext++, stock: "ZXY", ...values });
}
const add = (ref: number | bigint, side: "B" | "S", shares: number, price: number, locate = LOC) => itch("A", { orderRef: BigInt(ref), side, shares, price, stockLocate: locate });
const exec = (ref: number | bigint, shares: number) => itch("E", { orderRef: BigInt(ref), executedShares: shares, matchNumber: 1n });
const execPx = (ref: number | bigint, shares: number, price: number) => itch("C", { orderRef: BigInt(ref), executedShares: shares, matchNumber: 2n, printable: "Y", executionPrice: price });
const cancel = (ref: number | bigint, shares: number) => itch("X", { orderRef: BigInt(ref), cancelledShares: shares });
const del = (ref: number | bigint) => itch("D", { orderRef: BigInt(ref) });
const replace = (from: number | bigint, to: number | bigint, shares: number, price: number) => itch("U", { originalOrderRef: BigInt(from), newOrderRef: BigInt(to), shares, price });

type EventCopy = ReturnType<BookView["events"]["copy"]>;

/** The events that changed the BBO, without their flags. */
function bboOnly(events: EventCopy[]) {
  return events.filter((e) => e.flags & E.EV_BBO).map(({ flags: _f, ...e }) => e);
}

/** A parser with a book and a reference fed the same messages; returns events per message. */
function setup(caps: BookCapacities & RefCapacities = { maxOrders: 64, maxLevels: 32, maxInstruments: 16, depthEvents: true }) {
  const p = new FeedParser(itch50);
  const book = enableBook(p, caps);
  const ref = new ReferenceL3(caps);
  const feed = (...msgs: Uint8Array[]) => {
    const events: Array<ReturnType<typeof book.events.copy>> = [];
    const data = chunkOf(msgs);
    for (let i = 0; i < msgs.length; i++) ref.apply(data.data, data.offsets[i], data.lengths[i]);
    p.parse(data, "messages", () => book.forEachEvent((ev) => events.push(ev.copy())));
    return events;
  };
  const levels = (side: number) => {
    const d = book.depth(LOC, side, 10);
    return Array.from({ length: d.count }, (_, i) => [d.price[i], d.shares[i], d.orders[i]]);
  };
  return { p, book, ref, feed, levels };
}

H("adds build levels best-first on each side, and only a change of the best writes a book event", () => {
  const { book, ref, feed, levels } = setup();
  const ev = bboOnly(feed(add(1, "B", 100, 1000_00), add(2, "B", 200, 1001_00), add(3, "B", 300, 999_00), add(4, "B", 50, 1001_00),
    add(5, "S", 100, 1003_00), add(6, "S", 100, 1002_00), add(7, "S", 100, 1004_00)));
  assert.equal(levels(Side.BID), [[1001_00, 250, 2], [1000_00, 100, 1], [999_00, 300, 1]]);
  assert.equal(levels(Side.ASK), [[1002_00, 100, 1], [1003_00, 100, 1], [1004_00, 100, 1]]);
  assert.equal(ev.map((e) => e.recordIndex), [0, 1, 3, 4, 5]);
  assert.equal(ev[4], { recordIndex: 5, instrument: LOC, bidPx: 1001_00, bidQty: 250, askPx: 1002_00, askQty: 100 });
  const b = book.bbo(LOC);
  assert.equal([b.bidPx, b.bidQty, b.bidOrders, b.bidLevels, b.askPx, b.askQty, b.askOrders, b.askLevels], [1001_00, 250, 2, 3, 1002_00, 100, 1, 3]);
  assert.is(book.orderCount(), 7);
  assert.is(book.levelCount(), 6);
  assert.is(book.check(), "ok");
  sameEverywhere(book, ref, "");
  // a third-level add changes the depth counter only within the watched 5 levels
  assert.is(book.counters().depthChanges, 7);
});

H("with depthWatch 5, every add among the best five levels of a side writes an event flagged with that side", () => {
  const { feed } = setup();
  const { EV_BBO: BBO, EV_DEPTH_BID: DB, EV_DEPTH_ASK: DA } = E;
  const ev = feed(add(1, "B", 100, 1000_00), add(2, "B", 200, 1001_00), add(3, "B", 300, 999_00), add(4, "B", 50, 1001_00),
    add(5, "S", 100, 1003_00), add(6, "S", 100, 1002_00), add(7, "S", 100, 1004_00));
  assert.equal(ev.map((e) => [e.recordIndex, e.flags]), [[0, BBO | DB], [1, BBO | DB], [2, DB], [3, BBO | DB], [4, BBO | DA], [5, BBO | DA], [6, DA]]);
  // a depth-only event carries the published BBO as it stands
  assert.equal(ev[6], { recordIndex: 6, instrument: LOC, flags: DA, bidPx: 1001_00, bidQty: 250, askPx: 1002_00, askQty: 100 });
});

H("partial executions and cancels take shares off the order and its level; the last share removes both", () => {
  const { book, ref, feed, levels } = setup();
  feed(add(1, "B", 300, 50_00), add(2, "B", 100, 50_00), add(3, "B", 100, 49_00));
  let ev = bboOnly(feed(exec(1, 100)));
  assert.equal(levels(Side.BID), [[50_00, 300, 2], [49_00, 100, 1]]);
  assert.equal(ev, [{ recordIndex: 0, instrument: LOC, bidPx: 50_00, bidQty: 300, askPx: 0, askQty: 0 }]);
  ev = bboOnly(feed(execPx(1, 50, 50_01), cancel(1, 25)));
  assert.equal(levels(Side.BID), [[50_00, 225, 2], [49_00, 100, 1]]);
  assert.is(ev.length, 2);
  ev = bboOnly(feed(exec(1, 125), exec(2, 40), cancel(2, 60)));
  assert.equal(levels(Side.BID), [[49_00, 100, 1]]);
  assert.equal(ev.map((e) => [e.recordIndex, e.bidPx, e.bidQty]), [[0, 50_00, 100], [1, 50_00, 60], [2, 49_00, 100]]);
  assert.is(book.orderCount(), 1);
  assert.is(book.levelCount(), 1);
  const c = book.counters();
  assert.is(c.oversized, 0);
  assert.is(c.unknownOrder, 0);
  sameEverywhere(book, ref, "");
  sameCounters(book, ref);
});

H("an execution or cancel of more shares than the order has removes it and is counted as oversized", () => {
  const { book, ref, feed, levels } = setup();
  feed(add(1, "S", 100, 20_00), add(2, "S", 100, 20_00));
  feed(exec(1, 150), cancel(2, 100));
  assert.equal(levels(Side.ASK), []);
  assert.is(book.counters().oversized, 1);
  assert.is(book.check(), "ok");
  sameCounters(book, ref);
});

H("a replace moves the order to its new reference, price and size, on the same side and instrument", () => {
  const { book, ref, feed, levels } = setup();
  feed(add(10, "B", 100, 30_00), add(11, "B", 200, 29_00), add(12, "S", 100, 31_00));
  // to a better price: the best bid moves up, the old level (now empty) goes
  let ev = bboOnly(feed(replace(10, 20, 500, 30_50)));
  assert.equal(levels(Side.BID), [[30_50, 500, 1], [29_00, 200, 1]]);
  assert.equal(ev, [{ recordIndex: 0, instrument: LOC, bidPx: 30_50, bidQty: 500, askPx: 31_00, askQty: 100 }]);
  // the old reference is gone, the new one trades
  feed(exec(10, 1));
  assert.is(book.counters().unknownOrder, 1);
  feed(exec(20, 100));
  assert.equal(levels(Side.BID), [[30_50, 400, 1], [29_00, 200, 1]]);
  // to the same price: the level keeps its place, its size follows
  ev = bboOnly(feed(replace(20, 21, 300, 30_50)));
  assert.equal(levels(Side.BID), [[30_50, 300, 1], [29_00, 200, 1]]);
  assert.equal(ev.map((e) => e.bidQty), [300]);
  // into an existing level behind the best: no BBO change but the best level leaves
  ev = bboOnly(feed(replace(21, 22, 100, 29_00)));
  assert.equal(levels(Side.BID), [[29_00, 300, 2]]);
  assert.equal(ev.map((e) => [e.bidPx, e.bidQty]), [[29_00, 300]]);
  // an ask replaced stays an ask, whatever the price
  feed(replace(12, 13, 100, 28_00));
  assert.equal(levels(Side.ASK), [[28_00, 100, 1]]);
  assert.is(book.orderCount(), 3);
  sameEverywhere(book, ref, "");
  sameCounters(book, ref);
});

H("unknown order references are counted, not thrown, and leave the book untouched", () => {
  const { book, ref, feed, levels } = setup();
  feed(add(1, "B", 100, 10_00));
  const ev = bboOnly(feed(exec(99, 10), execPx(98, 10, 10_00), cancel(97, 10), del(96), replace(95, 94, 100, 11_00), del(1), del(1)));
  assert.is(book.counters().unknownOrder, 6);
  assert.equal(levels(Side.BID), []);
  assert.equal(ev.length, 1);
  // the replace of an unknown order did not add its new reference
  feed(del(94));
  assert.is(book.counters().unknownOrder, 7);
  assert.is(book.check(), "ok");
  sameCounters(book, ref);
});

H("trades, crosses, breaks and administrative messages report without touching the book; R registers the instrument", () => {
  const { book, ref, feed } = setup();
  feed(add(1, "B", 100, 10_00));
  const before = book.counters().updates;
  const ev = bboOnly(feed(
    itch("P", { orderRef: 0n, side: "B", shares: 100, price: 10_00, matchNumber: 5n }),
    itch("Q", { shares: 1000n, crossPrice: 10_00, matchNumber: 6n, crossType: "O" }),
    itch("B", { matchNumber: 5n }),
    itch("R", { marketCategory: "Q", roundLotSize: 100 }),
    itch("H", { tradingState: "T" }),
  ));
  assert.equal(ev, []);
  assert.is(book.counters().updates, before);
  assert.is(book.bbo(LOC).flags & E.BBO_REGISTERED, E.BBO_REGISTERED);
  assert.is(book.bbo(LOC + 1).flags & E.BBO_REGISTERED, 0);
  sameCounters(book, ref);
});

H("applies an execution, cancel, delete or replace naming another stock locate to the order's own instrument, and counts it", () => {
  const { book, ref, feed, levels } = setup();
  const other = LOC + 1;
  feed(add(1, "B", 100, 10_00), add(2, "B", 100, 10_00), add(3, "S", 100, 11_00), add(4, "S", 50, 12_00), add(5, "B", 10, 9_00, other));
  const at = (msg: Uint8Array, locate: number) => {
    new DataView(msg.buffer, msg.byteOffset).setUint16(1, locate);
    return msg;
  };
  feed(at(exec(1, 30), other), at(cancel(2, 100), other), at(del(3), 12), at(replace(4, 6, 40, 11_50), other));
  assert.is(book.counters().wrongLocate, 4);
  assert.equal(levels(Side.BID), [[10_00, 70, 1]]);
  assert.equal(levels(Side.ASK), [[11_50, 40, 1]]);
  const b = book.bbo(other);
  assert.equal([b.bidPx, b.bidQty, b.askPx], [9_00, 10, 0]);
  assert.is(book.check(), "ok");
  sameEverywhere(book, ref, "");
  sameCounters(book, ref);
  // the order's own locate is not counted
  feed(exec(1, 10), at(exec(5, 1), other));
  assert.is(book.counters().wrongLocate, 4);
});

H("order references above 2^53, duplicates, bad sides and zero prices", () => {
  const { book, ref, feed, levels } = setup();
  const big = 2n ** 63n + 5n;
  feed(add(big, "B", 100, 10_00), add(big + 1n, "B", 100, 10_00));
  feed(add(big, "B", 999, 11_00));
  assert.is(book.counters().duplicateOrder, 1);
  feed(itch("A", { orderRef: 5n, side: "Z", shares: 1, price: 1 }), add(6, "S", 100, 0));
  assert.is(book.counters().invalid, 2);
  feed(exec(big, 30));
  assert.equal(levels(Side.BID), [[10_00, 170, 2]]);
  feed(del(big + 1n));
  assert.equal(levels(Side.BID), [[10_00, 70, 1]]);
  assert.is(book.check(), "ok");
  sameCounters(book, ref);
});

H("the largest ITCH price (2^32 - 1 in price4) is a price, not -1: it sorts as the best ask's worst and reads back exactly", () => {
  const { book, ref, feed, levels } = setup();
  feed(add(1, "S", 100, 0xffffffff), add(2, "S", 100, 0x80000000), add(3, "B", 100, 0x7fffffff));
  assert.equal(levels(Side.ASK), [[0x80000000, 100, 1], [0xffffffff, 100, 1]]);
  assert.equal([book.bbo(LOC).bidPx, book.bbo(LOC).askPx], [0x7fffffff, 0x80000000]);
  sameEverywhere(book, ref, "");
});

H("depthWatch N flags a message as a depth change of its side only when it touches one of the best N levels", () => {
  const caps = { maxOrders: 64, maxLevels: 32, maxInstruments: 16, depthWatch: 2, depthEvents: true };
  const { book, ref, feed } = setup(caps);
  const flags = (evs: EventCopy[]) => evs.map((e) => [e.recordIndex, e.flags]);
  const { EV_BBO: BBO, EV_DEPTH_BID: DB, EV_DEPTH_ASK: DA } = E;
  assert.equal(flags(feed(add(1, "B", 100, 10_00), add(2, "B", 100, 9_00), add(3, "B", 100, 8_00))), [[0, BBO | DB], [1, DB]]);
  assert.is(book.counters().depthChanges, 2);
  assert.equal(flags(feed(cancel(3, 10), del(3), add(4, "B", 100, 9_50))), [[2, DB]]);
  assert.is(book.counters().depthChanges, 3);
  assert.equal(flags(feed(exec(2, 10), del(1))), [[1, BBO | DB]]);
  assert.is(book.counters().depthChanges, 4);
  // the other side is flagged on its own; a message on the bid side leaves the ask's bit clear
  assert.equal(flags(feed(add(5, "S", 100, 11_00), add(6, "S", 100, 12_00), add(7, "S", 100, 13_00), cancel(4, 1))), [[0, BBO | DA], [1, DA], [3, BBO | DB]]);
  assert.is(book.capacities.depthWatch, 2);
  assert.is(book.check(), "ok");
  sameCounters(book, ref);
});

H("reset empties the book, and the same messages then build the same book", () => {
  const { p, book, ref, feed } = setup({ maxOrders: 2000, maxLevels: 500, maxInstruments: 16 });
  const msgs: Uint8Array[] = [];
  for (let i = 1; i <= 1500; i++) msgs.push(add(i, i & 1 ? "B" : "S", i, (i & 1 ? 100_00 - (i % 97) : 101_00 + (i % 89)) * 100));
  for (let i = 1; i <= 1500; i += 3) msgs.push(del(i));
  feed(...msgs);
  const before = { orders: book.orderCount(), levels: book.levelCount(), bbo: { ...book.bbo(LOC) } };
  assert.is(before.orders, 1000);
  sameEverywhere(book, ref, "before the reset");
  book.reset();
  assert.is(book.orderCount(), 0);
  assert.is(book.levelCount(), 0);
  assert.is(book.bbo(LOC).bidPx, 0);
  assert.is(book.check(), "ok");
  p.parse(chunkOf(msgs), "messages", () => {});
  assert.equal({ orders: book.orderCount(), levels: book.levelCount(), bbo: { ...book.bbo(LOC) } }, before);
  assert.is(book.check(), "ok");
});

H("a stock locate past maxInstruments is counted as a bad instrument and skipped", () => {
  const { book, ref, feed } = setup({ maxOrders: 8, maxLevels: 8, maxInstruments: 16 });
  feed(add(1, "B", 100, 10_00, 16), add(2, "B", 100, 10_00, 15), add(3, "B", 100, 10_00, 65535));
  assert.is(book.counters().badInstrument, 2);
  assert.is(book.orderCount(), 1);
  assert.is(book.bbo(15).bidQty, 100);
  assert.is(book.bbo(16).bidQty, 0);
  sameCounters(book, ref);
});

H.run();

// ---- capacities ----

const C = suite("ITCH book capacities");

C("a full order table or level pool skips the add and counts it; what fits stays exact and every message is still delivered", () => {
  const caps = { maxOrders: 250, maxLevels: 150, maxInstruments: 60, depthEvents: true };
  const p = new FeedParser(itch50);
  const book = enableBook(p, caps);
  const ref = new ReferenceL3(caps);
  let records = 0;
  let batches = 0;
  const it = generateSession({ seed: 11, symbols: 100, messages: 60_000 });
  for (let r = it.next(); !r.done; r = it.next()) {
    records += parseChecked(p, book, ref, entriesOf(r.value), `chunk ${batches}`);
    assert.is(book.check(), "ok", `chunk ${batches}`);
    batches++;
  }
  assert.is(records, 60_000);
  assert.is(p.summary().messages, 60_000);
  const c = book.counters();
  assert.ok(c.ordersFull > 1000, `orders full: ${c.ordersFull}`);
  assert.ok(c.levelsFull > 1000, `levels full: ${c.levelsFull}`);
  assert.ok(c.unknownOrder > 1000, `unknown: ${c.unknownOrder}`);
  assert.ok(c.badInstrument > 1000, `bad instrument: ${c.badInstrument}`);
  assert.ok(book.orderCount() <= 250 && book.levelCount() <= 150);
  sameEverywhere(book, ref, "at the end");
  sameCounters(book, ref);
});

C("a stream of adds with random 64-bit references fills the order table, is counted, and does not grow the memory", () => {
  const caps = { maxOrders: 1 << 12, maxLevels: 1 << 10, maxInstruments: 16, depthEvents: true };
  const p = new FeedParser(itch50);
  const book = enableBook(p, caps);
  const ref = new ReferenceL3(caps);
  const bytes = p.memory.buffer.byteLength;
  const rng = new Rng(13);
  const msgs: Uint8Array[] = [encodeBySchema(S, "R", { stockLocate: 1, stock: "HOSTILE" })];
  for (let i = 0; i < 50_000; i++) {
    const orderRef = (BigInt(Math.floor(rng.next() * 2 ** 32)) << 32n) | BigInt(Math.floor(rng.next() * 2 ** 32));
    msgs.push(encodeBySchema(S, "A", { stockLocate: 1, orderRef, side: rng.next() < 0.5 ? "B" : "S", shares: 100, stock: "HOSTILE", price: 10_000 + Math.floor(rng.next() * 500) }));
  }
  for (let i = 0; i < msgs.length; i += 4096) parseChecked(p, book, ref, chunkOf(msgs.slice(i, i + 4096)), `adds from ${i}`);
  assert.is(book.check(), "ok");
  assert.is(book.orderCount(), caps.maxOrders);
  assert.is(book.counters().ordersFull, 50_000 - caps.maxOrders);
  assert.is(p.memory.buffer.byteLength, bytes, "no memory grown for hostile references");
  sameEverywhere(book, ref, "at the end");
  sameCounters(book, ref);
});

C("freed slots and levels are reused: a book of one order and one level handles a long add/delete churn", () => {
  const { book, ref, feed, levels } = setup({ maxOrders: 1, maxLevels: 1, maxInstruments: 16 });
  for (let i = 0; i < 500; i++) {
    feed(add(i * 2 + 1, i & 1 ? "S" : "B", 100 + i, 10_00 + i), add(i * 2 + 2, "B", 1, 1_00), del(i * 2 + 1));
  }
  assert.is(book.counters().ordersFull, 500);
  assert.is(book.orderCount(), 0);
  assert.equal(levels(Side.BID), []);
  feed(add(9999, "B", 100, 5_00), add(10000, "S", 100, 6_00));
  assert.is(book.counters().ordersFull, 501);
  feed(del(9999), add(10001, "B", 7, 4_00));
  assert.equal(levels(Side.BID), [[4_00, 7, 1]]);
  assert.is(book.check(), "ok");
  sameCounters(book, ref);
});

C("capacities are checked: too large a book is refused, a bad instrument count throws", () => {
  const p = new FeedParser(itch50);
  assert.throws(() => enableBook(p, { maxInstruments: 0 }), /maxInstruments/);
  assert.throws(() => enableBook(p, { maxInstruments: 70000 }), /maxInstruments/);
  assert.throws(() => enableBook(p, { maxOrders: 0x8000000, maxLevels: 0x8000000 }), /4 GiB/);
  const book = enableBook(p, { maxOrders: 10, maxLevels: 10, maxInstruments: 10 });
  assert.is(book.capacities.maxOrders, 10);
  assert.is(book.bbo(10).bidPx, 0);
  assert.is(book.depth(10, Side.BID, 5).count, 0);
  assert.is(book.depth(3, 7, 5).count, 0);
});

C("the book's fixed regions fit between the symbol table and the next fixed region, its memory above the parser's input", () => {
  assert.ok(L.BOOK_CTL_BASE >= L.SYMTAB_BASE + L.SYMTAB_SIZE);
  assert.ok(L.BOOK_DEPTH_BASE >= L.BOOK_CTL_BASE + L.BOOK_CTL_SIZE);
  const next = (L as unknown as Record<string, number>).HOLD_BASE ?? L.DYNAMIC_BASE;
  assert.ok(L.BOOK_DEPTH_BASE + L.BOOK_DEPTH_SIZE <= next);
  assert.ok(L.BOOK_DEPTH_SHARES + L.BOOK_DEPTH_MAX * 8 <= L.BOOK_DEPTH_SIZE);
  assert.ok(L.BOOK_DEPTH_ORDERS >= L.BOOK_DEPTH_PRICES + L.BOOK_DEPTH_MAX * 4);
  assert.ok(L.BK_BBO + E.BBO_SIZE <= L.BOOK_CTL_SIZE && L.BK_LEVEL_LIVE < L.BK_BBO);
  assert.is(L.BOOK_EVENT_MAX, L.RECORD_MAX);
  assert.ok(L.PS_BOOK_EVENTS_LOST + 8 <= L.PS_REJECTED);
  const p = new FeedParser(itch50);
  const book = enableBook(p, { maxOrders: 100, maxLevels: 100, maxInstruments: 100 });
  assert.ok(book.base >= L.DYNAMIC_BASE + 4 * 1024 * 1024);
  assert.ok(p.memory.buffer.byteLength >= book.base + book.bytes);
});

C.run();

// ---- IEX ----

const D = suite("IEX DEEP price-level book");

let iexTs = 1_700_000_000_000_000_000n;
const lvl = (side: "B" | "S", symbol: string, size: number, price: number, eventFlags = 1) =>
  encodeBySchema(iexDeep.schema, side === "B" ? "8" : "5", { eventFlags, timestamp: iexTs++, symbol, size, price: BigInt(price) });

function deepSetup(caps: BookCapacities & RefCapacities = { maxOrders: 0, maxLevels: 64, maxInstruments: 64, depthEvents: true }) {
  const p = new FeedParser(iexDeep);
  const book = enableBook(p, caps);
  const feed = (...msgs: Uint8Array[]) => {
    const events: Array<ReturnType<typeof book.events.copy>> = [];
    p.parse(chunkOf(msgs), "messages", () => book.forEachEvent((ev) => events.push(ev.copy())));
    return events;
  };
  return { p, book, feed };
}

D("an event's updates change the levels at once but publish the BBO only when the event completes", () => {
  const { book, feed } = deepSetup();
  // symbol ids are given on first sight: ZIEXT is 1
  let ev = feed(lvl("B", "ZIEXT", 100, 10_0000, 0), lvl("B", "ZIEXT", 200, 10_0100, 0), lvl("S", "ZIEXT", 300, 10_0200, 0));
  assert.equal(ev, []);
  assert.is(book.bbo(1).flags & E.BBO_PENDING, E.BBO_PENDING);
  assert.is(book.bbo(1).bidPx, 0);
  assert.is(book.depth(1, Side.BID, 5).count, 2);
  ev = feed(lvl("S", "ZIEXT", 100, 10_0300, 1));
  // the event's depth changes on both sides are published with it, at the completing update
  const { EV_BBO: BBO, EV_DEPTH_BID: DB, EV_DEPTH_ASK: DA } = E;
  assert.equal(ev, [{ recordIndex: 0, instrument: 1, flags: BBO | DB | DA, bidPx: 10_0100, bidQty: 200, askPx: 10_0200, askQty: 300 }]);
  const b = book.bbo(1);
  assert.is(b.flags & E.BBO_PENDING, 0);
  assert.equal([b.bidLevels, b.askLevels, b.bidOrders], [2, 2, 0]);
  // size 0 removes a level; below the best it is a depth change only
  ev = feed(lvl("B", "ZIEXT", 0, 10_0000, 1));
  assert.equal(ev, [{ recordIndex: 0, instrument: 1, flags: DB, bidPx: 10_0100, bidQty: 200, askPx: 10_0200, askQty: 300 }]);
  ev = feed(lvl("B", "ZIEXT", 0, 10_0100, 0), lvl("B", "ZIEXT", 50, 10_0050, 1));
  assert.equal(ev, [{ recordIndex: 1, instrument: 1, flags: BBO | DB, bidPx: 10_0050, bidQty: 50, askPx: 10_0200, askQty: 300 }]);
  // a level beyond the watched five changes nothing published
  ev = feed(...[1, 2, 3, 4, 5, 6].map((k) => lvl("S", "ZIEXT", 10, 10_0300 + k * 100, 1)));
  assert.equal(ev.map((e) => [e.recordIndex, e.flags]), [[0, DA], [1, DA], [2, DA]]);
  assert.is(book.check(), "ok");
});

D("prices above 2^32 (a $700,000 share in price4) keep their exact value in levels, BBO, depth and events; prices <= 0 are invalid", () => {
  const { book, feed } = deepSetup();
  const high = 700_000_0000; // > 2^32
  const ev = feed(lvl("B", "BRK.A", 3, high, 1), lvl("S", "BRK.A", 2, high + 5000_0000, 1), lvl("B", "BRK.A", 1, high - 1, 1),
    lvl("B", "BRK.A", 9, 0, 1), lvl("S", "BRK.A", 9, -100, 1));
  assert.equal(ev.map((e) => [e.bidPx, e.askPx]), [[high, 0], [high, high + 5000_0000], [high, high + 5000_0000]]);
  const b = book.bbo(1);
  assert.equal([b.bidPx, b.bidQty, b.askPx, b.askQty], [high, 3, high + 5000_0000, 2]);
  const d = book.depth(1, Side.BID, 5);
  assert.equal(Array.from(d.price.subarray(0, d.count)), [high, high - 1]);
  assert.is(book.counters().invalid, 2);
  assert.is(book.check(), "ok");
});

D("after every message of random DEEP traffic with random event boundaries, published BBOs, events and depth equal the reference's", () => {
  const caps = { maxOrders: 0, maxLevels: 400, maxInstruments: 32, depthEvents: true };
  const { p, book } = deepSetup(caps);
  const ref = new ReferenceLevels(caps);
  const rng = new Rng(42);
  const symbols = Array.from({ length: 40 }, (_, i) => `S${i}`);
  const ids = new Map<string, number>();
  const mid = symbols.map(() => 1000 + rng.int(1000));
  let events = 0;
  const one = chunkOf([lvl("B", "X", 1, 1)]);
  for (let m = 0; m < 30_000; m++) {
    const s = rng.int(symbols.length);
    const side = rng.int(2) ? "B" : "S";
    const off = 1 + rng.int(8);
    const price = (side === "B" ? mid[s] - off : mid[s] + off) * 100;
    const size = rng.int(4) === 0 ? 0 : 100 * (1 + rng.int(9));
    const flags = rng.int(3) === 0 ? 0 : 1;
    if (rng.int(50) === 0) mid[s] += rng.int(2) ? 1 : -1;
    const msg = lvl(side, symbols[s], size, price, flags);
    if (!ids.has(symbols[s])) ids.set(symbols[s], ids.size + 1);
    const inst = ids.get(symbols[s])!;
    const res = ref.update(inst, side.charCodeAt(0), price, size, flags);
    one.data = msg;
    p.parse(one, "messages", () => {});
    const where = `after update ${m}`;
    const want = expectedEvent(ref, res, 0);
    if (want) {
      assert.is(book.eventCount(), 1, where);
      assert.equal(book.events.at(0).copy(), want, where);
      events++;
    } else {
      assert.is(book.eventCount(), 0, where);
    }
    if (inst < caps.maxInstruments) {
      sameBbo(book, ref, inst, where);
      sameDepth(book, ref, inst, 5, where, false);
    }
  }
  assert.ok(events > 1000, `events ${events}`);
  const c = book.counters();
  assert.ok(c.badInstrument > 0 && c.levelsFull > 0, JSON.stringify(c));
  for (const inst of ref.instruments()) assert.is(book.bbo(inst).flags & E.BBO_PENDING, ref.pending.has(inst) ? E.BBO_PENDING : 0);
  assert.is(book.levelCount(), ref.levelCount);
  assert.is(book.check(), "ok");
  const { unknownOrder, ordersFull, duplicateOrder, oversized, eventsLost, ordersOffWindow, ordersEvicted, orderPagesPaused, ...mine } = c;
  const { unknownOrder: _u, ordersFull: _o, duplicateOrder: _d, oversized: _s, ...theirs } = ref.counters;
  assert.equal(mine, theirs);
  assert.is(unknownOrder + ordersFull + duplicateOrder + oversized + eventsLost + ordersOffWindow + ordersEvicted + orderPagesPaused, 0);
});

D.run();

const T = suite("IEX TOPS quote book");

T("each quote that differs from the last publishes the instrument's BBO; a repeat does not", () => {
  const p = new FeedParser(iexTops);
  const book = enableBook(p, {});
  const q = (symbol: string, bidSize: number, bidPrice: number, askPrice: number, askSize: number) =>
    encodeBySchema(iexTops.schema, "Q", { flags: 0, timestamp: iexTs++, symbol, bidSize, bidPrice: BigInt(bidPrice), askPrice: BigInt(askPrice), askSize });
  const events: Array<ReturnType<typeof book.events.copy>> = [];
  p.parse(chunkOf([q("AAA", 100, 99_0000, 99_0100, 200), q("BBB", 5, 1_0000, 1_0100, 6), q("AAA", 100, 99_0000, 99_0100, 200),
    q("AAA", 0, 0, 99_0100, 300), q("BBB", 5, -1, 1_0100, 6)]), "messages", () => book.forEachEvent((ev) => events.push(ev.copy())));
  assert.equal(events, [
    { recordIndex: 0, instrument: 1, flags: E.EV_BBO, bidPx: 99_0000, bidQty: 100, askPx: 99_0100, askQty: 200 },
    { recordIndex: 1, instrument: 2, flags: E.EV_BBO, bidPx: 1_0000, bidQty: 5, askPx: 1_0100, askQty: 6 },
    { recordIndex: 3, instrument: 1, flags: E.EV_BBO, bidPx: 0, bidQty: 0, askPx: 99_0100, askQty: 300 },
  ]);
  const b = book.bbo(1);
  assert.equal([b.askPx, b.askQty, b.flags & E.BBO_QUOTED, b.bidLevels], [99_0100, 300, E.BBO_QUOTED, 0]);
  assert.is(book.counters().invalid, 1);
  assert.is(book.counters().updates, 3);
  assert.is(book.check(), "ok");
});

T.run();

const O = suite("ITCH order table: pages and hash");

const O_CAPS = { maxOrders: 1 << 16, maxLevels: 1 << 12, maxInstruments: 16, depthEvents: true };
const WINDOW_REFS = L.WINDOW_PAGES * L.ORDER_PAGE_REFS;

function orderSetup() {
  const p = new FeedParser(itch50);
  const book = enableBook(p, O_CAPS);
  const ref = new ReferenceL3(O_CAPS);
  const feed = (msgs: Uint8Array[], where: string) => {
    for (let i = 0; i < msgs.length; i += 4096) parseChecked(p, book, ref, chunkOf(msgs.slice(i, i + 4096)), `${where}, message ${i}`);
  };
  return { p, book, ref, feed };
}

O("orders the window leaves behind move to the hash and are still found: their executions, cancels, replaces and deletes equal the reference's", () => {
  const { book, ref, feed } = orderSetup();
  const rng = new Rng(21);
  const msgs: Uint8Array[] = [];
  const resting: number[] = [];
  let r = 1000;
  // References three windows long, one to three apart: most orders leave soon, one in eight rests.
  for (let i = 0; r < 3 * WINDOW_REFS; i++) {
    r += 1 + Math.floor(rng.next() * 3);
    msgs.push(add(r, rng.next() < 0.5 ? "B" : "S", 100, 10_000 + Math.floor(rng.next() * 200)));
    if (i % 8 === 0) resting.push(r);
    else msgs.push(rng.next() < 0.5 ? del(r) : exec(r, 100));
  }
  feed(msgs, "dense adds");
  const moved = book.counters().ordersEvicted;
  assert.ok(moved > resting.length / 2, `orders moved to the hash: ${moved} of ${resting.length} resting`);
  assert.ok(book.orderTable().pages <= L.WINDOW_PAGES);
  // The resting orders, most of them now in the hash, leave every way an order can.
  feed(resting.map((x, i) => (i % 4 === 0 ? del(x) : i % 4 === 1 ? exec(x, 40) : i % 4 === 2 ? cancel(x, 30) : replace(x, x + 1, 70, 10_050))), "resting orders");
  // A replace's new reference below the window (the newest page and the WINDOW_PAGES - 1 before it) goes to the hash.
  const lo = (r >> L.ORDER_PAGE_BITS) - (L.WINDOW_PAGES - 1);
  const below = resting.filter((x, i) => i % 4 === 3 && (x + 1) >> L.ORDER_PAGE_BITS < lo).length;
  assert.ok(below > 0);
  assert.is(book.check(), "ok");
  sameEverywhere(book, ref, "at the end");
  sameCounters(book, ref);
  const c = book.counters();
  assert.is(c.ordersOffWindow, below);
  assert.is(c.unknownOrder + c.duplicateOrder + c.ordersFull, 0, JSON.stringify(c));
});

O("a reference far above the feed's newest stays in the hash and leaves the window where it was; REANCHOR of them in a row move it", () => {
  const { book, ref, feed } = orderSetup();
  const msgs: Uint8Array[] = [];
  for (let i = 1; i <= 2000; i++) msgs.push(add(i, "B", 10, 9_000 + (i % 50)));
  msgs.push(add(1n << 40n, "S", 10, 11_000));
  for (let i = 2001; i <= 3000; i++) msgs.push(add(i, "S", 10, 11_100 + (i % 50)));
  feed(msgs, "a stray reference");
  let c = book.counters();
  assert.is(c.ordersOffWindow, 1);
  assert.is(c.ordersEvicted, 0, "the stray reference did not move the window");
  assert.is(book.orderTable().hashed, 1);
  // A numbering that jumped: the first adds up there wait in the hash, then the window follows.
  const jumped: Uint8Array[] = [];
  for (let i = 0; i < 1100; i++) jumped.push(add((1n << 41n) + BigInt(i), "B", 5, 8_000 + (i % 30)));
  jumped.push(del(1n << 40n), del(5), exec(2500, 10));
  feed(jumped, "a jump in the numbering");
  c = book.counters();
  assert.is(c.ordersOffWindow, 1 + 1023, "adds in a row above the window until it moved");
  assert.is(c.ordersEvicted, 3000, "the window's orders moved to the hash as it left them");
  assert.is(book.check(), "ok");
  sameEverywhere(book, ref, "at the end");
  sameCounters(book, ref);
});

O("when most orders outlive the window the pages pause, new orders go to the hash, and the book stays exact", () => {
  const { book, ref, feed } = orderSetup();
  const msgs: Uint8Array[] = [];
  // Sparse references, every order resting: each page's orders would all be moved.
  for (let i = 0; i < 40_000; i++) msgs.push(add(1 + i * 37, i & 1 ? "S" : "B", 10, 10_000 + (i % 300)));
  for (let i = 0; i < 40_000; i += 3) msgs.push(del(1 + i * 37));
  feed(msgs, "resting orders");
  const c = book.counters();
  assert.ok(c.orderPagesPaused >= 1, JSON.stringify(c));
  assert.ok(book.orderTable().hashed > 20_000, `orders in the hash: ${book.orderTable().hashed}`);
  assert.is(c.unknownOrder + c.duplicateOrder, 0);
  assert.is(book.check(), "ok");
  sameEverywhere(book, ref, "at the end");
  sameCounters(book, ref);
});

O("adds and deletes of random 64-bit references go to the hash, counted, and the table's memory follows the live orders", () => {
  const { book, ref, feed } = orderSetup();
  const rng = new Rng(17);
  const live: bigint[] = [];
  const msgs: Uint8Array[] = [];
  for (let i = 0; i < 60_000; i++) {
    const r = (BigInt(Math.floor(rng.next() * 2 ** 32)) << 32n) | BigInt(Math.floor(rng.next() * 2 ** 32));
    msgs.push(add(r, rng.next() < 0.5 ? "B" : "S", 100, 10_000 + Math.floor(rng.next() * 100)));
    live.push(r);
    if (live.length > 500) msgs.push(del(live.splice(Math.floor(rng.next() * live.length), 1)[0]));
  }
  feed(msgs, "hostile churn");
  const t = book.orderTable();
  assert.ok(book.counters().ordersOffWindow >= 59_000, JSON.stringify(book.counters()));
  assert.is(book.orderCount(), 500);
  assert.ok(t.pages <= 2, `pages for hostile references: ${t.pages}`);
  assert.ok(t.hashEntries <= 2048, `hash entries for 500 live orders: ${t.hashEntries}`);
  assert.is(book.check(), "ok");
  sameEverywhere(book, ref, "at the end");
  sameCounters(book, ref);
});

O.run();
