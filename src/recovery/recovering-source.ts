// A FeedSource whose gaps are filled from a MoldUDP64 retransmission server (./retransmitter.ts):
// openFeed's `retransmit` option wraps either path (AF_XDP or kernel sockets) in it. A poll
// first lets the retransmitter take answers, send requests and give gaps up when there is a gap
// (their records come out of that poll), and otherwise polls the feed as usual: while a gap waits,
// only as many live packets as the hold has room for (Retransmitter.livePoll).

import type { FeedSource } from "../feeds/open.js";
import { WrappedSource } from "../feeds/wrapped-source.js";
import type { ParserSummary } from "../feeds/summary.js";
import type { WasmMemory } from "../../bridge/wasm.js";
import { Retransmitter, type RetransmitOptions, type RecoveryExports, type RecoveryStats } from "./retransmitter.js";

/** While a gap is open, the longest a wait blocks: answers and timeouts are looked at this often. */
const RECOVERY_WAIT_MS = 1;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

export class RecoveringSource extends WrappedSource {
  readonly retransmitter: Retransmitter;

  constructor(inner: FeedSource, memory: WasmMemory, x: RecoveryExports, o: RetransmitOptions) {
    super(inner, `gaps filled from ${o.host}:${o.port}`);
    this.retransmitter = new Retransmitter(memory, x, o);
  }

  poll(max = 64): number {
    if (this.closed) return 0;
    const r = this.retransmitter;
    if (!r.due()) return this.inner.poll(max);
    const now = performance.now();
    const n = r.service(now);
    if (n > 0) return n;
    const live = r.livePoll(max);
    return live > 0 ? this.inner.poll(live) : 0;
  }

  /**
   * Releases what is held, except while a gap waits for its retransmission, requested or not yet
   * (the retransmitter gives it up in time): an idle flush must not declare a gap opened by a
   * packet the poll before held.
   */
  override flush(): number {
    return this.retransmitter.waiting() ? 0 : this.inner.flush();
  }

  override wait(timeoutMs: number): boolean {
    const r = this.retransmitter;
    if (!r.due()) return this.inner.wait(timeoutMs);
    const ms = Math.min(timeoutMs, RECOVERY_WAIT_MS);
    if (r.livePoll(1) > 0) return this.inner.wait(ms);
    // The hold is full: the live feed is not read until the gap is filled, so its readiness is no
    // reason to wake. Sleep the while, then poll to take answers and look at the timeouts.
    Atomics.wait(sleeper, 0, 0, ms);
    return false;
  }

  override summary(): ParserSummary & { recovery: RecoveryStats } {
    return { ...this.inner.summary(), recovery: this.retransmitter.report() };
  }

  override close(): void {
    if (this.closed) return;
    try {
      this.retransmitter.close();
    } finally {
      super.close();
    }
  }
}
