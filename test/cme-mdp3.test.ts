// The shipped cme-mdp3 feed (generated from CME's MDP 3.0 version 9 schema): the committed files
// are what the generator writes; the generated encoder of every template, each field at zero, at
// its maximum and null, groups of 0, 1 and many entries, read back field by field through the
// compiled parser's full-message view; the packet framing's sequence integrity; the normalized
// ticks of each kind of message; per-instrument RptSeq gaps.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cmeMdp3 } from "../src/feeds/feeds.js";
import { FeedParser } from "../src/feeds/parser.js";
import { CME_MDP3_SBE } from "../src/feeds/cme_mdp3-schema.js";
import * as E from "../src/feeds/cme_mdp3-encoder.js";
import { sbePacket } from "../src/sbe/packet.js";
import type { SbeObject } from "../src/sbe/codec.js";
import { mdp3Session } from "../src/mdp3gen/index.js";
import { Rng } from "../src/itchgen/rng.js";
import { udpFrame } from "../src/socket/frame.js";
import { SYNTHETIC_ENDS } from "../src/feeds/encode.js";
import { arbitrateFrames } from "./helpers/wire.js";
import { GENERATED, generatedFiles } from "../scripts/generate-feeds.js";
import { parsePayloads, extremeValues, constantsOf, type Extreme } from "./helpers/sbe.js";

const CME = fileURLToPath(new URL("../../shared/data/cme", import.meta.url));
// CME's schema (shared/data/cme, beside the checkout): the test that reads it skips without it.
const haveCme = existsSync(join(CME, "mdp3-v9.xml"));
const encoders = E as unknown as Record<string, (v: SbeObject) => Uint8Array>;
const parser = (): FeedParser => new FeedParser(cmeMdp3);
const T0 = 1_700_000_000_000_000_000n;

const G = suite("cme-mdp3 generated files");

G("the committed module, schema and encoder are what the generator writes from mdp3-v9.xml", () => {
  if (!haveCme) return console.log(`# skipped: no CME schema at ${CME}`);
  for (const g of GENERATED) {
    for (const [path, text] of Object.entries(generatedFiles(CME, g))) {
      assert.ok(readFileSync(path, "utf8") === text, `${path} differs from the generator's output: run node --import tsx scripts/generate-feeds.ts`);
    }
  }
});

G("every template has its generated encoder", () => {
  for (const m of CME_MDP3_SBE.messages) assert.type(encoders[`encode${m.name}`], "function", m.name);
});

const R = suite("cme-mdp3 encoders through the parser");

// Compares a decoded message with the values it was encoded from, field by field (and group by
// group): every value given is there, and nothing else but the schema's constants.
function sameFields(got: SbeObject, want: SbeObject, constants: string[], where: string): void {
  for (const [k, v] of Object.entries(want)) {
    if (Array.isArray(v) && v.length > 0 && typeof v[0] === "object" && v[0] !== null && !Array.isArray(v[0])) {
      const g = got[k] as SbeObject[];
      assert.is(g?.length, v.length, `${where}.${k} entries`);
      v.forEach((e, i) => sameFields(g[i], e as SbeObject, [], `${where}.${k}[${i}]`));
    } else {
      assert.equal(got[k], v, `${where}.${k}`);
    }
  }
  const extra = Object.keys(got).filter((k) => !(k in want) && !constants.includes(k) && !CONSTANTS.has(k) && !["template", "templateId", "version"].includes(k));
  assert.equal(extra, [], `${where}: fields that were not encoded`);
}

const CONSTANTS = new Set<string>();
for (const m of CME_MDP3_SBE.messages) {
  constantsOf(m.fields).forEach((c) => CONSTANTS.add(c));
  for (const g of m.groups) constantsOf(g.fields).forEach((c) => CONSTANTS.add(c));
}

