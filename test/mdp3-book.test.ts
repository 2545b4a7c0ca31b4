// CME MDP 3.0 books in wasm (assembly/book/mdp3.ts, src/book/mdp3.ts) against the plain
// TypeScript reference (test/oracle/reference-mdp3.ts): generated sessions over many instruments
// (all six MDUpdateActions, implied levels, market-by-order entries, RptSeq gaps recovered by
// snapshots, a channel reset) compared after every message -- books, BBO, book events, counters --
// and hand-built cases of the CME book rules. The hooks are driven by a test module
// (test/fixtures/mdp3-book.as.ts) compiled here, as the decoder module will call them.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as L from "../assembly/layout.js";
import * as E from "../assembly/book/events.js";
import { compileFeedSource } from "../src/feeds/build-feed.js";
import { instantiate } from "../src/socket/module.js";
import { Wasm, type WasmMemory } from "../bridge/wasm.js";
import { attachBook, Side, type BookView } from "../src/book/book.js";
import { mdpBook, type MdpBookView } from "../src/book/mdp3.js";
import { bookHook } from "../src/strategy/book-hook.js";
import { ReferenceMdp, type RefMdpCapacities, type RefMdpEvent } from "./oracle/reference-mdp3.js";
import {
  encodeOps, applyOp, generateMdpSession, type Op, OP_LEVEL, OP_ORDER, OP_BEGIN, OP_END, OP_RESET,
  OP_SNAP_BEGIN, OP_SNAP_END, OP_DEPTH, OP_GAP, OP_DEFINE, OP_SIZE,
} from "./helpers/mdp3-ops.js";

const dir = mkdtempSync(join(tmpdir(), "xdpfeed-mdp3-book-"));
const wasmPath = join(dir, "mdp3-book");
let compiled = false;

interface TestExports {
  mdpTestRun(addr: number, count: number): void;
  mdpTestClear(): void;
  mdpTestResetCounters(): void;
}

interface Harness {
  memory: WasmMemory;
  x: TestExports;
  view: BookView;
  mdp: MdpBookView;
  ref: ReferenceMdp;
  /** Where ops are copied to run. */
  opsAt: number;
  opsCap: number;
}

async function harness(caps: Partial<RefMdpCapacities> = {}): Promise<Harness> {
  if (!compiled) {
    await compileFeedSource(new URL("./fixtures/mdp3-book.as.ts", import.meta.url).pathname, wasmPath);
    compiled = true;
  }
  const c: RefMdpCapacities = { maxInstruments: 512, maxOrders: 4096, maxLevels: 8192, depthWatch: 5, depthEvents: true, ...caps };
  const pages = Math.ceil(L.DYNAMIC_BASE / L.WASM_PAGE) + 32;
  const memory = new Wasm.Memory({ initial: pages, maximum: 65536, shared: true });
  const x = instantiate(`${wasmPath}.debug.wasm`, memory) as unknown as TestExports;
  const opsCap = 1 << 16;
  const opsAt = L.DYNAMIC_BASE;
  const view = attachBook(memory, x, L.DYNAMIC_BASE + opsCap * OP_SIZE, {
    maxInstruments: c.maxInstruments, maxOrders: c.maxOrders, maxLevels: c.maxLevels, depthWatch: c.depthWatch, depthEvents: c.depthEvents,
  });
  x.mdpTestResetCounters();
  return { memory, x, view, mdp: mdpBook(view), ref: new ReferenceMdp(c), opsAt, opsCap };
}

/** Runs ops in wasm (copied to the ops region) and on the reference; returns the reference's events. */
function run(h: Harness, ops: readonly Op[]): RefMdpEvent[] {
  const bytes = encodeOps(ops);
  assert.ok(ops.length <= h.opsCap);
  new Uint8Array(h.memory.buffer, h.opsAt, bytes.length).set(bytes);
  h.x.mdpTestRun(h.opsAt, ops.length);
  const events: RefMdpEvent[] = [];
  for (const o of ops) events.push(...(applyOp(h.ref, o) ?? []));
  return events;
}

