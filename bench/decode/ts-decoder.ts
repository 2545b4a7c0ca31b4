// A plain TypeScript decoder of the formats the wasm feed parsers decode, written for the decoder
// benchmark (bench/decode/run.ts) as its "what would you write in TypeScript" comparison:
//
//   itch50    MoldUDP64 payloads (session, sequence number, count, u16 BE length-prefixed
//             blocks) with NASDAQ TotalView-ITCH 5.0 messages, big-endian
//   iex-tops  IEX-TP segments (40-byte header, u16 LE length-prefixed blocks) with TOPS 1.6
//   iex-deep  IEX-TP segments with DEEP 1.0 messages, little-endian
//
// It does the work of assembly/feeds/*.as.ts and assembly/parse/*.ts on UDP payloads: session
// and sequence tracking (gaps, duplicates dropped, resets), the exact (ITCH) or minimum (IEX)
// length check per type, every counter the wasm parser keeps (packets, messages by type,
// rejections by reason), IEX symbols to dense instrument ids, and one 96-byte tick record per
// message in the layout of assembly/records.ts, all fields written (msgOffset is the offset in
// the input buffer instead of a wasm address). Input is read with one DataView; records go to a
// preallocated buffer through typed arrays; nothing is allocated per packet or message. u64
// fields are moved as two u32 halves, sequence numbers are doubles (exact below 2^53).

import * as R from "../../assembly/records.js";
import {
  RECORD_MAX, REJ_SESSION_SHORT, REJ_COUNT_OVERRUN, REJ_LENGTH_OVERRUN, REJ_ZERO_LENGTH,
  REJ_UNKNOWN_TYPE, REJ_BAD_LENGTH, REJ_PROTOCOL, REJ_TRAILING, REJ_COUNT, SYM_SLOTS,
} from "../../assembly/layout.js";

export type TsFormat = "itch50" | "iex-tops" | "iex-deep";

const TWO32 = 4294967296;
const WORDS = R.RECORD_SIZE / 4; // u32 words per record
const MOLD_HEADER = 20;
const IEXTP_HEADER = 40;

// Exact ITCH 5.0 message lengths by type byte (0: unknown type).
const ITCH_LENGTH = new Uint8Array(256);
for (const [t, n] of Object.entries({
  S: 12, R: 39, H: 25, Y: 20, L: 26, V: 35, W: 12, K: 28, J: 35, h: 21, A: 36, F: 40, E: 31,
  C: 36, X: 23, D: 19, U: 35, P: 44, Q: 40, B: 19, I: 50, N: 20, O: 48,
})) ITCH_LENGTH[t.charCodeAt(0)] = n;

// Minimum IEX message lengths by type byte, per feed (0: not a type of that feed).
function iexLengths(deep: boolean): Uint8Array {
  const t = new Uint8Array(256);
  const common = { S: 10, D: 31, H: 22, O: 18, P: 19, T: 38, X: 26, B: 38, A: 80 };
  const own = deep ? { E: 18, "8": 30, "5": 30 } : { Q: 42 };
  for (const [k, n] of Object.entries({ ...common, ...own })) t[k.charCodeAt(0)] = n;
  return t;
}

/** Called with the number of records ready (records 0..n-1), valid until it returns. */
export type RecordsFn = (n: number) => void;

export class TsDecoder {
  readonly format: TsFormat;
  /** The record buffer: RECORD_MAX records of RECORD_SIZE bytes (little-endian). */
  readonly records = new ArrayBuffer(RECORD_MAX * R.RECORD_SIZE);
  readonly u32 = new Uint32Array(this.records);
  readonly u16 = new Uint16Array(this.records);
  readonly u8 = new Uint8Array(this.records);
  /** Records written since the last flush. */
  count = 0;

  // counters, as the wasm parser's PSTATS
  frames = 0;
  packets = 0;
  messages = 0;
  readonly byType = new Float64Array(256);
  readonly rejected = new Float64Array(REJ_COUNT);
  gaps = 0;
  gapMessages = 0;
  duplicates = 0;
  resets = 0;

  // session state
  private nextSeq = 0;
  private session0 = 0;
  private session1 = 0;
  private session2 = 0;

