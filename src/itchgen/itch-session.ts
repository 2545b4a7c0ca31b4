// A deterministic NASDAQ TotalView-ITCH 5.0 trading day: administrative messages, a stock
// directory, crosses, halts, and order flow from a per-symbol random walk over a consistent book
// that never crosses or locks.
//
// Output: chunks of whole messages, each message preceded by its length as a u2 big-endian, which
// is both the NASDAQ binary file framing and the MoldUDP64 message block framing. By default a
// chunk is a view into one reusable buffer, valid until the iterator is advanced again; pass
// `reuseBuffer: false` to get a fresh buffer per chunk (for consumers that keep chunks).
//
// The day (timestamps non-decreasing, ns since midnight):
//   03:00  S 'O'; stock directory R (locates 1..N, alphabetical), H 'T', Y, L for the busiest
//          names, V (MWCB levels), K (an IPO's quoting period)
//   04:00  S 'S'; pre-market flow (6% of the flow messages), a direct listing's O before the open
//   09:30  S 'Q'; the opening cross Q of every symbol; market-hours flow (90%, denser at the open
//          and close) with RPII N, an LULD pause (H 'H' LUDP, J, I, the halt cross Q, H 'T'),
//          an MWCB status W and an operational halt h 'H' / h 'T'
//   16:00  S 'M'; the closing cross Q of every symbol; after-hours flow (4%)
//   20:00  S 'E'; 20:05 S 'C'
// Flow: A, F, E, C, X, D, U, P, I and B over a book of live orders (see flowStep for the mix);
// the first flow steps are scripted so that every type appears in any session.
//
// Two profiles. "uniform" (the default) is the day above: 1,000 symbols unless told, activity
// ~ rank^(-2/3), dense order references. "realistic" (day-profile.ts) is a day shaped like NASDAQ's:
// 8,000 symbols unless told, Zipf activity, references with heavy-tailed gaps that reach the
// hundreds of millions, a real day's message mix (dayStep), the book held near 1% of the day's
// messages, NOII only in the imbalance periods before the crosses (09:28-09:30, 15:50-16:00), and
// deletes and replaces biased towards recent orders.
//
// The hot path (order flow) writes with DataView at offsets taken from ITCH50 at module load and
// allocates nothing per message; the rare administrative messages go through the checked encoder.

import {
  encodeInto,
  fieldSpec,
  ITCH50,
  ITCH_TYPES,
  MAX_MESSAGE_LENGTH,
  SPEC_BY_CODE,
  type FieldKind,
  type ItchMessage,
  type ItchType,
} from "./itch-encode.js";
import { Rng } from "./rng.js";
import { ADDS_DELETES, addShare, DAY_MIX, DAY_PHASES, DAY_SYMBOLS, dayTargetOrders, MPID_SHARE, NOII_SHARE, recentIndex, RefGaps, ZipfRanks } from "./day-profile.js";

export interface SessionOptions {
  /** Seed of the PRNG: the same options give the same bytes. */
  seed: number;
  /**
   * Number of securities, 1..65535; their stock locates are 1..symbols, in alphabetical order.
   * Default 1000 (uniform), 8000 (realistic).
   */
  symbols?: number;
  /** Total number of messages in the session, at least minSessionMessages(symbols). */
  messages: number;
  /** Bytes per chunk (default 1 MiB, at least 4096). */
  chunkBytes?: number;
  /** Yield views into one reused buffer (default true); false: a new buffer per chunk. */
  reuseBuffer?: boolean;
  /** Most live orders on the book (default symbols * 256, within 4096..4,000,000). */
  maxLiveOrders?: number;
  /**
   * "uniform" (default): the generator's historical day, byte for byte. "realistic": a day shaped
   * like NASDAQ's (Zipf activity, sparse growing references, a real day's mix; see the header).
   */
  profile?: "uniform" | "realistic";
}

export interface SessionSummary {
  messages: number;
  /** Bytes yielded: messages plus their 2-byte length prefixes (the binary ITCH file's size). */
  bytes: number;
  /** Messages by type. */
  counts: Record<ItchType, number>;
  /** Symbol of stock locate i + 1 at index i. */
  symbols: readonly string[];
  /** Orders still on the book at the end. */
  liveOrders: number;
  /** The most orders on the book at any time. */
  peakLiveOrders: number;
  lastOrderRef: number;
  lastMatchNumber: number;
  firstTimestamp: number;
  lastTimestamp: number;
}

// ---- layout constants, all from ITCH50 ----

function off(t: ItchType, name: string, kind: FieldKind): number {
  const f = fieldSpec(t, name);
  if (f.kind !== kind) throw new Error(`itch-session expects ${t}.${name} to be ${kind}, ITCH50 says ${f.kind}`);
  return f.offset;
}
const LOCATE = off("A", "stockLocate", "u2");
const TRACKING = off("A", "trackingNumber", "u2");
const TIMESTAMP = off("A", "timestamp", "u6");
for (const t of ITCH_TYPES) {
  if (off(t, "stockLocate", "u2") !== LOCATE || off(t, "trackingNumber", "u2") !== TRACKING || off(t, "timestamp", "u6") !== TIMESTAMP) {
    throw new Error(`itch-session: header of '${t}' differs`);
  }
}
const code = (t: ItchType) => ITCH50[t].code;
const T_A = code("A"), T_F = code("F"), T_E = code("E"), T_C = code("C"), T_X = code("X"), T_D = code("D");
const T_U = code("U"), T_P = code("P"), T_I = code("I"), T_B = code("B");
const L_A = ITCH50.A.length, L_F = ITCH50.F.length, L_E = ITCH50.E.length, L_C = ITCH50.C.length;
const L_X = ITCH50.X.length, L_D = ITCH50.D.length, L_U = ITCH50.U.length, L_P = ITCH50.P.length;
const L_I = ITCH50.I.length, L_B = ITCH50.B.length;

