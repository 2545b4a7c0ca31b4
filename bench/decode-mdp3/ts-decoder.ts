// A straightforward TypeScript decoder of CME MDP 3.0 (version 9 templates) for the benchmark's
// baseline: DataView reads (64-bit fields moved as two 32-bit words, no BigInt), one 96-byte tick record (assembly/records.ts) per group entry as the
// generated wasm module writes them (src/sbe/ticks.ts), for the templates of the generated
// streams (46, 47, 48, 37, 51, 52, 30, 54, 56, 4; any other one record). The SBE packet framing
// with packet sequence de-duplication and gaps, each instrument's RptSeq in a Map. Offsets are
// those of the schema (src/feeds/cme_mdp3-schema.ts); bounds are checked as the wasm does.

import * as R from "../../assembly/records.js";

const MAX_RECORDS = 1 << 14;
const I32_NULL = 2147483647;

// An Int32NULL field's value, 0 for null. (Module functions, not closures made per message: the
// TypeScript loader's name-keeping wrapper would cost more than the decoding.)
function q(dv: DataView, o: number): number {
  const v = dv.getInt32(o, true);
  return v === I32_NULL ? 0 : v;
}

// A u64 timestamp's offset, or the packet's SendingTime's when it is 0.
// The tick kind of an order entry's MDUpdateAction (New, Change, Delete).
function orderKind(action: number): number {
  return action === 0 ? R.TICK_ADD : action === 1 ? R.TICK_MODIFY : action === 2 ? R.TICK_DELETE : R.TICK_OTHER;
}

function time(dv: DataView, o: number, sending: number): number {
  return dv.getUint32(o, true) === 0 && dv.getUint32(o + 4, true) === 0 ? sending : o;
}

export class TsMdp3Decoder {
  readonly records = new ArrayBuffer(MAX_RECORDS * R.RECORD_SIZE);
  readonly u32 = new Uint32Array(this.records);
  readonly #u8 = new Uint8Array(this.records);
  count = 0;
  messages = 0;
  packets = 0;
  gaps = 0;
  duplicates = 0;
  rejected = 0;
  rptGaps = 0;
  #next = 0;
  #rpt = new Map<number, number>();

  reset(): void {
    this.count = this.messages = this.packets = this.gaps = this.duplicates = this.rejected = this.rptGaps = 0;
    this.#next = 0;
    this.#rpt.clear();
  }