  // IEX symbol table: open addressing, one slot always left empty
  private readonly symLo = new Uint32Array(SYM_SLOTS);
  private readonly symHi = new Uint32Array(SYM_SLOTS);
  private readonly symId = new Uint32Array(SYM_SLOTS);
  private readonly byIdLo = new Uint32Array(SYM_SLOTS);
  private readonly byIdHi = new Uint32Array(SYM_SLOTS);
  private ids = 0;

  private readonly minBlock: number;
  private readonly protocol: number;
  private readonly iexLength: Uint8Array;
  private data: Uint8Array = new Uint8Array(0);
  private dv: DataView = new DataView(this.data.buffer);

  constructor(format: TsFormat) {
    this.format = format;
    this.minBlock = format === "itch50" ? 14 : 12;
    this.protocol = format === "iex-deep" ? 0x8004 : 0x8003;
    this.iexLength = iexLengths(format === "iex-deep");
  }

  /** Zeroes the counters, the session state and the symbol table. */
  reset(): void {
    this.frames = this.packets = this.messages = 0;
    this.byType.fill(0);
    this.rejected.fill(0);
    this.gaps = this.gapMessages = this.duplicates = this.resets = 0;
    this.nextSeq = this.session0 = this.session1 = this.session2 = 0;
    this.symLo.fill(0);
    this.symHi.fill(0);
    this.symId.fill(0);
    this.byIdLo.fill(0);
    this.byIdHi.fill(0);
    this.ids = 0;
    this.count = 0;
  }

  /**
   * Decodes count UDP payloads, payload i at data[offsets[i], offsets[i] + lengths[i]). Records
   * are handed to onRecords whenever the buffer might not hold the next payload's, and at the end.
   */
  parse(data: Uint8Array, offsets: ArrayLike<number>, lengths: ArrayLike<number>, count: number, onRecords: RecordsFn): void {
    if (data !== this.data) {
      this.data = data;
      this.dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    }
    const itch = this.format === "itch50";
    for (let i = 0; i < count; i++) {
      const len = lengths[i];
      if (RECORD_MAX - this.count <= Math.floor(len / this.minBlock)) this.flush(onRecords);
      this.frames++;
      if (itch) this.moldPacket(offsets[i], len);
      else this.iextpSegment(offsets[i], len);
    }
    this.flush(onRecords);
  }

  private flush(onRecords: RecordsFn): void {
    if (this.count > 0) onRecords(this.count);
    this.count = 0;
  }

  // ---- sequence integrity (assembly/parse/sequence.ts) ----

  private sequenceReset(seq: number): void {
    if (this.nextSeq !== 0) this.resets++;
    this.nextSeq = seq;
  }

  private sequencePacket(seq: number): void {
    const next = this.nextSeq;
    if (next === 0) {
      this.nextSeq = seq;
    } else if (seq > next) {
      this.gaps++;
      this.gapMessages += seq - next;
      this.nextSeq = seq;
    }
  }

  // ---- MoldUDP64 + ITCH 5.0 ----

  private moldPacket(p: number, len: number): void {
    const dv = this.dv;
    if (len < MOLD_HEADER) {
      this.rejected[REJ_SESSION_SHORT]++;
      return;
    }
    this.packets++;
    const seq = dv.getUint32(p + 10) * TWO32 + dv.getUint32(p + 14);
    const count = dv.getUint16(p + 18);
    const s0 = dv.getUint32(p), s1 = dv.getUint32(p + 4), s2 = dv.getUint16(p + 8);
    if (s0 !== this.session0 || s1 !== this.session1 || s2 !== this.session2) {
      this.session0 = s0;
      this.session1 = s1;
      this.session2 = s2;
      this.sequenceReset(seq);
    }
    this.sequencePacket(seq);
    if (count === 0 || count === 0xffff) return;
    const end = p + len;
    let at = p + MOLD_HEADER;
    for (let i = 0; i < count; i++) {
      if (at + 2 > end) {
        this.rejected[REJ_COUNT_OVERRUN]++;
        return;
      }
      const mlen = dv.getUint16(at);
      at += 2;
      if (at + mlen > end) {
        this.rejected[REJ_LENGTH_OVERRUN]++;
        return;
      }
      const s = seq + i;
      if (s < this.nextSeq) {
        this.duplicates++;
      } else {
        this.nextSeq = s + 1;
        if (mlen === 0) this.rejected[REJ_ZERO_LENGTH]++;
        else this.itchMessage(at, mlen, s);
      }
      at += mlen;
    }
    if (at !== end) this.rejected[REJ_TRAILING]++;
  }