const A_REF = off("A", "orderRef", "u8"), A_SIDE = off("A", "side", "char"), A_SHARES = off("A", "shares", "u4");
const A_STOCK = off("A", "stock", "alpha"), A_PRICE = off("A", "price", "u4");
const F_REF = off("F", "orderRef", "u8"), F_SIDE = off("F", "side", "char"), F_SHARES = off("F", "shares", "u4");
const F_STOCK = off("F", "stock", "alpha"), F_PRICE = off("F", "price", "u4"), F_ATTR = off("F", "attribution", "alpha");
const E_REF = off("E", "orderRef", "u8"), E_SHARES = off("E", "executedShares", "u4"), E_MATCH = off("E", "matchNumber", "u8");
const C_REF = off("C", "orderRef", "u8"), C_SHARES = off("C", "executedShares", "u4"), C_MATCH = off("C", "matchNumber", "u8");
const C_PRINT = off("C", "printable", "char"), C_PRICE = off("C", "executionPrice", "u4");
const X_REF = off("X", "orderRef", "u8"), X_SHARES = off("X", "cancelledShares", "u4");
const D_REF = off("D", "orderRef", "u8");
const U_OLD = off("U", "originalOrderRef", "u8"), U_NEW = off("U", "newOrderRef", "u8");
const U_SHARES = off("U", "shares", "u4"), U_PRICE = off("U", "price", "u4");
const P_REF = off("P", "orderRef", "u8"), P_SIDE = off("P", "side", "char"), P_SHARES = off("P", "shares", "u4");
const P_STOCK = off("P", "stock", "alpha"), P_PRICE = off("P", "price", "u4"), P_MATCH = off("P", "matchNumber", "u8");
const I_PAIRED = off("I", "pairedShares", "u8"), I_IMB = off("I", "imbalanceShares", "u8");
const I_DIR = off("I", "imbalanceDirection", "char"), I_STOCK = off("I", "stock", "alpha");
const I_FAR = off("I", "farPrice", "u4"), I_NEAR = off("I", "nearPrice", "u4"), I_REFP = off("I", "currentReferencePrice", "u4");
const I_CROSS = off("I", "crossType", "char"), I_PVI = off("I", "priceVariationIndicator", "char");
const B_MATCH = off("B", "matchNumber", "u8");
for (const [t, f] of [["A", "stock"], ["F", "stock"], ["P", "stock"], ["I", "stock"], ["F", "attribution"]] as const) {
  if (fieldSpec(t, f).size !== (f === "stock" ? 8 : 4)) throw new Error(`itch-session: ${t}.${f} width changed`);
}

// ---- the day ----

const NS_S = 1_000_000_000;
const NS_M = 60 * NS_S;
const NS_H = 60 * NS_M;
const T_START = 3 * NS_H; // start of messages
const T_SYSTEM = 4 * NS_H; // start of system hours
const T_OPEN = 9 * NS_H + 30 * NS_M; // start of market hours
const T_CLOSE = 16 * NS_H; // end of market hours
const T_SYSTEM_END = 20 * NS_H; // end of system hours
const T_END = 20 * NS_H + 5 * NS_M; // end of messages

// The realistic day's mix and helpers as module constants: read once, not through the imported
// bindings on every message (a loader that compiles modules to CommonJS makes those getters).
const MIX_U = DAY_MIX.replace, MIX_E = DAY_MIX.exec, MIX_C = DAY_MIX.execPrice, MIX_X = DAY_MIX.cancel;
const MIX_P = DAY_MIX.trade, MIX_B = DAY_MIX.broken, INV_ADDS_DELETES = 1 / ADDS_DELETES, F_SHARE = MPID_SHARE;
const recent = recentIndex, addShareOf = addShare;
const IMBALANCE_OPEN = 2 * NS_M; // the realistic day's NOII periods: 09:28-09:30
const IMBALANCE_CLOSE = 10 * NS_M; // and 15:50-16:00

const TICK = 100; // $0.01 in price4
// Intraday U shape: the f-th fraction of the market-hours messages is sent at the fraction
// f/3 + 2f^2 - 4f^3/3 of the session, so message density at the open and close is 4 times
// that of midday. Only + and * (no Math.sin/exp/log, whose last bits may vary between engines).
const MPIDS = ["NITE", "GSCO", "MSCO", "VIRT", "UBSS", "JPMS", "CDRG", "SUSQ"];
const MPID_U32 = Uint32Array.from(MPIDS, (m) => ((m.charCodeAt(0) << 24) | (m.charCodeAt(1) << 16) | (m.charCodeAt(2) << 8) | m.charCodeAt(3)) >>> 0);
const DIRS = [66, 83, 78, 79]; // B S N O
const PVI = " L123456789ABC"; // price variation indicator values
const RING = 1024; // recent match numbers that a broken trade may reference
const STEP_ROOM = 16 * (2 + MAX_MESSAGE_LENGTH); // bytes kept free for one step's messages
const N_L_SYMBOLS = 50; // symbols with market participant positions (2 each)

// Flow actions.
const ADD = 0, ADD_MPID = 1, DEL = 2, REPLACE = 3, EXEC = 4, EXEC_PRICE = 5, CANCEL = 6, TRADE = 7, NOII = 8, BREAK = 9;
/** The first flow steps: every flow type once, in an order whose preconditions hold. */
const SCRIPT = [ADD, ADD_MPID, ADD, ADD, ADD, ADD, EXEC, EXEC_PRICE, CANCEL, REPLACE, DEL, TRADE, BREAK, NOII];

/** Messages that do not depend on the flow: system events, directory, crosses, scheduled events. */
function fixedMessages(symbols: number): number {
  const sys = 6, perSymbol = 5; // R, H, Y, opening and closing cross
  const l = 2 * Math.min(symbols, N_L_SYMBOLS);
  const once = 1 /* V */ + 1 /* K */ + 1 /* O */ + 5 /* LULD halt: H J I Q H */ + 1 /* W */ + 2 /* h */ + 3 /* N */;
  return sys + perSymbol * symbols + l + once;
}

