// A strategy and the loop that feeds it. A strategy is an object with optional handlers; each
// receives the flyweight view, valid only during the call (copy() keeps one). The loop polls a
// feed source (AF_XDP or kernel socket), dispatches every record in feed order, and reports
// sequence gaps and resets as they are counted.

import { TickKind, type TickView } from "../feeds/tick.js";
import type { MessageView } from "../feeds/message.js";
import type { ParserSummary } from "../feeds/summary.js";
import * as L from "../../assembly/layout.js";
import { EV_BBO, EV_DEPTH } from "../../assembly/book/events.js";
import type { Depth } from "../book/book.js";

export interface GapEvent {
  /** Gaps counted since the last report, and the messages they skipped. */
  gaps: number;
  gapMessages: number;
  /** Sequence resets (new session, feed restarted) since the last report. */
  resets: number;
  /** The sequence number expected next, after the gap or reset. */
  nextSeq: number;
}

export interface Context {
  /** The full message of the current tick, read in place (spec field names). */
  readonly message: MessageView;
  /** Records dispatched so far. */
  readonly count: number;
  /** True while the warm-up runs synthetic ticks through the strategy (RunOptions.warmup.strategy). */
  readonly warmup: boolean;
  /** Asks the loop to stop after the current batch. */
  stop(): void;
}

export interface Strategy {
  onStart?(ctx: Context): void;
  /** Every normalized tick. */
  onTick?(t: TickView, ctx: Context): void;
  /** Trades: executions against the book and trade reports. */
  onTrade?(t: TickView, ctx: Context): void;
  /** Order-by-order events: add, modify, cancel, delete, execute. */
  onOrder?(t: TickView, ctx: Context): void;
  /** Trading status, halts, system events. */
  onStatus?(t: TickView, ctx: Context): void;
  /** Quotes (IEX TOPS) and price levels (IEX DEEP) as they arrive. */
  onQuote?(t: TickView, ctx: Context): void;
  /** Best bid/offer changed: called right after the tick that changed it (needs a book, src/book). */
  onBbo?(b: BboEvent, ctx: Context): void;
  /**
   * The best depthWatch levels of a side changed (needs a book). Conflated per batch: called once
   * per instrument, right after the batch's last tick that changed them, so depth() up to
   * depthWatch levels is exactly the book as of that tick; bid/ask say which sides changed
   * anywhere in the batch.
   */
  onBook?(b: BookEvent, ctx: Context): void;
  /** A sequence gap or reset was counted. */
  onGap?(g: GapEvent, ctx: Context): void;
  /**
   * The book became live: the source started late from a snapshot (openFeed's `snapshot`), loaded
   * before the first tick; `sequence` is the last live message the snapshot holds, and the ticks
   * that follow are the live feed's from the next one on.
   */
  onLive?(s: LiveEvent, ctx: Context): void;
  onStop?(ctx: Context): void;
}

/** The BBO after a tick: one object reused for every call (spread it, `{ ...b }`, to keep one). */
export interface LiveEvent {
  /** The End of Snapshot's sequence number (a decimal string above 2^53 - 1). */
  sequence: number | string;
  /** Messages the snapshot held. */
  messages: number;
}

export interface BboEvent {
  instrument: number;
  bidPrice: number;
  bidQuantity: number;
  askPrice: number;
  askQuantity: number;
  priceScale: number;
}

export interface BookEvent {
  instrument: number;
  /** The watched depth of the bid / offer side changed since the last onBook of this instrument. */
  bid: boolean;
  ask: boolean;
  /** The record of the tick after which onBook is called. */
  recordIndex: number;
  /** The best n levels of a side (default: the book's depthWatch), valid until the next call. */
  depth(side: number, n?: number): Depth;
  /** A plain object to keep past the call: the fields and both sides' best depthWatch levels. */
  copy(): BookSnapshot;
}

export interface BookSnapshot {
  instrument: number;
  bid: boolean;
  ask: boolean;
  recordIndex: number;
  bids: Array<{ price: number; shares: number; orders: number }>;
  asks: Array<{ price: number; shares: number; orders: number }>;
}

/** What the loop needs of a feed source (FeedReceiver, KernelFeedReceiver, openFeed()). */
export interface PollSource {
  readonly ticks: TickView;
  readonly message: MessageView;
  poll(max?: number): number;
  summary(): ParserSummary;
}

