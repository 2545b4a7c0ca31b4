// Synthetic CME MDP 3.0 sessions, the same for the same seed: packets of the SBE binary packet
// framing (src/sbe/packet.ts) holding messages of the version 9 schema, encoded with the shipped
// cme-mdp3 encoder. A session opens with each instrument's definition (futures 54, a few spreads
// 56: its market depths, GBX and GBI) and security status (30), then runs events: market-by-price
// updates (46) of every MDUpdateAction on a book kept to each instrument's depth (outright and
// implied, as its definition sets them), market-by-order
// updates (47), trade summaries (48) with their order entries, volume (37), session statistics
// (51) and status changes. On request it leaves out packets (gaps), repeats one (a duplicate),
// sends a snapshot (52) of an instrument, or a channel reset (4).
//
// The books here follow the actions the generator sends, so every update is one a correct book
// can apply: New inserts at its level (shifting the deeper ones, the deepest falling off), Change
// and Overlay replace a level, Delete removes one (shifting up), DeleteThru empties the side,
// DeleteFrom removes the levels from the top through one.

import { Rng } from "../itchgen/rng.js";
import { sbePacket } from "../sbe/packet.js";
import type { SbeObject } from "../sbe/codec.js";
import { encode } from "../feeds/cme_mdp3-encoder.js";

export interface Mdp3SessionOptions {
  seed: number;
  /** Instruments (SecurityIDs from 1000). Default 20. */
  instruments?: number;
  /** Event packets after the definitions. Default 1000. */
  packets?: number;
  /** Book depth (MarketDepth of the GBX feed type) of every instrument. Default 10. */
  depth?: number;
  /**
   * Each instrument's definition depths instead (cycled over the instruments): the MarketDepth of
   * its GBX (outright) and GBI (implied) feed types, a feed type left out of the definition where
   * undefined. The book's rule (assembly/book/mdp3.ts mdpBookDefinition): a feed type not listed,
   * or a MarketDepth of 0 or less, takes the default depth (10 outright, 2 implied); deeper than
   * 16 outright or 4 implied is clamped.
   */
  depths?: Array<{ depth?: number; implied?: number }>;
  /** Packet numbers (MsgSeqNum) to leave out: their RptSeqs stay used, so instruments show gaps. */
  drop?: number[];
  /** After these packet numbers, a snapshot (52) of one instrument as its book stands. */
  snapshotsAfter?: number[];
  /** At these packet numbers, a channel reset (4) instead of events. */
  resetsAt?: number[];
}

export interface Mdp3Level {
  price: bigint;
  qty: number;
  orders: number;
}

export interface Mdp3Book {
  bids: Mdp3Level[];
  asks: Mdp3Level[];
  impliedBids: Mdp3Level[];
  impliedAsks: Mdp3Level[];
}

export interface Mdp3Packet {
  seq: number;
  bytes: Uint8Array;
}

const TICK = 250_000_000n; // 0.25 at scale 9
const T0 = 1_700_000_000_000_000_000n;
const ACTION = ["New", "Change", "Delete", "DeleteThru", "DeleteFrom", "Overlay"] as const;
const SIDES = [["Bid", "bids"], ["Offer", "asks"], ["ImpliedBid", "impliedBids"], ["ImpliedOffer", "impliedAsks"]] as const;

/**
 * The packets of a session, in sequence order (dropped ones left out); returns the books as the
 * session leaves them (by SecurityID), what a correct book shows after the last packet.
 */