/** The fewest messages a session of that many symbols can have (every type appears at least once). */
export function minSessionMessages(symbols: number): number {
  return fixedMessages(symbols) + 64;
}

interface Scheduled {
  at: number;
  run: () => void;
}

interface FlowState {
  i: number;
  count: number;
  t0: number;
  dur: number;
  step: number;
  warp: boolean;
  events: Scheduled[];
  e: number;
  script: boolean;
}

class SessionBuilder {
  private readonly rng: Rng;
  private readonly nSym: number;
  private readonly total: number;
  private readonly chunkBytes: number;
  private readonly reuse: boolean;
  private u8: Uint8Array;
  private dv: DataView;
  private pos = 0;
  private readonly limit: number;
  private bytes = 0;
  private readonly counts = new Float64Array(128);
  private ts = 0;
  private firstTs = -1;

  // symbols
  readonly names: string[];
  private readonly symHi: Uint32Array;
  private readonly symLo: Uint32Array;
  private readonly mid: Uint32Array;
  private readonly halted: Uint8Array;
  private readonly hot: Uint32Array;

  // the book: live orders as parallel arrays, dense in [0, n)
  private readonly cap: number;
  private readonly invCap: number;
  private n = 0;
  private readonly oRef: Float64Array;
  private readonly oShares: Uint32Array;
  private readonly oPrice: Uint32Array;
  private readonly oSym: Uint32Array;
  private readonly oBuy: Uint8Array;
  // Orders per price of each symbol and side (index s * 2 + buy), and each side's best price
  // (0: none; NaN: to be found again), so that a new order never crosses or locks the other side.
  private readonly levels: Array<Map<number, number>>;
  private readonly best: Float64Array;
  private nextRef = 0;
  private nextMatch = 0;
  private readonly ring = new Float64Array(RING);
  private readonly ringSym = new Uint32Array(RING);
  private ringN = 0;
  private noiiCross = 79; // 'O'

  // the realistic profile (undefined / 0 in the uniform one)
  private readonly day: boolean;
  private readonly zipf: ZipfRanks | undefined;
  private readonly gaps: RefGaps | undefined;
  private readonly target: number;
  /** Per 10,000 flow draws: NOII messages (the imbalance periods of the realistic day). */
  private noiiShare = 0;
  private peak = 0;

  constructor(o: SessionOptions) {
    const profile = o.profile ?? "uniform";
    if (profile !== "uniform" && profile !== "realistic") throw new RangeError(`profile must be "uniform" or "realistic", got ${String(profile)}`);
    this.day = profile === "realistic";
    const symbols = o.symbols ?? (this.day ? DAY_SYMBOLS : 1000);
    if (!Number.isInteger(symbols) || symbols < 1 || symbols > 0xffff) throw new RangeError(`symbols must be 1..65535, got ${symbols}`);
    const min = minSessionMessages(symbols);
    if (!Number.isSafeInteger(o.messages) || o.messages < min) {
      throw new RangeError(`messages must be an integer >= ${min} for ${symbols} symbols, got ${o.messages}`);
    }
    this.chunkBytes = o.chunkBytes ?? 1 << 20;
    if (!Number.isInteger(this.chunkBytes) || this.chunkBytes < 4096) throw new RangeError(`chunkBytes must be >= 4096`);
    this.rng = new Rng(o.seed);
    this.nSym = symbols;
    this.total = o.messages;
    this.reuse = o.reuseBuffer ?? true;
    this.u8 = new Uint8Array(this.chunkBytes);
    this.dv = new DataView(this.u8.buffer);
    this.limit = this.chunkBytes - STEP_ROOM;
    this.cap = Math.max(1, Math.floor(o.maxLiveOrders ?? Math.min(4_000_000, Math.max(4096, symbols * 256))));
    this.invCap = 1 / this.cap;
    this.oRef = new Float64Array(this.cap);
    this.oShares = new Uint32Array(this.cap);
    this.oPrice = new Uint32Array(this.cap);
    this.oSym = new Uint32Array(this.cap);
    this.oBuy = new Uint8Array(this.cap);
    this.levels = Array.from({ length: symbols * 2 }, () => new Map<number, number>());
    this.best = new Float64Array(symbols * 2);
    this.zipf = this.day ? new ZipfRanks(symbols) : undefined;
    this.gaps = this.day ? new RefGaps() : undefined;
    this.target = this.day ? dayTargetOrders(o.messages, this.cap) : 0;

    const rng = this.rng;
    const n = this.nSym;
    const set = new Set<string>();
    while (set.size < n) {
      const r = rng.next();
      const len = r < 0.02 ? 1 : r < 0.1 ? 2 : r < 0.45 ? 3 : n > 20000 && r > 0.9 ? 5 : 4;
      let s = "";
      for (let i = 0; i < len; i++) s += String.fromCharCode(65 + rng.int(26));
      set.add(s);
    }
    this.names = [...set].sort();
    this.symHi = new Uint32Array(n);
    this.symLo = new Uint32Array(n);
    this.mid = new Uint32Array(n);
    this.halted = new Uint8Array(n);
    for (let s = 0; s < n; s++) {
      const p = this.names[s].padEnd(8, " ");
      let hi = 0, lo = 0;
      for (let i = 0; i < 4; i++) hi = (hi << 8) | p.charCodeAt(i);
      for (let i = 4; i < 8; i++) lo = (lo << 8) | p.charCodeAt(i);
      this.symHi[s] = hi >>> 0;
      this.symLo[s] = lo >>> 0;
      // $2 .. $400 in whole cents, most names at the low end
      const u = rng.next();
      this.mid[s] = Math.round(200 + 39800 * u * u * u) * 100;
    }
    // activity: symbol hot[k] is picked with probability ~ k^(-2/3) (a few names carry most flow)
    this.hot = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.hot[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = this.hot[i];
      this.hot[i] = this.hot[j];
      this.hot[j] = t;
    }
  }

