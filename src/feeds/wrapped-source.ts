// A FeedSource that adds to another (openFeed's retransmit and snapshot options wrap the path that
// receives): whatever it does not change is the inner source's. Subclasses override poll (and
// what else they change) and call super.close() from their own close.

import type { FeedSource } from "./open.js";
import type { ParserSummary } from "./summary.js";

export abstract class WrappedSource implements FeedSource {
  readonly inner: FeedSource;
  readonly feed: FeedSource["feed"];
  readonly mode: FeedSource["mode"];
  readonly modeReason: string;
  readonly ticks: FeedSource["ticks"];
  readonly message: FeedSource["message"];
  readonly timestamps?: FeedSource["timestamps"];
  protected closed = false;

  /** `what` is added to the inner source's modeReason. */
  constructor(inner: FeedSource, what: string) {
    this.inner = inner;
    this.feed = inner.feed;
    this.mode = inner.mode;
    this.modeReason = `${inner.modeReason}; ${what}`;
    this.ticks = inner.ticks;
    this.message = inner.message;
    if (inner.timestamps) this.timestamps = inner.timestamps.bind(inner);
  }

  get book(): FeedSource["book"] {
    return this.inner.book;
  }

  abstract poll(max?: number): number;

  flush(): number {
    return this.inner.flush();
  }

  wait(timeoutMs: number): boolean {
    return this.inner.wait(timeoutMs);
  }

  summary(): ParserSummary {
    return this.inner.summary();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.inner.close();
  }
}

/** The path that receives (AF_XDP or kernel sockets) under any wrapping. */
export function receivingPath(src: FeedSource): FeedSource {
  while (src instanceof WrappedSource) src = src.inner;
  return src;
}