export function* mdp3Session(o: Mdp3SessionOptions): Generator<Mdp3Packet, ReadonlyMap<number, Mdp3Book>> {
  const rng = new Rng(o.seed);
  const n = o.instruments ?? 20;
  const drop = new Set(o.drop ?? []);
  const snaps = new Set(o.snapshotsAfter ?? []);
  const resets = new Set(o.resetsAt ?? []);
  const ids = Array.from({ length: n }, (_, i) => 1000 + i);
  const depthOf = ids.map((_, i) => o.depths?.[i % o.depths.length] ?? { depth: o.depth ?? 10, implied: 2 });
  // The depths a book keeps from those definitions.
  const kept = depthOf.map((d) => ({ depth: Math.min(d.depth! > 0 ? d.depth! : 10, 16), implied: Math.min(d.implied! > 0 ? d.implied! : 2, 4) }));
  const rpt = new Map<number, number>(ids.map((id) => [id, 0]));
  const books = new Map<number, Mdp3Book>(ids.map((id) => [id, { bids: [], asks: [], impliedBids: [], impliedAsks: [] }]));
  const mid = new Map<number, bigint>(ids.map((id) => [id, BigInt(4000 + rng.int(1000)) * 4n * TICK]));
  let seq = 0;
  let time = T0;
  let orderId = 1n;
  const packet = function* (msgs: Uint8Array[]): Generator<Mdp3Packet> {
    seq++;
    time += BigInt(1000 + rng.int(100_000));
    if (!drop.has(seq)) yield { seq, bytes: sbePacket(seq, time, msgs) };
  };
  // Definitions and status, a few per packet.
  for (let i = 0; i < n; i += 4) {
    const msgs = ids.slice(i, i + 4).map((id, k) => encode(i + k < n - Math.floor(n / 10) ? 54 : 56, {
      MatchEventIndicator: ["EndOfEvent"], TotNumReports: n, SecurityUpdateAction: "Add", LastUpdateTime: Number(time % 1_000_000_000_000n),
      MDSecurityTradingStatus: "ReadyToTrade", ApplID: 310, MarketSegmentID: 64, SecurityExchange: "XCME", SecurityGroup: `G${id % 7}`,
      Asset: "ES", Symbol: `ESM${id}`, SecurityID: id, SecurityType: "FUT", CFICode: "FFIXSX", Currency: "USD", SettlCurrency: "USD",
      MatchAlgorithm: "F", MinTradeVol: 1, MaxTradeVol: 3000, MinPriceIncrement: Number(TICK), DisplayFactor: 1_000_000_000,
      UnitOfMeasure: "IPNT", UnitOfMeasureQty: null, TradingReferencePrice: null, HighLimitPrice: null, LowLimitPrice: null,
      MaxPriceVariation: null, MinPriceIncrementAmount: 12_500_000_000, NoMDFeedTypes: feedTypes(depthOf[i + k]),
    }));
    yield* packet(msgs);
  }
  yield* packet(ids.slice(0, Math.min(n, 8)).map((id) => encode(30, { TransactTime: Number(time % 2n ** 52n), SecurityGroup: `G${id % 7}`, SecurityID: id, SecurityTradingStatus: "ReadyToTrade", HaltReason: "GroupSchedule", SecurityTradingEvent: "NoEvent" })));

  const events = o.packets ?? 1000;
  for (let e = 0; e < events; e++) {
    if (resets.has(seq + 1)) {
      for (const b of books.values()) for (const [, k] of SIDES) b[k].length = 0;
      for (const id of ids) rpt.set(id, 0);
      yield* packet([encode(4, { TransactTime: Number(time % 2n ** 52n), MatchEventIndicator: ["EndOfEvent"], NoMDEntries: [{ ApplID: 310 }] })]);
      continue;
    }
    const msgs: Uint8Array[] = [];
    const count = 1 + rng.int(3);
    for (let k = 0; k < count; k++) {
      const r = rng.int(100);
      const id = ids[Math.min(n - 1, Math.floor(n * rng.next() ** 2))];
      const ts = Number(time % 2n ** 52n);
      if (r < 60) msgs.push(bookUpdate(rng, id, books.get(id)!, mid.get(id)!, kept[id - 1000], rpt, ts));
      else if (r < 75) msgs.push(orderUpdate(rng, id, mid.get(id)!, ts, () => orderId++));
      else if (r < 88) msgs.push(tradeSummary(rng, id, mid.get(id)!, rpt, ts, () => orderId++));
      else if (r < 94) msgs.push(encode(37, { TransactTime: ts, MatchEventIndicator: ["EndOfEvent"], NoMDEntries: [{ MDEntrySize: rng.int(100000), SecurityID: id, RptSeq: next(rpt, id), MDUpdateAction: "New" }] }));
      else if (r < 98) msgs.push(encode(51, { TransactTime: ts, MatchEventIndicator: ["EndOfEvent"], NoMDEntries: [{ MDEntryPx: Number(mid.get(id)!), SecurityID: id, RptSeq: next(rpt, id), OpenCloseSettlFlag: "DailyOpenPrice", MDUpdateAction: "New", MDEntryType: "OpenPrice", MDEntrySize: null }] }));
      else msgs.push(encode(30, { TransactTime: ts, SecurityGroup: `G${id % 7}`, SecurityID: id, SecurityTradingStatus: rng.pick(["ReadyToTrade", "TradingHalt", "PreOpen"]), HaltReason: "GroupSchedule", SecurityTradingEvent: "NoEvent" }));
    }
    yield* packet(msgs);
    if (snaps.has(seq)) {
      const id = ids[rng.int(n)];
      yield* packet([snapshot(id, books.get(id)!, rpt.get(id)!, seq, n, Number(time % 2n ** 52n))]);
    }
  }
  return books;
}