for (const x of ["zero", "max", "null"] as Extreme[]) {
  R(`every template with every field ${x === "null" ? "null (required ones at their minimum)" : `at ${x === "zero" ? "zero" : "its maximum"}`}, groups of 0, 1 and 3 entries`, () => {
    for (const entries of [0, 1, 3]) {
      const p = parser();
      const wanted: SbeObject[] = [];
      const packets = CME_MDP3_SBE.messages.map((m, i) => {
        const v = extremeValues(m.fields, m.groups, x, entries);
        wanted.push(v);
        return sbePacket(i + 1, T0, [encoders[`encode${m.name}`](v)]);
      });
      const r = parsePayloads(p, packets);
      const s = p.summary();
      assert.equal(s.rejected, {}, `${x}, ${entries} entries: nothing rejected`);
      assert.is(s.messages, CME_MDP3_SBE.messages.length);
      assert.is(r.messages.length, CME_MDP3_SBE.messages.length);
      r.messages.forEach((got, i) => {
        const m = CME_MDP3_SBE.messages[i];
        assert.is(got.templateId, m.id);
        sameFields(got, wanted[i], constantsOf(m.fields), `${m.name} (${x}, ${entries})`);
      });
    }
  });
}

R("one packet of every template, many entries each: one message each, a record per entry", () => {
  const p = parser();
  const msgs = CME_MDP3_SBE.messages.map((m) => encoders[`encode${m.name}`](extremeValues(m.fields, m.groups, "zero", 5)));
  const r = parsePayloads(p, [sbePacket(1, T0, msgs)]);
  assert.is(r.messages.length, msgs.length);
  assert.is(p.summary().messages, msgs.length);
  // Book46: 5 level entries and 5 order entries are ten ticks.
  assert.is(r.ticks.filter((t) => t.msgType === String.fromCharCode(46)).length, 10);
});

const F = suite("cme-mdp3 framing");

const book = (secId: number, rpt: number, o: Partial<Record<string, unknown>> = {}): Uint8Array => E.encodeMDIncrementalRefreshBook46({
  TransactTime: 5, MatchEventIndicator: ["EndOfEvent"], NoOrderIDEntries: [],
  NoMDEntries: [{ MDEntryPx: 4_500_250_000_000, MDEntrySize: 7, SecurityID: secId, RptSeq: rpt, NumberOfOrders: 3, MDPriceLevel: 1, MDUpdateAction: "New", MDEntryType: "Bid", ...o } as SbeObject],
});

F("a packet is one sequence number: gaps, duplicates and a restart at 1 are counted", () => {
  const p = parser();
  // The restart's packet 1 is sent anew (a later SendingTime); a copy of the first packet 1 is a duplicate.
  const sent = [[1, T0], [2, T0 + 1n], [2, T0 + 1n], [5, T0 + 2n], [6, T0 + 3n], [1, T0], [1, T0 + 9n], [2, T0 + 10n]] as const;
  const r = parsePayloads(p, sent.map(([seq, at]) => sbePacket(seq, at, [book(1, seq), book(2, seq)])));
  const s = p.summary();
  assert.equal([s.packets, s.gaps, s.gapMessages, s.duplicates, s.resets], [8, 1, 2, 2, 1]);
  assert.is(r.messages.length, 12, "the duplicate packets' two messages each dropped");
  assert.equal(r.ticks.map((t) => t.seq), [1, 1, 2, 2, 5, 5, 6, 6, 1, 1, 2, 2]);
});

F("sizes: zero, past the packet, bytes left over, a packet shorter than its header", () => {
  const p = parser();
  const m = book(1, 1);
  const zero = sbePacket(2, T0, [m, m]);
  new DataView(zero.buffer).setUint16(12 + 2 + m.length, 0, true);
  const past = sbePacket(3, T0, [m, m]);
  new DataView(past.buffer).setUint16(12 + 2 + m.length, m.length + 3, true);
  const trailing = new Uint8Array([...sbePacket(4, T0, [m]), 1]);
  const r = parsePayloads(p, [sbePacket(1, T0, [m, m]), zero, new Uint8Array(11), past, trailing]);
  assert.equal(p.summary().rejected, { zeroLength: 1, lengthOverrun: 1, trailingBytes: 1, sessionHeaderTooShort: 1 });
  assert.is(r.messages.length, 2 + 1 + 1 + 1, "the whole messages before each problem delivered");
});