/** A book's events of the last poll, in record order (src/strategy/book-hook.ts). */
export interface BookHook {
  count(): number;
  /** The record whose message made event k. */
  recordIndex(k: number): number;
  /** Event k's EV_* flags (assembly/book/events.ts). */
  flags(k: number): number;
  /** Event k's BBO, in one reused object. */
  bbo(k: number): BboEvent;
  /** Before depth(): finds each instrument's last depth event of the batch (k < n). */
  conflate(n: number): void;
  /** Event k as a conflated depth change when it is its instrument's last of the batch, else null. */
  depth(k: number): BookEvent | null;
  /** Makes the book write depth events (off by default: they cost book rate). */
  enableDepthEvents(): void;
}

const ORDER_KINDS = new Set<number>([TickKind.ADD, TickKind.MODIFY, TickKind.CANCEL, TickKind.DELETE, TickKind.EXECUTE]);
const TRADE_KINDS = new Set<number>([TickKind.TRADE, TickKind.EXECUTE]);
const STATUS_KINDS = new Set<number>([TickKind.STATUS, TickKind.SYSTEM]);
const QUOTE_KINDS = new Set<number>([TickKind.QUOTE, TickKind.LEVEL]);

/**
 * Dispatches the n records of the last poll to the strategy. Book events, if any, are
 * interleaved after the record that caused them.
 */
export class Dispatcher {
  readonly #s: Strategy;
  readonly #src: PollSource;
  readonly #book: BookHook | undefined;
  readonly #ctx: Context & { count: number };
  #stopped = false;
  #gaps = 0;
  #gapMessages = 0;
  #resets = 0;
  // The parser's counters, read in place after each batch (not summary(): that builds a report).
  readonly #ps: Uint32Array;

  constructor(strategy: Strategy, source: PollSource, book?: BookHook, warmup = false) {
    this.#s = strategy;
    this.#src = source;
    this.#book = book;
    if (book && strategy.onBook) book.enableDepthEvents();
    this.#ps = new Uint32Array(source.ticks.memory.buffer, L.PSTATS_BASE, L.PS_NEXT_SEQ / 4 + 2);
    const self = this;
    this.#ctx = {
      message: source.message,
      count: 0,
      warmup,
      stop() {
        self.#stopped = true;
      },
    };
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  get context(): Context {
    return this.#ctx;
  }

  stop(): void {
    this.#stopped = true;
  }

  /** Dispatches n records; returns how many were dispatched. */
  dispatch(n: number): number {
    const s = this.#s;
    const t = this.#src.ticks;
    const ctx = this.#ctx;
    const book = s.onBbo || s.onBook ? this.#book : undefined;
    const events = book ? book.count() : 0;
    if (s.onBook && events > 0) book!.conflate(events);
    let e = 0;
    let next = events > 0 ? book!.recordIndex(0) : Infinity;
    for (let i = 0; i < n; i++) {
      t.at(i);
      const kind = t.kind;
      if (s.onOrder && ORDER_KINDS.has(kind)) s.onOrder(t, ctx);
      if (s.onTrade && TRADE_KINDS.has(kind)) s.onTrade(t, ctx);
      if (s.onStatus && STATUS_KINDS.has(kind)) s.onStatus(t, ctx);
      if (s.onQuote && QUOTE_KINDS.has(kind)) s.onQuote(t, ctx);
      s.onTick?.(t, ctx);
      ctx.count++;
      while (next <= i) {
        const f = book!.flags(e);
        if (f & EV_BBO && s.onBbo) s.onBbo(book!.bbo(e), ctx);
        if (f & EV_DEPTH && s.onBook) {
          const b = book!.depth(e);
          if (b) s.onBook(b, ctx);
        }
        next = ++e < events ? book!.recordIndex(e) : Infinity;
      }
    }
    this.#checkGaps();
    return n;
  }

  #checkGaps(): void {
    if (!this.#s.onGap) return;
    const gaps = this.#counter(L.PS_GAPS);
    const resets = this.#counter(L.PS_RESETS);
    if (gaps === this.#gaps && resets === this.#resets) return;
    const gapMessages = this.#counter(L.PS_GAP_MESSAGES);
    const g: GapEvent = { gaps: gaps - this.#gaps, gapMessages: gapMessages - this.#gapMessages, resets: resets - this.#resets, nextSeq: this.#counter(L.PS_NEXT_SEQ) };
    this.#gaps = gaps;
    this.#gapMessages = gapMessages;
    this.#resets = resets;
    this.#s.onGap(g, this.#ctx);
  }

  // A u64 counter of PSTATS as a number.
  #counter(off: number): number {
    return this.#ps[off / 4] + this.#ps[off / 4 + 1] * 4294967296;
  }
}
