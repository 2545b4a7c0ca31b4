// ITCH 5.0 over MoldUDP64: every message type decoded from bytes built from the spec's table,
// every field checked at its extremes; the normalized ticks; the MoldUDP64 integrity rules.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { FeedParser } from "../src/feeds/parser.js";
import { itch50 } from "../src/feeds/feeds.js";
import { ITCH50_SCHEMA as S } from "../src/feeds/itch50-schema.js";
import { encodeBySchema, extremeValue, jsonValue, parseAll, parsePlaced, mold, frameOf, ENDS } from "./helpers/wire.js";
import { udpFrame } from "../src/socket/frame.js";

const TYPES = Object.keys(S.messages);
const M = suite("ITCH 5.0 messages");

M("the compiled parser and the schema agree on all 23 types and their exact lengths", () => {
  const p = new FeedParser(itch50);
  assert.is(TYPES.length, 23);
  for (let t = 0; t < 256; t++) {
    const def = S.messages[String.fromCharCode(t)];
    assert.is(p.x.messageLength(t), def ? def.length : 0, `type byte ${t}`);
  }
});

for (const max of [false, true]) {
  M(`decodes every field of every type at ${max ? "the maximum of each width" : "zero"}`, () => {
    const p = new FeedParser(itch50);
    const want: Array<Record<string, number | string>> = [];
    const msgs = TYPES.map((type) => {
      const values: Record<string, number | bigint | string> = {};
      const expect: Record<string, number | string> = { type };
      for (const f of S.messages[type].fields) {
        if (f.offset === 0) continue;
        values[f.name] = extremeValue(f, max);
        expect[f.name] = jsonValue(f, values[f.name]);
      }
      want.push(expect);
      return encodeBySchema(S, type, values);
    });
    const got = parseAll(p, msgs, "messages");
    assert.equal(got.map((g) => g.msg), want);
    assert.is(p.summary().messages, 23);
  });
}

M("reads 64-bit fields above 2^53 exactly and reports them as decimal strings", () => {
  const p = new FeedParser(itch50);
  const m = encodeBySchema(S, "D", { stockLocate: 7, trackingNumber: 1, timestamp: 2 ** 48 - 1, orderRef: 9007199254740993n });
  const [g] = parseAll(p, [m], "messages");
  assert.is(g.msg.orderRef, "9007199254740993");
  assert.is(g.msg.timestamp, 2 ** 48 - 1);
  assert.is(g.tick.exchangeTs, 2 ** 48 - 1);
});

M.run();

const T = suite("ITCH 5.0 ticks");

function one(type: string, values: Record<string, number | bigint | string>) {
  const p = new FeedParser(itch50);
  const [g] = parseAll(p, [encodeBySchema(S, type, { stockLocate: 42, timestamp: 34200000000000, ...values })], "messages");
  return g.tick;
}