F("an unknown template is counted and skipped by its size; a short header or block is counted", () => {
  const p = parser();
  const m = book(1, 1);
  const unknown = m.slice();
  new DataView(unknown.buffer).setUint16(2, 999, true);
  const shortBlock = m.slice();
  new DataView(shortBlock.buffer).setUint16(0, 8, true);
  const r = parsePayloads(p, [sbePacket(1, T0, [unknown, new Uint8Array(5), shortBlock, m])]);
  assert.equal(p.summary().rejected, { unknownType: 1, badLength: 2 });
  assert.is(r.messages.length, 1);
});

F("A/B feeds of a channel, each missing a different 5% of packets: every message once, in order, and no gap", () => {
  const [A, B] = [26400, 26401];
  const pk = [...mdp3Session({ seed: 11, instruments: 10, packets: 600 })].map((x) => x.bytes);
  const rng = new Rng(99);
  const order: Uint8Array[] = [];
  let lostA = 0;
  let lostB = 0;
  for (const payload of pk) {
    const r = rng.next();
    const both = [udpFrame({ ...SYNTHETIC_ENDS, dstPort: A }, payload), udpFrame({ ...SYNTHETIC_ENDS, dstPort: B }, payload)];
    if (r < 0.05) lostA++;
    else order.push(both[0]);
    if (r >= 0.05 && r < 0.1) lostB++;
    else order.push(both[1]);
  }
  const { seqs, s } = arbitrateFrames(cmeMdp3, [A, B], order);
  const alone = parsePayloads(new FeedParser(cmeMdp3), pk);
  assert.ok(lostA > 10 && lostB > 10);
  assert.equal([s.gaps, s.messages, seqs.length], [0, alone.messages.length, alone.ticks.length]);
  assert.equal(seqs, alone.ticks.map((t) => t.seq), "every record once, in sequence order");
  assert.is(s.duplicates, pk.length - lostA - lostB, "the later copy of each packet both lines carried dropped");
});

const K = suite("cme-mdp3 ticks");

K("market-by-price entries: one level tick each, instrument, side, price at scale 9, quantity, orders, level, action, RptSeq", () => {
  const p = parser();
  const m = E.encodeMDIncrementalRefreshBook46({
    TransactTime: 77, MatchEventIndicator: ["EndOfEvent"], NoOrderIDEntries: [],
    NoMDEntries: [
      { MDEntryPx: 4_500_250_000_000, MDEntrySize: 7, SecurityID: 11, RptSeq: 1, NumberOfOrders: 3, MDPriceLevel: 2, MDUpdateAction: "Change", MDEntryType: "Offer" },
      { MDEntryPx: 4_500_000_000_000, MDEntrySize: 9, SecurityID: 12, RptSeq: 1, NumberOfOrders: null, MDPriceLevel: 1, MDUpdateAction: "Overlay", MDEntryType: "ImpliedBid" },
    ],
  });
  const { ticks } = parsePayloads(p, [sbePacket(4, T0, [m])]);
  const pick = (t: Record<string, number | string>) => [t.kind, t.instrument, t.side, t.price, t.priceScale, t.quantity, t.quantity2, t.status, t.flags, t.matchId, t.exchangeTs, t.seq];
  assert.equal(ticks.map(pick), [
    ["level", 11, "S", 4_500_250_000_000, 9, 7, 3, 2, 1, 1, 77, 4],
    ["level", 12, "B", 4_500_000_000_000, 9, 9, 0, 1, 5 | 0x80, 1, 77, 4],
  ]);
  assert.is(p.summary().messages, 1);
});