// A definition's NoMDFeedTypes: GBX and GBI with their MarketDepth, each where given.
function feedTypes(d: { depth?: number; implied?: number }): SbeObject[] {
  const out: SbeObject[] = [];
  if (d.depth !== undefined) out.push({ MDFeedType: "GBX", MarketDepth: d.depth });
  if (d.implied !== undefined) out.push({ MDFeedType: "GBI", MarketDepth: d.implied });
  return out;
}

function next(rpt: Map<number, number>, id: number): number {
  const v = rpt.get(id)! + 1;
  rpt.set(id, v);
  return v;
}

const level = (rng: Rng, price: bigint): Mdp3Level => ({ price, qty: 1 + rng.int(500), orders: 1 + rng.int(40) });

// One market-by-price update of 1-4 entries, each applied to the generator's own book.
function bookUpdate(rng: Rng, id: number, b: Mdp3Book, mid: bigint, depth: { depth: number; implied: number }, rpt: Map<number, number>, ts: number): Uint8Array {
  const entries: SbeObject[] = [];
  for (let k = 1 + rng.int(4); k > 0; k--) {
    const [type, key] = SIDES[rng.int(10) < 8 ? rng.int(2) : 2 + rng.int(2)];
    const side = b[key];
    const max = key.startsWith("implied") ? depth.implied : depth.depth;
    const sign = key === "bids" || key === "impliedBids" ? -1n : 1n;
    let action: (typeof ACTION)[number];
    const roll = rng.int(100);
    if (side.length === 0 || roll < 35) action = "New";
    else if (roll < 70) action = "Change";
    else if (roll < 88) action = "Delete";
    else if (roll < 93) action = "Overlay";
    else if (roll < 97) action = "DeleteFrom";
    else action = "DeleteThru";
    let lvl = 1;
    let l: Mdp3Level = { price: 0n, qty: 0, orders: 0 };
    switch (action) {
      case "New": {
        lvl = 1 + rng.int(Math.min(side.length + 1, max));
        // A price between its neighbours: the level's place decides it.
        const outer = lvl <= side.length ? side[lvl - 1].price : (side.length ? side[side.length - 1].price : mid) + sign * TICK;
        const inner = lvl >= 2 ? side[lvl - 2].price : mid - sign * 40n * TICK;
        const gap = (outer - inner) * sign;
        const price = gap > TICK ? inner + sign * TICK * BigInt(1 + rng.int(Number(gap / TICK) - 1 || 1)) : outer + sign * TICK;
        l = level(rng, lvl <= side.length && gap <= TICK ? outer : price);
        if (lvl <= side.length && l.price === side[lvl - 1].price) l.price = inner + sign * TICK;
        side.splice(lvl - 1, 0, l);
        if (side.length > max) side.length = max;
        break;
      }
      case "Change":
      case "Overlay":
        lvl = 1 + rng.int(side.length);
        l = { ...level(rng, side[lvl - 1].price) };
        side[lvl - 1] = l;
        break;
      case "Delete":
        lvl = 1 + rng.int(side.length);
        l = side.splice(lvl - 1, 1)[0];
        break;
      case "DeleteFrom":
        // Levels 1 through lvl go, the rest move to the top (CME's Delete From).
        lvl = 1 + rng.int(side.length);
        l = side[lvl - 1];
        side.splice(0, lvl);
        break;
      case "DeleteThru":
        l = side[0];
        side.length = 0;
        break;
    }
    entries.push({ MDEntryPx: Number(l.price), MDEntrySize: action === "Delete" || action.startsWith("DeleteT") ? 0 : l.qty, SecurityID: id, RptSeq: next(rpt, id),
      NumberOfOrders: key.startsWith("implied") ? null : l.orders, MDPriceLevel: lvl, MDUpdateAction: action, MDEntryType: type });
  }
  return encode(46, { TransactTime: ts, MatchEventIndicator: ["LastQuoteMsg", "EndOfEvent"], NoMDEntries: entries, NoOrderIDEntries: [] });
}

