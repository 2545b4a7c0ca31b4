// A late start: the book built from a GLIMPSE snapshot, then the live feed applied from the
// snapshot's sequence on. openFeed's `snapshot` option wraps the source in a LateStartSource:
//
// 1. From the start the parser holds every live packet (HOLD_ALL, assembly/parse/arbiter.ts)
//    instead of parsing it, and a timer keeps taking what arrives off the ring or the sockets
//    into the hold while the snapshot loads.
// 2. The snapshot's messages go through the same compiled parser (bare messages: no session, no
//    sequence state), which builds the book.
// 3. Once loaded, a session first seen starts at the snapshot's sequence + 1 (PS_START_SEQ), and
//    the first poll releases what was held in sequence order: messages the snapshot already holds
//    are dropped as duplicates, the rest applied; a gap after the snapshot is a gap like any other
//    (filled when retransmission is on).
//
// `ready` resolves when the snapshot is loaded (poll() returns nothing before); the runner tells
// the strategy (onLive) when it starts on a source that came live this way.

import * as L from "../../assembly/layout.js";
import type { FeedSource } from "../feeds/open.js";
import { WrappedSource } from "../feeds/wrapped-source.js";
import type { InputChunk } from "../feeds/parser.js";
import type { WasmMemory } from "../../bridge/wasm.js";
import { loadSnapshot, type SnapshotServer, type SnapshotResult } from "./load.js";

/** The parser exports a late start uses (assembly/parse/feed-abi.ts). */
export interface LateStartExports {
  clearRecords(): void;
  recordCount(): number;
  parseMessages(first: number, n: number, firstSeq: bigint, perEntry: number): number;
  holdRelease(): void;
  rxRecycle?(): void;
}

/** How often live packets are taken into the hold while the snapshot loads. */
const PUMP_MS = 1;

export class LateStartSource extends WrappedSource {
  /** Resolves once the snapshot is loaded (the book built); rejects with the load's error. */
  readonly ready: Promise<SnapshotResult>;
  /** The loaded snapshot: its End of Snapshot sequence and message count. */
  snapshot: SnapshotResult | undefined;
  readonly #x: LateStartExports;
  readonly #u8: Uint8Array;
  readonly #ps32: Uint32Array;
  readonly #ps64: BigUint64Array;
  readonly #table: Uint32Array;
  #held = true;
  #pump: NodeJS.Timeout | undefined;
  #snapshotSeq = 1n;

  constructor(inner: FeedSource, memory: WasmMemory, x: LateStartExports, server: SnapshotServer) {
    super(inner, `started from a snapshot at ${server.host}:${server.port}`);
    this.#x = x;
    const buf = memory.buffer;
    this.#u8 = new Uint8Array(buf);
    this.#ps32 = new Uint32Array(buf, L.PSTATS_BASE, L.PSTATS_SIZE / 4);
    this.#ps64 = new BigUint64Array(buf, L.PSTATS_BASE, L.PSTATS_SIZE / 8);
    this.#table = new Uint32Array(buf, L.BATCH_BASE, L.BATCH_MAX * 2);
    this.#ps32[L.PS_HOLD_FLAGS / 4] |= L.HOLD_ALL;
    this.#pump = setInterval(() => {
      if (!this.closed) inner.poll(64);
    }, PUMP_MS);
    this.ready = loadSnapshot(server, (chunk) => this.#parse(chunk)).then((r) => {
      this.snapshot = r;
      // Live messages up to the snapshot's are in it: a session first seen starts after them.
      this.#ps64[L.PS_START_SEQ / 8] = r.sequence + 1n;
      return r;
    }).finally(() => {
      clearInterval(this.#pump);
      this.#pump = undefined;
    });
    // A failed load is the caller's to see through `ready`; nothing else waits on it.
    this.ready.catch(() => {});
  }

  // Snapshot messages into the parser (and its book), through the ANSWERS region, which nothing
  // else uses while the feed is held.
  #parse(chunk: InputChunk): void {
    this.#x.rxRecycle?.();
    let k = 0;
    let at = 0;
    const run = () => {
      if (k === 0) return;
      this.#x.clearRecords();
      this.#x.parseMessages(0, k, this.#snapshotSeq, 0);
      this.#snapshotSeq += BigInt(k);
      k = 0;
      at = 0;
    };
    for (let i = 0; i < chunk.count; i++) {
      const len = chunk.lengths[i];
      if (k === L.BATCH_MAX || at + len > L.ANSWERS_SIZE) run();
      const o = chunk.offsets[i];
      this.#u8.set(chunk.data.subarray(o, o + len), L.ANSWERS_BASE + at);
      this.#table[k * 2] = L.ANSWERS_BASE + at;
      this.#table[k * 2 + 1] = len;
      at += len;
      k++;
    }
    run();
  }

  poll(max?: number): number {
    if (this.closed || this.snapshot === undefined) return 0;
    if (this.#held) {
      // What came while the snapshot loaded, released in sequence order from the snapshot's on.
      this.#held = false;
      this.#x.rxRecycle?.();
      this.#x.clearRecords();
      this.#x.holdRelease();
      const n = this.#x.recordCount();
      if (n > 0) return n;
    }
    return this.inner.poll(max);
  }

  override flush(): number {
    return this.snapshot === undefined ? 0 : this.inner.flush();
  }

  override close(): void {
    if (this.closed) return;
    if (this.#pump) clearInterval(this.#pump);
    super.close();
  }
}