  // A record from 32-bit words: 64-bit fields as (low, high) pairs read straight from the input,
  // no BigInt (ts and price are the input offsets of their u64 / i64; -1: zero).
  #record(dv: DataView, seq: number, kind: number, ts: number, instrument: number, price: number, qty: number): void {
    const w = this.u32;
    const r = (this.count++ * R.RECORD_SIZE) >>> 2;
    w.fill(0, r, r + (R.RECORD_SIZE >>> 2));
    w[r + (R.R_SEQ >>> 2)] = seq;
    if (ts >= 0) {
      w[r + (R.R_EXCHANGE_TS >>> 2)] = dv.getUint32(ts, true);
      w[r + (R.R_EXCHANGE_TS >>> 2) + 1] = dv.getUint32(ts + 4, true);
    }
    if (price >= 0) {
      const lo = dv.getUint32(price, true);
      const hi = dv.getUint32(price + 4, true);
      // PRICENULL (2^63 - 1) reads as 0.
      if (!(hi === 0x7fffffff && lo === 0xffffffff)) {
        w[r + (R.R_PRICE >>> 2)] = lo;
        w[r + (R.R_PRICE >>> 2) + 1] = hi;
      }
    }
    w[r + (R.R_QUANTITY >>> 2)] = qty;
    w[r + (R.R_QUANTITY >>> 2) + 1] = qty < 0 ? 0xffffffff : 0;
    w[r + (R.R_INSTRUMENT >>> 2)] = instrument;
    this.#u8[(r << 2) + R.R_KIND] = kind;
    this.#u8[(r << 2) + R.R_PRICE_SCALE] = 9;
  }

  #rptCheck(secId: number, rpt: number): void {
    const next = this.#rpt.get(secId);
    if (next !== undefined && rpt > next) this.rptGaps++;
    this.#rpt.set(secId, rpt + 1);
  }

  /** Decodes payloads [0, count); onRecords(n) after each batch of records (the buffer reused). */
  parse(data: Uint8Array, offsets: Uint32Array, lengths: Uint32Array, count: number, onRecords: (n: number) => void): void {
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let i = 0; i < count; i++) {
      if (this.count + lengths[i] / 10 >= MAX_RECORDS) {
        onRecords(this.count);
        this.count = 0;
      }
      this.#packet(dv, offsets[i], lengths[i]);
    }
    if (this.count > 0) onRecords(this.count);
    this.count = 0;
  }

  #packet(dv: DataView, p: number, len: number): void {
    if (len < 12) {
      this.rejected++;
      return;
    }
    this.packets++;
    const seq = dv.getUint32(p, true);
    const sending = p + 4;
    if (this.#next !== 0 && seq > this.#next) this.gaps++;
    if (seq < this.#next) {
      this.duplicates++;
      return;
    }
    this.#next = seq + 1;
    const end = p + len;
    let at = p + 12;
    while (at + 2 <= end) {
      const size = dv.getUint16(at, true);
      if (size <= 2 || at + size > end) {
        this.rejected++;
        return;
      }
      this.#message(dv, at + 2, size - 2, seq, sending);
      at += size;
    }
  }

  // Group header at `at`: [blockLength, count, first entry]; null when it does not fit.
  #group(dv: DataView, at: number, end: number, eight: boolean): [number, number, number] | null {
    const hs = eight ? 8 : 3;
    if (at + hs > end) return null;
    const bl = dv.getUint16(at, true);
    const n = dv.getUint8(at + (eight ? 7 : 2));
    return at + hs + bl * n > end ? null : [bl, n, at + hs];
  }

  // `sending`: the input offset of the packet's SendingTime (the exchange time where a message has none).
  #message(dv: DataView, m: number, len: number, seq: number, sending: number): void {
    const end = m + len;
    if (len < 8) {
      this.rejected++;
      return;
    }
    const block = dv.getUint16(m, true);
    const template = dv.getUint16(m + 2, true);
    const root = m + 8;
    if (root + block > end) {
      this.rejected++;
      return;
    }
    const before = this.count;
    switch (template) {
      case 46: {
        const ts = time(dv, root, sending);
        const g = this.#group(dv, root + block, end, false);
        const g2 = g && this.#group(dv, g[2] + g[0] * g[1], end, true);
        if (!g || !g2) break;
        const [bl, n, e0] = g;
        for (let i = 0; i < n; i++) {
          const e = e0 + i * bl;
          const secId = dv.getInt32(e + 12, true);
          const t = dv.getUint8(e + 26);
          this.#rptCheck(secId, dv.getUint32(e + 16, true));
          const kind = t === 0x30 || t === 0x31 || t === 0x45 || t === 0x46 ? R.TICK_LEVEL : t === 0x4a ? R.TICK_SYSTEM : R.TICK_OTHER;
          this.#record(dv, seq, kind, ts, secId, e, q(dv, e + 8));
        }
        const [bl2, n2, o0] = g2;
        for (let i = 0; i < n2; i++) {
          const o = o0 + i * bl2;
          const ref = dv.getUint8(o + 20);
          const known = ref >= 1 && ref <= n && ref !== 255;
          const x = e0 + (known ? ref - 1 : 0) * bl;
          const a = dv.getUint8(o + 21);
          this.#record(dv, seq, orderKind(a), ts, known ? dv.getInt32(x + 12, true) : 0, known ? x : -1, q(dv, o + 16));
        }
        break;
      }
      case 47: {
        const ts = time(dv, root, sending);
        const g = this.#group(dv, root + block, end, false);
        if (!g) break;
        for (let i = 0; i < g[1]; i++) {
          const e = g[2] + i * g[0];
          const a = dv.getUint8(e + 32);
          this.#record(dv, seq, orderKind(a), ts, dv.getInt32(e + 28, true), e + 16, q(dv, e + 24));
        }
        break;
      }
      case 48: {
        const ts = time(dv, root, sending);
        const g = this.#group(dv, root + block, end, false);
        const g2 = g && this.#group(dv, g[2] + g[0] * g[1], end, true);
        if (!g || !g2) break;
        const [bl, n, e0] = g;
        for (let i = 0; i < n; i++) {
          const e = e0 + i * bl;
          const secId = dv.getInt32(e + 12, true);
          this.#rptCheck(secId, dv.getUint32(e + 16, true));
          this.#record(dv, seq, R.TICK_TRADE, ts, secId, e, dv.getInt32(e + 8, true));
        }
        let k = 0;
        let left = n > 0 ? dv.getInt32(e0 + 20, true) : 0;
        for (let i = 0; i < g2[1]; i++) {
          const o = g2[2] + i * g2[0];
          while (left <= 0 && k + 1 < n) left = dv.getInt32(e0 + ++k * bl + 20, true);
          left--;
          this.#record(dv, seq, R.TICK_EXECUTE, ts, n > 0 ? dv.getInt32(e0 + k * bl + 12, true) : 0, -1, dv.getInt32(o + 8, true));
        }
        break;
      }
      case 37:
      case 51: {
        const ts = time(dv, root, sending);
        const g = this.#group(dv, root + block, end, false);
        if (!g) break;
        for (let i = 0; i < g[1]; i++) {
          const e = g[2] + i * g[0];
          if (template === 37) {
            const secId = dv.getInt32(e + 4, true);
            this.#rptCheck(secId, dv.getUint32(e + 8, true));
            this.#record(dv, seq, R.TICK_OTHER, ts, secId, -1, dv.getInt32(e, true));
          } else {
            const secId = dv.getInt32(e + 8, true);
            this.#rptCheck(secId, dv.getUint32(e + 12, true));
            this.#record(dv, seq, R.TICK_OTHER, ts, secId, e, g[0] >= 23 ? q(dv, e + 19) : 0);
          }
        }
        break;
      }
      case 52: {
        const ts = time(dv, root + 16, sending);
        const secId = dv.getInt32(root + 8, true);
        this.#rpt.set(secId, dv.getUint32(root + 12, true) + 1);
        const g = this.#group(dv, root + block, end, false);
        if (!g) break;
        for (let i = 0; i < g[1]; i++) {
          const e = g[2] + i * g[0];
          const t = dv.getUint8(e + 21);
          this.#record(dv, seq, t === 0x30 || t === 0x31 || t === 0x45 || t === 0x46 ? R.TICK_LEVEL : R.TICK_OTHER, ts, secId, e, q(dv, e + 8));
        }
        if (g[1] === 0) this.#record(dv, seq, R.TICK_OTHER, ts, secId, -1, 0);
        break;
      }
      case 54:
      case 56:
        this.#record(dv, seq, R.TICK_DIRECTORY, sending, dv.getInt32(root + 55, true), root + (template === 54 ? 91 : 94), 0);
        break;
      case 30:
        this.#record(dv, seq, R.TICK_STATUS, time(dv, root, sending), q(dv, root + 20), -1, 0);
        break;
      case 4:
        this.#rpt.clear();
        this.#record(dv, seq, R.TICK_SYSTEM, time(dv, root, sending), 0, -1, 0);
        break;
      default:
        this.#record(dv, seq, R.TICK_OTHER, sending, 0, -1, 0);
    }
    if (this.count > before) this.messages++;
    else if (template === 46 || template === 47 || template === 48 || template === 37 || template === 51) {
      // No entries: the message's own record.
      this.#record(dv, seq, R.TICK_OTHER, sending, 0, -1, 0);
      this.messages++;
    }
  }
}
