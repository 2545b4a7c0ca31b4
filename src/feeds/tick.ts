// Flyweight views over the tick records (layout: assembly/records.ts). One view object is moved
// over the records with at(i): its getters read the shared memory in place, and u64 fields are
// read as two u32 halves, so reading a tick allocates nothing. The *Big getters give exact
// bigint values (they allocate) for fields that can exceed 2^53.

import * as R from "../../assembly/records.js";
import * as L from "../../assembly/layout.js";
import type { WasmMemory } from "../../bridge/wasm.js";

export const TickKind = {
  OTHER: R.TICK_OTHER, ADD: R.TICK_ADD, MODIFY: R.TICK_MODIFY, CANCEL: R.TICK_CANCEL,
  DELETE: R.TICK_DELETE, EXECUTE: R.TICK_EXECUTE, TRADE: R.TICK_TRADE, QUOTE: R.TICK_QUOTE,
  LEVEL: R.TICK_LEVEL, STATUS: R.TICK_STATUS, SYSTEM: R.TICK_SYSTEM, DIRECTORY: R.TICK_DIRECTORY,
  BROKEN: R.TICK_BROKEN, IMBALANCE: R.TICK_IMBALANCE,
} as const;

export const TICK_KIND_NAMES: string[] = Object.entries(TickKind).sort((a, b) => a[1] - b[1]).map(([k]) => k.toLowerCase());

const TWO32 = 4294967296;

export class TickView {
  readonly #u32: Uint32Array;
  readonly #u8: Uint8Array;
  readonly #dv: DataView;
  /** Byte address of the current record, and of its NIC timestamp. */
  #at = L.RECORDS_BASE;
  #hw = L.HWTS_BASE;

  /** The memory the records (and the parser's counters) live in. */
  readonly memory: WasmMemory;

  constructor(memory: WasmMemory) {
    this.memory = memory;
    this.#u32 = new Uint32Array(memory.buffer);
    this.#u8 = new Uint8Array(memory.buffer);
    this.#dv = new DataView(memory.buffer);
  }

  /** Moves the view to record i of the current batch. */
  at(i: number): this {
    this.#at = L.RECORDS_BASE + i * R.RECORD_SIZE;
    this.#hw = L.HWTS_BASE + i * 8;
    return this;
  }

  // The 64-bit getters below spell out their two-halves read instead of calling a helper: a
  // getter is then one small function, inlined into whatever calls it even when that caller
  // (the dispatch loop with a strategy's handlers inlined) has spent V8's inlining budget; a
  // helper left uninlined returns its double boxed, a heap number per read.

  get seq(): number { const w = (this.#at + R.R_SEQ) >>> 2; return this.#u32[w] + this.#u32[w + 1] * TWO32; }
  get exchangeTs(): number { const w = (this.#at + R.R_EXCHANGE_TS) >>> 2; return this.#u32[w] + this.#u32[w + 1] * TWO32; }
  get exchangeTsBig(): bigint { return this.#dv.getBigUint64(this.#at + R.R_EXCHANGE_TS, true); }
  /**
   * Receive time, wall-clock ns: live, the XDP program's stamp at the driver hook (or, for a frame
   * that came without it, the time of the poll that took it); from files, the capture's time.
   * A double: exact to 256 ns; receiveTsBig is exact.
   */
  get receiveTs(): number { const w = (this.#at + R.R_RECEIVE_TS) >>> 2; return this.#u32[w] + this.#u32[w + 1] * TWO32; }
  get receiveTsBig(): bigint { return this.#dv.getBigUint64(this.#at + R.R_RECEIVE_TS, true); }
  /**
   * The NIC's own receive timestamp (ns, in the NIC's clock: its PTP hardware clock, not
   * necessarily the host's), where the driver gives one to a device-bound XDP program; 0 when
   * none. Kept beside the record (HWTS_BASE), not in it.
   */
  get hwReceiveTs(): number {
    const w = this.#hw >>> 2;
    return this.#u32[w] + this.#u32[w + 1] * TWO32;
  }
  get orderId(): number { const w = (this.#at + R.R_ORDER_ID) >>> 2; return this.#u32[w] + this.#u32[w + 1] * TWO32; }
  get orderIdBig(): bigint { return this.#dv.getBigUint64(this.#at + R.R_ORDER_ID, true); }
  get matchId(): number { const w = (this.#at + R.R_MATCH_ID) >>> 2; return this.#u32[w] + this.#u32[w + 1] * TWO32; }
  get refOrderId(): number { const w = (this.#at + R.R_REF_ORDER_ID) >>> 2; return this.#u32[w] + this.#u32[w + 1] * TWO32; }
  /** Price as an integer: the real price is price / 10^priceScale. */
  get price(): number { const w = (this.#at + R.R_PRICE) >>> 2; return this.#u32[w] + (this.#u32[w + 1] | 0) * TWO32; }
  get quantity(): number { const w = (this.#at + R.R_QUANTITY) >>> 2; return this.#u32[w] + this.#u32[w + 1] * TWO32; }
  get price2(): number { const w = (this.#at + R.R_PRICE2) >>> 2; return this.#u32[w] + (this.#u32[w + 1] | 0) * TWO32; }
  get quantity2(): number { const w = (this.#at + R.R_QUANTITY2) >>> 2; return this.#u32[w] + this.#u32[w + 1] * TWO32; }
  get instrument(): number { return this.#u32[(this.#at + R.R_INSTRUMENT) >>> 2]; }
  get msgOffset(): number { return this.#u32[(this.#at + R.R_MSG_OFFSET) >>> 2]; }
  get msgLength(): number { return this.#u8[this.#at + R.R_MSG_LENGTH] | (this.#u8[this.#at + R.R_MSG_LENGTH + 1] << 8); }
  get kind(): number { return this.#u8[this.#at + R.R_KIND]; }
  get kindName(): string { return TICK_KIND_NAMES[this.kind]; }
  /** Side as its character code ('B' 66, 'S' 83), 0 when none. */
  get side(): number { return this.#u8[this.#at + R.R_SIDE]; }
  get msgType(): number { return this.#u8[this.#at + R.R_MSG_TYPE]; }
  get priceScale(): number { return this.#u8[this.#at + R.R_PRICE_SCALE]; }
  get flags(): number { return this.#u8[this.#at + R.R_FLAGS]; }
  get status(): number { return this.#u8[this.#at + R.R_STATUS]; }

  /** A plain object with the tick's fields, for keeping past the batch. */
  copy(): Record<string, number | string> {
    return {
      kind: this.kindName, seq: this.seq, exchangeTs: this.exchangeTs, receiveTs: this.receiveTs, hwReceiveTs: this.hwReceiveTs,
      instrument: this.instrument, side: this.side ? String.fromCharCode(this.side) : "", price: this.price,
      priceScale: this.priceScale, quantity: this.quantity, price2: this.price2, quantity2: this.quantity2,
      orderId: this.orderId, refOrderId: this.refOrderId, matchId: this.matchId,
      msgType: String.fromCharCode(this.msgType), flags: this.flags, status: this.status,
    };
  }
}
