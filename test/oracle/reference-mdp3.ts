// Reference CME MDP 3.0 books in plain TypeScript (arrays and Maps), for the tests of the wasm
// books (assembly/book/mdp3.ts): the same hooks, the same rules -- levels by MDPriceLevel to the
// instrument's depth, outright and implied apart, orders by OrderID aggregated by price, snapshot
// and channel-reset recovery, what is counted and skipped, the BBO and depth events each message
// publishes -- written the obvious way, so that the two must agree exactly. Not for production use.

import { EV_BBO, EV_DEPTH_BID } from "../../assembly/book/events.js";

export const DEPTH_MAX = 16;
export const IMPLIED_MAX = 4;
/** Instruments one message's list of changes holds (MDP_TOUCHED_MAX). */
export const TOUCHED_MAX = 1024;

export interface RefMdpCapacities {
  /** Instrument slots (slot 0 unused): maxInstruments - 1 SecurityIDs. */
  maxInstruments: number;
  maxOrders: number;
  /** Market-by-order price levels at once, all instruments. */
  maxLevels: number;
  depthWatch: number;
  depthEvents: boolean;
}

export interface RefMdpLevel {
  price: number;
  qty: number;
  orders: number;
}

export interface RefMdpEvent {
  instrument: number;
  flags: number;
  bidPx: number;
  askPx: number;
  bidQty: number;
  askQty: number;
}

export interface RefMdpCounters {
  levelRange: number;
  levelEmpty: number;
  invalid: number;
  instrumentsFull: number;
  unknownOrder: number;
  duplicateOrder: number;
  ordersFull: number;
  unknownInstrument: number;
  resets: number;
  snapshots: number;
  gaps: number;
  levelsFull: number;
  updates: number;
  bboChanges: number;
  depthChanges: number;
}

interface Slot {
  securityId: number;
  depth: number;
  implied: number;
  rptSeq: number;
  stale: boolean;
  snapshot: boolean;
  snapLevels: boolean;
  snapOrders: boolean;
  /** Outright bid, ask, implied bid, ask: arrays of levels (null: empty), DEPTH_MAX / IMPLIED_MAX long. */
  books: (RefMdpLevel | null)[][];
  published: { bidPx: number; askPx: number; bidQty: number; askQty: number };
  depthBits: number;
}

interface Order {
  slot: number;
  side: number;
  price: number;
  qty: number;
  priority: bigint;
}

export class ReferenceMdp {
  readonly counters: RefMdpCounters = {
    levelRange: 0, levelEmpty: 0, invalid: 0, instrumentsFull: 0, unknownOrder: 0, duplicateOrder: 0, ordersFull: 0,
    unknownInstrument: 0, resets: 0, snapshots: 0, gaps: 0, levelsFull: 0, updates: 0, bboChanges: 0, depthChanges: 0,
  };
  readonly slots: Slot[] = [];
  readonly ids = new Map<number, number>();
  readonly orders = new Map<bigint, Order>();
  /** Market-by-order levels in use: "slot,side,price" -> orders. */
  readonly mboLevels = new Map<string, number>();
  /** Slots the current message touched, in order. */
  #touched: number[] = [];
  defaultDepth = 10;
  defaultImplied = 2;

  constructor(readonly caps: RefMdpCapacities) {
    this.slots.push(null as unknown as Slot);
  }

  slotFind(id: number): number {
    return this.ids.get(id) ?? 0;
  }

  slotOf(id: number): number {
    const s = this.ids.get(id);
    if (s !== undefined) return s;
    if (this.slots.length >= this.caps.maxInstruments) {
      this.counters.instrumentsFull++;
      return 0;
    }
    const slot = this.slots.length;
    this.ids.set(id, slot);
    this.slots.push({
      securityId: id, depth: this.defaultDepth, implied: this.defaultImplied, rptSeq: 0, stale: false,
      snapshot: false, snapLevels: false, snapOrders: false,
      books: [DEPTH_MAX, DEPTH_MAX, IMPLIED_MAX, IMPLIED_MAX].map((n) => new Array<RefMdpLevel | null>(n).fill(null)),
      published: { bidPx: 0, askPx: 0, bidQty: 0, askQty: 0 }, depthBits: 0,
    });
    return slot;
  }

  #touch(slot: number, bits: number): void {
    const s = this.slots[slot];
    s.depthBits |= bits;
    if (!this.#touched.includes(slot)) this.#touched.push(slot);
  }