  /** Starts a record with the fields every message has, all others zero; returns its word index. */
  private begin(m: number, len: number, seq: number, type: number, kind: number, tsLo: number, tsHi: number, instrument: number, scale: number): number {
    const w = this.count * WORDS;
    this.count++;
    this.messages++;
    this.byType[type]++;
    const u32 = this.u32;
    u32[w] = seq >>> 0;
    u32[w + 1] = (seq / TWO32) >>> 0;
    u32[w + 2] = tsLo;
    u32[w + 3] = tsHi;
    // receiveTs, orderId, matchId, refOrderId, price, quantity, price2, quantity2
    for (let k = 4; k < 20; k++) u32[w + k] = 0;
    u32[w + 20] = instrument;
    u32[w + 21] = m;
    this.u16[(w << 1) + (R.R_MSG_LENGTH >> 1)] = len;
    const b = w << 2;
    const u8 = this.u8;
    u8[b + R.R_KIND] = kind;
    u8[b + R.R_SIDE] = 0;
    u8[b + R.R_MSG_TYPE] = type;
    u8[b + R.R_PRICE_SCALE] = scale;
    u8[b + R.R_FLAGS] = 0;
    u8[b + R.R_STATUS] = 0;
    return w;
  }

  /** u64 field at byte offset field of record w from a big-endian u64 at p. */
  private be64(w: number, field: number, p: number): void {
    const i = w + (field >> 2);
    this.u32[i] = this.dv.getUint32(p + 4);
    this.u32[i + 1] = this.dv.getUint32(p);
  }

  /** u64 field from a big-endian u32 at p (high half stays 0). */
  private be32(w: number, field: number, p: number): void {
    this.u32[w + (field >> 2)] = this.dv.getUint32(p);
  }

  private byte(w: number, field: number, v: number): void {
    this.u8[(w << 2) + field] = v;
  }