function levels(d: { count: number; price: Float64Array; shares: Float64Array; orders: Uint32Array }): { price: number; qty: number; orders: number }[] {
  return Array.from({ length: d.count }, (_, i) => ({ price: d.price[i], qty: d.shares[i], orders: d.orders[i] }));
}

/** One instrument's books, BBO and state equal the reference's. */
function sameInstrument(h: Harness, secId: number, where: string): void {
  const { mdp, ref } = h;
  for (const implied of [false, true]) {
    for (const side of [Side.BID, Side.ASK]) {
      const got = levels(mdp.depth(secId, side, 64, { implied }));
      const want = ref.depth(secId, side, implied);
      if (JSON.stringify(got) !== JSON.stringify(want)) assert.equal(got, want, `${implied ? "implied" : "outright"} side ${side} of ${secId} ${where}`);
    }
  }
  for (const side of [Side.BID, Side.ASK]) {
    const got = levels(mdp.orderDepth(secId, side, 1024));
    const want = ref.orderDepth(secId, side);
    if (JSON.stringify(got) !== JSON.stringify(want)) assert.equal(got, want, `orders side ${side} of ${secId} ${where}`);
  }
  const slot = mdp.instrument(secId);
  assert.is(slot, ref.slotFind(secId), `slot of ${secId} ${where}`);
  if (slot === 0) return;
  const b = h.view.bbo(slot);
  const p = ref.published(slot);
  const got = { bidPx: b.bidPx, askPx: b.askPx, bidQty: b.bidQty, askQty: b.askQty };
  if (JSON.stringify(got) !== JSON.stringify(p)) assert.equal(got, p, `published BBO of ${secId} ${where}`);
  assert.is(b.bidLevels, ref.levelCount(secId, 0, false), `bid levels of ${secId} ${where}`);
  assert.is(b.askLevels, ref.levelCount(secId, 1, false), `ask levels of ${secId} ${where}`);
  assert.is(mdp.state(secId)!.stale, ref.stale(secId), `stale ${secId} ${where}`);
}

function eventsOf(h: Harness): RefMdpEvent[] {
  const out: RefMdpEvent[] = [];
  h.view.forEachEvent((e) => out.push({ instrument: e.instrument, flags: e.flags, bidPx: e.bidPx, askPx: e.askPx, bidQty: e.bidQty, askQty: e.askQty }));
  return out;
}

function sameCounters(h: Harness, where: string): void {
  const c = h.mdp.counters();
  const r = h.ref.counters;
  const b = h.view.counters();
  assert.equal(
    { ...c, levelsFull: b.levelsFull, updates: b.updates, bboChanges: b.bboChanges, depthChanges: b.depthChanges },
    { levelRange: r.levelRange, levelEmpty: r.levelEmpty, invalid: r.invalid, instrumentsFull: r.instrumentsFull, unknownOrder: r.unknownOrder,
      duplicateOrder: r.duplicateOrder, ordersFull: r.ordersFull, unknownInstrument: r.unknownInstrument, resets: r.resets,
      snapshots: r.snapshots, gaps: r.gaps, levelsFull: r.levelsFull, updates: r.updates, bboChanges: r.bboChanges, depthChanges: r.depthChanges },
    `counters ${where}`,
  );
}

/** Splits ops into messages (OP_BEGIN .. OP_END; ops outside messages stand alone). */
function messagesOf(ops: readonly Op[]): Op[][] {
  const out: Op[][] = [];
  let cur: Op[] | null = null;
  for (const o of ops) {
    if (o.kind === OP_BEGIN) cur = [o];
    else if (cur) cur.push(o);
    else out.push([o]);
    if (o.kind === OP_END && cur) {
      out.push(cur);
      cur = null;
    }
  }
  return out;
}