K("market-by-order entries (47, and Book46's order entries by ReferenceID): add, modify, delete with order ids", () => {
  const p = parser();
  const o47 = E.encodeMDIncrementalRefreshOrderBook47({ TransactTime: 3, MatchEventIndicator: [], NoMDEntries: [
    { OrderID: 900, MDOrderPriority: 5, MDEntryPx: 250_000_000, MDDisplayQty: 4, SecurityID: 8, MDUpdateAction: "New", MDEntryType: "Bid" },
    { OrderID: 901, MDOrderPriority: 6, MDEntryPx: 500_000_000, MDDisplayQty: 2, SecurityID: 8, MDUpdateAction: "Delete", MDEntryType: "Offer" },
  ] });
  const b46 = E.encodeMDIncrementalRefreshBook46({ TransactTime: 3, MatchEventIndicator: [],
    NoMDEntries: [{ MDEntryPx: 750_000_000, MDEntrySize: 10, SecurityID: 9, RptSeq: 1, NumberOfOrders: 1, MDPriceLevel: 1, MDUpdateAction: "New", MDEntryType: "Offer" }],
    NoOrderIDEntries: [{ OrderID: 902, MDOrderPriority: 7, MDDisplayQty: 10, ReferenceID: 1, OrderUpdateAction: "Update" }, { OrderID: 903, MDOrderPriority: null, MDDisplayQty: 1, ReferenceID: null, OrderUpdateAction: "New" }],
  });
  const { ticks } = parsePayloads(p, [sbePacket(1, T0, [o47, b46])]);
  const pick = (t: Record<string, number | string>) => [t.kind, t.instrument, t.orderId, t.side, t.price, t.quantity, t.matchId];
  assert.equal(ticks.map(pick), [
    ["add", 8, 900, "B", 250_000_000, 4, 5], ["delete", 8, 901, "S", 500_000_000, 2, 6],
    ["level", 9, 0, "S", 750_000_000, 10, 1], ["modify", 9, 902, "S", 750_000_000, 10, 7], ["add", 0, 903, "", 0, 1, 0],
  ]);
});

K("trade summaries: trades with aggressor side, and their orders' fills by NumberOfOrders", () => {
  const p = parser();
  const m = E.encodeMDIncrementalRefreshTradeSummary48({ TransactTime: 1, MatchEventIndicator: [],
    NoMDEntries: [
      { MDEntryPx: 1_000_000_000, MDEntrySize: 5, SecurityID: 21, RptSeq: 1, NumberOfOrders: 2, AggressorSide: "Buy", MDUpdateAction: "New", MDTradeEntryID: 444 },
      { MDEntryPx: 2_000_000_000, MDEntrySize: 1, SecurityID: 22, RptSeq: 1, NumberOfOrders: 1, AggressorSide: "Sell", MDUpdateAction: "New", MDTradeEntryID: 445 },
    ],
    NoOrderIDEntries: [{ OrderID: 1, LastQty: 3 }, { OrderID: 2, LastQty: 2 }, { OrderID: 3, LastQty: 1 }],
  });
  const { ticks } = parsePayloads(p, [sbePacket(1, T0, [m])]);
  assert.equal(ticks.map((t) => [t.kind, t.instrument, t.side, t.price, t.quantity, t.orderId, t.matchId]), [
    ["trade", 21, "B", 1_000_000_000, 5, 0, 444], ["trade", 22, "S", 2_000_000_000, 1, 0, 445],
    ["execute", 21, "", 0, 3, 1, 0], ["execute", 21, "", 0, 2, 2, 0], ["execute", 22, "", 0, 1, 3, 0],
  ]);
});

