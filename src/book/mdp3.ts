// The CME MDP 3.0 books (assembly/book/mdp3.ts) seen from TypeScript, beside the BookView every
// book has (src/book/book.ts). enableBook() / attachBook() lay the MDP3 part out after the shared
// book when the module has one; mdpBook(view) then reads it in place by SecurityID:
//
//   outright book   bbo(securityId), depth(securityId, side, n): levels by MDPriceLevel, to the
//                   instrument's market depth; it is what book events, BookView.bbo(instrument) and
//                   BookView.depth(instrument, ...) report, instrument being the SecurityID's slot
//   implied book    the same with { implied: true }
//   orders          orderDepth(securityId, side, n): the market-by-order book by price; order(id)
//
// Nothing allocates per call: bbo() fills a reused Bbo, the depths are the BookView's reused views.

import * as L from "../../assembly/layout.js";
import { XdpError } from "../../bridge/errors.js";
import { Bbo, readBbo, type BookExports, type BookView, type Depth } from "./book.js";
import type { WasmMemory } from "../../bridge/wasm.js";

/** The MDP3 half of a CME MDP 3.0 module's book exports. */
export interface MdpBookExports extends BookExports {
  mdpBookSize(maxOrders: number): number;
  mdpBookInit(base: number, maxOrders: number): number;
  mdpBookSetDepth(secId: number, depth: number, impliedDepth: number): void;
  mdpBookDefaultDepth(depth: number, impliedDepth: number): void;
  mdpBookSlot(secId: number): number;
  mdpBookSecurityId(slot: number): number;
  mdpBookInstruments(): number;
  mdpBookState(secId: number): bigint;
  mdpBookBbo(secId: number, implied: number): number;
  mdpBookDepth(secId: number, side: number, n: number, implied: number): number;
  mdpBookOrderDepth(secId: number, side: number, n: number): number;
  mdpBookOrderCount(): number;
  mdpBookOrderQty(orderId: bigint): bigint;
  mdpBookOrderPriority(orderId: bigint): bigint;
  mdpBookCheck(): number;
}

/** Whether a module's exports keep MDP 3.0 books. */
export function hasMdpBook(x: unknown): x is MdpBookExports {
  return typeof (x as MdpBookExports).mdpBookInit === "function";
}

/**
 * Outright depth of an instrument until its definition sets it (the MarketDepth of its GBX feed
 * type), and when the definition lists no GBX feed type (assembly/book/mdp3.ts mdpBookDefinition).
 */
export const MDP_DEFAULT_DEPTH = 10;
/** Implied depth until the definition sets it (GBI feed type), and when it lists none. */
export const MDP_DEFAULT_IMPLIED = 2;
/** Most levels kept per side: outright, implied (deeper definitions are clamped). */
export const MDP_DEPTH_MAX = 16;
export const MDP_IMPLIED_MAX = 4;

export interface MdpBookCounters {
  /** Level entries skipped: level 0 or past the instrument's depth. */
  levelRange: number;
  /** Change / Delete of an empty level (applied). */
  levelEmpty: number;
  /** Entries skipped: side not 0/1, unknown MDUpdateAction. */
  invalid: number;
  /** Entries skipped: a new SecurityID with every instrument slot in use. */
  instrumentsFull: number;
  unknownOrder: number;
  duplicateOrder: number;
  ordersFull: number;
  /** Snapshot ends for a SecurityID without a slot; order entries naming another instrument's order. */
  unknownInstrument: number;
  resets: number;
  snapshots: number;
  gaps: number;
}

export class MdpBookView {
  readonly view: BookView;
  readonly x: MdpBookExports;
  readonly #bbo = new Bbo();
  readonly #ctl: Uint32Array;
  readonly #ps: Uint32Array;