/** Drives a session message by message, comparing the touched instruments' books and the events after each. */
function drive(h: Harness, ops: readonly Op[], ids: readonly number[], fullEvery = 500): void {
  const msgs = messagesOf(ops);
  msgs.forEach((m, k) => {
    h.x.mdpTestClear();
    const want = run(h, m);
    const where = `after message ${k}`;
    const got = eventsOf(h);
    if (JSON.stringify(got) !== JSON.stringify(want)) assert.equal(got, want, `book events ${where}`);
    const touched = new Set<number>();
    for (const o of m) if (o.secId !== undefined) touched.add(o.secId);
    if (m.some((o) => o.kind === OP_RESET) || k % fullEvery === 0) for (const id of ids) touched.add(id);
    for (const id of touched) sameInstrument(h, id, where);
    assert.is(h.mdp.orderCount(), h.ref.orders.size, `orders ${where}`);
    for (const o of m) {
      if (o.kind !== OP_ORDER) continue;
      const r = h.ref.orders.get(o.orderId!);
      const got = h.mdp.order(o.orderId!);
      const want = r ? { qty: BigInt(r.qty), priority: r.priority } : null;
      if (JSON.stringify(got, (_k, v) => (typeof v === "bigint" ? String(v) : v)) !== JSON.stringify(want, (_k, v) => (typeof v === "bigint" ? String(v) : v))) {
        assert.equal(got, want, `order ${o.orderId} ${where}`);
      }
    }
    if (k % 97 === 0) assert.is(h.mdp.check(), "ok", `invariants ${where}`);
  });
  for (const id of ids) sameInstrument(h, id, "at the end");
  sameCounters(h, "at the end");
  assert.is(h.mdp.check(), "ok", "invariants at the end");
  assert.is(h.view.check(), "ok", "shared book invariants at the end");
}

const S = suite("MDP 3.0 books (generated sessions)");

S.after(() => rmSync(dir, { recursive: true, force: true }));

S("equal the reference after every message over 300 instruments, all six actions, implied levels, orders, gaps with snapshots and a channel reset", async () => {
  const h = await harness();
  const { ops, ids } = generateMdpSession({ seed: 1401, instruments: 300, messages: 6000, maxEntries: 6 });
  const kinds = new Set(ops.map((o) => (o.kind === OP_LEVEL ? `L${o.action}${o.implied ? "i" : ""}` : `K${o.kind}`)));
  for (const k of ["L0", "L1", "L2", "L3", "L4", "L5", "L0i", "L1i", "L2i", `K${OP_ORDER}`, `K${OP_RESET}`, `K${OP_SNAP_BEGIN}`, `K${OP_GAP}`, `K${OP_DEPTH}`]) assert.ok(kinds.has(k), `session has ${k}`);
  drive(h, ops, ids);
  const c = h.mdp.counters();
  assert.ok(c.snapshots >= 10 && c.gaps >= 10 && c.resets === 1, JSON.stringify(c));
  assert.ok(c.levelRange > 0 && c.invalid > 0 && c.unknownOrder > 0 && c.duplicateOrder > 0 && c.unknownInstrument > 0, JSON.stringify(c));
  assert.ok(h.view.counters().bboChanges > 1000);
});

S("equal the reference with depth events off, several resets and many entries per message", async () => {
  const h = await harness({ depthEvents: false, depthWatch: 3 });
  const { ops, ids } = generateMdpSession({ seed: 77, instruments: 60, messages: 3000, maxEntries: 20, resets: 3, orderShare: 0.5 });
  drive(h, ops, ids);
  assert.is(h.view.counters().depthChanges, 0);
});

S("equal the reference watching one level of depth, and none", async () => {
  for (const depthWatch of [1, 0]) {
    const h = await harness({ depthWatch });
    const { ops, ids } = generateMdpSession({ seed: 9 + depthWatch, instruments: 40, messages: 1500, resets: 2 });
    drive(h, ops, ids);
    if (depthWatch === 0) assert.is(h.view.counters().depthChanges, 0);
    else assert.ok(h.view.counters().depthChanges > 0);
  }
});