  // ---- output ----

  private flush(): Uint8Array {
    const out = this.u8.subarray(0, this.pos);
    this.bytes += this.pos;
    if (!this.reuse) {
      this.u8 = new Uint8Array(this.chunkBytes);
      this.dv = new DataView(this.u8.buffer);
    }
    this.pos = 0;
    return out;
  }

  /** A message through the checked encoder (administrative messages). */
  private emit(msg: ItchMessage): void {
    const len = ITCH50[msg.type].length;
    this.dv.setUint16(this.pos, len);
    encodeInto(msg, this.u8, this.pos + 2);
    this.pos += 2 + len;
    this.counts[ITCH50[msg.type].code]++;
  }

  /** Length prefix and header of a hot-path message; returns the message's offset. */
  private head(type: number, len: number, locate: number): number {
    const dv = this.dv;
    const p = this.pos;
    const m = p + 2;
    const ts = this.ts;
    dv.setUint16(p, len);
    dv.setUint8(m, type);
    dv.setUint16(m + LOCATE, locate);
    dv.setUint16(m + TRACKING, 0);
    dv.setUint16(m + TIMESTAMP, (ts / 4294967296) >>> 0);
    dv.setUint32(m + TIMESTAMP + 2, ts >>> 0);
    this.pos = m + len;
    this.counts[type]++;
    return m;
  }

  private u64(at: number, v: number): void {
    this.dv.setUint32(at, (v / 4294967296) >>> 0);
    this.dv.setUint32(at + 4, v >>> 0);
  }

  private stock(at: number, s: number): void {
    this.dv.setUint32(at, this.symHi[s]);
    this.dv.setUint32(at + 4, this.symLo[s]);
  }

  private hdr<T extends ItchType>(type: T, locate: number) {
    return { type, stockLocate: locate, trackingNumber: 0, timestamp: BigInt(this.ts) } as const;
  }

  private advance(dt: number): void {
    this.ts += dt;
  }

  // ---- order flow ----

  private pickSym(): number {
    const u = this.rng.next();
    if (this.zipf !== undefined) return this.hot[this.zipf.rank(u)];
    return this.hot[Math.floor(u * u * u * this.nSym)];
  }

  private lots(bits: number): number {
    // 100, 200, 400 ... round lots mostly; odd lots 1..99 one time in five
    return (bits & 15) < 13 ? 100 * (1 + Math.clz32((bits << 16) | 0x8000)) : 1 + ((bits >>> 4) & 0x7f) % 99;
  }

  private newRef(bits: number): number {
    if (this.gaps !== undefined) return (this.nextRef += this.gaps.next(this.rng));
    return (this.nextRef += 1 + (bits & 3));
  }

  /** The best price of a symbol's side (bids: highest, offers: lowest), 0 when it has none. */
  private bestOf(k: number): number {
    let b = this.best[k];
    if (b === b) return b;
    b = 0;
    const buy = (k & 1) === 1;
    for (const p of this.levels[k].keys()) if (b === 0 || (buy ? p > b : p < b)) b = p;
    this.best[k] = b;
    return b;
  }

  private level(s: number, buy: number, price: number, d: number): void {
    const k = s * 2 + buy;
    const m = this.levels[k];
    const c = (m.get(price) ?? 0) + d;
    if (c > 0) {
      m.set(price, c);
      const b = this.best[k];
      if (d > 0 && b === b && (b === 0 || (buy ? price > b : price < b))) this.best[k] = price;
    } else {
      m.delete(price);
      if (price === this.best[k]) this.best[k] = NaN;
    }
  }

  /**
   * A price for a new order on a side that neither crosses nor locks the other side's best (the
   * tick inside it); 0 when there is none (a buy with the best offer at one tick).
   */
  private inside(s: number, buy: boolean, price: number): number {
    const other = this.bestOf(s * 2 + (buy ? 0 : 1));
    if (other === 0) return price;
    if (buy) return price < other ? price : other - TICK;
    return price > other ? price : other + TICK;
  }

  private remove(i: number): void {
    this.level(this.oSym[i], this.oBuy[i], this.oPrice[i], -1);
    const j = --this.n;
    if (i !== j) {
      this.oRef[i] = this.oRef[j];
      this.oShares[i] = this.oShares[j];
      this.oPrice[i] = this.oPrice[j];
      this.oSym[i] = this.oSym[j];
      this.oBuy[i] = this.oBuy[j];
    }
  }

  private recordMatch(match: number, s: number): void {
    const k = this.ringN++ & (RING - 1);
    this.ring[k] = match;
    this.ringSym[k] = s;
  }

