// Records on demand (FeedParser `records`, src/feeds/record-filter.ts): a consumer of book events
// or of a few message types gets the same book events, naming records of the same messages, as
// with a record for every message, and every message is still counted.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { FeedParser } from "../src/feeds/parser.js";
import { itch50, iexDeep } from "../src/feeds/feeds.js";
import { generateSession, type SessionOptions } from "../src/itchgen/itch-session.js";
import { enableBook, type BookView } from "../src/book/book.js";
import type { RecordFilter } from "../src/feeds/record-filter.js";
import { entriesOf } from "./helpers/wire.js";

const CAPS = { maxOrders: 1 << 17, maxLevels: 1 << 15, maxInstruments: 8192 };

interface Run {
  p: FeedParser;
  book?: BookView;
  /** Each book event as "seq:instrument:bid:bidQty:ask:askQty:flags", its record's sequence first. */
  events: string[];
  /** Each record's sequence number and type letter. */
  records: Array<[number, string]>;
}

function run(session: SessionOptions, records: RecordFilter, book = true, depthEvents = true): Run {
  const p = new FeedParser(itch50, { records });
  const b = book ? enableBook(p, { ...CAPS, depthEvents }) : undefined;
  const out: Run = { p, book: b, events: [], records: [] };
  const it = generateSession(session);
  let seq = 1;
  for (let r = it.next(); !r.done; r = it.next()) {
    const chunk = entriesOf(r.value);
    p.parse(chunk, "messages", (n) => {
      for (let i = 0; i < n; i++) {
        const t = p.ticks.at(i);
        out.records.push([t.seq, String.fromCharCode(t.msgType)]);
      }
      if (!b) return;
      b.forEachEvent((ev) => {
        const seqOf = p.ticks.at(ev.recordIndex).seq;
        out.events.push(`${seqOf}:${ev.instrument}:${ev.bidPx}:${ev.bidQty}:${ev.askPx}:${ev.askQty}:${ev.flags}`);
      });
    }, seq);
    seq += chunk.count;
  }
  return out;
}

const S = suite("records on demand");

for (const [session, depthEvents] of [
  [{ seed: 3, symbols: 200, messages: 120_000 }, false],
  [{ seed: 4, messages: 60_000, profile: "realistic" as const }, true],
] as Array<[SessionOptions, boolean]>) {
  S(`with records "book", the book events equal the full path's and name records of the same messages (${session.profile ?? "uniform"} day, ${depthEvents ? "BBO and depth" : "BBO"} events)`, () => {
    const full = run(session, "all", true, depthEvents);
    const lean = run(session, "book", true, depthEvents);
    assert.ok(full.events.length > 5_000, `book events: ${full.events.length}`);
    assert.equal(lean.events, full.events);
    // Records only for the messages that wrote events: fewer, and each one an event's.
    const named = new Set(lean.events.map((e) => Number(e.split(":")[0])));
    assert.equal(lean.records.map(([s]) => s), [...named]);
    assert.ok(lean.records.length < full.records.length * 0.9, `${lean.records.length} records of ${full.records.length}`);
    // Every message is still delivered and counted, and the books end the same.
    const fs = full.p.summary();
    const ls = lean.p.summary();
    assert.is(ls.messages, fs.messages);
    assert.equal(ls.byType, fs.byType);
    assert.equal(lean.book!.counters(), full.book!.counters());
    assert.is(lean.book!.check(), "ok");
    for (let inst = 0; inst < CAPS.maxInstruments; inst += 7) {
      assert.equal(lean.book!.bbo(inst), full.book!.bbo(inst), `instrument ${inst}`);
    }
  });
}

S("a list of message types gets records for those types and for the messages book events name", () => {
  const session = { seed: 5, symbols: 100, messages: 60_000 };
  const full = run(session, "all");
  const some = run(session, ["P", "E"]);
  assert.equal(some.events, full.events);
  const named = new Set(some.events.map((e) => Number(e.split(":")[0])));
  const wanted = full.records.filter(([s, t]) => t === "P" || t === "E" || named.has(s)).map(([s]) => s);
  assert.equal(some.records.map(([s]) => s), wanted);
  assert.ok(some.records.some(([, t]) => t === "P") && some.records.some(([, t]) => t === "A"));
});

S("without a book, only the listed types get records; every message is counted, and reset keeps the filter", () => {
  const session = { seed: 6, symbols: 50, messages: 20_000 };
  const full = run(session, "all", false);
  const adds = run(session, ["A"], false);
  assert.equal(adds.records, full.records.filter(([, t]) => t === "A"));
  assert.is(adds.p.summary().messages, full.p.summary().messages);
  adds.p.reset();
  const it = generateSession(session);
  const r = it.next();
  let n = 0;
  adds.p.parse(entriesOf(r.value as Uint8Array), "messages", (k) => {
    for (let i = 0; i < k; i++) assert.is(String.fromCharCode(adds.p.ticks.at(i).msgType), "A");
    n += k;
  });
  assert.ok(n > 0);
});

S("a feed module that writes a record for every message refuses records on demand, naming the fix; bad types are refused", () => {
  assert.throws(() => new FeedParser(iexDeep, { records: "book" }), (e: Error) => /records on demand/.test(e.message) && /records: "all"/.test(e.message));
  assert.throws(() => new FeedParser(itch50, { records: ["AB"] }), /not a message type/);
  assert.throws(() => new FeedParser(itch50, { records: "some" as RecordFilter }), /"all", "book" or a list/);
});

S.run();
