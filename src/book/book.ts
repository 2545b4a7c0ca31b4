// The order books kept in wasm memory by the feed modules (assembly/book/), seen from TypeScript:
// enableBook() lays a book out in a parser's memory and turns it on; BookView reads it in place.
//
//   ITCH 5.0   order by order (every add, execute, cancel, delete, replace), aggregated by price
//   IEX DEEP   price levels from price level updates; the BBO published per completed event
//   IEX TOPS   the BBO from quote updates (no levels)
//   CME MDP 3.0  market by price by MDPriceLevel (outright; the implied book apart) and market by
//              order; attachBook lays out its part too, read by SecurityID through ./mdp3.ts
//
// The book is updated as the parser writes each tick record. A message that changes an
// instrument's best bid or offer, or (with depthEvents) a level among the best depthWatch of a
// side, also writes a book event (its record index, the instrument, what changed and the BBO after
// it), so the events of a batch interleave with its records: forEach() walks both in order. bbo() and depth() read the book as it is now, i.e. after the last message parsed (for
// IEX DEEP, bbo() is the BBO of the last completed event). Nothing here allocates per call: bbo()
// fills one reusable object and depth() returns one reusable set of typed-array views.

import * as L from "../../assembly/layout.js";
import * as E from "../../assembly/book/events.js";
import { XdpError } from "../../bridge/errors.js";
import type { FeedParser } from "../feeds/parser.js";
import type { WasmMemory } from "../../bridge/wasm.js";

/** The book half of a feed module's exports (assembly/book/abi.ts). */
export interface BookExports {
  bookSize(maxOrders: number, maxLevels: number, maxInstruments: number): number;
  bookInit(base: number, maxOrders: number, maxLevels: number, maxInstruments: number): number;
  bookEnable(on: number): number;
  bookEnabled(): number;
  bookSetDepthWatch(n: number): void;
  bookDepthEvents(on: number): number;
  bookReset(): void;
  bookBbo(instrument: number): number;
  bookDepth(instrument: number, side: number, n: number): number;
  bookOrderCount(): number;
  bookLevelCount(): number;
  bookEventCount(): number;
  bookCheck(): number;
}

export interface BookCapacities {
  /** Orders on the book at once (ITCH; default 1,048,576; MDP 3.0 market by order: 262,144; IEX feeds need none). */
  maxOrders?: number;
  /** Price levels at once, all instruments and sides (default 262,144). */
  maxLevels?: number;
  /** Instruments 0 .. maxInstruments - 1: ITCH stock locates, IEX symbol ids, MDP 3.0 SecurityID slots (default 65,536 ITCH, 16,384 IEX and MDP 3.0). */
  maxInstruments?: number;
  /** A change to one of the best depthWatch levels of a side counts as a depth change (default 5). */
  depthWatch?: number;
  /**
   * Depth changes are detected, counted and write book events (flags DEPTH_BID / DEPTH_ASK), as
   * onBook needs; off by default, when only BBO changes do (detecting them costs ~10% of the
   * book's rate on 1,000 symbols). runStrategy turns them on for a strategy with onBook;
   * `BookView.depthEvents` at any time.
   */
  depthEvents?: boolean;
}

/** Sides as depth() takes them. */
export const Side = { BID: E.BOOK_BID, ASK: E.BOOK_ASK } as const;

/** bookCheck() results by number (0: consistent). */
export const CHECK_NAMES: Record<number, string> = {
  [E.CHECK_OK]: "ok", [E.CHECK_NO_BOOK]: "noBook", [E.CHECK_LIST_LINKS]: "listLinks", [E.CHECK_LIST_ORDER]: "listOrder",
  [E.CHECK_LEVEL_HASH]: "levelHash", [E.CHECK_LEVEL_COUNT]: "levelCount", [E.CHECK_ORDER_HASH]: "orderHash",
  [E.CHECK_ORDER_LEVEL]: "orderLevel", [E.CHECK_ORDER_SUMS]: "orderSums", [E.CHECK_FREE_LISTS]: "freeLists",
  [E.CHECK_HASH_COUNT]: "hashCount", [E.CHECK_PUBLISHED]: "published",
};

/** The published best bid and offer of an instrument (prices scaled as the feed's, 0: none). */
export class Bbo {
  instrument = 0;
  bidPx = 0;
  bidQty = 0;
  askPx = 0;
  askQty = 0;
  /** Orders at the best bid / offer (ITCH; 0 for price-level feeds). */
  bidOrders = 0;
  askOrders = 0;
  /** Price levels on each side. */
  bidLevels = 0;
  askLevels = 0;
  /** BBO_REGISTERED (ITCH directory seen), BBO_PENDING (IEX DEEP event in progress), BBO_QUOTED (TOPS). */
  flags = 0;
}