function orderUpdate(rng: Rng, id: number, mid: bigint, ts: number, nextOrder: () => bigint): Uint8Array {
  const entries: SbeObject[] = [];
  for (let k = 1 + rng.int(3); k > 0; k--) {
    const bid = rng.int(2) === 0;
    entries.push({ OrderID: Number(nextOrder()), MDOrderPriority: 1 + rng.int(1_000_000), MDEntryPx: Number(mid + (bid ? -1n : 1n) * TICK * BigInt(1 + rng.int(10))),
      MDDisplayQty: 1 + rng.int(100), SecurityID: id, MDUpdateAction: rng.pick(["New", "Change", "Delete"]), MDEntryType: bid ? "Bid" : "Offer" });
  }
  return encode(47, { TransactTime: ts, MatchEventIndicator: ["EndOfEvent"], NoMDEntries: entries });
}

function tradeSummary(rng: Rng, id: number, mid: bigint, rpt: Map<number, number>, ts: number, nextOrder: () => bigint): Uint8Array {
  const trades: SbeObject[] = [];
  const orders: SbeObject[] = [];
  for (let k = 1 + rng.int(2); k > 0; k--) {
    const n = 1 + rng.int(3);
    const qty = n * (1 + rng.int(20));
    trades.push({ MDEntryPx: Number(mid + TICK * BigInt(rng.int(3) - 1)), MDEntrySize: qty, SecurityID: id, RptSeq: next(rpt, id), NumberOfOrders: n,
      AggressorSide: rng.pick(["Buy", "Sell", "NoAggressor"]), MDUpdateAction: "New", MDTradeEntryID: rng.int(1 << 30) });
    for (let j = 0; j < n; j++) orders.push({ OrderID: Number(nextOrder()), LastQty: qty / n });
  }
  return encode(48, { TransactTime: ts, MatchEventIndicator: ["LastTradeMsg", "EndOfEvent"], NoMDEntries: trades, NoOrderIDEntries: orders });
}

// A snapshot (52) of an instrument's book as the generator holds it.
function snapshot(id: number, b: Mdp3Book, rptSeq: number, lastSeq: number, total: number, ts: number): Uint8Array {
  const entries: SbeObject[] = [];
  for (const [type, key] of SIDES) {
    b[key].forEach((l, i) => entries.push({ MDEntryPx: Number(l.price), MDEntrySize: l.qty, NumberOfOrders: key.startsWith("implied") ? null : l.orders, MDPriceLevel: i + 1, TradingReferenceDate: null, OpenCloseSettlFlag: null, SettlPriceType: [], MDEntryType: type }));
  }
  return encode(52, { LastMsgSeqNumProcessed: lastSeq, TotNumReports: total, SecurityID: id, RptSeq: rptSeq, TransactTime: ts, LastUpdateTime: ts, TradeDate: 20000,
    MDSecurityTradingStatus: "ReadyToTrade", HighLimitPrice: null, LowLimitPrice: null, MaxPriceVariation: null, NoMDEntries: entries });
}
