// A FeedSource whose gaps are filled from a MoldUDP64 retransmission server (./retransmitter.ts):
// openFeed's `retransmit` option wraps either path (AF_XDP or kernel sockets) in it. A poll
// first lets the retransmitter take answers, send requests and give gaps up when there is a gap
// (their records come out of that poll), and otherwise polls the feed as usual.

import type { FeedSource } from "../feeds/open.js";
import { WrappedSource } from "../feeds/wrapped-source.js";
import type { ParserSummary } from "../feeds/summary.js";
import type { WasmMemory } from "../../bridge/wasm.js";
import { Retransmitter, type RetransmitOptions, type RecoveryExports, type RecoveryStats } from "./retransmitter.js";

/** While a gap is open, the longest a wait blocks: answers and timeouts are looked at this often. */
const RECOVERY_WAIT_MS = 1;

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
    return this.inner.poll(r.livePoll(max));
  }

  /** Releases what is held, except while a gap waits for its retransmission (the retransmitter gives it up in time). */
  override flush(): number {
    return this.retransmitter.waiting() ? 0 : this.inner.flush();
  }

  override wait(timeoutMs: number): boolean {
    return this.inner.wait(this.retransmitter.due() ? Math.min(timeoutMs, RECOVERY_WAIT_MS) : timeoutMs);
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