  private add(mpid: boolean): void {
    if (this.n >= this.cap) return this.del();
    const rng = this.rng;
    const s = this.pickSym();
    const r = rng.u32();
    const r2 = rng.u32();
    let mid = this.mid[s];
    if ((r & 7) === 0) {
      // the random walk: one add in eight moves the symbol's price a tick
      mid = r & 8 || mid <= 4 * TICK ? mid + TICK : mid - TICK;
      this.mid[s] = mid;
    }
    let buy = (r & 16) !== 0;
    const depth = 1 + Math.min(Math.clz32(r2), 15);
    let price = buy ? mid - depth * TICK : mid + depth * TICK;
    if (price < TICK) price = TICK;
    // The random walk leaves older orders behind the mid: a new one stops a tick short of the
    // other side, as a book never crosses (a buy with no room below the best offer sells).
    price = this.inside(s, buy, price);
    if (price < TICK) {
      buy = false;
      price = this.inside(s, false, mid + depth * TICK);
    }
    const shares = this.lots(r2 >>> 16);
    const ref = this.newRef(r >>> 5);
    const i = this.n++;
    if (this.n > this.peak) this.peak = this.n;
    this.oRef[i] = ref;
    this.oShares[i] = shares;
    this.oPrice[i] = price;
    this.oSym[i] = s;
    this.oBuy[i] = buy ? 1 : 0;
    this.level(s, buy ? 1 : 0, price, 1);
    const dv = this.dv;
    if (mpid) {
      const m = this.head(T_F, L_F, s + 1);
      this.u64(m + F_REF, ref);
      dv.setUint8(m + F_SIDE, buy ? 66 : 83);
      dv.setUint32(m + F_SHARES, shares);
      this.stock(m + F_STOCK, s);
      dv.setUint32(m + F_PRICE, price);
      dv.setUint32(m + F_ATTR, MPID_U32[(r >>> 8) & 7]);
    } else {
      const m = this.head(T_A, L_A, s + 1);
      this.u64(m + A_REF, ref);
      dv.setUint8(m + A_SIDE, buy ? 66 : 83);
      dv.setUint32(m + A_SHARES, shares);
      this.stock(m + A_STOCK, s);
      dv.setUint32(m + A_PRICE, price);
    }
  }

  private del(): void {
    if (this.n === 0) return this.add(false);
    const i = this.day ? recent(this.rng.next(), this.n) : this.rng.int(this.n);
    const m = this.head(T_D, L_D, this.oSym[i] + 1);
    this.u64(m + D_REF, this.oRef[i]);
    this.remove(i);
  }

  private replace(): void {
    if (this.n === 0) return this.add(false);
    const r = this.rng.u32();
    const u = (r >>> 8) * (1 / 16777216);
    const i = this.day ? recent(u, this.n) : Math.floor(u * this.n);
    const s = this.oSym[i];
    const buy = this.oBuy[i];
    let price = this.oPrice[i] + ((r & 3) - 1) * TICK;
    if (price < TICK) price = TICK;
    price = this.inside(s, buy === 1, price);
    if (price < TICK) price = this.oPrice[i]; // already a tick below the best offer: stays
    const shares = r & 4 ? this.oShares[i] : this.lots(r >>> 11);
    const ref = this.newRef(r >>> 3);
    const m = this.head(T_U, L_U, s + 1);
    this.u64(m + U_OLD, this.oRef[i]);
    this.u64(m + U_NEW, ref);
    this.dv.setUint32(m + U_SHARES, shares);
    this.dv.setUint32(m + U_PRICE, price);
    this.level(s, buy, this.oPrice[i], -1);
    this.level(s, buy, price, 1);
    this.oRef[i] = ref;
    this.oShares[i] = shares;
    this.oPrice[i] = price;
  }

  private exec(withPrice: boolean): void {
    if (this.n === 0) return this.add(false);
    const r = this.rng.u32();
    const i = Math.floor((r >>> 8) * (1 / 16777216) * this.n);
    const s = this.oSym[i];
    if (this.halted[s]) return this.del();
    const left = this.oShares[i];
    const full = left === 1 || (r & 1) !== 0;
    const shares = full ? left : 1 + this.rng.int(left - 1);
    const match = ++this.nextMatch;
    if (withPrice) {
      const m = this.head(T_C, L_C, s + 1);
      this.u64(m + C_REF, this.oRef[i]);
      this.dv.setUint32(m + C_SHARES, shares);
      this.u64(m + C_MATCH, match);
      this.dv.setUint8(m + C_PRINT, (r & 0x80) === 0 ? 89 : 78); // Y, N
      const p = this.oPrice[i];
      this.dv.setUint32(m + C_PRICE, this.oBuy[i] ? p + TICK : p > TICK ? p - TICK : p);
    } else {
      const m = this.head(T_E, L_E, s + 1);
      this.u64(m + E_REF, this.oRef[i]);
      this.dv.setUint32(m + E_SHARES, shares);
      this.u64(m + E_MATCH, match);
    }
    this.recordMatch(match, s);
    if (full) this.remove(i);
    else this.oShares[i] = left - shares;
  }

  private cancel(): void {
    if (this.n === 0) return this.add(false);
    const n = this.n;
    const start = this.rng.int(n);
    let i = -1;
    for (let k = 0; k < 16 && k < n; k++) {
      const j = start + k < n ? start + k : start + k - n;
      if (this.oShares[j] > 1) {
        i = j;
        break;
      }
    }
    if (i < 0) return this.del();
    const left = this.oShares[i];
    const shares = 1 + this.rng.int(left - 1);
    const m = this.head(T_X, L_X, this.oSym[i] + 1);
    this.u64(m + X_REF, this.oRef[i]);
    this.dv.setUint32(m + X_SHARES, shares);
    this.oShares[i] = left - shares;
  }

  private trade(): void {
    const s = this.pickSym();
    if (this.halted[s]) return this.add(false);
    const r = this.rng.u32();
    const match = ++this.nextMatch;
    const m = this.head(T_P, L_P, s + 1);
    this.u64(m + P_REF, 0); // NASDAQ zeroes the order reference of non-displayed executions
    this.dv.setUint8(m + P_SIDE, 66); // and always sends 'B'
    this.dv.setUint32(m + P_SHARES, this.lots(r));
    this.stock(m + P_STOCK, s);
    this.dv.setUint32(m + P_PRICE, this.mid[s]);
    this.u64(m + P_MATCH, match);
    this.recordMatch(match, s);
  }

