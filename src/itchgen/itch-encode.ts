// NASDAQ TotalView-ITCH 5.0: the one definition of the message layouts in TypeScript (ITCH50),
// the message types derived from it, and a checked encoder from plain objects.
//
// Every message starts with the common header: type (char) @0, stockLocate (u2) @1,
// trackingNumber (u2) @3, timestamp (u6, nanoseconds since midnight) @5; its own fields follow
// from offset 11. All integers are big-endian; alpha fields are ASCII, left-justified and padded
// with spaces; price4 is a u4 with 4 implied decimals, price8 a u8 with 8.
//
// Values: u2 and u4 fields are numbers, u6 (the timestamp) and u8 fields are bigints (the encoder
// also takes a safe-integer number there), char fields are one-character strings, alpha fields
// strings of at most the field's width.

/** The layouts as NASDAQ's specification tables list them: fields after the common header, in wire order. */
const DEFS = {
  S: ["System Event", 12, "eventCode char1"],
  R: [
    "Stock Directory",
    39,
    "stock alpha8, marketCategory char1, financialStatusIndicator char1, roundLotSize u4, roundLotsOnly char1, issueClassification char1, issueSubType alpha2, authenticity char1, shortSaleThresholdIndicator char1, ipoFlag char1, luldReferencePriceTier char1, etpFlag char1, etpLeverageFactor u4, inverseIndicator char1",
  ],
  H: ["Stock Trading Action", 25, "stock alpha8, tradingState char1, reserved char1, reason alpha4"],
  Y: ["Reg SHO Restriction", 20, "stock alpha8, regShoAction char1"],
  L: [
    "Market Participant Position",
    26,
    "mpid alpha4, stock alpha8, primaryMarketMaker char1, marketMakerMode char1, marketParticipantState char1",
  ],
  V: ["MWCB Decline Level", 35, "level1 u8 price8, level2 u8 price8, level3 u8 price8"],
  W: ["MWCB Status", 12, "breachedLevel char1"],
  K: [
    "IPO Quoting Period Update",
    28,
    "stock alpha8, ipoQuotationReleaseTime u4, ipoQuotationReleaseQualifier char1, ipoPrice u4 price4",
  ],
  J: [
    "LULD Auction Collar",
    35,
    "stock alpha8, auctionCollarReferencePrice u4 price4, upperAuctionCollarPrice u4 price4, lowerAuctionCollarPrice u4 price4, auctionCollarExtension u4",
  ],
  h: ["Operational Halt", 21, "stock alpha8, marketCode char1, operationalHaltAction char1"],
  A: ["Add Order", 36, "orderRef u8, side char1, shares u4, stock alpha8, price u4 price4"],
  F: ["Add Order with MPID", 40, "orderRef u8, side char1, shares u4, stock alpha8, price u4 price4, attribution alpha4"],
  E: ["Order Executed", 31, "orderRef u8, executedShares u4, matchNumber u8"],
  C: [
    "Order Executed with Price",
    36,
    "orderRef u8, executedShares u4, matchNumber u8, printable char1, executionPrice u4 price4",
  ],
  X: ["Order Cancel", 23, "orderRef u8, cancelledShares u4"],
  D: ["Order Delete", 19, "orderRef u8"],
  U: ["Order Replace", 35, "originalOrderRef u8, newOrderRef u8, shares u4, price u4 price4"],
  P: [
    "Trade (non-cross)",
    44,
    "orderRef u8, side char1, shares u4, stock alpha8, price u4 price4, matchNumber u8",
  ],
  Q: ["Cross Trade", 40, "shares u8, stock alpha8, crossPrice u4 price4, matchNumber u8, crossType char1"],
  B: ["Broken Trade", 19, "matchNumber u8"],
  I: [
    "NOII",
    50,
    "pairedShares u8, imbalanceShares u8, imbalanceDirection char1, stock alpha8, farPrice u4 price4, nearPrice u4 price4, currentReferencePrice u4 price4, crossType char1, priceVariationIndicator char1",
  ],
  N: ["Retail Price Improvement Indicator", 20, "stock alpha8, interestFlag char1"],
  O: [
    "Direct Listing with Capital Raise",
    48,
    "stock alpha8, openEligibilityStatus char1, minimumAllowablePrice u4 price4, maximumAllowablePrice u4 price4, nearExecutionPrice u4 price4, nearExecutionTime u8, lowerPriceRangeCollar u4 price4, upperPriceRangeCollar u4 price4",
  ],
} as const;

type Defs = typeof DEFS;

/** A message type character. */
export type ItchType = keyof Defs;

// Types derived from the DEFS strings: "name kind[ priceN]" items separated by ", ".
type Split<S extends string> = S extends `${infer H}, ${infer T}` ? [H, ...Split<T>] : [S];
type ValueOf<Spec extends string> = Spec extends `u8${string}` | `u6${string}`
  ? bigint
  : Spec extends `u${string}`
    ? number
    : string;