T("normalizes order events: add, execute, cancel, delete, replace, trades, break, imbalance", () => {
  assert.equal(
    pick(one("A", { orderRef: 11, side: "B", shares: 100, stock: "AAPL", price: 1895000 })),
    { kind: "add", instrument: 42, orderId: 11, side: "B", quantity: 100, price: 1895000, priceScale: 4, exchangeTs: 34200000000000 },
  );
  assert.equal(pick(one("F", { orderRef: 12, side: "S", shares: 5, stock: "MSFT", price: 3, attribution: "GSCO" })).kind, "add");
  assert.equal(pick(one("E", { orderRef: 11, executedShares: 40, matchNumber: 77 })), { kind: "execute", orderId: 11, quantity: 40, matchId: 77 });
  assert.equal(pick(one("C", { orderRef: 11, executedShares: 10, matchNumber: 78, printable: "Y", executionPrice: 1894000 })),
    { kind: "execute", orderId: 11, quantity: 10, matchId: 78, price: 1894000, flags: 89 });
  assert.equal(pick(one("X", { orderRef: 11, cancelledShares: 25 })), { kind: "cancel", orderId: 11, quantity: 25 });
  assert.equal(pick(one("D", { orderRef: 11 })), { kind: "delete", orderId: 11 });
  assert.equal(pick(one("U", { originalOrderRef: 11, newOrderRef: 13, shares: 60, price: 1896000 })),
    { kind: "modify", refOrderId: 11, orderId: 13, quantity: 60, price: 1896000 });
  assert.equal(pick(one("P", { orderRef: 0, side: "B", shares: 300, stock: "AAPL", price: 1895500, matchNumber: 79 })),
    { kind: "trade", side: "B", quantity: 300, price: 1895500, matchId: 79 });
  assert.equal(pick(one("Q", { shares: 5000000000n, stock: "AAPL", crossPrice: 1890000, matchNumber: 80, crossType: "O" })),
    { kind: "trade", quantity: 5000000000, price: 1890000, matchId: 80, flags: 79 });
  assert.equal(pick(one("B", { matchNumber: 79 })), { kind: "broken", matchId: 79 });
  assert.equal(pick(one("I", { pairedShares: 1000n, imbalanceShares: 200n, imbalanceDirection: "S", stock: "AAPL", farPrice: 1, nearPrice: 2, currentReferencePrice: 3, crossType: "C", priceVariationIndicator: "L" })),
    { kind: "imbalance", quantity: 1000, quantity2: 200, side: "S", price: 3, price2: 2, flags: 67 });
  assert.equal(pick(one("H", { stock: "AAPL", tradingState: "T", reserved: " ", reason: "" })), { kind: "status", status: 84 });
  assert.equal(pick(one("S", { eventCode: "Q" })), { kind: "system", status: 81 });
  assert.equal(pick(one("V", { level1: 123456789012n, level2: 2n, level3: 3n })), { kind: "other", price: 123456789012, priceScale: 8 });
});

// The non-default fields of a tick (and the ones asked about by the expectations above).
function pick(t: Record<string, number | string>): Record<string, number | string> {
  const keep: Record<string, number | string> = {};
  const always = new Set(["kind"]);
  for (const [k, v] of Object.entries(t)) {
    if (always.has(k) || (v !== 0 && v !== "" && !["seq", "receiveTs", "msgType", "instrument", "priceScale", "exchangeTs"].includes(k))) keep[k] = v;
  }
  if (t.kind === "add") Object.assign(keep, { instrument: t.instrument, priceScale: t.priceScale, exchangeTs: t.exchangeTs });
  if (t.priceScale === 8) keep.priceScale = 8;
  return keep;
}

T("counts an unknown type and a wrong length, and delivers the messages around them", () => {
  const p = new FeedParser(itch50);
  const good = encodeBySchema(S, "D", { orderRef: 5 });
  const unknown = new Uint8Array(19).fill(0x7a); // 'z'
  const short = encodeBySchema(S, "A", { orderRef: 6 }).subarray(0, 35);
  const got = parseAll(p, [good, unknown, short, good], "messages");
  assert.is(got.length, 2);
  assert.equal(p.summary().rejected, { unknownType: 1, badLength: 1 });
});

T.run();

const Mold = suite("MoldUDP64 integrity");

const msg = (ref: number) => encodeBySchema(S, "D", { stockLocate: 1, orderRef: ref });
const pkt = (seq: number | bigint, refs: number[], session = "SESS000001") => mold(session, seq, refs.map(msg));

function run(frames: Uint8Array[]) {
  const p = new FeedParser(itch50);
  const got = parseAll(p, frames.map(frameOf), "frames");
  return { p, seqs: got.map((g) => g.tick.seq), s: p.summary() };
}

Mold("delivers packets in order with each message's sequence number", () => {
  const r = run([pkt(1, [1, 2, 3]), pkt(4, [4]), pkt(5, [5, 6])]);
  assert.equal(r.seqs, [1, 2, 3, 4, 5, 6]);
  assert.equal([r.s.packets, r.s.messages, r.s.gaps, r.s.duplicates, r.s.resets], [3, 6, 0, 0, 0]);
});

Mold("counts a gap and its size, and goes on from the new sequence", () => {
  const r = run([pkt(1, [1, 2]), pkt(10, [10, 11])]);
  assert.equal(r.seqs, [1, 2, 10, 11]);
  assert.equal([r.s.gaps, r.s.gapMessages], [1, 7]);
});

