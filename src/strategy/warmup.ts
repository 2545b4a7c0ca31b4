// Warm-up: before a live run reports ready, the same code the first packets will take runs over
// synthetic traffic, so that V8 has compiled it (the wasm parser tiered up, the receive loop,
// the views and the dispatch optimized with feedback from records) before the wire needs it.
// Otherwise the first live packets deoptimize a loop V8 optimized while it only spun on an empty
// ring, and wait while it is compiled again.
//
// The traffic is parsed in a scratch region: a FeedParser of its own memory, on the very compiled
// module the live source runs (one WebAssembly.Module per file: the code is shared, its state is
// not), with an order book when the live source keeps one. Nothing touches the live source, its
// ring or its counters. The records go through runStrategy's own loop (the same function, so its
// record branch is warm too) and a Dispatcher. Whose handlers: by default no-ops standing in for
// the strategy's (the strategy never sees a synthetic tick); with `strategy: true` the strategy's
// own, with `ctx.warmup` true, for strategies whose code should be warm too and that can tell a
// synthetic tick by it.

import { FeedParser } from "../feeds/parser.js";
import type { Feed } from "../feeds/feeds.js";
import { syntheticPayloads } from "../feeds/encode.js";
import { enableBook, type BookView } from "../book/book.js";
import { bookHook } from "./book-hook.js";
import type { Strategy, BookHook } from "./strategy.js";

export interface WarmupOptions {
  /** Synthetic messages to run through (default 20,000; 0 turns warm-up off). */
  messages?: number;
  /** Call the strategy's own handlers (with ctx.warmup true) instead of no-op stand-ins. */
  strategy?: boolean;
}

export const WARMUP_MESSAGES = 20_000;

/** What a warm-up did: reported by runStrategy (RunResult.warmup). */
export interface WarmupReport {
  messages: number;
  records: number;
  ms: number;
}

/** Handlers that do nothing, one for each handler the strategy has (onStart, onLive and onStop excepted). */
export function standIn(s: Strategy): Strategy {
  const out: Record<string, () => void> = {};
  for (const k of Object.keys(s) as Array<keyof Strategy>) {
    if (k !== "onStart" && k !== "onLive" && k !== "onStop" && typeof s[k] === "function") out[k] = () => {};
  }
  return out as Strategy;
}

/** UDP payloads of synthetic traffic for a feed: a generated ITCH session, or schema-built IEX. */
export function warmupPayloads(feed: Feed, messages: number): Generator<Uint8Array> {
  return syntheticPayloads(feed, messages, 7);
}

/** A poll source over synthetic payloads parsed in a scratch region: 16 payloads a poll. */
export class WarmupSource {
  readonly parser: FeedParser;
  readonly book: BookView | undefined;
  readonly hook: BookHook | undefined;
  readonly #payloads: Uint8Array[];
  #next = 0;
  #n = 0;
  readonly #onRecords = (n: number): void => {
    this.#n += n;
  };

  constructor(feed: Feed, withBook: boolean, messages: number, debug = false) {
    this.parser = new FeedParser(feed, { debug });
    this.book = withBook ? enableBook(this.parser, {}) : undefined;
    this.hook = this.book ? bookHook(this.book) : undefined;
    this.#payloads = [...warmupPayloads(feed, messages)];
  }

  get ticks() {
    return this.parser.ticks;
  }

  get message() {
    return this.parser.message;
  }

  poll(): number {
    if (this.#next >= this.#payloads.length) return 0;
    const end = Math.min(this.#next + 16, this.#payloads.length);
    const data = this.#payloads.slice(this.#next, end);
    const lengths = data.map((d) => d.length);
    const offsets: number[] = [];
    let at = 0;
    for (const l of lengths) {
      offsets.push(at);
      at += l;
    }
    const buf = new Uint8Array(at);
    data.forEach((d, i) => buf.set(d, offsets[i]));
    this.#n = 0;
    // One chunk of 16 payloads fits the record region: one callback, the records stay in ticks.
    this.parser.parse({ data: buf, count: data.length, offsets, lengths }, "payloads", this.#onRecords);
    this.#next = end;
    return this.#n;
  }

  /** Nothing to wait for: the traffic is all there (the interrupt branch of the loop, warmed). */
  wait(): boolean {
    return false;
  }

  get done(): boolean {
    return this.#next >= this.#payloads.length;
  }

  summary() {
    return this.parser.summary();
  }
}
