// The strategy runtime over recorded input: handlers by kind in feed order, the examples' results
// against a direct computation, gaps and resets reported, bounded runs.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { runStrategy, ReplaySource, itch50, type Strategy, type InputChunk } from "../src/index.js";
import { itchInputChunks } from "../src/itchgen/itch-writers.js";
import { FeedParser } from "../src/feeds/parser.js";
import { vwapStrategy } from "../examples/vwap.js";
import { bookHook } from "../src/strategy/book-hook.js";
import { signalStrategy } from "../examples/signal.js";
import { mold, iextp, frameOf } from "./helpers/wire.js";
import { iexDeep } from "../src/feeds/feeds.js";
import { encodeBySchema } from "./helpers/wire.js";
import { ITCH50_SCHEMA } from "../src/feeds/itch50-schema.js";
import { ReferenceL3 } from "./oracle/reference-book.js";
import { Side, type BookCapacities } from "../src/book/book.js";
import { EV_DEPTH, EV_DEPTH_BID, EV_DEPTH_ASK } from "../assembly/book/events.js";
import type { BookEvent } from "../src/strategy/strategy.js";

const SESSION = { seed: 3, symbols: 20, messages: 80_000 };

function chunks(): InputChunk[] {
  return [...itchInputChunks(SESSION)].map((c) => ({ ...c, data: c.data.slice() }));
}

// Every message of the session as plain objects, decoded once for reference.
function decoded(): Array<Record<string, number | string>> {
  const p = new FeedParser(itch50);
  const out: Array<Record<string, number | string>> = [];
  for (const c of chunks()) p.parse(c, "messages", (n) => {
    for (let i = 0; i < n; i++) out.push(p.message.at(p.ticks.at(i).msgOffset, p.ticks.msgLength).toJSON());
  });
  return out;
}

const S = suite("strategy runtime");

S("routes every record in feed order: orders, trades, status and every tick", async () => {
  const seen = { tick: 0, order: 0, trade: 0, status: 0 };
  const seqs: number[] = [];
  const s: Strategy = {
    onTick: (t) => { seen.tick++; seqs.push(t.seq); },
    onOrder: () => { seen.order++; },
    onTrade: () => { seen.trade++; },
    onStatus: () => { seen.status++; },
  };
  const r = await runStrategy(s, new ReplaySource(itch50, chunks(), "messages"));
  const by = (types: string) => decoded().filter((m) => types.includes(m.type as string)).length;
  assert.is(r.records, SESSION.messages);
  assert.is(r.reason, "end");
  assert.is(seen.tick, SESSION.messages);
  assert.equal(seqs, Array.from({ length: SESSION.messages }, (_, i) => i + 1));
  assert.is(seen.order, by("AFECXDU"));
  assert.is(seen.trade, by("ECPQ"));
  assert.is(seen.status, by("HhS"));
});

S("the VWAP example equals VWAP computed from the decoded trade messages", async () => {
  const v = vwapStrategy();
  await runStrategy(v, new ReplaySource(itch50, chunks(), "messages"));
  const notional = new Map<number, number>();
  const volume = new Map<number, number>();
  for (const m of decoded()) {
    const [px, qty] = m.type === "P" ? [m.price, m.shares] : m.type === "Q" ? [m.crossPrice, m.shares] : m.type === "C" ? [m.executionPrice, m.executedShares] : [0, 0];
    if (!px) continue;
    const i = m.stockLocate as number;
    notional.set(i, (notional.get(i) ?? 0) + (px as number) * (qty as number));
    volume.set(i, (volume.get(i) ?? 0) + (qty as number));
  }
  assert.ok(volume.size >= 10);
  for (const [i, q] of volume) {
    assert.is(v.volume(i), q, `volume of ${i}`);
    assert.ok(Math.abs(v.vwap(i) - notional.get(i)! / q / 1e4) < 1e-9, `vwap of ${i}`);
  }
});

S("the signal example signals on crossings and alternates sides per instrument", async () => {
  const s = signalStrategy({ fast: 3, slow: 20 });
  await runStrategy(s, new ReplaySource(itch50, chunks(), "messages"));
  assert.ok(s.signals.length > 10);
  const last = new Map<number, string>();
  for (const x of s.signals) {
    assert.is.not(last.get(x.instrument), x.side, "no two signals on the same side in a row");
    last.set(x.instrument, x.side);
  }
});

S("reports a sequence gap and a reset through onGap", async () => {
  const s = (code: string) => encodeBySchema(iexDeep.schema, "S", { systemEvent: code, timestamp: 1n });
  // A gap in session 7, then the feed restarting at 1 within it (a new session is no reset: its own sequence space).
  const frames = [iextp(0x8004, 7, 1, [s("O"), s("S")]), iextp(0x8004, 7, 9, [s("R")]), iextp(0x8004, 7, 1, [s("O")])].map(frameOf);
  const chunk = (f: Uint8Array): InputChunk => ({ data: f, count: 1, offsets: [0], lengths: [f.length] });
  const gaps: Array<{ gaps: number; gapMessages: number; resets: number; nextSeq: number }> = [];
  await runStrategy({ onGap: (g) => gaps.push({ ...g }) }, new ReplaySource(iexDeep, frames.map(chunk), "frames"));
  assert.equal(gaps, [{ gaps: 1, gapMessages: 6, resets: 0, nextSeq: 10 }, { gaps: 0, gapMessages: 0, resets: 1, nextSeq: 2 }]);
});