  private noii(): void {
    const s = this.pickSym();
    const r = this.rng.u32();
    const mid = this.mid[s];
    const imbalance = 100 * ((r >>> 8) & 0xff);
    const m = this.head(T_I, L_I, s + 1);
    const dv = this.dv;
    this.u64(m + I_PAIRED, 100 * (r & 0xff) * 10);
    this.u64(m + I_IMB, imbalance);
    dv.setUint8(m + I_DIR, imbalance === 0 ? 78 : DIRS[(r >>> 16) & 3]);
    this.stock(m + I_STOCK, s);
    const d = ((r >>> 18) & 3) * TICK;
    dv.setUint32(m + I_FAR, mid + 2 * d);
    dv.setUint32(m + I_NEAR, mid + d);
    dv.setUint32(m + I_REFP, mid);
    dv.setUint8(m + I_CROSS, this.noiiCross);
    dv.setUint8(m + I_PVI, PVI.charCodeAt(((r >>> 20) & 0xf) % PVI.length));
  }

  private broken(): void {
    const have = Math.min(this.ringN, RING);
    if (have === 0) return this.add(false);
    const k = this.rng.int(have);
    const match = this.ring[k];
    if (match === 0) return this.add(false);
    this.ring[k] = 0; // a trade is broken once
    const m = this.head(T_B, L_B, this.ringSym[k] + 1);
    this.u64(m + B_MATCH, match);
  }

  private step(action: number): void {
    switch (action) {
      case ADD: return this.add(false);
      case ADD_MPID: return this.add(true);
      case DEL: return this.del();
      case REPLACE: return this.replace();
      case EXEC: return this.exec(false);
      case EXEC_PRICE: return this.exec(true);
      case CANCEL: return this.cancel();
      case TRADE: return this.trade();
      case NOII: return this.noii();
      default: return this.broken();
    }
  }

  /** One flow message: the mix, per 10,000: U 800, E 400, C 30, X 250, P 160, I 240, B 2, adds and deletes the rest. */
  private flowStep(): void {
    const x = this.rng.next() * 10000;
    if (x < 1882) {
      if (x < 800) return this.replace();
      if (x < 1200) return this.exec(false);
      if (x < 1230) return this.exec(true);
      if (x < 1480) return this.cancel();
      if (x < 1640) return this.trade();
      if (x < 1880) return this.noii();
      return this.broken();
    }
    // adds vs deletes: the book settles near half of maxLiveOrders
    const y = (x - 1882) * (1 / 8118);
    const pa = 0.55 - 0.08 * this.n * this.invCap;
    if (y < pa) return this.add(y < pa * 0.05);
    return this.del();
  }

  /** One flow message of the realistic day: the mix of DAY_MIX, NOII only in the imbalance periods. */
  private dayStep(): void {
    const x = this.rng.next() * 10000;
    if (x < this.noiiShare) return this.noii();
    const y = (x - this.noiiShare) * (10000 / (10000 - this.noiiShare)); // the rest, over [0, 10000)
    if (y < MIX_B) {
      if (y < MIX_U) return this.replace();
      if (y < MIX_E) return this.exec(false);
      if (y < MIX_C) return this.exec(true);
      if (y < MIX_X) return this.cancel();
      if (y < MIX_P) return this.trade();
      return this.broken();
    }
    const z = (y - MIX_B) * INV_ADDS_DELETES;
    const pa = addShareOf(this.n, this.target);
    if (z < pa) return this.add(z < pa * F_SHARE);
    return this.del();
  }

  /** count flow messages spread over [t0, t0 + dur), with the scheduled events at their flow index. */
  private *flow(count: number, t0: number, dur: number, warp: boolean, events: Scheduled[], script: boolean): Generator<Uint8Array> {
    events.sort((a, b) => a.at - b.at);
    const f: FlowState = { i: 0, count, t0, dur, step: 1 / count, warp, events, e: 0, script };
    while (f.i < f.count) {
      this.fill(f);
      if (this.pos > this.limit) yield this.flush();
    }
    while (f.e < events.length) {
      events[f.e++].run();
      if (this.pos > this.limit) yield this.flush();
    }
  }

  /** Flow steps until the chunk is full or the phase is over (a plain loop, kept out of the generator). */
  private fill(f: FlowState): void {
    const rng = this.rng;
    const { count, t0, dur, step, warp, events } = f;
    let i = f.i;
    let e = f.e;
    let nextEvent = e < events.length ? events[e].at : Infinity;
    while (i < count && this.pos <= this.limit) {
      let x = (i + rng.next()) * step;
      if (warp) x = x * (1 / 3 + x * (2 - x * (4 / 3)));
      const t = t0 + Math.floor(x * dur);
      if (t > this.ts) this.ts = t;
      if (i >= nextEvent) {
        while (e < events.length && events[e].at <= i) events[e++].run();
        nextEvent = e < events.length ? events[e].at : Infinity;
      }
      if (f.script && i < SCRIPT.length) this.step(SCRIPT[i]);
      else if (this.day) this.dayStep();
      else this.flowStep();
      i++;
    }
    f.i = i;
    f.e = e;
  }

  // ---- administrative messages ----

  private system(eventCode: string, at: number): void {
    if (at > this.ts) this.ts = at;
    this.emit({ ...this.hdr("S", 0), eventCode });
  }

  private cross(s: number, crossType: string): void {
    const r = this.rng.u32();
    this.emit({
      ...this.hdr("Q", s + 1),
      shares: BigInt(100 * (1 + (r & 0xfff))),
      stock: this.names[s],
      crossPrice: this.mid[s],
      matchNumber: BigInt(++this.nextMatch),
      crossType,
    });
  }