/** What a book event says changed (BookEventView.flags). */
export const BookChange = { BBO: E.EV_BBO, DEPTH_BID: E.EV_DEPTH_BID, DEPTH_ASK: E.EV_DEPTH_ASK } as const;

/** The best levels of one side: entries 0 .. count - 1 of the arrays (views into wasm memory). */
export interface Depth {
  count: number;
  /** Prices in the feed's units (exact up to 2^53). */
  readonly price: Float64Array;
  readonly shares: Float64Array;
  readonly orders: Uint32Array;
}

export interface BookCounters {
  /** Messages that changed the book. */
  updates: number;
  /** Messages that changed the published BBO. */
  bboChanges: number;
  /** Messages that changed a level among the best depthWatch of its side, while depthEvents is on. */
  depthChanges: number;
  unknownOrder: number;
  ordersFull: number;
  levelsFull: number;
  duplicateOrder: number;
  badInstrument: number;
  oversized: number;
  invalid: number;
  /** Executions, cancels, deletes and replaces whose stock locate is not their order's (applied to the order). */
  wrongLocate: number;
  eventsLost: number;
  /** Adds kept in the order table's hash because their reference lay outside the paged window (older, or far above the feed's newest: out of order or hostile). */
  ordersOffWindow: number;
  /** Orders moved from the order pages to the hash as the window moved up. */
  ordersEvicted: number;
  /** Times the order pages were paused because most of their orders outlived the window. */
  orderPagesPaused: number;
}

/** Where the order table keeps its orders now, and the memory that takes (assembly/book/orders.ts). */
export interface OrderTableUse {
  /** Order pages in the window (each ORDER_PAGE_REFS references' slots). */
  pages: number;
  /** Orders kept in the hash. */
  hashed: number;
  /** Entries of the hash in use (a power of two, at least twice `hashed`). */
  hashEntries: number;
  /** Bytes of the pages and hash entries in use. */
  bytes: number;
}

const TWO32 = 4294967296;

/** The BBO a module's bookBbo (or mdpBookBbo) wrote at BK_BBO (ctl: the book's control words), into `out`. */
export function readBbo(c: Uint32Array, instrument: number, out: Bbo): Bbo {
  const w = L.BK_BBO / 4;
  out.instrument = instrument;
  out.bidPx = c[w + E.BBO_BID_PX / 4] + (c[w + E.BBO_BID_PX / 4 + 1] | 0) * TWO32;
  out.askPx = c[w + E.BBO_ASK_PX / 4] + (c[w + E.BBO_ASK_PX / 4 + 1] | 0) * TWO32;
  out.bidQty = c[w + E.BBO_BID_QTY / 4] + c[w + E.BBO_BID_QTY / 4 + 1] * TWO32;
  out.askQty = c[w + E.BBO_ASK_QTY / 4] + c[w + E.BBO_ASK_QTY / 4 + 1] * TWO32;
  out.bidOrders = c[w + E.BBO_BID_ORDERS / 4];
  out.askOrders = c[w + E.BBO_ASK_ORDERS / 4];
  out.bidLevels = c[w + E.BBO_BID_LEVELS / 4];
  out.askLevels = c[w + E.BBO_ASK_LEVELS / 4];
  out.flags = c[w + E.BBO_FLAGS / 4];
  return out;
}

/** Flyweight over the book events of the current batch: events.at(k). */
export class BookEventView {
  readonly #u32: Uint32Array;
  readonly #base: number;
  #at: number;

  constructor(memory: WasmMemory, base: number) {
    this.#u32 = new Uint32Array(memory.buffer);
    this.#base = base;
    this.#at = base;
  }

  at(k: number): this {
    this.#at = this.#base + k * E.BOOK_EVENT_SIZE;
    return this;
  }

