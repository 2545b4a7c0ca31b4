// Reference books in plain TypeScript (Maps and sorted arrays), for the tests of the wasm books
// (assembly/book/): they read the raw messages themselves and follow the same rules, including
// the capacities and what is counted and skipped, so that the two must agree exactly.
// Straightforward rather than fast; not for production use.

import { EV_BBO, EV_DEPTH_BID } from "../../assembly/book/events.js";
import type { BookCounters } from "../../src/book/book.js";

export interface RefCapacities {
  maxOrders: number;
  maxLevels: number;
  maxInstruments: number;
  /** Levels per side watched for depth changes (default 5). */
  depthWatch?: number;
  /** Whether depth changes are counted, as the wasm book counts them only with depth events on (default false). */
  depthEvents?: boolean;
}

export interface RefBbo {
  bidPx: number;
  bidQty: number;
  askPx: number;
  askQty: number;
}

export interface RefLevel {
  price: number;
  shares: number;
  orders: number;
}

/** The wasm book's counters (BookView.counters()) but events lost: the reference writes no events. */
export type RefCounters = Omit<BookCounters, "eventsLost" | "ordersOffWindow" | "ordersEvicted" | "orderPagesPaused">;

interface Order {
  inst: number;
  side: number;
  price: number;
  shares: number;
}

/** One side of one instrument: levels by price, and the prices best-first. */
class SideBook {
  readonly levels = new Map<number, RefLevel>();
  readonly prices: number[] = [];
  constructor(readonly bid: boolean) {}

  /** Index of price in prices, or where it goes (best-first). */
  position(price: number): number {
    const a = this.prices;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.bid ? a[mid] > price : a[mid] < price) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(price: number): RefLevel {
    const l = { price, shares: 0, orders: 0 };
    this.levels.set(price, l);
    this.prices.splice(this.position(price), 0, price);
    return l;
  }

  remove(price: number): void {
    this.levels.delete(price);
    this.prices.splice(this.position(price), 1);
  }

  rank(price: number): number {
    return this.position(price);
  }
}

function zeroCounters(): RefCounters {
  return { updates: 0, bboChanges: 0, depthChanges: 0, unknownOrder: 0, ordersFull: 0, levelsFull: 0, duplicateOrder: 0, badInstrument: 0, oversized: 0, invalid: 0, wrongLocate: 0 };
}

/** What the shared level machinery does for both reference books. */
class LevelBook {
  protected readonly sides = new Map<number, [SideBook, SideBook]>();
  protected readonly published = new Map<number, RefBbo>();
  levelCount = 0;
  readonly counters: RefCounters = zeroCounters();
  protected readonly caps: Required<Omit<RefCapacities, "depthEvents">>;
  // per message
  protected changed = false;
  /** EV_DEPTH_BID << side for each side whose watched depth the message changed. */
  protected depthChanged = 0;

  constructor(caps: RefCapacities) {
    this.caps = { depthWatch: 5, ...caps };
    this.depthEvents = caps.depthEvents ?? false;
  }

  /** Counts depth changes (BookView.depthEvents); the results report them either way. */
  depthEvents: boolean;

  protected side(inst: number, side: number): SideBook {
    let s = this.sides.get(inst);
    if (!s) {
      s = [new SideBook(true), new SideBook(false)];
      this.sides.set(inst, s);
    }
    return s[side];
  }

  /** A level change at price (call before removing a level, after adding one). */
  protected watch(sb: SideBook, price: number): void {
    this.changed = true;
    if (sb.rank(price) < this.caps.depthWatch) this.depthChanged |= EV_DEPTH_BID << (sb.bid ? 0 : 1);
  }

  /** The level, created when new; undefined (counted) when it is new and the pool is full. */
  protected level(inst: number, side: number, price: number): RefLevel | undefined {
    const sb = this.side(inst, side);
    const l = sb.levels.get(price);
    if (l) return l;
    if (this.levelCount >= this.caps.maxLevels) {
      this.counters.levelsFull++;
      return undefined;
    }
    this.levelCount++;
    return sb.insert(price);
  }

  protected dropLevel(inst: number, side: number, price: number): void {
    this.side(inst, side).remove(price);
    this.levelCount--;
  }