  private itchMessage(m: number, len: number, seq: number): void {
    const dv = this.dv;
    const type = dv.getUint8(m);
    const need = ITCH_LENGTH[type];
    if (need === 0) {
      this.rejected[REJ_UNKNOWN_TYPE]++;
      return;
    }
    if (len !== need) {
      this.rejected[REJ_BAD_LENGTH]++;
      return;
    }
    const locate = dv.getUint16(m + 1);
    const tsHi = dv.getUint16(m + 5);
    const tsLo = dv.getUint32(m + 7);
    let w: number;
    switch (type) {
      case 0x41: // A: orderRef, side, shares, stock, price
      case 0x46: // F: ... attribution
        w = this.begin(m, len, seq, type, R.TICK_ADD, tsLo, tsHi, locate, 4);
        this.be64(w, R.R_ORDER_ID, m + 11);
        this.byte(w, R.R_SIDE, dv.getUint8(m + 19));
        this.be32(w, R.R_QUANTITY, m + 20);
        this.be32(w, R.R_PRICE, m + 32);
        break;
      case 0x45: // E: orderRef, executedShares, matchNumber
        w = this.begin(m, len, seq, type, R.TICK_EXECUTE, tsLo, tsHi, locate, 4);
        this.be64(w, R.R_ORDER_ID, m + 11);
        this.be32(w, R.R_QUANTITY, m + 19);
        this.be64(w, R.R_MATCH_ID, m + 23);
        break;
      case 0x43: // C: orderRef, executedShares, matchNumber, printable, executionPrice
        w = this.begin(m, len, seq, type, R.TICK_EXECUTE, tsLo, tsHi, locate, 4);
        this.be64(w, R.R_ORDER_ID, m + 11);
        this.be32(w, R.R_QUANTITY, m + 19);
        this.be64(w, R.R_MATCH_ID, m + 23);
        this.byte(w, R.R_FLAGS, dv.getUint8(m + 31));
        this.be32(w, R.R_PRICE, m + 32);
        break;
      case 0x58: // X: orderRef, cancelledShares
        w = this.begin(m, len, seq, type, R.TICK_CANCEL, tsLo, tsHi, locate, 4);
        this.be64(w, R.R_ORDER_ID, m + 11);
        this.be32(w, R.R_QUANTITY, m + 19);
        break;
      case 0x44: // D: orderRef
        w = this.begin(m, len, seq, type, R.TICK_DELETE, tsLo, tsHi, locate, 4);
        this.be64(w, R.R_ORDER_ID, m + 11);
        break;
      case 0x55: // U: originalOrderRef, newOrderRef, shares, price
        w = this.begin(m, len, seq, type, R.TICK_MODIFY, tsLo, tsHi, locate, 4);
        this.be64(w, R.R_REF_ORDER_ID, m + 11);
        this.be64(w, R.R_ORDER_ID, m + 19);
        this.be32(w, R.R_QUANTITY, m + 27);
        this.be32(w, R.R_PRICE, m + 31);
        break;
      case 0x50: // P: orderRef, side, shares, stock, price, matchNumber
        w = this.begin(m, len, seq, type, R.TICK_TRADE, tsLo, tsHi, locate, 4);
        this.be64(w, R.R_ORDER_ID, m + 11);
        this.byte(w, R.R_SIDE, dv.getUint8(m + 19));
        this.be32(w, R.R_QUANTITY, m + 20);
        this.be32(w, R.R_PRICE, m + 32);
        this.be64(w, R.R_MATCH_ID, m + 36);
        break;
      case 0x51: // Q: shares (u64), stock, crossPrice, matchNumber, crossType
        w = this.begin(m, len, seq, type, R.TICK_TRADE, tsLo, tsHi, locate, 4);
        this.be64(w, R.R_QUANTITY, m + 11);
        this.be32(w, R.R_PRICE, m + 27);
        this.be64(w, R.R_MATCH_ID, m + 31);
        this.byte(w, R.R_FLAGS, dv.getUint8(m + 39));
        break;
      case 0x42: // B: matchNumber
        w = this.begin(m, len, seq, type, R.TICK_BROKEN, tsLo, tsHi, locate, 4);
        this.be64(w, R.R_MATCH_ID, m + 11);
        break;
      case 0x49: // I: pairedShares, imbalanceShares, direction, stock, far, near, reference, ...
        w = this.begin(m, len, seq, type, R.TICK_IMBALANCE, tsLo, tsHi, locate, 4);
        this.be64(w, R.R_QUANTITY, m + 11);
        this.be64(w, R.R_QUANTITY2, m + 19);
        this.byte(w, R.R_SIDE, dv.getUint8(m + 27));
        this.be32(w, R.R_PRICE, m + 44);
        this.be32(w, R.R_PRICE2, m + 40);
        this.byte(w, R.R_FLAGS, dv.getUint8(m + 48));
        break;
      case 0x48: // H: stock, tradingState, reserved, reason
        w = this.begin(m, len, seq, type, R.TICK_STATUS, tsLo, tsHi, locate, 4);
        this.byte(w, R.R_STATUS, dv.getUint8(m + 19));
        break;
      case 0x68: // h: stock, marketCode, operationalHaltAction
        w = this.begin(m, len, seq, type, R.TICK_STATUS, tsLo, tsHi, locate, 4);
        this.byte(w, R.R_STATUS, dv.getUint8(m + 20));
        break;
      case 0x53: // S: eventCode
        w = this.begin(m, len, seq, type, R.TICK_SYSTEM, tsLo, tsHi, locate, 4);
        this.byte(w, R.R_STATUS, dv.getUint8(m + 11));
        break;
      case 0x52: // R: stock, marketCategory, financialStatusIndicator, roundLotSize, ...
        w = this.begin(m, len, seq, type, R.TICK_DIRECTORY, tsLo, tsHi, locate, 4);
        this.be32(w, R.R_QUANTITY, m + 21);
        break;
      case 0x56: // V: level1..3 (price8)
        w = this.begin(m, len, seq, type, R.TICK_OTHER, tsLo, tsHi, locate, 8);
        this.be64(w, R.R_PRICE, m + 11);
        break;
      case 0x4b: // K: stock, ipoQuotationReleaseTime, qualifier, ipoPrice
        w = this.begin(m, len, seq, type, R.TICK_OTHER, tsLo, tsHi, locate, 4);
        this.be32(w, R.R_PRICE, m + 24);
        break;
      case 0x59: // Y: stock, regShoAction
      case 0x4e: // N: stock, interestFlag
        w = this.begin(m, len, seq, type, R.TICK_OTHER, tsLo, tsHi, locate, 4);
        this.byte(w, R.R_STATUS, dv.getUint8(m + 19));
        break;
      case 0x57: // W: breachedLevel
        w = this.begin(m, len, seq, type, R.TICK_OTHER, tsLo, tsHi, locate, 4);
        this.byte(w, R.R_STATUS, dv.getUint8(m + 11));
        break;
      default: // L, J, O
        this.begin(m, len, seq, type, R.TICK_OTHER, tsLo, tsHi, locate, 4);
    }
  }