  #count(slot: number, b: number): number {
    return this.slots[slot].books[b].filter((l) => l !== null).length;
  }

  #clearBook(s: Slot, b: number): void {
    s.books[b].fill(null);
  }

  /** Applies one level entry to book side b; the best level changed (1-based), 0: none. */
  #apply(s: Slot, b: number, action: number, level: number, price: number, qty: number, orders: number): number {
    const book = s.books[b];
    const max = b < 2 ? s.depth : s.implied;
    const n = book.filter((l) => l !== null).length;
    if (action === 3) {
      if (n === 0) return 0;
      book.fill(null);
      return 1;
    }
    if (action > 5) {
      this.counters.invalid++;
      return 0;
    }
    if (level === 0 || level > max) {
      this.counters.levelRange++;
      return 0;
    }
    const i = level - 1;
    const lv = { price, qty, orders };
    if (action === 0) {
      book.splice(max - 1, 1);
      book.splice(i, 0, lv);
    } else if (action === 1 || action === 5) {
      if (book[i] === null && action === 1) this.counters.levelEmpty++;
      book[i] = lv;
    } else if (action === 2) {
      if (book[i] === null) this.counters.levelEmpty++;
      book.splice(i, 1);
      book.splice(max - 1, 0, null);
    } else {
      const gone = book.slice(0, level).filter((l) => l !== null).length;
      book.splice(0, level);
      book.splice(max - level, 0, ...new Array<null>(level).fill(null));
      return gone !== 0 || n !== 0 ? 1 : 0;
    }
    return level;
  }

  /** The depth bits of the outright sides holding levels. */
  #outrightBits(s: Slot): number {
    return (s.books[0].some((l) => l !== null) ? EV_DEPTH_BID : 0) | (s.books[1].some((l) => l !== null) ? EV_DEPTH_BID << 1 : 0);
  }

  #snapshotFirst(slot: number, levels: boolean): void {
    const s = this.slots[slot];
    if (levels) {
      s.snapLevels = true;
      const had = s.books.some((b) => b.some((l) => l !== null));
      const bits = this.#outrightBits(s);
      for (let b = 0; b < 4; b++) this.#clearBook(s, b);
      if (had) this.#touch(slot, bits);
    } else {
      s.snapOrders = true;
      for (const [id, o] of this.orders) if (o.slot === slot) this.#unplace(id, o);
    }
  }

  level(secId: number, side: number, action: number, level: number, price: number, qty: number, orders: number, implied: boolean): void {
    const slot = this.slotOf(secId);
    if (slot === 0) return;
    if (side > 1) {
      this.counters.invalid++;
      return;
    }
    const s = this.slots[slot];
    if (s.snapshot && !s.snapLevels) this.#snapshotFirst(slot, true);
    const b = implied ? side + 2 : side;
    const changed = this.#apply(s, b, action, level, price, qty, orders);
    if (changed !== 0) this.#touch(slot, b < 2 && changed <= this.caps.depthWatch ? EV_DEPTH_BID << b : 0);
  }

  #key(slot: number, side: number, price: number): string {
    return `${slot},${side},${price}`;
  }

  #place(id: bigint, o: Order): boolean {
    const k = this.#key(o.slot, o.side, o.price);
    const n = this.mboLevels.get(k);
    if (n === undefined && this.mboLevels.size >= this.caps.maxLevels) {
      this.counters.levelsFull++;
      return false;
    }
    this.mboLevels.set(k, (n ?? 0) + 1);
    this.orders.set(id, o);
    return true;
  }

  #unplace(id: bigint, o: Order): void {
    const k = this.#key(o.slot, o.side, o.price);
    const n = this.mboLevels.get(k)! - 1;
    if (n === 0) this.mboLevels.delete(k);
    else this.mboLevels.set(k, n);
    this.orders.delete(id);
  }

  order(secId: number, side: number, action: number, id: bigint, priority: bigint, price: number, qty: number): void {
    const slot = this.slotOf(secId);
    if (slot === 0) return;
    if (side > 1 || action > 2) {
      this.counters.invalid++;
      return;
    }
    const s = this.slots[slot];
    if (s.snapshot && !s.snapOrders) this.#snapshotFirst(slot, false);
    const o = this.orders.get(id);
    if (action === 0) {
      if (o) this.counters.duplicateOrder++;
      else if (this.orders.size >= this.caps.maxOrders) this.counters.ordersFull++;
      else this.#place(id, { slot, side, price, qty, priority });
      return;
    }
    if (!o) {
      this.counters.unknownOrder++;
      return;
    }
    if (o.slot !== slot) {
      this.counters.unknownInstrument++;
      return;
    }
    this.#unplace(id, o);
    if (action === 1) this.#place(id, { slot, side, price, qty, priority });
  }

  reset(): void {
    for (let slot = 1; slot < this.slots.length; slot++) {
      const s = this.slots[slot];
      const had = s.books.some((b) => b.some((l) => l !== null));
      const bits = this.#outrightBits(s);
      for (let b = 0; b < 4; b++) this.#clearBook(s, b);
      if (had) this.#touch(slot, bits);
    }
    this.orders.clear();
    this.mboLevels.clear();
    this.counters.resets++;
  }

  snapshotBegin(secId: number, rptSeq: number): void {
    const slot = this.slotOf(secId);
    if (slot === 0) return;
    const s = this.slots[slot];
    s.rptSeq = rptSeq;
    s.snapshot = true;
    s.snapLevels = false;
    s.snapOrders = false;
  }

  snapshotEnd(secId: number): void {
    const slot = this.slotFind(secId);
    if (slot === 0) {
      this.counters.unknownInstrument++;
      return;
    }
    const s = this.slots[slot];
    if (!s.snapshot) return;
    if (!s.snapLevels && !s.snapOrders) {
      this.#snapshotFirst(slot, true);
      this.#snapshotFirst(slot, false);
    }
    s.snapshot = s.snapLevels = s.snapOrders = s.stale = false;
    this.counters.snapshots++;
  }

  /** An instrument definition's depths (GBX, GBI MarketDepth); 0 for one not given: the default. */
  definition(secId: number, depth: number, implied: number): void {
    this.setDepth(secId, depth !== 0 ? depth : this.defaultDepth, implied !== 0 ? implied : this.defaultImplied);
  }

  setDepth(secId: number, depth: number, implied: number): void {
    const slot = this.slotOf(secId);
    if (slot === 0) return;
    const s = this.slots[slot];
    s.depth = Math.min(depth, DEPTH_MAX);
    s.implied = Math.min(implied, IMPLIED_MAX);
    let cut = 0;
    for (let b = 0; b < 4; b++) {
      const keep = b < 2 ? s.depth : s.implied;
      const book = s.books[b];
      let gone = false;
      for (let i = keep; i < book.length; i++) {
        if (book[i] !== null) gone = true;
        book[i] = null;
      }
      if (gone && b < 2) cut |= EV_DEPTH_BID << b;
    }
    if (cut !== 0) this.#touch(slot, cut);
  }

  gap(secId: number): void {
    const slot = this.slotOf(secId);
    if (slot === 0) return;
    this.slots[slot].stale = true;
    this.counters.gaps++;
  }

  /** Publishes the message's changes; returns the book events it writes, in order. */
  messageEnd(): RefMdpEvent[] {
    const out: RefMdpEvent[] = [];
    // Past TOUCHED_MAX instruments in one message the wasm book publishes them in slot order.
    if (this.#touched.length > TOUCHED_MAX) this.#touched.sort((a, b) => a - b);
    for (const slot of this.#touched) {
      const s = this.slots[slot];
      let depth = s.depthBits;
      s.depthBits = 0;
      this.counters.updates++;
      if (!this.caps.depthEvents || this.caps.depthWatch === 0) depth = 0;
      else if (depth !== 0) this.counters.depthChanges++;
      const bid = s.books[0][0];
      const ask = s.books[1][0];
      const now = { bidPx: bid?.price ?? 0, askPx: ask?.price ?? 0, bidQty: bid?.qty ?? 0, askQty: ask?.qty ?? 0 };
      const p = s.published;
      let flags = depth;
      if (now.bidPx !== p.bidPx || now.askPx !== p.askPx || now.bidQty !== p.bidQty || now.askQty !== p.askQty) {
        s.published = now;
        this.counters.bboChanges++;
        flags |= EV_BBO;
      }
      if (flags !== 0) out.push({ instrument: slot, flags, ...s.published });
    }
    this.#touched = [];
    return out;
  }

  /** The held levels of book side b of a SecurityID, best first. */
  depth(secId: number, side: number, implied: boolean): RefMdpLevel[] {
    const slot = this.slotFind(secId);
    if (slot === 0) return [];
    return this.slots[slot].books[implied ? side + 2 : side].filter((l): l is RefMdpLevel => l !== null);
  }

  levelCount(secId: number, side: number, implied: boolean): number {
    const slot = this.slotFind(secId);
    return slot === 0 ? 0 : this.#count(slot, implied ? side + 2 : side);
  }

  /** The orders of one side by price, best first: quantity and orders per price. */
  orderDepth(secId: number, side: number): RefMdpLevel[] {
    const slot = this.slotFind(secId);
    const by = new Map<number, RefMdpLevel>();
    for (const o of this.orders.values()) {
      if (o.slot !== slot || o.side !== side) continue;
      const l = by.get(o.price) ?? { price: o.price, qty: 0, orders: 0 };
      l.qty += o.qty;
      l.orders++;
      by.set(o.price, l);
    }
    return [...by.values()].sort((a, b) => (side === 0 ? b.price - a.price : a.price - b.price));
  }

  published(slot: number): { bidPx: number; askPx: number; bidQty: number; askQty: number } {
    return this.slots[slot].published;
  }

  stale(secId: number): boolean {
    const slot = this.slotFind(secId);
    return slot !== 0 && this.slots[slot].stale;
  }
}