  /** The BBO of the levels now (not necessarily published). */
  current(inst: number): RefBbo {
    const s = this.sides.get(inst);
    const out = { bidPx: 0, bidQty: 0, askPx: 0, askQty: 0 };
    if (!s) return out;
    if (s[0].prices.length) {
      out.bidPx = s[0].prices[0];
      out.bidQty = s[0].levels.get(out.bidPx)!.shares;
    }
    if (s[1].prices.length) {
      out.askPx = s[1].prices[0];
      out.askQty = s[1].levels.get(out.askPx)!.shares;
    }
    return out;
  }

  /** The last published BBO. */
  bbo(inst: number): RefBbo {
    return { ...(this.published.get(inst) ?? { bidPx: 0, bidQty: 0, askPx: 0, askQty: 0 }) };
  }

  /** Publishes the BBO given; returns it when it changed, else null. */
  protected publishBbo(inst: number, b: RefBbo): RefBbo | null {
    const p = this.published.get(inst) ?? { bidPx: 0, bidQty: 0, askPx: 0, askQty: 0 };
    if (p.bidPx === b.bidPx && p.bidQty === b.bidQty && p.askPx === b.askPx && p.askQty === b.askQty) return null;
    this.published.set(inst, b);
    this.counters.bboChanges++;
    return { ...b };
  }

  protected finish(): void {
    if (this.changed) {
      this.counters.updates++;
      if (this.depthChanged && this.depthEvents) this.counters.depthChanges++;
    }
  }

  /** The best n levels of a side. */
  depth(inst: number, side: number, n: number): RefLevel[] {
    const s = this.sides.get(inst);
    if (!s) return [];
    const sb = s[side];
    return sb.prices.slice(0, n).map((p) => ({ ...sb.levels.get(p)! }));
  }

  levels(inst: number, side: number): number {
    return this.sides.get(inst)?.[side].prices.length ?? 0;
  }

  instruments(): number[] {
    return [...new Set([...this.sides.keys(), ...this.published.keys()])].sort((a, b) => a - b);
  }
}

/**
 * What a message did to the book: the instrument changed (-1: none), the new BBO if it changed,
 * and the book event's flags (EV_BBO | EV_DEPTH_*; 0: no event).
 */
export interface RefResult {
  instrument: number;
  bbo: RefBbo | null;
  flags: number;
}

const NOTHING: RefResult = Object.freeze({ instrument: -1, bbo: null, flags: 0 });

function result(instrument: number, bbo: RefBbo | null, depth: number): RefResult {
  return { instrument, bbo, flags: (bbo ? EV_BBO : 0) | depth };
}

/** The ITCH 5.0 order book, applied from raw messages (type byte first, big-endian fields). */
export class ReferenceL3 extends LevelBook {
  readonly orders = new Map<bigint, Order>();
  readonly registered = new Set<number>();
  #touched = -1;

  /** Applies one message; returns what changed. */
  apply(buf: Uint8Array, off: number, len: number): RefResult {
    const dv = new DataView(buf.buffer, buf.byteOffset + off, len);
    const type = String.fromCharCode(buf[off]);
    const locate = dv.getUint16(1);
    this.changed = false;
    this.depthChanged = 0;
    this.#touched = -1;
    if ("ECXDU".includes(type)) {
      const o = this.orders.get(dv.getBigUint64(11));
      if (o && o.inst !== locate) this.counters.wrongLocate++;
    }
    switch (type) {
      case "A": // orderRef @11, side @19, shares @20, stock @24, price @32
      case "F":
        this.add(dv.getBigUint64(11), locate, buf[off + 19], dv.getUint32(32), dv.getUint32(20));
        break;
      case "E": // orderRef @11, executedShares @19
      case "C":
      case "X": // orderRef @11, cancelledShares @19
        this.reduce(dv.getBigUint64(11), dv.getUint32(19));
        break;
      case "D":
        this.remove(dv.getBigUint64(11), true);
        break;
      case "U": { // originalOrderRef @11, newOrderRef @19, shares @27, price @31
        const o = this.orders.get(dv.getBigUint64(11));
        if (!o) {
          this.counters.unknownOrder++;
          break;
        }
        this.remove(dv.getBigUint64(11), true);
        this.add(dv.getBigUint64(19), o.inst, o.side === 0 ? 66 : 83, dv.getUint32(31), dv.getUint32(27));
        break;
      }
      case "R":
        if (locate < this.caps.maxInstruments) this.registered.add(locate);
        else this.counters.badInstrument++;
        break;
    }
    this.finish();
    const inst = this.#touched;
    if (inst < 0) return NOTHING;
    return result(inst, this.publishBbo(inst, this.current(inst)), this.depthChanged);
  }