S("count, and never overrun, full instrument, order and level tables", async () => {
  const h = await harness({ maxInstruments: 40, maxOrders: 200, maxLevels: 150 });
  const { ops, ids } = generateMdpSession({ seed: 5, instruments: 80, messages: 3000, maxEntries: 5, orderShare: 0.6, resets: 0 });
  drive(h, ops, ids);
  const c = h.mdp.counters();
  assert.ok(c.instrumentsFull > 0 && c.ordersFull > 0 && h.view.counters().levelsFull > 0, JSON.stringify({ ...c, levelsFull: h.view.counters().levelsFull }));
  assert.is(h.mdp.instruments(), 39);
  assert.is(h.mdp.maxOrders, 200);
});

S("publish in slot order a message that changes more instruments than the list of changes holds", async () => {
  const h = await harness({ maxInstruments: 2000 });
  const ids = Array.from({ length: 1500 }, (_, i) => 1_000_000 - i * 7);
  const setup: Op[] = [{ kind: OP_BEGIN }];
  for (const id of ids) setup.push({ kind: OP_LEVEL, secId: id, side: id & 1, action: 0, level: 1, price: id, qty: 3, orders: 1 });
  setup.push({ kind: OP_END });
  // A second message touching them all in reverse order of their slots, then a reset.
  const reverse: Op[] = [{ kind: OP_BEGIN }];
  for (const id of [...ids].reverse()) reverse.push({ kind: OP_LEVEL, secId: id, side: id & 1, action: 1, level: 1, price: id, qty: 4, orders: 1 });
  reverse.push({ kind: OP_END });
  drive(h, [...setup, ...reverse, { kind: OP_BEGIN }, { kind: OP_RESET }, { kind: OP_END }], ids, 1);
  assert.is(h.view.counters().bboChanges, 3 * ids.length);
});

S.run();

const R = suite("MDP 3.0 book rules");

const ID = 123456;
const lvl = (side: number, action: number, level: number, price: number, qty: number, implied = false): Op =>
  ({ kind: OP_LEVEL, secId: ID, side, action, level, price, qty, orders: qty % 7, implied });
const msg = (...ops: Op[]): Op[] => [{ kind: OP_BEGIN }, ...ops, { kind: OP_END }];

function bids(h: Harness, implied = false): number[][] {
  return levels(h.mdp.depth(ID, Side.BID, 64, { implied })).map((l) => [l.price, l.qty]);
}

R("New inserts at its level, shifting worse levels down and dropping the one past the depth", async () => {
  const h = await harness();
  run(h, [{ kind: OP_DEPTH, secId: ID, level: 3, orders: 2 }]);
  run(h, msg(lvl(0, 0, 1, 100, 1), lvl(0, 0, 2, 99, 2), lvl(0, 0, 3, 98, 3)));
  run(h, msg(lvl(0, 0, 2, 995, 9)));
  assert.equal(bids(h), [[100, 1], [995, 9], [99, 2]]);
  run(h, msg(lvl(0, 0, 4, 97, 4)));
  assert.is(h.mdp.counters().levelRange, 1);
});

R("an instrument definition sets the depths its feed types give (GBX, GBI); one it leaves out keeps the default, 10 and 2", async () => {
  const h = await harness();
  const fill = (id: number, n: number, implied: boolean): Op[] => msg(...Array.from({ length: n }, (_, i) => ({ ...lvl(0, 0, i + 1, 1000 - i, 1 + i, implied), secId: id })));
  const count = (id: number, implied: boolean): number => h.mdp.depth(id, Side.BID, 64, { implied }).count;
  // No definition: 10 outright, 2 implied.
  run(h, [...fill(1, 12, false), ...fill(1, 5, true)]);
  assert.equal([count(1, false), count(1, true)], [10, 2]);
  // GBX 4 alone: outright 4 (the deeper levels dropped), implied the default.
  run(h, msg({ kind: OP_DEFINE, secId: 1, level: 4, orders: 0 }));
  assert.equal([count(1, false), count(1, true)], [4, 2]);
  // GBI 3 alone on a new instrument, then GBX 20 (clamped to 16) with GBI 9 (clamped to 4).
  run(h, [...msg({ kind: OP_DEFINE, secId: 2, level: 0, orders: 3 }), ...fill(2, 12, false), ...fill(2, 5, true)]);
  assert.equal([count(2, false), count(2, true)], [10, 3]);
  run(h, [...msg({ kind: OP_DEFINE, secId: 2, level: 20, orders: 9 }), ...fill(2, 18, false), ...fill(2, 6, true)]);
  assert.equal([count(2, false), count(2, true)], [16, 4]);
  // A definition of neither: back to the defaults.
  run(h, msg({ kind: OP_DEFINE, secId: 2, level: 0, orders: 0 }));
  assert.equal([count(2, false), count(2, true)], [10, 2]);
  for (const id of [1, 2]) sameInstrument(h, id, "after the definitions");
  // Driven against the reference, which follows the same rule: book events included.
  const h2 = await harness();
  drive(h2, [...fill(5, 12, false), ...msg({ kind: OP_DEFINE, secId: 5, level: 3, orders: 0 }), ...fill(5, 2, true), ...msg({ kind: OP_DEFINE, secId: 5, level: 0, orders: 1 }), ...fill(6, 3, false), ...msg({ kind: OP_DEFINE, secId: 6, level: 2, orders: 2 })], [5, 6], 1);
});

