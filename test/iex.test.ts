// IEX TOPS 1.6 and DEEP 1.0 over IEX-TP: every message type from bytes built from the spec,
// every field at its extremes, the ticks, and the IEX-TP integrity rules.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { FeedParser } from "../src/feeds/parser.js";
import { iexTops, iexDeep, feedFromModule, type Feed } from "../src/feeds/feeds.js";
import { encodeBySchema, extremeValue, jsonValue, parseAll, iextp, frameOf } from "./helpers/wire.js";

const TOPS = 0x8003;
const DEEP = 0x8004;

const M = suite("IEX messages");

for (const feed of [iexTops, iexDeep]) {
  M(`${feed.name}: the compiled parser and the schema agree on every type and its length`, () => {
    const p = new FeedParser(feed);
    for (let t = 0; t < 256; t++) {
      const def = feed.schema.messages[String.fromCharCode(t)];
      assert.is(p.x.messageLength(t), def ? def.length : 0, `type byte ${t}`);
    }
  });

  for (const max of [false, true]) {
    M(`${feed.name}: decodes every field of every type at ${max ? "the maximum" : "the minimum"} of each width`, () => {
      const p = new FeedParser(feed);
      const types = Object.keys(feed.schema.messages);
      const want: Array<Record<string, number | string>> = [];
      const msgs = types.map((type) => {
        const values: Record<string, number | bigint | string> = {};
        const expect: Record<string, number | string> = { type };
        for (const f of feed.schema.messages[type].fields) {
          if (f.offset === 0) continue;
          values[f.name] = extremeValue(f, max);
          expect[f.name] = jsonValue(f, values[f.name]);
        }
        want.push(expect);
        return encodeBySchema(feed.schema, type, values);
      });
      assert.equal(parseAll(p, msgs, "messages").map((g) => g.msg), want);
    });
  }
}

M("accepts a message IEX grew by appending fields, and counts one shorter than the spec", () => {
  const p = new FeedParser(iexTops);
  const t = encodeBySchema(iexTops.schema, "T", { symbol: "ZIEXT", size: 100, price: 101234n, tradeId: 9n });
  const longer = new Uint8Array(t.length + 6);
  longer.set(t);
  const got = parseAll(p, [longer, t.subarray(0, 37)], "messages");
  assert.is(got.length, 1);
  assert.is(got[0].msg.price, 101234);
  assert.equal(p.summary().rejected, { badLength: 1 });
});

M("counts a type of the other feed as unknown: quotes on DEEP, price levels on TOPS", () => {
  const q = encodeBySchema(iexTops.schema, "Q", { symbol: "A" });
  const l = encodeBySchema(iexDeep.schema, "8", { symbol: "A" });
  const deep = new FeedParser(iexDeep);
  parseAll(deep, [q, l], "messages");
  assert.equal([deep.summary().messages, deep.summary().rejected.unknownType], [1, 1]);
  const tops = new FeedParser(iexTops);
  parseAll(tops, [q, l], "messages");
  assert.equal([tops.summary().messages, tops.summary().rejected.unknownType], [1, 1]);
});

M("binds a compiled module given by its .wasm path", () => {
  const feed = feedFromModule({ name: "my-deep", wasm: iexDeep.modulePath(true), schema: iexDeep.schema, framing: "iextp" });
  const p = new FeedParser(feed);
  const got = parseAll(p, [encodeBySchema(iexDeep.schema, "E", { securityEvent: "O", symbol: "ZIEXT" })], "messages");
  assert.equal(got.map((g) => g.msg), [{ type: "E", securityEvent: "O", timestamp: 0, symbol: "ZIEXT" }]);
});

M.run();

const T = suite("IEX ticks");

function ticks(feed: Feed, msgs: Uint8Array[]) {
  return parseAll(new FeedParser(feed), msgs, "messages").map((g) => g.tick);
}

T("a quote update is a QUOTE with bid and ask; one instrument id per symbol", () => {
  const S = iexTops.schema;
  const [a, b, c] = ticks(iexTops, [
    encodeBySchema(S, "Q", { timestamp: 1499697155788781087n, symbol: "ZIEXT", bidSize: 100, bidPrice: 101500n, askPrice: 101600n, askSize: 200 }),
    encodeBySchema(S, "Q", { symbol: "SPY", bidSize: 1, bidPrice: 2n, askPrice: 3n, askSize: 4 }),
    encodeBySchema(S, "T", { symbol: "ZIEXT", size: 50, price: 101550n, tradeId: 77n, saleConditionFlags: 0x80 }),
  ]);
  assert.equal([a.kind, a.quantity, a.price, a.price2, a.quantity2, a.priceScale], ["quote", 100, 101500, 101600, 200, 4]);
  assert.is(a.exchangeTs, 1499697155788781087);
  assert.equal([a.instrument, b.instrument, c.instrument], [1, 2, 1]);
  assert.equal([c.kind, c.quantity, c.price, c.matchId, c.flags], ["trade", 50, 101550, 77, 0x80]);
});