type FieldsOf<S extends string> = {
  [F in Split<S>[number] as F extends `${infer N} ${string}` ? N : never]: F extends `${string} ${infer Spec}`
    ? ValueOf<Spec>
    : never;
};
type Flatten<T> = { [K in keyof T]: T[K] };

/** The common header of every message. */
export interface ItchHeader<T extends ItchType = ItchType> {
  type: T;
  stockLocate: number;
  trackingNumber: number;
  /** Nanoseconds since midnight (u6). */
  timestamp: bigint;
}

/** One message type as a plain object: the header plus that type's fields, named as in ITCH50. */
export type ItchMessageOf<T extends ItchType> = Flatten<ItchHeader<T> & FieldsOf<Defs[T][2]>>;

/** Any ITCH 5.0 message, discriminated by `type`. */
export type ItchMessage = { [T in ItchType]: ItchMessageOf<T> }[ItchType];

export type FieldKind = "char" | "alpha" | "u2" | "u4" | "u6" | "u8";

export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  /** Byte offset from the start of the message (the type byte). */
  readonly offset: number;
  readonly size: number;
  /** Implied decimals of a price field. */
  readonly price?: 4 | 8;
}

export interface MessageSpec {
  readonly type: ItchType;
  /** The type character's byte value. */
  readonly code: number;
  readonly name: string;
  /** Message length in bytes, header included (the length a binary file or MoldUDP64 block gives). */
  readonly length: number;
  /** All fields in wire order, the common header's four first; they tile [0, length) exactly. */
  readonly fields: readonly FieldSpec[];
}

export const HEADER_LENGTH = 11;

const HEADER: readonly FieldSpec[] = [
  { name: "type", kind: "char", offset: 0, size: 1 },
  { name: "stockLocate", kind: "u2", offset: 1, size: 2 },
  { name: "trackingNumber", kind: "u2", offset: 3, size: 2 },
  { name: "timestamp", kind: "u6", offset: 5, size: 6 },
];

const SIZE_OF: Record<string, number> = { u2: 2, u4: 4, u6: 6, u8: 8 };

function buildSpec(type: string, name: string, length: number, def: string): MessageSpec {
  const fields: FieldSpec[] = HEADER.map((f) => Object.freeze({ ...f }));
  let offset = HEADER_LENGTH;
  for (const item of def.split(", ")) {
    let m = /^([A-Za-z][A-Za-z0-9]*) (char|alpha)(\d+)$/.exec(item);
    let f: FieldSpec;
    if (m) {
      const size = Number(m[3]);
      if (m[2] === "char" && size !== 1) throw new Error(`ITCH50 '${type}': char field ${m[1]} of size ${size}`);
      f = { name: m[1], kind: m[2] as FieldKind, offset, size };
    } else {
      m = /^([A-Za-z][A-Za-z0-9]*) (u2|u4|u6|u8)(?: price(4|8))?$/.exec(item);
      if (!m) throw new Error(`ITCH50 '${type}': cannot read field '${item}'`);
      const kind = m[2] as FieldKind;
      f = { name: m[1], kind, offset, size: SIZE_OF[kind] };
      if (m[3]) {
        const price = Number(m[3]) as 4 | 8;
        if ((price === 4) !== (kind === "u4")) throw new Error(`ITCH50 '${type}': ${m[1]} is ${kind} price${price}`);
        f = { ...f, price };
      }
    }
    if (fields.some((g) => g.name === f.name)) throw new Error(`ITCH50 '${type}': duplicate field ${f.name}`);
    fields.push(Object.freeze(f));
    offset += f.size;
  }
  // The load-time check: fields are contiguous from 0 and end exactly at the declared length.
  let end = 0;
  for (const f of fields) {
    if (f.offset !== end) throw new Error(`ITCH50 '${type}': field ${f.name} at ${f.offset}, expected ${end}`);
    end += f.size;
  }
  if (end !== length) throw new Error(`ITCH50 '${type}' (${name}): fields end at ${end}, the message length is ${length}`);
  if (type.length !== 1) throw new Error(`ITCH50: bad type '${type}'`);
  return Object.freeze({ type: type as ItchType, code: type.charCodeAt(0), name, length, fields: Object.freeze(fields) });
}

/** The ITCH 5.0 layouts, by type character. */
export const ITCH50: Readonly<Record<ItchType, MessageSpec>> = Object.freeze(
  Object.fromEntries(
    Object.entries(DEFS).map(([t, [name, length, def]]) => [t, buildSpec(t, name, length, def)]),
  ) as Record<ItchType, MessageSpec>,
);

/** The 23 type characters, in the order of the specification's tables above. */
export const ITCH_TYPES: readonly ItchType[] = Object.freeze(Object.keys(DEFS) as ItchType[]);

/** The longest message (NOII, 50 bytes). */
export const MAX_MESSAGE_LENGTH = Math.max(...ITCH_TYPES.map((t) => ITCH50[t].length));

