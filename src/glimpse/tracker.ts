// The state a GLIMPSE 5.0 snapshot serves, kept from the ITCH 5.0 messages a publisher sends:
// the open orders with their remaining shares, the last System Event, and per stock the last
// Stock Directory, Stock Trading Action, Reg SHO Restriction, Retail Price Improvement
// Indicator, Operational Halt (per market code) and Market Participant Position (per MPID), and
// the sequence number of the last message applied.
//
// apply() is the publisher's hot path: it reads the message in place and allocates nothing but
// what the order table needs when it doubles (and a state message's copy the first time a stock
// has one). Orders follow the order book's rules (src/book/book.ts, assembly/book/): an add with
// a side other than 'B'/'S' or a zero price, or with a reference already open, is ignored; an
// execution or cancel of all remaining shares or more removes the order; a replace moves the
// order to a new reference, price and size, at the back of the arrival order (it loses its time
// priority, as on the book); references are matched whatever the stock locate of the message.
// Messages too short for their type are counted in `skipped` and change nothing.
//
// snapshot() freezes the state at the time of the call (a publisher may go on applying while the
// snapshot is sent) as GLIMPSE's message sequence, in chunks of length-prefixed messages:
//   the last System Event; the Stock Directory of every stock (by stock locate); then per stock
//   its trading action, Reg SHO, operational halts, RPII and market participant positions; an
//   Add Order ('A', no MPID attribution) per open order, with its remaining shares, its price,
//   side, stock and the timestamp of the add (or replace) that made it, in arrival order, which
//   keeps every price level's time priority; and End of Snapshot with the sequence number.

import { fieldSpec, ITCH50 } from "../itchgen/itch-encode.js";
import { OrderTable } from "./order-table.js";
import { ADD_ORDER_LENGTH, endOfSnapshot, writeAddOrder } from "./messages.js";

const at = (t: keyof typeof ITCH50, f: string) => fieldSpec(t, f).offset;
const LEN = (t: keyof typeof ITCH50) => ITCH50[t].length;

// Offsets, from the one ITCH 5.0 definition.
const LOCATE = at("A", "stockLocate"), TRACKING = at("A", "trackingNumber"), TIMESTAMP = at("A", "timestamp");
const A_REF = at("A", "orderRef"), A_SIDE = at("A", "side"), A_SHARES = at("A", "shares"), A_STOCK = at("A", "stock"), A_PRICE = at("A", "price");
const F_REF = at("F", "orderRef"), F_SIDE = at("F", "side"), F_SHARES = at("F", "shares"), F_STOCK = at("F", "stock"), F_PRICE = at("F", "price");
const E_REF = at("E", "orderRef"), E_SHARES = at("E", "executedShares");
const C_REF = at("C", "orderRef"), C_SHARES = at("C", "executedShares");
const X_REF = at("X", "orderRef"), X_SHARES = at("X", "cancelledShares");
const D_REF = at("D", "orderRef");
const U_OLD = at("U", "originalOrderRef"), U_NEW = at("U", "newOrderRef"), U_SHARES = at("U", "shares"), U_PRICE = at("U", "price");
const L_MPID = at("L", "mpid"), H_MARKET = at("h", "marketCode");
const L_A = LEN("A"), L_F = LEN("F"), L_E = LEN("E"), L_C = LEN("C"), L_X = LEN("X"), L_D = LEN("D"), L_U = LEN("U");
const L_S = LEN("S"), L_R = LEN("R"), L_H = LEN("H"), L_Y = LEN("Y"), L_N = LEN("N"), L_h = LEN("h"), L_L = LEN("L");

const BUY = 0x42;
const SELL = 0x53;
const CHUNK_BYTES = 1 << 20;

function u32(m: Uint8Array, o: number): number {
  return ((m[o] << 24) | (m[o + 1] << 16) | (m[o + 2] << 8) | m[o + 3]) >>> 0;
}

function u16(m: Uint8Array, o: number): number {
  return (m[o] << 8) | m[o + 1];
}

export interface TrackerOptions {
  /** Orders the table holds before it first doubles (default 4096). */
  initialOrders?: number;
  /** The sequence number of the first message apply() will see (default 1). */
  firstSequence?: number;
}

/** A frozen snapshot: GLIMPSE's messages and the live sequence number they reflect. */
export interface GlimpseSnapshot {
  /** The sequence number of the last live message the snapshot reflects (End of Snapshot's). */
  sequence: bigint;
  /** Messages, End of Snapshot included. */
  messages: number;
  /** Add Order messages: the open orders. */
  orders: number;
  /** The messages, each preceded by its length as a u16 big-endian; End of Snapshot is the last. */
  chunks: Uint8Array[];
}

export class SnapshotTracker {
  readonly orders: OrderTable;
  /** Messages too short for their type, ignored. */
  skipped = 0;
  #last: number;
  #system: Uint8Array | undefined;
  readonly #directory: (Uint8Array | undefined)[] = [];
  readonly #trading: (Uint8Array | undefined)[] = [];
  readonly #regSho: (Uint8Array | undefined)[] = [];
  readonly #rpii: (Uint8Array | undefined)[] = [];
  readonly #halts: (Map<number, Uint8Array> | undefined)[] = [];
  readonly #positions: (Map<number, Uint8Array> | undefined)[] = [];
  #maxLocate = -1;
  readonly #stock = new Uint8Array(8);