  constructor(view: BookView) {
    if (!hasMdpBook(view.x)) throw new XdpError("ECONFIG", "this feed module keeps no CME MDP 3.0 book (use the cme-mdp3 module)");
    this.view = view;
    this.x = view.x;
    const memory: WasmMemory = view.memory;
    this.#ctl = new Uint32Array(memory.buffer, L.BOOK_CTL_BASE, L.BOOK_CTL_SIZE / 4);
    this.#ps = new Uint32Array(memory.buffer, L.PSTATS_BASE, L.PSTATS_SIZE / 4);
    if (this.#ctl[L.BK_MDP_BASE / 4] === 0) throw new XdpError("ECONFIG", "no MDP 3.0 book in this memory: call enableBook() first");
  }

  /** Orders the market-by-order book holds at once (BookCapacities.maxOrders). */
  get maxOrders(): number {
    return this.#ctl[L.BK_MDP_MAX_ORDERS / 4];
  }

  /** The book instrument (slot) of a SecurityID, as book events name it; 0 when none yet. */
  instrument(securityId: number): number {
    return this.x.mdpBookSlot(securityId);
  }

  /** The SecurityID of a book instrument (0: none). */
  securityId(instrument: number): number {
    return this.x.mdpBookSecurityId(instrument);
  }

  /** SecurityIDs seen so far. */
  instruments(): number {
    return this.x.mdpBookInstruments();
  }

  /**
   * Level 1 of the outright (or implied) book, in a reused Bbo: prices as PRICE9 mantissas,
   * quantities 0 for an empty side, orders at level 1, level counts. All zero for an unknown id.
   */
  bbo(securityId: number, o: { implied?: boolean } = {}, out: Bbo = this.#bbo): Bbo {
    this.x.mdpBookBbo(securityId, o.implied ? 1 : 0);
    return readBbo(this.#ctl, this.x.mdpBookSlot(securityId), out);
  }

  /** The levels held on one side (Side.BID / Side.ASK), best first, as the BookView's reused views. */
  depth(securityId: number, side: number, n: number, o: { implied?: boolean } = {}): Depth {
    const d = this.view.depth(0, side, 0);
    d.count = this.x.mdpBookDepth(securityId, side, Math.min(n, L.BOOK_DEPTH_MAX), o.implied ? 1 : 0);
    return d;
  }

  /** The market-by-order book of one side by price: quantity (shares) and orders per price. */
  orderDepth(securityId: number, side: number, n: number): Depth {
    const d = this.view.depth(0, side, 0);
    d.count = this.x.mdpBookOrderDepth(securityId, side, Math.min(n, L.BOOK_DEPTH_MAX));
    return d;
  }

  orderCount(): number {
    return this.x.mdpBookOrderCount();
  }

  /** An order on the book (quantity, priority), or null. */
  order(orderId: bigint): { qty: bigint; priority: bigint } | null {
    const qty = this.x.mdpBookOrderQty(BigInt.asUintN(64, orderId));
    return qty < 0n ? null : { qty, priority: this.x.mdpBookOrderPriority(BigInt.asUintN(64, orderId)) };
  }

  /** Whether an RptSeq gap left the instrument's book stale (no snapshot since), and its last snapshot's RptSeq. */
  state(securityId: number): { stale: boolean; rptSeq: number } | null {
    const s = this.x.mdpBookState(securityId);
    if (s < 0n) return null;
    return { stale: (s & 2n) !== 0n, rptSeq: Number(s >> 32n) };
  }

  /** Sets an instrument's depth (its definition's MarketDepth and implied depth). */
  setDepth(securityId: number, depth: number, impliedDepth: number): void {
    this.x.mdpBookSetDepth(securityId, depth, impliedDepth);
  }

  #u64(off: number): number {
    const w = off / 4;
    return this.#ps[w] + this.#ps[w + 1] * 4294967296;
  }

  counters(): MdpBookCounters {
    return {
      levelRange: this.#u64(L.PS_MDP_LEVEL_RANGE), levelEmpty: this.#u64(L.PS_MDP_LEVEL_EMPTY),
      invalid: this.#u64(L.PS_MDP_INVALID), instrumentsFull: this.#u64(L.PS_MDP_INSTRUMENTS_FULL),
      unknownOrder: this.#u64(L.PS_MDP_UNKNOWN_ORDER), duplicateOrder: this.#u64(L.PS_MDP_DUPLICATE_ORDER),
      ordersFull: this.#u64(L.PS_MDP_ORDERS_FULL), unknownInstrument: this.#u64(L.PS_MDP_UNKNOWN_INSTRUMENT),
      resets: this.#u64(L.PS_MDP_RESETS), snapshots: this.#u64(L.PS_MDP_SNAPSHOTS), gaps: this.#u64(L.PS_MDP_GAPS),
    };
  }

  /** Walks both books in wasm; the first broken invariant's name, or "ok". */
  check(): string {
    const r = this.x.mdpBookCheck();
    return r === 0 ? "ok" : `check ${r}`;
  }
}

/** The MDP 3.0 view of a book (its module must keep one). */
export function mdpBook(view: BookView): MdpBookView {
  return new MdpBookView(view);
}