  private add(ref: bigint, inst: number, sideChar: number, price: number, shares: number): void {
    if (inst >= this.caps.maxInstruments) {
      this.counters.badInstrument++;
      return;
    }
    const side = sideChar === 66 ? 0 : sideChar === 83 ? 1 : -1;
    if (side < 0 || price === 0) {
      this.counters.invalid++;
      return;
    }
    if (this.orders.has(ref)) {
      this.counters.duplicateOrder++;
      return;
    }
    if (this.orders.size >= this.caps.maxOrders) {
      this.counters.ordersFull++;
      return;
    }
    const l = this.level(inst, side, price);
    if (!l) return;
    this.orders.set(ref, { inst, side, price, shares });
    l.shares += shares;
    l.orders++;
    this.watch(this.side(inst, side), price);
    this.#touched = inst;
  }

  private remove(ref: bigint, count: boolean): void {
    const o = this.orders.get(ref);
    if (!o) {
      if (count) this.counters.unknownOrder++;
      return;
    }
    const sb = this.side(o.inst, o.side);
    const l = sb.levels.get(o.price)!;
    this.watch(sb, o.price);
    l.orders--;
    l.shares -= o.shares;
    if (l.orders === 0) this.dropLevel(o.inst, o.side, o.price);
    this.orders.delete(ref);
    this.#touched = o.inst;
  }

  private reduce(ref: bigint, qty: number): void {
    const o = this.orders.get(ref);
    if (!o) {
      this.counters.unknownOrder++;
      return;
    }
    if (qty >= o.shares) {
      if (qty > o.shares) this.counters.oversized++;
      this.remove(ref, true);
      return;
    }
    if (qty === 0) return;
    o.shares -= qty;
    const sb = this.side(o.inst, o.side);
    sb.levels.get(o.price)!.shares -= qty;
    this.watch(sb, o.price);
    this.#touched = o.inst;
  }

  orderCount(): number {
    return this.orders.size;
  }
}

/**
 * The IEX DEEP price-level book: update(instrument, side 'B'/'S' code, price, size, eventFlags).
 * Levels change at once; the BBO, and the depth changes of the event, are published when an
 * update has eventFlags bit 0 set.
 */
export class ReferenceLevels extends LevelBook {
  readonly pending = new Set<number>();
  readonly #pendingDepth = new Map<number, number>();

  update(inst: number, sideChar: number, price: number, size: number, eventFlags: number): RefResult {
    if (inst === 0 || inst >= this.caps.maxInstruments) {
      this.counters.badInstrument++;
      return NOTHING;
    }
    this.changed = false;
    this.depthChanged = 0;
    const side = sideChar === 66 ? 0 : sideChar === 83 ? 1 : -1;
    if (side < 0 || price <= 0) {
      this.counters.invalid++;
    } else if (size === 0) {
      const sb = this.side(inst, side);
      if (sb.levels.has(price)) {
        this.watch(sb, price);
        this.dropLevel(inst, side, price);
      }
    } else {
      const l = this.level(inst, side, price);
      if (l && l.shares !== size) {
        l.shares = size;
        this.watch(this.side(inst, side), price);
      }
    }
    this.finish();
    const depth = (this.#pendingDepth.get(inst) ?? 0) | this.depthChanged;
    if ((eventFlags & 1) === 0) {
      this.pending.add(inst);
      this.#pendingDepth.set(inst, depth);
      return { instrument: inst, bbo: null, flags: 0 };
    }
    this.pending.delete(inst);
    this.#pendingDepth.delete(inst);
    return result(inst, this.publishBbo(inst, this.current(inst)), depth);
  }
}
