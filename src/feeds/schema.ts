// Message layouts for the full-message view: for each type, every field of the spec with its
// offset, size and kind. ITCH 5.0's table is src/itchgen/itch-encode.ts (ITCH50); IEX's is below.
// test/itch50.test.ts (ITCH 5.0) and test/iex.test.ts (IEX TOPS and DEEP) check each table
// against the compiled parser's messageLength().

export type FieldKind = "char" | "alpha" | "u1" | "u2" | "u4" | "u6" | "u8" | "i8";

export interface FieldDef {
  name: string;
  kind: FieldKind;
  offset: number;
  size: number;
  /** Implied decimal places of a price field. */
  price?: number;
}

export interface MessageDef {
  type: string;
  name: string;
  /** Exact length (ITCH) or minimum length (IEX, which may append fields). */
  length: number;
  fields: FieldDef[];
}

export interface Schema {
  name: string;
  littleEndian: boolean;
  messages: Record<string, MessageDef>;
  /** An SBE feed's schema (src/sbe): messages keyed by template id, decoded whole by MessageView. */
  sbe?: SbeSchema;
}

import type { SbeSchema } from "../sbe/schema.js";

type Spec = Array<[string, FieldKind, number?]>;

const SIZES: Record<FieldKind, number> = { char: 1, alpha: 0, u1: 1, u2: 2, u4: 4, u6: 6, u8: 8, i8: 8 };

/** Lays fields out in wire order from offset 0; alpha sizes are given, prices marked with 4. */
export function layout(type: string, name: string, spec: Array<[string, FieldKind, number?, number?]>): MessageDef {
  let offset = 0;
  const fields = spec.map(([fname, kind, size, price]) => {
    const f: FieldDef = { name: fname, kind, offset, size: kind === "alpha" ? size! : SIZES[kind] };
    if (price) f.price = price;
    offset += f.size;
    return f;
  });
  return { type, name, length: offset, fields };
}

// IEX TOPS 1.6 / DEEP 1.0 (little-endian). Field names: the spec's, in lowerCamelCase.
const P: [string, FieldKind, undefined, number] = ["", "i8", undefined, 4];
const price = (name: string): [string, FieldKind, undefined, number] => [name, P[1], P[2], P[3]];
const head = (first: string, firstKind: FieldKind = "char"): Spec => [["messageType", "char"], [first, firstKind], ["timestamp", "u8"]];
const sym: [string, FieldKind, number] = ["symbol", "alpha", 8];

const IEX_COMMON: MessageDef[] = [
  layout("S", "System Event", [...head("systemEvent")]),
  layout("D", "Security Directory", [...head("flags", "u1"), sym, ["roundLotSize", "u4"], price("adjustedPocPrice"), ["luldTier", "u1"]]),
  layout("H", "Trading Status", [...head("tradingStatus"), sym, ["reason", "alpha", 4]]),
  layout("O", "Operational Halt Status", [...head("operationalHaltStatus"), sym]),
  layout("P", "Short Sale Price Test Status", [...head("shortSalePriceTestStatus", "u1"), sym, ["detail", "char"]]),
  layout("T", "Trade Report", [...head("saleConditionFlags", "u1"), sym, ["size", "u4"], price("price"), ["tradeId", "u8"]]),
  layout("X", "Official Price", [...head("priceType"), sym, price("officialPrice")]),
  layout("B", "Trade Break", [...head("saleConditionFlags", "u1"), sym, ["size", "u4"], price("price"), ["tradeId", "u8"]]),
  layout("A", "Auction Information", [
    ...head("auctionType"), sym, ["pairedShares", "u4"], price("referencePrice"), price("indicativeClearingPrice"),
    ["imbalanceShares", "u4"], ["imbalanceSide", "char"], ["extensionNumber", "u1"], ["scheduledAuctionTime", "u4"],
    price("auctionBookClearingPrice"), price("collarReferencePrice"), price("lowerAuctionCollar"), price("upperAuctionCollar"),
  ]),
];

const byType = (defs: MessageDef[]): Record<string, MessageDef> => Object.fromEntries(defs.map((d) => [d.type, d]));

export const IEX_TOPS16: Schema = {
  name: "iex-tops",
  littleEndian: true,
  messages: byType([
    ...IEX_COMMON,
    layout("Q", "Quote Update", [...head("flags", "u1"), sym, ["bidSize", "u4"], price("bidPrice"), price("askPrice"), ["askSize", "u4"]]),
  ]),
};

export const IEX_DEEP10: Schema = {
  name: "iex-deep",
  littleEndian: true,
  messages: byType([
    ...IEX_COMMON,
    layout("E", "Security Event", [...head("securityEvent"), sym]),
    layout("8", "Price Level Update (buy)", [...head("eventFlags", "u1"), sym, ["size", "u4"], price("price")]),
    layout("5", "Price Level Update (sell)", [...head("eventFlags", "u1"), sym, ["size", "u4"], price("price")]),
  ]),
};