  // ---- IEX-TP + TOPS 1.6 / DEEP 1.0 ----

  private iextpSegment(p: number, len: number): void {
    const dv = this.dv;
    if (len < IEXTP_HEADER) {
      this.rejected[REJ_SESSION_SHORT]++;
      return;
    }
    if (dv.getUint16(p + 2, true) !== this.protocol) {
      this.rejected[REJ_PROTOCOL]++;
      return;
    }
    this.packets++;
    const seq = dv.getUint32(p + 28, true) * TWO32 + dv.getUint32(p + 24, true);
    const count = dv.getUint16(p + 14, true);
    // Session ids start at 1: a stored 0 means none yet (the same tag bit as the wasm parser).
    const session = (dv.getUint32(p + 8, true) | 0x80000000) >>> 0;
    if (session !== this.session0) {
      this.session0 = session;
      this.sequenceReset(seq);
    } else if (seq === 1 && this.nextSeq > 1) {
      this.sequenceReset(seq);
    }
    this.sequencePacket(seq);
    if (count === 0) return;
    let end = p + IEXTP_HEADER + dv.getUint16(p + 12, true);
    if (end > p + len) end = p + len;
    let at = p + IEXTP_HEADER;
    for (let i = 0; i < count; i++) {
      if (at + 2 > end) {
        this.rejected[REJ_COUNT_OVERRUN]++;
        return;
      }
      const mlen = dv.getUint16(at, true);
      at += 2;
      if (at + mlen > end) {
        this.rejected[REJ_LENGTH_OVERRUN]++;
        return;
      }
      const s = seq + i;
      if (s < this.nextSeq) {
        this.duplicates++;
      } else {
        this.nextSeq = s + 1;
        if (mlen === 0) this.rejected[REJ_ZERO_LENGTH]++;
        else this.iexMessage(at, mlen, s);
      }
      at += mlen;
    }
    if (at !== end) this.rejected[REJ_TRAILING]++;
  }

  /** Dense id (1-based) of an 8-byte symbol, assigned on first sight; 0 when the table is full. */
  private symbolId(lo: number, hi: number): number {
    const mask = SYM_SLOTS - 1;
    let slot = (Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> 18) & mask;
    for (;;) {
      const id = this.symId[slot];
      if (id === 0) break;
      if (this.symLo[slot] === lo && this.symHi[slot] === hi) return id;
      slot = (slot + 1) & mask;
    }
    if (this.ids >= SYM_SLOTS - 1) return 0;
    const id = ++this.ids;
    this.symLo[slot] = lo;
    this.symHi[slot] = hi;
    this.symId[slot] = id;
    this.byIdLo[id] = lo;
    this.byIdHi[id] = hi;
    return id;
  }

  /** u64 field from a little-endian u64 at p. */
  private le64(w: number, field: number, p: number): void {
    const i = w + (field >> 2);
    this.u32[i] = this.dv.getUint32(p, true);
    this.u32[i + 1] = this.dv.getUint32(p + 4, true);
  }

  /** u64 field from a little-endian u32 at p. */
  private le32(w: number, field: number, p: number): void {
    this.u32[w + (field >> 2)] = this.dv.getUint32(p, true);
  }