R("Change updates in place, Delete shifts up, Overlay replaces, DeleteFrom removes the top N, DeleteThru empties the side", async () => {
  const h = await harness();
  run(h, msg(lvl(0, 0, 1, 100, 1), lvl(0, 0, 2, 99, 2), lvl(0, 0, 3, 98, 3), lvl(0, 0, 4, 97, 4)));
  run(h, msg(lvl(0, 1, 2, 99, 20)));
  assert.equal(bids(h), [[100, 1], [99, 20], [98, 3], [97, 4]]);
  run(h, msg(lvl(0, 2, 1, 0, 0)));
  assert.equal(bids(h), [[99, 20], [98, 3], [97, 4]]);
  run(h, msg(lvl(0, 5, 3, 96, 6)));
  assert.equal(bids(h), [[99, 20], [98, 3], [96, 6]]);
  run(h, msg(lvl(0, 4, 2, 0, 0)));
  assert.equal(bids(h), [[96, 6]]);
  run(h, msg(lvl(0, 3, 1, 0, 0)));
  assert.equal(bids(h), []);
  assert.is(h.mdp.check(), "ok");
});

R("keeps the implied book apart from the outright book and out of the published BBO", async () => {
  const h = await harness();
  h.x.mdpTestClear();
  run(h, msg(lvl(0, 0, 1, 100, 5), lvl(0, 0, 1, 101, 7, true), lvl(0, 0, 2, 100, 1, true)));
  assert.equal(bids(h), [[100, 5]]);
  assert.equal(bids(h, true), [[101, 7], [100, 1]]);
  const slot = h.mdp.instrument(ID);
  assert.is(h.view.bbo(slot).bidPx, 100);
  assert.is(h.mdp.bbo(ID, { implied: true }).bidQty, 7);
  assert.is(h.mdp.bbo(ID, { implied: true }).bidLevels, 2);
  const ev = eventsOf(h);
  assert.is(ev.length, 1);
  assert.is(ev[0].instrument, slot);
  assert.is(ev[0].bidQty, 5);
});

