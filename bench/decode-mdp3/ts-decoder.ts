// A straightforward TypeScript decoder of CME MDP 3.0 (version 9 templates) for the benchmark's
// baseline: DataView reads, one 96-byte tick record (assembly/records.ts) per group entry as the
// generated wasm module writes them (src/sbe/ticks.ts), for the templates of the generated
// streams (46, 47, 48, 37, 51, 52, 30, 54, 56, 4; any other one record). The SBE packet framing
// with packet sequence de-duplication and gaps, each instrument's RptSeq in a Map. Offsets are
// those of the schema (src/feeds/cme_mdp3-schema.ts); bounds are checked as the wasm does.

import * as R from "../../assembly/records.js";

const MAX_RECORDS = 1 << 14;
const I32_NULL = 2147483647;
const I64_NULL = 0x7fffffffffffffffn;

export class TsMdp3Decoder {
  readonly records = new ArrayBuffer(MAX_RECORDS * R.RECORD_SIZE);
  readonly u32 = new Uint32Array(this.records);
  readonly #dv = new DataView(this.records);
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

  #record(seq: number, kind: number, ts: bigint, instrument: number, price: bigint, qty: number): number {
    const r = this.count++ * R.RECORD_SIZE;
    const d = this.#dv;
    for (let k = 0; k < R.RECORD_SIZE; k += 8) d.setBigUint64(r + k, 0n, true);
    d.setUint32(r + R.R_SEQ, seq, true);
    d.setBigUint64(r + R.R_EXCHANGE_TS, ts, true);
    d.setBigInt64(r + R.R_PRICE, price, true);
    d.setBigInt64(r + R.R_QUANTITY, BigInt(qty), true);
    d.setUint32(r + R.R_INSTRUMENT, instrument, true);
    d.setUint8(r + R.R_KIND, kind);
    d.setUint8(r + R.R_PRICE_SCALE, 9);
    return r;
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
    const sending = dv.getBigUint64(p + 4, true);
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

  #message(dv: DataView, m: number, len: number, seq: number, sending: bigint): void {
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
    const px = (o: number): bigint => {
      const v = dv.getBigInt64(o, true);
      return v === I64_NULL ? 0n : v;
    };
    const q = (o: number): number => {
      const v = dv.getInt32(o, true);
      return v === I32_NULL ? 0 : v;
    };
    switch (template) {
      case 46: {
        const ts = dv.getBigUint64(root, true) || sending;
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
          this.#record(seq, kind, ts, secId, px(e), q(e + 8));
        }
        const [bl2, n2, o0] = g2;
        for (let i = 0; i < n2; i++) {
          const o = o0 + i * bl2;
          const ref = dv.getUint8(o + 20);
          const known = ref >= 1 && ref <= n && ref !== 255;
          const x = e0 + (known ? ref - 1 : 0) * bl;
          const a = dv.getUint8(o + 21);
          this.#record(seq, a === 0 ? R.TICK_ADD : a === 1 ? R.TICK_MODIFY : a === 2 ? R.TICK_DELETE : R.TICK_OTHER, ts, known ? dv.getInt32(x + 12, true) : 0, known ? px(x) : 0n, q(o + 16));
        }
        break;
      }
      case 47: {
        const ts = dv.getBigUint64(root, true) || sending;
        const g = this.#group(dv, root + block, end, false);
        if (!g) break;
        for (let i = 0; i < g[1]; i++) {
          const e = g[2] + i * g[0];
          const a = dv.getUint8(e + 32);
          this.#record(seq, a === 0 ? R.TICK_ADD : a === 1 ? R.TICK_MODIFY : a === 2 ? R.TICK_DELETE : R.TICK_OTHER, ts, dv.getInt32(e + 28, true), px(e + 16), q(e + 24));
        }
        break;
      }
      case 48: {
        const ts = dv.getBigUint64(root, true) || sending;
        const g = this.#group(dv, root + block, end, false);
        const g2 = g && this.#group(dv, g[2] + g[0] * g[1], end, true);
        if (!g || !g2) break;
        const [bl, n, e0] = g;
        for (let i = 0; i < n; i++) {
          const e = e0 + i * bl;
          const secId = dv.getInt32(e + 12, true);
          this.#rptCheck(secId, dv.getUint32(e + 16, true));
          this.#record(seq, R.TICK_TRADE, ts, secId, px(e), dv.getInt32(e + 8, true));
        }
        let k = 0;
        let left = n > 0 ? dv.getInt32(e0 + 20, true) : 0;
        for (let i = 0; i < g2[1]; i++) {
          const o = g2[2] + i * g2[0];
          while (left <= 0 && k + 1 < n) left = dv.getInt32(e0 + ++k * bl + 20, true);
          left--;
          this.#record(seq, R.TICK_EXECUTE, ts, n > 0 ? dv.getInt32(e0 + k * bl + 12, true) : 0, 0n, dv.getInt32(o + 8, true));
        }
        break;
      }
      case 37:
      case 51: {
        const ts = dv.getBigUint64(root, true) || sending;
        const g = this.#group(dv, root + block, end, false);
        if (!g) break;
        for (let i = 0; i < g[1]; i++) {
          const e = g[2] + i * g[0];
          if (template === 37) {
            const secId = dv.getInt32(e + 4, true);
            this.#rptCheck(secId, dv.getUint32(e + 8, true));
            this.#record(seq, R.TICK_OTHER, ts, secId, 0n, dv.getInt32(e, true));
          } else {
            const secId = dv.getInt32(e + 8, true);
            this.#rptCheck(secId, dv.getUint32(e + 12, true));
            this.#record(seq, R.TICK_OTHER, ts, secId, px(e), g[0] >= 23 ? q(e + 19) : 0);
          }
        }
        break;
      }
      case 52: {
        const ts = dv.getBigUint64(root + 16, true) || sending;
        const secId = dv.getInt32(root + 8, true);
        this.#rpt.set(secId, dv.getUint32(root + 12, true) + 1);
        const g = this.#group(dv, root + block, end, false);
        if (!g) break;
        for (let i = 0; i < g[1]; i++) {
          const e = g[2] + i * g[0];
          const t = dv.getUint8(e + 21);
          this.#record(seq, t === 0x30 || t === 0x31 || t === 0x45 || t === 0x46 ? R.TICK_LEVEL : R.TICK_OTHER, ts, secId, px(e), q(e + 8));
        }
        if (g[1] === 0) this.#record(seq, R.TICK_OTHER, ts, secId, 0n, 0);
        break;
      }
      case 54:
      case 56:
        this.#record(seq, R.TICK_DIRECTORY, sending, dv.getInt32(root + 55, true), px(root + (template === 54 ? 91 : 94)), 0);
        break;
      case 30:
        this.#record(seq, R.TICK_STATUS, dv.getBigUint64(root, true) || sending, q(root + 20), 0n, 0);
        break;
      case 4:
        this.#rpt.clear();
        this.#record(seq, R.TICK_SYSTEM, dv.getBigUint64(root, true) || sending, 0, 0n, 0);
        break;
      default:
        this.#record(seq, R.TICK_OTHER, sending, 0, 0n, 0);
    }
    if (this.count > before) this.messages++;
    else if (template === 46 || template === 47 || template === 48 || template === 37 || template === 51) {
      // No entries: the message's own record.
      this.#record(seq, R.TICK_OTHER, sending, 0, 0n, 0);
      this.messages++;
    }
  }
}