K("definitions are directory records, security status is trading status, a channel reset a system tick", () => {
  const p = parser();
  const def = E.encodeMDInstrumentDefinitionFuture54({ Symbol: "ESZ6", SecurityGroup: "ES", SecurityID: 31, MinPriceIncrement: 250_000_000, DisplayFactor: 10_000_000, MDSecurityTradingStatus: "ReadyToTrade" });
  const status = E.encodeSecurityStatus30({ TransactTime: 9, SecurityGroup: "ES", SecurityID: 31, SecurityTradingStatus: "Close", HaltReason: "MarketEvent", SecurityTradingEvent: "NoEvent" });
  const reset = E.encodeChannelReset4({ TransactTime: 10, MatchEventIndicator: [], NoMDEntries: [{ ApplID: 310 }] });
  const r = parsePayloads(p, [sbePacket(1, T0, [def, status, reset])]);
  assert.equal(r.ticks.map((t) => [t.kind, t.instrument, t.price, t.price2, t.priceScale, t.status, t.flags]), [
    ["directory", 31, 250_000_000, 10_000_000, 9, 17, 0], ["status", 31, 0, 0, 0, 4, 2], ["system", 0, 0, 0, 0, 74, 0],
  ]);
  assert.equal([r.messages[0].Symbol, r.messages[0].SecurityGroup], ["ESZ6", "ES"]);
  assert.is(r.ticks[0].exchangeTs, Number(T0), "no TransactTime: the packet's SendingTime");
});

K("snapshots: a level tick per book entry, other entry types as other ticks; an empty one still a message", () => {
  const p = parser();
  const snap = E.encodeSnapshotFullRefresh52({ LastMsgSeqNumProcessed: 9, TotNumReports: 1, SecurityID: 40, RptSeq: 12, TransactTime: 2, NoMDEntries: [
    { MDEntryPx: 100, MDEntrySize: 1, NumberOfOrders: 1, MDPriceLevel: 1, MDEntryType: "Bid" },
    { MDEntryPx: 200, MDEntrySize: 2, NumberOfOrders: null, MDPriceLevel: 1, MDEntryType: "ImpliedOffer" },
    { MDEntryPx: 300, MDEntrySize: 0, NumberOfOrders: null, MDPriceLevel: null, MDEntryType: "SettlementPrice" },
  ] });
  const empty = E.encodeSnapshotFullRefresh52({ SecurityID: 41, RptSeq: 3, NoMDEntries: [] });
  const { ticks } = parsePayloads(p, [sbePacket(1, T0, [snap, empty])]);
  assert.equal(ticks.map((t) => [t.kind, t.instrument, t.side, t.price, t.flags, t.matchId]), [
    ["level", 40, "B", 100, 0, 12], ["level", 40, "S", 200, 0x80, 12], ["other", 40, "6", 300, 0, 12], ["other", 41, "", 0, 0, 0],
  ]);
});

K("RptSeq: an instrument's jump is a gap of its own, entries older than its snapshot are stale", () => {
  const p = parser();
  const snap = E.encodeSnapshotFullRefresh52({ SecurityID: 2, RptSeq: 10, NoMDEntries: [] });
  parsePayloads(p, [sbePacket(1, T0, [book(1, 1), book(1, 2), book(1, 5), book(2, 1)]), sbePacket(2, T0, [snap, book(2, 9), book(2, 11), book(1, 6)])]);
  const s = p.summary();
  assert.equal(s.instrumentSequence, { gaps: 1, gapEntries: 2, stale: 1, untracked: 0 });
  assert.is(s.gaps, 0, "the packets' sequence had no gap");
});

K("a generated session parses without a rejection, its dropped packets are gaps and its instruments show RptSeq gaps", () => {
  const all = [...mdp3Session({ seed: 7, instruments: 12, packets: 400 })];
  const dropped = [...mdp3Session({ seed: 7, instruments: 12, packets: 400, drop: [50, 51, 200] })];
  assert.is(dropped.length, all.length - 3);
  const p = parser();
  const r = parsePayloads(p, dropped.map((x) => x.bytes));
  const s = p.summary();
  assert.equal(s.rejected, {});
  assert.equal([s.gaps, s.gapMessages], [2, 3]);
  assert.ok((s.instrumentSequence?.gaps ?? 0) > 0, "instruments whose entries were in the dropped packets");
  const q = parser();
  parsePayloads(q, all.map((x) => x.bytes));
  assert.is(q.summary().instrumentSequence, undefined, "no loss, no RptSeq gap");
  assert.ok(r.ticks.length > 400);
});

G.run();
R.run();
F.run();
K.run();