R("a snapshot after a gap replaces the instrument's levels and orders and clears its stale state", async () => {
  const h = await harness();
  run(h, msg(lvl(0, 0, 1, 100, 5), lvl(1, 0, 1, 102, 5), lvl(0, 0, 1, 101, 3, true),
    { kind: OP_ORDER, secId: ID, side: 0, action: 0, orderId: 7n, priority: 70n, price: 100, qty: 5 }));
  run(h, [{ kind: OP_GAP, secId: ID }]);
  assert.is(h.mdp.state(ID)!.stale, true);
  run(h, msg({ kind: OP_SNAP_BEGIN, secId: ID, level: 42 }, lvl(0, 0, 1, 99, 8), lvl(0, 0, 2, 98, 9)));
  assert.equal(bids(h), [[99, 8], [98, 9]]);
  assert.equal(bids(h, true), []);
  assert.equal(levels(h.mdp.depth(ID, Side.ASK, 10)), []);
  assert.equal(h.mdp.order(7n), { qty: 5n, priority: 70n }, "an MBP snapshot leaves the orders");
  run(h, msg({ kind: OP_SNAP_END, secId: ID }));
  assert.equal(h.mdp.state(ID), { stale: false, rptSeq: 42 });
  run(h, msg({ kind: OP_SNAP_BEGIN, secId: ID, level: 43 }, { kind: OP_ORDER, secId: ID, side: 1, action: 0, orderId: 8n, priority: 80n, price: 103, qty: 2 }, { kind: OP_SNAP_END, secId: ID }));
  assert.is(h.mdp.order(7n), null);
  assert.equal(h.mdp.order(8n), { qty: 2n, priority: 80n });
  assert.equal(bids(h), [[99, 8], [98, 9]], "an MBO snapshot leaves the levels");
  run(h, msg({ kind: OP_SNAP_BEGIN, secId: ID, level: 44 }, { kind: OP_SNAP_END, secId: ID }));
  assert.equal(bids(h), []);
  assert.is(h.mdp.orderCount(), 0, "an empty snapshot empties both books");
  assert.is(h.mdp.check(), "ok");
});

R("a channel reset empties every book, publishes the empty BBOs and keeps the SecurityIDs' slots", async () => {
  const h = await harness();
  run(h, msg(lvl(0, 0, 1, 100, 5), { ...lvl(1, 0, 1, 200, 5), secId: 99 },
    { kind: OP_ORDER, secId: ID, side: 0, action: 0, orderId: 1n, priority: 1n, price: 100, qty: 5 }));
  const slots = [h.mdp.instrument(ID), h.mdp.instrument(99)];
  h.x.mdpTestClear();
  run(h, msg({ kind: OP_RESET }));
  assert.equal(eventsOf(h).map((e) => [e.instrument, e.flags & E.EV_BBO, e.bidQty, e.askQty]), [[slots[0], E.EV_BBO, 0, 0], [slots[1], E.EV_BBO, 0, 0]]);
  assert.equal(bids(h), []);
  assert.is(h.mdp.orderCount(), 0);
  assert.is(h.view.levelCount(), 0);
  assert.equal([h.mdp.instrument(ID), h.mdp.instrument(99)], slots);
  assert.is(h.mdp.check(), "ok");
});

R("bookDepth and bookBbo of the shared ABI read the outright book of an MDP 3.0 instrument", async () => {
  const h = await harness();
  run(h, msg(lvl(1, 0, 1, 105, 4), lvl(1, 0, 2, 106, 8), lvl(1, 0, 1, 104, 1, true)));
  const slot = h.mdp.instrument(ID);
  assert.equal(levels(h.view.depth(slot, Side.ASK, 10)).map((l) => [l.price, l.qty]), [[105, 4], [106, 8]]);
  const b = h.view.bbo(slot);
  assert.equal([b.askPx, b.askQty, b.askOrders, b.askLevels, b.flags & E.BBO_MDP], [105, 4, 4 % 7, 2, E.BBO_MDP]);
  assert.is(h.mdp.securityId(slot), ID);
});

R("orders are aggregated by price with their priority kept, a price change moving the order", async () => {
  const h = await harness();
  const o = (action: number, orderId: bigint, price: number, qty: number, priority = 0n): Op => ({ kind: OP_ORDER, secId: ID, side: 0, action, orderId, priority, price, qty });
  run(h, msg(o(0, 1n, 100, 5, 11n), o(0, 2n, 100, 7, 12n), o(0, 3n, 99, 1, 13n)));
  assert.equal(levels(h.mdp.orderDepth(ID, Side.BID, 10)), [{ price: 100, qty: 12, orders: 2 }, { price: 99, qty: 1, orders: 1 }]);
  run(h, msg(o(1, 2n, 99, 4, 20n)));
  assert.equal(levels(h.mdp.orderDepth(ID, Side.BID, 10)), [{ price: 100, qty: 5, orders: 1 }, { price: 99, qty: 5, orders: 2 }]);
  assert.equal(h.mdp.order(2n), { qty: 4n, priority: 20n });
  run(h, msg(o(2, 1n, 0, 0), o(2, 1n, 0, 0)));
  assert.is(h.mdp.counters().unknownOrder, 1);
  assert.is(h.mdp.check(), "ok");
});