T("price level updates are LEVEL ticks on their side, with the event-processing flag", () => {
  const S = iexDeep.schema;
  const [buy, sell] = ticks(iexDeep, [
    encodeBySchema(S, "8", { eventFlags: 0, symbol: "ZIEXT", size: 300, price: 101500n }),
    encodeBySchema(S, "5", { eventFlags: 1, symbol: "ZIEXT", size: 0, price: 101600n }),
  ]);
  assert.equal([buy.kind, buy.side, buy.quantity, buy.price, buy.flags], ["level", "B", 300, 101500, 0]);
  assert.equal([sell.kind, sell.side, sell.quantity, sell.price, sell.flags], ["level", "S", 0, 101600, 1]);
});

T("negative prices keep their sign", () => {
  const [t] = ticks(iexDeep, [encodeBySchema(iexDeep.schema, "T", { symbol: "X", size: 1, price: -123456n, tradeId: 1n })]);
  assert.is(t.price, -123456);
});

T.run();

const TP = suite("IEX-TP integrity");

const sysEvent = (code: string) => encodeBySchema(iexDeep.schema, "S", { systemEvent: code, timestamp: 1n });

function run(feed: Feed, segments: Uint8Array[]) {
  const p = new FeedParser(feed);
  const got = parseAll(p, segments.map(frameOf), "frames");
  return { seqs: got.map((g) => g.tick.seq), s: p.summary() };
}

TP("treats the sequence restarting at 1 as a reset, not a gap or duplicates", () => {
  const r = run(iexDeep, [iextp(DEEP, 7, 1, [sysEvent("O"), sysEvent("S")]), iextp(DEEP, 7, 3, [sysEvent("R")]), iextp(DEEP, 7, 1, [sysEvent("O")])]);
  assert.equal(r.seqs, [1, 2, 3, 1]);
  assert.equal([r.s.resets, r.s.gaps, r.s.duplicates], [1, 0, 0]);
});

TP("counts gaps and duplicates like MoldUDP64", () => {
  const r = run(iexDeep, [iextp(DEEP, 7, 1, [sysEvent("O")]), iextp(DEEP, 7, 5, [sysEvent("S"), sysEvent("R")]), iextp(DEEP, 7, 5, [sysEvent("S"), sysEvent("R")])]);
  assert.equal(r.seqs, [1, 5, 6]);
  assert.equal([r.s.gaps, r.s.gapMessages, r.s.duplicates], [1, 3, 2]);
});

TP("rejects segments of another feed's protocol id, and one too short for its header", () => {
  const r = run(iexDeep, [iextp(TOPS, 7, 1, [sysEvent("O")]), iextp(DEEP, 7, 1, [sysEvent("O")]).subarray(0, 30)]);
  assert.equal(r.s.rejected, { otherProtocol: 1, sessionHeaderTooShort: 1 });
  assert.is(r.s.messages, 0);
});

TP("delivers the whole messages of a segment whose count overruns it", () => {
  const r = run(iexTops, [iextp(TOPS, 7, 1, [sysEvent("O"), sysEvent("S")], 4)]);
  assert.equal(r.seqs, [1, 2]);
  assert.equal(r.s.rejected, { countOverrun: 1 });
});

TP("a frame cut short delivers its whole messages and counts the one it cut off, not a gap", () => {
  const f = frameOf(iextp(DEEP, 7, 1, [sysEvent("O"), sysEvent("S"), sysEvent("R")]));
  const p = new FeedParser(iexDeep);
  const got = parseAll(p, [f.subarray(0, f.length - 5), frameOf(iextp(DEEP, 7, 4, [sysEvent("M")]))], "frames");
  assert.equal(got.map((g) => g.tick.seq), [1, 2, 4]);
  const s = p.summary();
  assert.equal([s.truncatedPackets, s.truncatedMessages, s.gaps], [1, 1, 0]);
  assert.equal(s.rejected, {});
});

TP("keeps each session id's own sequence when two sessions interleave", () => {
  const r = run(iexDeep, [iextp(DEEP, 7, 1, [sysEvent("O")]), iextp(DEEP, 8, 1, [sysEvent("O")]), iextp(DEEP, 7, 2, [sysEvent("S")]),
    iextp(DEEP, 8, 2, [sysEvent("S")])]);
  assert.equal(r.seqs, [1, 1, 2, 2]);
  assert.equal([r.s.resets, r.s.gaps, r.s.duplicates], [0, 0, 0]);
  assert.equal(r.s.sessions?.map((x) => [x.session, x.nextSeq, x.messages]), [["7", 3, 2], ["8", 3, 2]]);
});

TP.run();