/** Spec of a type by its byte value (undefined for a byte that is no ITCH 5.0 type). */
export const SPEC_BY_CODE: readonly (MessageSpec | undefined)[] = (() => {
  const a: (MessageSpec | undefined)[] = new Array(256).fill(undefined);
  for (const t of ITCH_TYPES) a[ITCH50[t].code] = ITCH50[t];
  return Object.freeze(a);
})();

/** A field of a type by name; throws if the type has no such field. */
export function fieldSpec(type: ItchType, name: string): FieldSpec {
  const spec = ITCH50[type];
  const f = spec?.fields.find((g) => g.name === name);
  if (!f) throw new Error(`ITCH50 '${type}' has no field '${name}'`);
  return f;
}

const MAX_U6 = (1n << 48n) - 1n;
const MAX_U8 = (1n << 64n) - 1n;

let cachedBuf: ArrayBufferLike | undefined;
let cachedDv: DataView | undefined;
function viewOf(b: ArrayBufferLike): DataView {
  if (cachedBuf !== b) {
    cachedBuf = b;
    cachedDv = new DataView(b);
  }
  return cachedDv!;
}

function fail(type: string, f: FieldSpec, why: string): never {
  throw new RangeError(`ITCH '${type}' field ${f.name}: ${why}`);
}

function bigOf(type: string, f: FieldSpec, v: unknown, max: bigint): bigint {
  let b: bigint;
  if (typeof v === "bigint") b = v;
  else if (typeof v === "number" && Number.isSafeInteger(v)) b = BigInt(v);
  else fail(type, f, `expected a bigint, got ${typeof v === "number" ? v : typeof v}`);
  if (b < 0n || b > max) fail(type, f, `${b} is out of range 0..${max}`);
  return b;
}

/**
 * Encodes msg at out[offset ..]; returns its length. The object's keys must be exactly the
 * type's field names (header included); every value is range-checked.
 */
export function encodeInto(msg: ItchMessage, out: Uint8Array, offset = 0): number {
  const type = (msg as { type?: unknown }).type;
  const spec = typeof type === "string" ? ITCH50[type as ItchType] : undefined;
  if (!spec || !Object.prototype.hasOwnProperty.call(ITCH50, type as string)) {
    throw new TypeError(`not an ITCH 5.0 message type: ${JSON.stringify(type)}`);
  }
  if (!Number.isInteger(offset) || offset < 0 || offset + spec.length > out.length) {
    throw new RangeError(`ITCH '${spec.type}': ${spec.length} bytes do not fit at offset ${offset} of ${out.length}`);
  }
  const rec = msg as unknown as Record<string, unknown>;
  const keys = Object.keys(rec);
  if (keys.length !== spec.fields.length || spec.fields.some((f) => !(f.name in rec))) {
    const want = spec.fields.map((f) => f.name);
    const extra = keys.filter((k) => !want.includes(k));
    const missing = want.filter((k) => !(k in rec));
    throw new TypeError(`ITCH '${spec.type}': missing fields [${missing.join(", ")}], unknown fields [${extra.join(", ")}]`);
  }
  const dv = viewOf(out.buffer);
  const base = out.byteOffset + offset;
  for (const f of spec.fields) {
    const v = rec[f.name];
    const at = base + f.offset;
    switch (f.kind) {
      case "char": {
        if (typeof v !== "string" || v.length !== 1) fail(spec.type, f, `expected one character, got ${JSON.stringify(v)}`);
        const c = v.charCodeAt(0);
        if (c < 0x20 || c > 0x7e) fail(spec.type, f, `not printable ASCII: ${c}`);
        dv.setUint8(at, c);
        break;
      }
      case "alpha": {
        if (typeof v !== "string" || v.length > f.size) fail(spec.type, f, `expected at most ${f.size} characters, got ${JSON.stringify(v)}`);
        for (let i = 0; i < f.size; i++) {
          const c = i < v.length ? v.charCodeAt(i) : 0x20;
          if (c < 0x20 || c > 0x7e) fail(spec.type, f, `not printable ASCII: ${c}`);
          dv.setUint8(at + i, c);
        }
        break;
      }
      case "u2":
        if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffff) fail(spec.type, f, `${String(v)} is not a u2`);
        dv.setUint16(at, v);
        break;
      case "u4":
        if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffffffff) fail(spec.type, f, `${String(v)} is not a u4`);
        dv.setUint32(at, v);
        break;
      case "u6": {
        const b = bigOf(spec.type, f, v, MAX_U6);
        dv.setUint16(at, Number(b >> 32n));
        dv.setUint32(at + 2, Number(b & 0xffffffffn));
        break;
      }
      case "u8":
        dv.setBigUint64(at, bigOf(spec.type, f, v, MAX_U8));
        break;
    }
  }
  return spec.length;
}

/** Encodes msg into a new array of exactly its length. */
export function encode(msg: ItchMessage): Uint8Array {
  const spec = ITCH50[(msg as { type: ItchType }).type];
  const out = new Uint8Array(spec ? spec.length : 0);
  encodeInto(msg, out, 0);
  return out;
}