R("the strategy runtime's book hook reports MDP 3.0 BBO and depth events with the outright levels", async () => {
  const h = await harness();
  const hook = bookHook(h.view, 9);
  h.x.mdpTestClear();
  run(h, msg(lvl(0, 0, 1, 100, 5), lvl(1, 0, 1, 102, 6), lvl(0, 0, 1, 103, 9, true)));
  const slot = h.mdp.instrument(ID);
  assert.is(hook.count(), 1);
  assert.ok((hook.flags(0) & E.EV_BBO) !== 0 && (hook.flags(0) & E.EV_DEPTH) === E.EV_DEPTH);
  assert.equal({ ...hook.bbo(0) }, { instrument: slot, bidPrice: 100, bidQuantity: 5, askPrice: 102, askQuantity: 6, priceScale: 9 });
  hook.conflate(hook.count());
  const d = hook.depth(0)!;
  assert.is(d.instrument, slot);
  assert.equal(levels(d.depth(Side.BID)), [{ price: 100, qty: 5, orders: 5 }]);
});

R("hooks called before any book is laid out do nothing, and the queries answer empty", async () => {
  await harness(); // compiles the module
  const pages = Math.ceil(L.DYNAMIC_BASE / L.WASM_PAGE) + 64;
  const memory = new Wasm.Memory({ initial: pages, maximum: pages, shared: true });
  const x = instantiate(`${wasmPath}.debug.wasm`, memory) as unknown as TestExports & { mdpBookSlot(id: number): number; mdpBookCheck(): number; mdpBookDepth(id: number, s: number, n: number, i: number): number; mdpBookOrderQty(id: bigint): bigint };
  const { ops } = generateMdpSession({ seed: 3, instruments: 10, messages: 200 });
  const bytes = encodeOps(ops);
  new Uint8Array(memory.buffer, L.DYNAMIC_BASE, bytes.length).set(bytes);
  x.mdpTestRun(L.DYNAMIC_BASE, ops.length);
  assert.is(x.mdpBookSlot(ops.find((o) => o.secId !== undefined)!.secId!), 0);
  assert.is(x.mdpBookDepth(1, 0, 10, 0), 0);
  assert.is(x.mdpBookOrderQty(1000n), -1n);
  assert.is(x.mdpBookCheck(), E.CHECK_NO_BOOK);
});

R("with the book turned off the hooks change nothing", async () => {
  const h = await harness();
  h.view.enabled = false;
  run(h, msg(lvl(0, 0, 1, 100, 5), { kind: OP_ORDER, secId: ID, side: 0, action: 0, orderId: 1n, priority: 1n, price: 100, qty: 5 }));
  assert.is(h.mdp.instrument(ID), 0);
  assert.is(h.mdp.orderCount(), 0);
  h.view.enabled = true;
  run(h, msg(lvl(0, 0, 1, 100, 5)));
  assert.equal(bids(h), [[100, 5]]);
});

R("BookView.reset() empties the MDP 3.0 books and forgets the SecurityIDs", async () => {
  const h = await harness();
  run(h, msg(lvl(0, 0, 1, 100, 5), { kind: OP_ORDER, secId: ID, side: 0, action: 0, orderId: 1n, priority: 1n, price: 100, qty: 5 }));
  assert.is(h.mdp.instruments(), 1);
  h.view.reset();
  assert.is(h.mdp.instruments(), 0);
  assert.is(h.mdp.instrument(ID), 0);
  assert.is(h.mdp.orderCount(), 0);
  assert.is(h.mdp.order(1n), null);
  assert.is(h.mdp.check(), "ok");
  run(h, msg(lvl(1, 0, 1, 101, 2)));
  assert.is(h.mdp.instrument(ID), 1);
  assert.equal(levels(h.mdp.depth(ID, Side.ASK, 5)).map((l) => l.price), [101]);
});

R.run();
