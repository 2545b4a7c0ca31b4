// A source over recorded input (a NASDAQ ITCH file's chunks, a capture's batches, buffers):
// each drive() parses the next chunk with the compiled parser and hands every run of records to
// the strategy loop, so a strategy runs over a file exactly as it runs live (backtests, tests).

import { FeedParser, type InputChunk, type EntryKind } from "../feeds/parser.js";
import type { Feed } from "../feeds/feeds.js";
import type { ParserSummary } from "../feeds/summary.js";
import type { RunnableSource } from "./runner.js";
import { enableBook, type BookView, type BookCapacities } from "../book/book.js";

export class ReplaySource implements RunnableSource {
  readonly parser: FeedParser;
  readonly #chunks: Iterator<InputChunk> | AsyncIterator<InputChunk>;
  readonly #kind: EntryKind;
  #seq = 1;

  /** The order book, when opts.book asked for one (pass bookHook(source.book) to runStrategy). */
  readonly book: BookView | undefined;

  constructor(feed: Feed, chunks: Iterable<InputChunk>, kind: EntryKind, opts: { lines?: [number, number]; port?: number; book?: BookCapacities | true } = {}) {
    this.parser = new FeedParser(feed, opts);
    this.book = opts.book ? enableBook(this.parser, opts.book === true ? {} : opts.book) : undefined;
    this.#chunks = chunks[Symbol.iterator]();
    this.#kind = kind;
  }

  get ticks() {
    return this.parser.ticks;
  }

  get message() {
    return this.parser.message;
  }

  drive(onRecords: (n: number) => void): boolean {
    const next = (this.#chunks as Iterator<InputChunk>).next();
    if (next.done) return false;
    this.parser.parse(next.value, this.#kind, onRecords, this.#seq);
    if (this.#kind === "messages" || this.#kind === "prefixed") this.#seq += next.value.count;
    return true;
  }

  /** Recorded input has no live ring: nothing to poll. */
  poll(): number {
    return 0;
  }

  flush(): number {
    return this.parser.flush(() => {});
  }

  summary(): ParserSummary {
    return this.parser.summary();
  }
}