  private directory(s: number, ipo: number): void {
    const rng = this.rng;
    const category = "QQQQGGSSNNNAPZV"[rng.int(15)];
    const nasdaq = category === "Q" || category === "G" || category === "S";
    const cls = "CCCCCCCCAEEUWR"[rng.int(14)];
    const etp = cls === "E";
    const lev = etp && rng.int(4) === 0 ? 2 + rng.int(2) : 0;
    this.emit({
      ...this.hdr("R", s + 1),
      stock: this.names[s],
      marketCategory: category,
      financialStatusIndicator: nasdaq ? "N" : " ",
      roundLotSize: 100,
      roundLotsOnly: "N",
      issueClassification: cls,
      issueSubType: etp ? "I" : cls === "A" ? "A" : "Z",
      authenticity: "P",
      shortSaleThresholdIndicator: nasdaq ? (rng.int(50) === 0 ? "Y" : "N") : " ",
      ipoFlag: nasdaq ? (s === ipo ? "Y" : "N") : " ",
      luldReferencePriceTier: this.mid[s] >= 30000 && rng.int(3) === 0 ? "1" : "2",
      etpFlag: etp ? "Y" : "N",
      etpLeverageFactor: lev,
      inverseIndicator: lev && rng.int(2) === 0 ? "Y" : "N",
    });
  }

  private summary(): SessionSummary {
    const counts = {} as Record<ItchType, number>;
    for (const t of ITCH_TYPES) counts[t] = this.counts[ITCH50[t].code];
    let messages = 0;
    for (const t of ITCH_TYPES) messages += counts[t];
    return {
      messages,
      bytes: this.bytes,
      counts,
      symbols: this.names,
      liveOrders: this.n,
      peakLiveOrders: this.peak,
      lastOrderRef: this.nextRef,
      lastMatchNumber: this.nextMatch,
      firstTimestamp: this.firstTs,
      lastTimestamp: this.ts,
    };
  }

  *run(): Generator<Uint8Array, SessionSummary, undefined> {
    const rng = this.rng;
    const n = this.nSym;
    const names = this.names;
    const pick = () => rng.int(n);
    const ipoSym = pick(), dlcrSym = pick(), luldSym = this.hot[Math.min(3, n - 1)], opSym = pick();
    const gap = (lo: number, hi: number) => this.advance(lo + rng.int(hi - lo + 1));
    const room = () => this.pos > this.limit;

    // 03:00 start of messages; the directory and the day's reference data
    this.ts = T_START + rng.int(NS_S);
    this.firstTs = this.ts;
    this.system("O", this.ts);
    for (let s = 0; s < n; s++) {
      gap(500, 5000);
      this.directory(s, ipoSym);
      if (room()) yield this.flush();
    }
    for (let s = 0; s < n; s++) {
      gap(200, 2000);
      this.emit({ ...this.hdr("H", s + 1), stock: names[s], tradingState: "T", reserved: " ", reason: "" });
      if (room()) yield this.flush();
    }
    for (let s = 0; s < n; s++) {
      gap(200, 2000);
      this.emit({ ...this.hdr("Y", s + 1), stock: names[s], regShoAction: "0" });
      if (room()) yield this.flush();
    }
    for (let k = 0; k < Math.min(n, N_L_SYMBOLS); k++) {
      const s = this.hot[k];
      const a = rng.int(MPIDS.length);
      const b = (a + 1 + rng.int(MPIDS.length - 1)) % MPIDS.length;
      for (const [mpid, primary] of [[MPIDS[a], "Y"], [MPIDS[b], "N"]]) {
        gap(200, 2000);
        this.emit({
          ...this.hdr("L", s + 1),
          mpid,
          stock: names[s],
          primaryMarketMaker: primary,
          marketMakerMode: "N",
          marketParticipantState: "A",
        });
      }
      if (room()) yield this.flush();
    }
    gap(NS_S, 5 * NS_S);
    const close = BigInt(400_000 + rng.int(200_000)) * 1_000_000n; // S&P 500 prior close $4,000..$6,000 in price8
    this.emit({
      ...this.hdr("V", 0),
      level1: (close * 93n) / 100n,
      level2: (close * 87n) / 100n,
      level3: (close * 80n) / 100n,
    });
    gap(NS_S, 5 * NS_S);
    this.emit({
      ...this.hdr("K", ipoSym + 1),
      stock: names[ipoSym],
      ipoQuotationReleaseTime: 11 * 3600 + 30 * 60,
      ipoQuotationReleaseQualifier: "A",
      ipoPrice: this.mid[ipoSym],
    });

    // order flow budget: 6% before the open, 4% after the close
    const flow = this.total - fixedMessages(n);
    const pre = Math.max(SCRIPT.length, Math.round(flow * 0.06));
    const post = Math.max(2, Math.round(flow * 0.04));
    // the realistic day's imbalance periods before the crosses, with their NOII
    const openImb = this.day ? Math.round(flow * DAY_PHASES.openImbalance) : 0;
    const closeImb = this.day ? Math.round(flow * DAY_PHASES.closeImbalance) : 0;
    const market = flow - pre - post - openImb - closeImb;
    const preEnd = this.day ? T_OPEN - IMBALANCE_OPEN : T_OPEN - 1000;
    const marketEnd = this.day ? T_CLOSE - IMBALANCE_CLOSE : T_CLOSE;

    // 04:00 start of system hours: pre-market flow; a direct listing's indication before the open
    this.system("S", T_SYSTEM + rng.int(1000));
    this.noiiCross = 79; // 'O'
    yield* this.flow(pre, T_SYSTEM + 1000, preEnd - T_SYSTEM - 1000, false, [
      {
        at: Math.floor(pre * 0.9),
        run: () => {
          const p = this.mid[dlcrSym];
          this.emit({
            ...this.hdr("O", dlcrSym + 1),
            stock: names[dlcrSym],
            openEligibilityStatus: "Y",
            minimumAllowablePrice: Math.round(p * 0.8),
            maximumAllowablePrice: Math.round(p * 1.2),
            nearExecutionPrice: p,
            nearExecutionTime: BigInt(this.ts),
            lowerPriceRangeCollar: Math.round(p * 0.9),
            upperPriceRangeCollar: Math.round(p * 1.1),
          });
        },
      },
    ], true);
    if (this.day) {
      // 09:28 the opening imbalance period: NOII with the flow until the cross
      this.noiiShare = NOII_SHARE;
      yield* this.flow(openImb, preEnd, IMBALANCE_OPEN - 1000, false, [], false);
      this.noiiShare = 0;
    }

    // 09:30 start of market hours: the opening cross of every symbol
    this.system("Q", T_OPEN + rng.int(1000));
    for (let s = 0; s < n; s++) {
      gap(50, 500);
      this.cross(s, "O");
      if (room()) yield this.flush();
    }
    this.noiiCross = 67; // 'C'
    const at = (f: number) => Math.min(market, Math.floor(market * f));
    const events: Scheduled[] = [];
    for (const f of [0.2, 0.4, 0.7]) {
      events.push({
        at: at(f),
        run: () => {
          const s = this.pickSym();
          this.emit({ ...this.hdr("N", s + 1), stock: names[s], interestFlag: "BSA"[rng.int(3)] });
        },
      });
    }
    // a limit up-limit down pause, its auction collar and imbalance, the halt cross and the resumption
    const halt = (s: number, tradingState: string, reason: string) =>
      this.emit({ ...this.hdr("H", s + 1), stock: names[s], tradingState, reserved: " ", reason });
    events.push({ at: at(0.3), run: () => { halt(luldSym, "H", "LUDP"); this.halted[luldSym] = 1; } });
    events.push({
      at: at(0.301),
      run: () => {
        const p = this.mid[luldSym];
        this.emit({
          ...this.hdr("J", luldSym + 1),
          stock: names[luldSym],
          auctionCollarReferencePrice: p,
          upperAuctionCollarPrice: Math.round((p * 1.05) / TICK) * TICK,
          lowerAuctionCollarPrice: Math.round((p * 0.95) / TICK) * TICK,
          auctionCollarExtension: 0,
        });
      },
    });
    events.push({
      at: at(0.302),
      run: () => {
        const p = this.mid[luldSym];
        this.emit({
          ...this.hdr("I", luldSym + 1),
          pairedShares: BigInt(100 * (1 + rng.int(500))),
          imbalanceShares: BigInt(100 * rng.int(100)),
          imbalanceDirection: "B",
          stock: names[luldSym],
          farPrice: p,
          nearPrice: p,
          currentReferencePrice: p,
          crossType: "H",
          priceVariationIndicator: "L",
        });
      },
    });
    events.push({ at: at(0.304), run: () => { this.cross(luldSym, "H"); halt(luldSym, "T", ""); this.halted[luldSym] = 0; } });
    events.push({ at: at(0.5), run: () => this.emit({ ...this.hdr("W", 0), breachedLevel: "1" }) });
    const opHalt = (action: string) => {
      this.emit({ ...this.hdr("h", opSym + 1), stock: names[opSym], marketCode: "Q", operationalHaltAction: action });
      this.halted[opSym] = action === "H" ? 1 : 0;
    };
    events.push({ at: at(0.6), run: () => opHalt("H") });
    events.push({ at: at(0.61), run: () => opHalt("T") });
    yield* this.flow(market, T_OPEN + 10_000_000, marketEnd - T_OPEN - 20_000_000, true, events, false);
    if (this.day) {
      // 15:50 the closing imbalance period
      this.noiiShare = NOII_SHARE;
      yield* this.flow(closeImb, marketEnd, IMBALANCE_CLOSE - 20_000_000, false, [], false);
      this.noiiShare = 0;
    }

    // 16:00 end of market hours: the closing cross; after-hours flow
    this.system("M", T_CLOSE + rng.int(1000));
    for (let s = 0; s < n; s++) {
      gap(50, 500);
      this.cross(s, "C");
      if (room()) yield this.flush();
    }
    this.noiiCross = 65; // 'A' extended trading close
    yield* this.flow(post, T_CLOSE + NS_S, T_SYSTEM_END - T_CLOSE - 2 * NS_S, false, [], false);

    this.system("E", T_SYSTEM_END + rng.int(1000));
    this.system("C", T_END + rng.int(1000));
    if (this.pos > 0) yield this.flush();
    return this.summary();
  }
}