  constructor(o: TrackerOptions = {}) {
    this.orders = new OrderTable(o.initialOrders ?? 4096);
    this.#last = (o.firstSequence ?? 1) - 1;
  }

  /** The sequence number of the last message applied (firstSequence - 1 before any). */
  get sequence(): bigint {
    return BigInt(this.#last);
  }

  get openOrders(): number {
    return this.orders.size;
  }

  /** Applies the next ITCH 5.0 message, message[offset, offset + length); every call counts one sequence number. */
  apply(message: Uint8Array, offset = 0, length = message.length - offset): void {
    this.#last++;
    if (length < 1) return;
    const m = message;
    const o = offset;
    switch (m[o]) {
      case 0x41: // 'A'
        if (length < L_A) break;
        return this.#add(m, o, o + A_REF, m[o + A_SIDE], u32(m, o + A_SHARES), m, o + A_STOCK, u32(m, o + A_PRICE));
      case 0x46: // 'F'
        if (length < L_F) break;
        return this.#add(m, o, o + F_REF, m[o + F_SIDE], u32(m, o + F_SHARES), m, o + F_STOCK, u32(m, o + F_PRICE));
      case 0x45: // 'E'
        if (length < L_E) break;
        return this.#reduce(u32(m, o + E_REF), u32(m, o + E_REF + 4), u32(m, o + E_SHARES));
      case 0x43: // 'C'
        if (length < L_C) break;
        return this.#reduce(u32(m, o + C_REF), u32(m, o + C_REF + 4), u32(m, o + C_SHARES));
      case 0x58: // 'X'
        if (length < L_X) break;
        return this.#reduce(u32(m, o + X_REF), u32(m, o + X_REF + 4), u32(m, o + X_SHARES));
      case 0x44: { // 'D'
        if (length < L_D) break;
        const slot = this.orders.find(u32(m, o + D_REF), u32(m, o + D_REF + 4));
        if (slot >= 0) this.orders.remove(slot);
        return;
      }
      case 0x55: // 'U'
        if (length < L_U) break;
        return this.#replace(m, o);
      case 0x53: // 'S'
        if (length < L_S) break;
        this.#system = copyInto(this.#system, m, o, L_S);
        return;
      case 0x52: // 'R'
        if (length < L_R) break;
        return this.#keep(this.#directory, m, o, L_R);
      case 0x48: // 'H'
        if (length < L_H) break;
        return this.#keep(this.#trading, m, o, L_H);
      case 0x59: // 'Y'
        if (length < L_Y) break;
        return this.#keep(this.#regSho, m, o, L_Y);
      case 0x4e: // 'N'
        if (length < L_N) break;
        return this.#keep(this.#rpii, m, o, L_N);
      case 0x68: // 'h'
        if (length < L_h) break;
        return this.#keepKeyed(this.#halts, m, o, L_h, m[o + H_MARKET]);
      case 0x4c: // 'L'
        if (length < L_L) break;
        return this.#keepKeyed(this.#positions, m, o, L_L, u32(m, o + L_MPID));
      default:
        return;
    }
    this.skipped++;
  }

  /** Applies a chunk of messages each preceded by its u16 big-endian length; returns how many. */
  applyPrefixed(chunk: Uint8Array): number {
    let p = 0;
    let n = 0;
    while (p + 2 <= chunk.length) {
      const len = (chunk[p] << 8) | chunk[p + 1];
      if (p + 2 + len > chunk.length) throw new RangeError(`a message at ${p} of the chunk runs past its end (length ${len})`);
      this.apply(chunk, p + 2, len);
      p += 2 + len;
      n++;
    }
    return n;
  }

  /** The snapshot of the state now (see the file's header for its order). */
  snapshot(): GlimpseSnapshot {
    const w = new ChunkWriter();
    if (this.#system) w.copy(this.#system);
    for (let l = 0; l <= this.#maxLocate; l++) if (this.#directory[l]) w.copy(this.#directory[l]!);
    for (let l = 0; l <= this.#maxLocate; l++) {
      if (this.#trading[l]) w.copy(this.#trading[l]!);
      if (this.#regSho[l]) w.copy(this.#regSho[l]!);
      for (const h of this.#halts[l]?.values() ?? []) w.copy(h);
      if (this.#rpii[l]) w.copy(this.#rpii[l]!);
      for (const p of this.#positions[l]?.values() ?? []) w.copy(p);
    }
    const t = this.orders;
    let orders = 0;
    for (let s = t.head; s >= 0; s = t.next[s]) {
      const pos = w.reserve(ADD_ORDER_LENGTH);
      writeAddOrder(w.buf, pos, t.locate[s], t.tracking[s], t.timestamp[s], t.refHi[s], t.refLo[s], t.side[s], t.shares[s], t.stock, s * 8, t.price[s]);
      orders++;
    }
    w.copy(endOfSnapshot(this.#last));
    return { sequence: BigInt(this.#last), messages: w.messages, orders, chunks: w.finish() };
  }

  #add(m: Uint8Array, o: number, refAt: number, side: number, shares: number, stock: Uint8Array, stockAt: number, price: number): void {
    if ((side !== BUY && side !== SELL) || price === 0) return;
    const t = this.orders;
    const s = t.insert(u32(m, refAt), u32(m, refAt + 4));
    if (s < 0) return;
    t.locate[s] = u16(m, o + LOCATE);
    t.tracking[s] = u16(m, o + TRACKING);
    t.timestamp[s] = u16(m, o + TIMESTAMP) * 4294967296 + u32(m, o + TIMESTAMP + 2);
    t.side[s] = side;
    t.shares[s] = shares;
    t.price[s] = price;
    const to = s * 8;
    for (let i = 0; i < 8; i++) t.stock[to + i] = stock[stockAt + i];
  }

  #reduce(hi: number, lo: number, qty: number): void {
    const t = this.orders;
    const s = t.find(hi, lo);
    if (s < 0) return;
    if (qty >= t.shares[s]) t.remove(s);
    else t.shares[s] -= qty;
  }

  #replace(m: Uint8Array, o: number): void {
    const t = this.orders;
    const old = t.find(u32(m, o + U_OLD), u32(m, o + U_OLD + 4));
    if (old < 0) return;
    // The new order takes the old one's stock, locate and side; its slot may be the old one's.
    const locate = t.locate[old];
    const side = t.side[old];
    const stock = this.#stock;
    for (let i = 0; i < 8; i++) stock[i] = t.stock[old * 8 + i];
    t.remove(old);
    const price = u32(m, o + U_PRICE);
    if (price === 0) return;
    const s = t.insert(u32(m, o + U_NEW), u32(m, o + U_NEW + 4));
    if (s < 0) return;
    t.locate[s] = locate;
    t.tracking[s] = u16(m, o + TRACKING);
    t.timestamp[s] = u16(m, o + TIMESTAMP) * 4294967296 + u32(m, o + TIMESTAMP + 2);
    t.side[s] = side;
    t.shares[s] = u32(m, o + U_SHARES);
    t.price[s] = price;
    for (let i = 0; i < 8; i++) t.stock[s * 8 + i] = stock[i];
  }

  #keep(by: (Uint8Array | undefined)[], m: Uint8Array, o: number, len: number): void {
    const locate = u16(m, o + LOCATE);
    by[locate] = copyInto(by[locate], m, o, len);
    if (locate > this.#maxLocate) this.#maxLocate = locate;
  }

  #keepKeyed(by: (Map<number, Uint8Array> | undefined)[], m: Uint8Array, o: number, len: number, key: number): void {
    const locate = u16(m, o + LOCATE);
    let map = by[locate];
    if (!map) by[locate] = map = new Map();
    map.set(key, copyInto(map.get(key), m, o, len));
    if (locate > this.#maxLocate) this.#maxLocate = locate;
  }
}

/** m[o, o + len) in `into` when it has that length, else in a new array. */
function copyInto(into: Uint8Array | undefined, m: Uint8Array, o: number, len: number): Uint8Array {
  const b = into && into.length === len ? into : new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = m[o + i];
  return b;
}

/** Length-prefixed messages into chunks of up to CHUNK_BYTES. */
class ChunkWriter {
  readonly #chunks: Uint8Array[] = [];
  #buf = new Uint8Array(CHUNK_BYTES);
  #used = 0;
  messages = 0;

  /** The buffer reserve() made room in. */
  get buf(): Uint8Array {
    return this.#buf;
  }

  /** Room for a message of len bytes after its prefix: where in buf the message goes. */
  reserve(len: number): number {
    if (this.#used + 2 + len > this.#buf.length) {
      this.#chunks.push(this.#buf.subarray(0, this.#used));
      this.#buf = new Uint8Array(CHUNK_BYTES);
      this.#used = 0;
    }
    const b = this.#buf;
    b[this.#used] = len >> 8;
    b[this.#used + 1] = len & 0xff;
    const pos = this.#used + 2;
    this.#used = pos + len;
    this.messages++;
    return pos;
  }

  copy(m: Uint8Array): void {
    const pos = this.reserve(m.length);
    this.#buf.set(m, pos);
  }

  finish(): Uint8Array[] {
    if (this.#used > 0) this.#chunks.push(this.#buf.subarray(0, this.#used));
    return this.#chunks;
  }
}

/** Each message of a snapshot as its own view (convenience: a view per message). */
export function* snapshotMessages(s: GlimpseSnapshot): Generator<Uint8Array> {
  for (const c of s.chunks) {
    for (let p = 0; p < c.length;) {
      const len = (c[p] << 8) | c[p + 1];
      yield c.subarray(p + 2, p + 2 + len);
      p += 2 + len;
    }
  }
}