Mold("drops every message of a packet that arrives twice, counting them as duplicates", () => {
  const r = run([pkt(1, [1, 2, 3]), pkt(1, [1, 2, 3]), pkt(4, [4])]);
  assert.equal(r.seqs, [1, 2, 3, 4]);
  assert.is(r.s.duplicates, 3);
  assert.is(r.s.gaps, 0);
});

Mold("delivers only the new messages of a packet that overlaps what was delivered", () => {
  const r = run([pkt(1, [1, 2, 3]), pkt(2, [2, 3, 4, 5])]);
  assert.equal(r.seqs, [1, 2, 3, 4, 5]);
  assert.is(r.s.duplicates, 2);
});

Mold("sees a gap in a heartbeat, and recognizes the end of session", () => {
  const r = run([pkt(1, [1]), mold("SESS000001", 5, []), mold("SESS000001", 5, [], 0xffff), pkt(5, [5])]);
  assert.equal(r.seqs, [1, 5]);
  assert.equal([r.s.packets, r.s.gaps, r.s.gapMessages, r.s.messages], [4, 1, 3, 2]);
});

Mold("takes a new session as its own sequence space: neither a gap, duplicates nor a reset", () => {
  const r = run([pkt(1, [1, 2, 3]), pkt(1, [7, 8], "SESS000002")]);
  assert.equal(r.seqs, [1, 2, 3, 1, 2]);
  assert.equal([r.s.resets, r.s.gaps, r.s.duplicates], [0, 0, 0]);
  assert.equal(r.s.sessions?.map((x) => [x.session, x.nextSeq, x.messages]), [["SESS000001", 4, 3], ["SESS000002", 3, 2]]);
});

Mold("keeps each of two interleaved sessions' expected sequence, and reports each", () => {
  const a = (seq: number) => pkt(seq, [seq], "SESSIONAAA");
  const b = (seq: number) => pkt(seq, [seq], "SESSIONBBB");
  // Session A loses message 3; session B repeats message 11.
  const r = run([a(1), b(10), a(2), b(11), a(4), b(11), b(12)]);
  assert.equal(r.seqs, [1, 10, 2, 11, 4, 12]);
  assert.equal([r.s.gaps, r.s.gapMessages, r.s.duplicates, r.s.resets], [1, 1, 1, 0]);
  assert.equal(r.s.sessions, [
    { session: "SESSIONAAA", nextSeq: 5, packets: 3, messages: 3, gaps: 1, gapMessages: 1, duplicates: 0, resets: 0, truncatedMessages: 0 },
    { session: "SESSIONBBB", nextSeq: 13, packets: 4, messages: 3, gaps: 0, gapMessages: 0, duplicates: 1, resets: 0, truncatedMessages: 0 },
  ]);
});

Mold("counts the messages a capture's snaplen cut off apart from gaps, and keeps the sequence going", () => {
  // A contiguous stream of packets of 3 messages, each frame cut to 90 bytes (one message fits).
  const frames = [1, 4, 7, 10].map((seq) => frameOf(pkt(seq, [seq, seq + 1, seq + 2])).subarray(0, 90));
  const p = new FeedParser(itch50);
  const got = parseAll(p, frames, "frames");
  const s = p.summary();
  assert.equal(got.map((g) => g.tick.seq), [1, 4, 7, 10]);
  assert.equal([s.gaps, s.gapMessages, s.truncatedPackets, s.truncatedMessages, s.packets], [0, 0, 4, 8, 4]);
  assert.equal(s.rejected, {}, "a cut packet is a packet, under no rejection");
});

Mold("rejects a frame cut inside its MoldUDP64 header once, as truncated", () => {
  const frames = [frameOf(pkt(1, [1])).subarray(0, 14 + 20 + 8 + 12), frameOf(pkt(2, [2]))];
  const p = new FeedParser(itch50);
  parseAll(p, frames, "frames");
  const s = p.summary();
  assert.equal(s.rejected, { truncated: 1 });
  assert.equal([s.frames, s.packets, s.messages], [2, 1, 1]);
});