  #w(off: number): number {
    return this.#u32[(this.#at + off) >>> 2];
  }

  // 64-bit getters spell out their read (as TickView's do): small enough to be inlined anywhere.

  /** The record (tick) of the message that made the change. */
  get recordIndex(): number { return this.#w(E.BE_RECORD); }
  get instrument(): number { return this.#w(E.BE_INSTRUMENT); }
  /** BookChange bits: BBO, DEPTH_BID, DEPTH_ASK. */
  get flags(): number { return this.#w(E.BE_FLAGS); }
  /** The published BBO after the message (changed or not: see flags). */
  get bidPx(): number { const w = (this.#at + E.BE_BID_PX) >>> 2; return this.#u32[w] + (this.#u32[w + 1] | 0) * TWO32; }
  get askPx(): number { const w = (this.#at + E.BE_ASK_PX) >>> 2; return this.#u32[w] + (this.#u32[w + 1] | 0) * TWO32; }
  get bidQty(): number { const w = (this.#at + E.BE_BID_QTY) >>> 2; return this.#u32[w] + (this.#u32[w + 1] | 0) * TWO32; }
  get askQty(): number { const w = (this.#at + E.BE_ASK_QTY) >>> 2; return this.#u32[w] + (this.#u32[w + 1] | 0) * TWO32; }

  copy(): { recordIndex: number; instrument: number; flags: number; bidPx: number; bidQty: number; askPx: number; askQty: number } {
    return { recordIndex: this.recordIndex, instrument: this.instrument, flags: this.flags, bidPx: this.bidPx, bidQty: this.bidQty, askPx: this.askPx, askQty: this.askQty };
  }
}

export class BookView {
  readonly memory: WasmMemory;
  readonly x: BookExports;
  /** Flyweight over the events of the current batch (0 .. eventCount() - 1). */
  readonly events: BookEventView;
  /** Wasm address and size of the book's memory. */
  readonly base: number;
  readonly bytes: number;
  readonly capacities: Readonly<Required<Omit<BookCapacities, "depthEvents">>>;
  readonly #bbo = new Bbo();
  readonly #depth: Depth;
  readonly #ctl: Uint32Array;
  readonly #ps: Uint32Array;

  constructor(memory: WasmMemory, x: BookExports) {
    this.memory = memory;
    this.x = x;
    this.#ctl = new Uint32Array(memory.buffer, L.BOOK_CTL_BASE, L.BOOK_CTL_SIZE / 4);
    this.#ps = new Uint32Array(memory.buffer, L.PSTATS_BASE, L.PSTATS_SIZE / 4);
    this.base = this.#ctl[L.BK_BASE / 4];
    if (this.base === 0) throw new XdpError("ECONFIG", "no order book in this memory: call enableBook() first");
    this.bytes = this.#ctl[L.BK_BYTES / 4];
    this.capacities = {
      maxOrders: this.#ctl[L.BK_MAX_ORDERS / 4], maxLevels: this.#ctl[L.BK_MAX_LEVELS / 4],
      maxInstruments: this.#ctl[L.BK_MAX_INSTRUMENTS / 4], depthWatch: this.#ctl[L.BK_DEPTH_N / 4],
    };
    this.events = new BookEventView(memory, this.#ctl[L.BK_EVENTS / 4]);
    const buf = memory.buffer;
    this.#depth = {
      count: 0,
      price: new Float64Array(buf, L.BOOK_DEPTH_BASE + L.BOOK_DEPTH_PRICES, L.BOOK_DEPTH_MAX),
      shares: new Float64Array(buf, L.BOOK_DEPTH_BASE + L.BOOK_DEPTH_SHARES, L.BOOK_DEPTH_MAX),
      orders: new Uint32Array(buf, L.BOOK_DEPTH_BASE + L.BOOK_DEPTH_ORDERS, L.BOOK_DEPTH_MAX),
    };
  }

  /** Whether the parser updates the book (off: decoding only, at the cost of one load per message). */
  get enabled(): boolean {
    return this.x.bookEnabled() !== 0;
  }

  set enabled(on: boolean) {
    this.x.bookEnable(on ? 1 : 0);
  }

  /** Whether depth changes write book events too (BookCapacities.depthEvents). */
  get depthEvents(): boolean {
    return this.#ctl[L.BK_DEPTH_EVENTS / 4] !== 0;
  }

  set depthEvents(on: boolean) {
    this.x.bookDepthEvents(on ? 1 : 0);
  }

  /**
   * The published BBO of an instrument, in a reusable object (the same one every call unless
   * `out` is given); all zero for an instrument outside the book.
   */
  bbo(instrument: number, out: Bbo = this.#bbo): Bbo {
    this.x.bookBbo(instrument);
    return readBbo(this.#ctl, instrument, out);
  }

  /**
   * The best n levels (at most BOOK_DEPTH_MAX) of one side (Side.BID, Side.ASK), best first, as
   * views valid until the next depth() call.
   */
  depth(instrument: number, side: number, n: number): Depth {
    this.#depth.count = this.x.bookDepth(instrument, side, Math.min(n, L.BOOK_DEPTH_MAX));
    return this.#depth;
  }

  orderCount(): number {
    return this.x.bookOrderCount();
  }

  levelCount(): number {
    return this.x.bookLevelCount();
  }

  /** Book events of the current batch (reset whenever the records are). */
  eventCount(): number {
    return this.#ps[L.PS_BOOK_EVENTS / 4];
  }

  /**
   * Walks the first `records` records of the batch and its book events in message order:
   * onRecord(i) for each record, then onEvent(event) for the change that message made, if any.
   */
  forEach(records: number, onRecord: (i: number) => void, onEvent: (ev: BookEventView) => void): void {
    const n = this.eventCount();
    const ev = this.events;
    let k = 0;
    let next = n > 0 ? ev.at(0).recordIndex : Infinity;
    for (let i = 0; i < records; i++) {
      onRecord(i);
      while (next <= i) {
        onEvent(ev.at(k));
        k++;
        next = k < n ? ev.at(k).recordIndex : Infinity;
      }
    }
  }

  /** Calls onEvent for each book event of the batch, in order. */
  forEachEvent(onEvent: (ev: BookEventView) => void): void {
    const n = this.eventCount();
    for (let k = 0; k < n; k++) onEvent(this.events.at(k));
  }

  #u64(off: number): number {
    const w = off / 4;
    return this.#ps[w] + this.#ps[w + 1] * TWO32;
  }

  /** The book's counters (PS_BOOK_*; zeroed with the parser's). */
  counters(): BookCounters {
    return {
      updates: this.#u64(L.PS_BOOK_UPDATES), bboChanges: this.#u64(L.PS_BOOK_BBO_CHANGES),
      depthChanges: this.#u64(L.PS_BOOK_DEPTH_CHANGES), unknownOrder: this.#u64(L.PS_BOOK_UNKNOWN_ORDER),
      ordersFull: this.#u64(L.PS_BOOK_ORDERS_FULL), levelsFull: this.#u64(L.PS_BOOK_LEVELS_FULL),
      duplicateOrder: this.#u64(L.PS_BOOK_DUPLICATE_ORDER), badInstrument: this.#u64(L.PS_BOOK_BAD_INSTRUMENT),
      oversized: this.#u64(L.PS_BOOK_OVERSIZED), invalid: this.#u64(L.PS_BOOK_INVALID),
      wrongLocate: this.#u64(L.PS_BOOK_WRONG_LOCATE), eventsLost: this.#u64(L.PS_BOOK_EVENTS_LOST),
      ordersOffWindow: this.#u64(L.PS_BOOK_ORDERS_OFF_WINDOW), ordersEvicted: this.#u64(L.PS_BOOK_ORDERS_EVICTED),
      orderPagesPaused: this.#u64(L.PS_BOOK_ORDER_PAGES_PAUSED),
    };
  }

  /** The order table's pages and hash in use, and their bytes. */
  orderTable(): OrderTableUse {
    const c = this.#ctl;
    const pages = c[L.BK_PAGE_LIVE / 4];
    const hashEntries = c[L.BK_ORDER_MASK / 4] + 1;
    return { pages, hashed: c[L.BK_ORDER_HASHED / 4], hashEntries, bytes: pages * L.ORDER_PAGE_BYTES + hashEntries * L.HASH_ORDER };
  }

  /** Walks the whole book in wasm and returns the first broken invariant's name, or "ok". O(book). */
  check(): string {
    // An MDP 3.0 module checks its own part too (the levels, then its books and orders).
    const mdp = (this.x as { mdpBookCheck?: () => number }).mdpBookCheck;
    const r = typeof mdp === "function" ? mdp() : this.x.bookCheck();
    return CHECK_NAMES[r] ?? `check ${r}`;
  }

  /** Empties the book (capacities kept). */
  reset(): void {
    this.x.bookReset();
  }
}

interface MdpParts {
  mdpBookSize(maxOrders: number): number;
  mdpBookInit(base: number, maxOrders: number): number;
}

// Bytes of the MDP3 part (assembly/book/mdp3.ts mdpBookSize, which needs bookInit done first):
// SecurityID hash, touched list, slot table, order table, each 64-byte aligned.
function mdpBytes(instruments: number, orders: number): number {
  const pow2 = (n: number) => {
    let p = 64;
    while (p < n * 2) p *= 2;
    return p;
  };
  const a = (n: number) => Math.ceil(n / 64) * 64;
  return a(pow2(instruments) * 8) + a(1024 * 4) + a(instruments * 1024) + a(pow2(orders) * 32);
}

function bookExports(x: unknown): BookExports {
  const b = x as BookExports;
  if (typeof b.bookInit !== "function") throw new XdpError("ECONFIG", "this feed module keeps no order book (rebuild it: npm run build:wasm)");
  return b;
}

function positive(name: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${name} must be an integer in 0..${max}, got ${v}`);
  return v;
}

/**
 * Lays a book out at `base` (64-byte aligned, in the dynamic part of the memory, nothing else
 * there), growing the memory as needed, and turns it on. For memories laid out by hand (e.g. a
 * socket's, base after its UMEM); parsers use enableBook().
 */
export function attachBook(memory: WasmMemory, exports: unknown, base: number, capacities: BookCapacities = {}, iex = false): BookView {
  const x = bookExports(exports);
  // A CME MDP 3.0 module (src/book/mdp3.ts) keeps its orders in its own part, laid out after the
  // shared book for maxInstruments instrument slots.
  const mdp = typeof (x as { mdpBookInit?: unknown }).mdpBookInit === "function" ? (x as unknown as MdpParts) : null;
  const mdpOrders = mdp ? positive("maxOrders", capacities.maxOrders ?? 1 << 18, 0x4000000) : 0;
  const maxOrders = mdp ? 0 : positive("maxOrders", capacities.maxOrders ?? (iex ? 0 : 1 << 20), 0x8000000);
  const maxLevels = positive("maxLevels", capacities.maxLevels ?? 1 << 18, 0x8000000);
  const maxInstruments = positive("maxInstruments", capacities.maxInstruments ?? (iex || mdp ? 16384 : L.BOOK_MAX_INSTRUMENTS), L.BOOK_MAX_INSTRUMENTS);
  if (maxInstruments === 0) throw new RangeError("maxInstruments must be at least 1");
  const depthWatch = positive("depthWatch", capacities.depthWatch ?? 5, L.BOOK_DEPTH_MAX);
  if (base % 64 !== 0 || base < L.DYNAMIC_BASE) throw new RangeError(`book base ${base} must be 64-byte aligned and >= DYNAMIC_BASE`);
  const bytes = x.bookSize(maxOrders, maxLevels, maxInstruments);
  const mdpBase = base + Math.ceil(bytes / 64) * 64;
  // The MDP3 part's size depends on the instruments bookInit sets: the same formula, from here.
  const end = mdp ? mdpBase + mdpBytes(maxInstruments, mdpOrders) : base + bytes;
  if (end > 65536 * L.WASM_PAGE) throw new XdpError("ECONFIG", `an order book of ${bytes} bytes at ${base} does not fit in 4 GiB of memory`);
  const have = memory.buffer.byteLength;
  if (end > have) {
    try {
      memory.grow(Math.ceil((end - have) / L.WASM_PAGE));
    } catch (e) {
      throw new XdpError("ECONFIG", `cannot grow the memory to ${end} bytes for the order book: ${(e as Error).message}`);
    }
  }
  x.bookEnable(0);
  x.bookSetDepthWatch(depthWatch);
  x.bookDepthEvents(capacities.depthEvents ? 1 : 0);
  if (x.bookInit(base, maxOrders, maxLevels, maxInstruments) !== 1) {
    throw new XdpError("ECONFIG", `the feed module refused the order book at ${base} (${bytes} bytes)`);
  }
  if (mdp && (mdp.mdpBookSize(mdpOrders) !== end - mdpBase || mdp.mdpBookInit(mdpBase, mdpOrders) !== 1)) {
    throw new XdpError("ECONFIG", `the feed module refused the MDP 3.0 book at ${mdpBase} (rebuild it: npm run build:wasm)`);
  }
  x.bookEnable(1);
  return new BookView(memory, x);
}

/**
 * Gives a parser an order book (replacing any it had, emptied) and turns it on: from now on
 * every message it parses updates the book. The book goes after the parser's input region
 * (parser.bookBase), whatever its size; the memory grows by the book's size.
 */
export function enableBook(parser: FeedParser, capacities: BookCapacities = {}): BookView {
  return attachBook(parser.memory, parser.x, parser.bookBase, capacities, parser.feed.framing === "iextp");
}