  private iexMessage(m: number, len: number, seq: number): void {
    const dv = this.dv;
    const type = dv.getUint8(m);
    const need = this.iexLength[type];
    if (need === 0) {
      this.rejected[REJ_UNKNOWN_TYPE]++;
      return;
    }
    if (len < need) {
      this.rejected[REJ_BAD_LENGTH]++;
      return;
    }
    const tsLo = dv.getUint32(m + 2, true);
    const tsHi = dv.getUint32(m + 6, true);
    const flag = dv.getUint8(m + 1);
    if (type === 0x53) { // S: systemEvent
      const w = this.begin(m, len, seq, type, R.TICK_SYSTEM, tsLo, tsHi, 0, 4);
      this.byte(w, R.R_STATUS, flag);
      return;
    }
    const inst = this.symbolId(dv.getUint32(m + 10, true), dv.getUint32(m + 14, true));
    let w: number;
    switch (type) {
      case 0x51: // Q: flags, bidSize, bidPrice, askPrice, askSize
        w = this.begin(m, len, seq, type, R.TICK_QUOTE, tsLo, tsHi, inst, 4);
        this.byte(w, R.R_FLAGS, flag);
        this.le32(w, R.R_QUANTITY, m + 18);
        this.le64(w, R.R_PRICE, m + 22);
        this.le64(w, R.R_PRICE2, m + 30);
        this.le32(w, R.R_QUANTITY2, m + 38);
        break;
      case 0x38: // 8 / 5: eventFlags, size, price
      case 0x35:
        w = this.begin(m, len, seq, type, R.TICK_LEVEL, tsLo, tsHi, inst, 4);
        this.byte(w, R.R_FLAGS, flag);
        this.byte(w, R.R_SIDE, type === 0x38 ? 0x42 : 0x53);
        this.le32(w, R.R_QUANTITY, m + 18);
        this.le64(w, R.R_PRICE, m + 22);
        break;
      case 0x54: // T / B: saleConditionFlags, size, price, tradeId
      case 0x42:
        w = this.begin(m, len, seq, type, type === 0x54 ? R.TICK_TRADE : R.TICK_BROKEN, tsLo, tsHi, inst, 4);
        this.byte(w, R.R_FLAGS, flag);
        this.le32(w, R.R_QUANTITY, m + 18);
        this.le64(w, R.R_PRICE, m + 22);
        this.le64(w, R.R_MATCH_ID, m + 30);
        break;
      case 0x48: // H: tradingStatus, reason
      case 0x4f: // O: operationalHaltStatus
        w = this.begin(m, len, seq, type, R.TICK_STATUS, tsLo, tsHi, inst, 4);
        this.byte(w, R.R_STATUS, flag);
        break;
      case 0x45: // E: securityEvent
        w = this.begin(m, len, seq, type, R.TICK_SYSTEM, tsLo, tsHi, inst, 4);
        this.byte(w, R.R_STATUS, flag);
        break;
      case 0x44: // D: flags, roundLotSize, adjustedPocPrice, luldTier
        w = this.begin(m, len, seq, type, R.TICK_DIRECTORY, tsLo, tsHi, inst, 4);
        this.byte(w, R.R_FLAGS, flag);
        this.le32(w, R.R_QUANTITY, m + 18);
        this.le64(w, R.R_PRICE, m + 22);
        break;
      case 0x58: // X: priceType, officialPrice
        w = this.begin(m, len, seq, type, R.TICK_OTHER, tsLo, tsHi, inst, 4);
        this.byte(w, R.R_STATUS, flag);
        this.le64(w, R.R_PRICE, m + 18);
        break;
      case 0x41: // A: auctionType, pairedShares, referencePrice, indicativeClearingPrice, imbalanceShares, side, ...
        w = this.begin(m, len, seq, type, R.TICK_IMBALANCE, tsLo, tsHi, inst, 4);
        this.byte(w, R.R_STATUS, flag);
        this.le32(w, R.R_QUANTITY, m + 18);
        this.le64(w, R.R_PRICE, m + 22);
        this.le64(w, R.R_PRICE2, m + 30);
        this.le32(w, R.R_QUANTITY2, m + 38);
        this.byte(w, R.R_SIDE, dv.getUint8(m + 42));
        break;
      default: // P: shortSalePriceTestStatus, detail
        w = this.begin(m, len, seq, type, R.TICK_OTHER, tsLo, tsHi, inst, 4);
        this.byte(w, R.R_STATUS, flag);
    }
  }

  /** Price of record i as a number (exact below 2^53), as TickView.price reads it. */
  price(i: number): number {
    const w = i * WORDS + (R.R_PRICE >> 2);
    return this.u32[w] + (this.u32[w + 1] | 0) * TWO32;
  }
}