/**
 * A session as chunks of length-prefixed messages (see the file's header); the generator's return
 * value is the summary. Throws RangeError at once for invalid options.
 */
export function generateSession(opts: SessionOptions): Generator<Uint8Array, SessionSummary, undefined> {
  return new SessionBuilder(opts).run();
}

/** Runs a session to its end and returns only its summary (e.g. for the symbol list). */
export function summarizeSession(opts: SessionOptions): SessionSummary {
  const it = generateSession(opts);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

/**
 * Calls fn for each message of a chunk of length-prefixed messages with the chunk, the message's
 * offset and length (no allocation); returns the number of messages.
 */
export function forEachMessage(chunk: Uint8Array, fn: (buf: Uint8Array, offset: number, length: number) => void): number {
  let p = 0;
  let count = 0;
  const end = chunk.length;
  while (p + 2 <= end) {
    const len = (chunk[p] << 8) | chunk[p + 1];
    if (p + 2 + len > end) throw new RangeError(`truncated message at ${p}: length ${len}, ${end - p - 2} bytes left`);
    fn(chunk, p + 2, len);
    p += 2 + len;
    count++;
  }
  if (p !== end) throw new RangeError(`a stray byte at the end of the chunk`);
  return count;
}

/** Each message of a session as its own view (convenience; allocates a view per message). */
export function* sessionMessages(opts: SessionOptions): Generator<Uint8Array, SessionSummary, undefined> {
  const it = generateSession(opts);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
    const chunk = r.value;
    let p = 0;
    while (p < chunk.length) {
      const len = (chunk[p] << 8) | chunk[p + 1];
      yield chunk.subarray(p + 2, p + 2 + len);
      p += 2 + len;
    }
  }
}

/** The type of a message's first byte, or undefined. */
export function messageType(b: number): ItchType | undefined {
  return SPEC_BY_CODE[b]?.type;
}