S("calls onBbo right after each tick that changed a best bid or offer, with the book's values", async () => {
  const src = new ReplaySource(itch50, chunks(), "messages", { book: true });
  let bbos = 0;
  let lastSeq = 0;
  let afterTick = true;
  const v = vwapStrategy();
  await runStrategy({
    onTick: (t) => { lastSeq = t.seq; afterTick = true; },
    onBbo: (b, ctx) => {
      bbos++;
      assert.ok(afterTick && lastSeq > 0, "after its tick");
      assert.ok(b.instrument > 0 && (b.bidPrice > 0 || b.askPrice > 0 || b.bidQuantity === 0));
      v.onBbo!(b, ctx);
    },
  }, src, { book: bookHook(src.book!) });
  assert.is(bbos, src.book!.counters().bboChanges, "one call per published BBO change");
  assert.ok(bbos > 1000);
  assert.ok([...Array(SESSION.symbols).keys()].some((i) => Number.isFinite(v.microprice(i + 1))), "microprices from the BBO");
});

/**
 * Runs a strategy with onBook over `input` next to a reference book fed every tick's message, and
 * checks each call: its sides are those the reference saw change since the instrument's last call,
 * its depth() (depthWatch levels) equals the reference's after the current tick, and once a batch
 * has been dispatched no instrument is left with an unreported change.
 */
async function checkOnBook(input: InputChunk[], caps: BookCapacities & { maxOrders: number; maxLevels: number; maxInstruments: number }) {
  const src = new ReplaySource(itch50, input, "messages", { book: caps });
  const ref = new ReferenceL3(caps);
  const mem = new Uint8Array(src.parser.memory.buffer);
  const dirty = new Map<number, number>();
  let calls = 0;
  let depthMessages = 0;
  let batches = 0;
  // Every 13th call is kept with copy() and checked after the run against what the reference said then.
  const kept: Array<{ copy: ReturnType<BookEvent["copy"]>; want: unknown }> = [];
  const sameDepth = (b: BookEvent, side: number) => {
    const d = b.depth(side);
    const r = ref.depth(b.instrument, side, caps.depthWatch ?? 5);
    assert.equal(Array.from({ length: d.count }, (_, i) => [d.price[i], d.shares[i], d.orders[i]]), r.map((l) => [l.price, l.shares, l.orders]), `depth of ${b.instrument} side ${side}`);
  };
  const drive = src.drive.bind(src);
  src.drive = (onRecords) => drive((n) => {
    onRecords(n);
    batches++;
    if (dirty.size) assert.unreachable(`batch ended with unreported depth changes: ${JSON.stringify([...dirty])}`);
  });
  await runStrategy({
    onTick(t) {
      const res = ref.apply(mem, t.msgOffset, t.msgLength);
      const f = res.flags & EV_DEPTH;
      if (f) {
        depthMessages++;
        dirty.set(res.instrument, (dirty.get(res.instrument) ?? 0) | f);
      }
    },
    onBook(b) {
      calls++;
      const f = dirty.get(b.instrument) ?? 0;
      assert.equal([b.bid, b.ask], [(f & EV_DEPTH_BID) !== 0, (f & EV_DEPTH_ASK) !== 0], `sides of ${b.instrument}`);
      sameDepth(b, Side.BID);
      sameDepth(b, Side.ASK);
      if (calls % 13 === 0) {
        const levels = (side: number) => ref.depth(b.instrument, side, caps.depthWatch ?? 5);
        kept.push({ copy: b.copy(), want: { instrument: b.instrument, bid: b.bid, ask: b.ask, recordIndex: b.recordIndex, bids: levels(Side.BID), asks: levels(Side.ASK) } });
      }
      dirty.delete(b.instrument);
    },
  }, src, { book: bookHook(src.book!) });
  assert.is(dirty.size, 0);
  assert.is(depthMessages, src.book!.counters().depthChanges);
  assert.ok(kept.length > 10, `kept ${kept.length}`);
  for (const k of kept) assert.equal(k.copy, k.want, "a copy keeps the book as of its call");
  return { calls, depthMessages, batches };
}

S("calls onBook once per instrument and batch, after its last depth change, with the depth as of that tick", async () => {
  const caps = { maxOrders: 1 << 16, maxLevels: 1 << 14, maxInstruments: 64, depthWatch: 5 };
  const r = await checkOnBook(chunks(), caps);
  assert.ok(r.depthMessages > 10_000, `depth changes ${r.depthMessages}`);
  assert.ok(r.calls > r.batches && r.calls < r.depthMessages, `conflated: ${r.calls} calls for ${r.depthMessages} changes in ${r.batches} batches`);
});

S("with one message per batch, onBook is called for every message that changed a watched level", async () => {
  const caps = { maxOrders: 1 << 16, maxLevels: 1 << 14, maxInstruments: 64, depthWatch: 3 };
  const singles: InputChunk[] = [];
  for (const c of [...itchInputChunks({ seed: 9, symbols: 10, messages: 20_000 })]) {
    const data = c.data.slice();
    for (let i = 0; i < c.count; i++) singles.push({ data, count: 1, offsets: [c.offsets[i]], lengths: [c.lengths[i]] });
  }
  const r = await checkOnBook(singles, caps);
  assert.is(r.batches, 20_000);
  assert.is(r.calls, r.depthMessages);
  assert.ok(r.calls > 5_000, `calls ${r.calls}`);
});

S("stops when the strategy asks, and after a count", async () => {
  let n = 0;
  const r = await runStrategy({ onTick: (_t, ctx) => { if (++n === 1000) ctx.stop(); } }, new ReplaySource(itch50, chunks(), "messages"));
  assert.is(r.reason, "stopped");
  assert.ok(r.records < SESSION.messages);
  const c = await runStrategy({}, new ReplaySource(itch50, chunks(), "messages"), { count: 5000 });
  assert.is(c.reason, "count");
});

S.run();