Mold("with de-duplication off delivers every message of packets that all carry sequence 0", () => {
  const frames = [pkt(0, [1, 2]), pkt(0, [3, 4]), pkt(0, [5])].map(frameOf);
  const on = new FeedParser(itch50);
  assert.is(parseAll(on, frames, "frames").length, 2, "de-duplicated: the later packets look like repeats");
  const off = new FeedParser(itch50, { dedup: false });
  assert.equal(parseAll(off, frames, "frames").map((g) => g.msg.orderRef), [1, 2, 3, 4, 5]);
  assert.is(off.summary().duplicates, 0);
  assert.throws(() => new FeedParser(itch50, { dedup: false, lines: [1, 2] }), /needs de-duplication/);
});

Mold("filters on UDP port 0 when asked, and on no port by default", () => {
  const zero = udpFrame({ ...ENDS, dstPort: 0 }, pkt(1, [1]));
  const other = frameOf(pkt(2, [2]));
  const p0 = new FeedParser(itch50, { port: 0 });
  assert.is(parseAll(p0, [zero, other], "frames").length, 1);
  assert.equal(p0.summary().rejected, { otherPort: 1 });
  assert.is(parseAll(new FeedParser(itch50), [zero, other], "frames").length, 2);
});

Mold("stops gapMessages at 2^53 - 1 when sequence numbers jump by 2^63, instead of wrapping", () => {
  const r = run([pkt(1, [1]), pkt(2n ** 63n, [2]), pkt(2n ** 64n - 4n, [3])]);
  assert.is(r.s.gaps, 2);
  assert.is(r.s.gapMessages, Number.MAX_SAFE_INTEGER);
  assert.equal(r.s.sessions?.[0].nextSeq, String(2n ** 64n - 3n), "a sequence above 2^53 - 1 is exact, as a string");
});

Mold("counts a frame longer than any UDP datagram as oversized and parses the frames after it", () => {
  const big = new Uint8Array(229_376);
  big.set(frameOf(pkt(2, [2])));
  for (const placed of [true, false]) {
    const p = new FeedParser(itch50);
    const frames = [frameOf(pkt(1, [1])), big, frameOf(pkt(3, [3]))];
    // Placed: parsed where it lies (wasm rejects it); else copied in by parse() (TypeScript does).
    const got = (placed ? parsePlaced(p, frames) : parseAll(p, frames, "frames")).map((g) => g.tick.seq);
    assert.equal(got, [1, 3], `placed ${placed}`);
    const s = p.summary();
    assert.equal([s.frames, s.rejected.oversized], [3, 1]);
  }
});

Mold("rejects a packet whose message count overruns it, delivering the whole messages before", () => {
  const r = run([mold("SESS000001", 1, [msg(1), msg(2)], 5), pkt(6, [6])]);
  assert.equal(r.seqs, [1, 2, 6]);
  assert.equal(r.s.rejected, { countOverrun: 1 });
  assert.equal([r.s.gaps, r.s.gapMessages], [1, 3], "the three missing messages are a gap");
});

Mold("rejects a packet whose message length overruns it, delivering the whole messages before", () => {
  const p = pkt(1, [1, 2, 3]);
  new DataView(p.buffer).setUint16(20 + 2 * 21, 200); // third block claims 200 bytes
  const r = run([p]);
  assert.equal(r.seqs, [1, 2]);
  assert.equal(r.s.rejected, { lengthOverrun: 1 });
});

Mold("counts a zero-length message block and delivers the rest", () => {
  const r = run([mold("SESS000001", 1, [msg(1), new Uint8Array(0), msg(3)])]);
  assert.equal(r.seqs, [1, 3]);
  assert.equal(r.s.rejected, { zeroLength: 1 });
});

Mold("filters by UDP destination port when asked", () => {
  const p = new FeedParser(itch50, { port: 26401 });
  parseAll(p, [frameOf(pkt(1, [1]))], "frames");
  assert.equal(p.summary().rejected, { otherPort: 1 });
  assert.is(p.summary().messages, 0);
});

Mold.run();
