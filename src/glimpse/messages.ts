// GLIMPSE 5.0's own message, End of Snapshot, and the writer of the snapshot's Add Order messages.
//
// GLIMPSE 5.0 sends ITCH 5.0 messages (System Event, Stock Directory, Stock Trading Action, Reg SHO
// Restriction, Retail Price Improvement Indicator, Operational Halt, Add Order) as SoupBinTCP
// Sequenced Data, then End of Snapshot:
//
//   Message Type      @0  1   'G'
//   Sequence Number   @1  20  numeric: the ITCH 5.0 sequence number of the live feed the snapshot
//                             is consistent with
//
// 21 bytes, without the stock locate, tracking number and timestamp every ITCH message starts
// with. Here the sequence number is that of the last live message the snapshot reflects: a
// receiver applies the live feed from the message after it. It is written as SoupBinTCP numeric
// fields are (right-justified, spaces on the left) and read with spaces or zeros on either side.

import { fieldSpec, ITCH50 } from "../itchgen/itch-encode.js";
import { SoupError } from "../soup/errors.js";

export const END_OF_SNAPSHOT = 0x47; // 'G'
export const END_OF_SNAPSHOT_LENGTH = 21;
const DIGITS = 20;

/** The End of Snapshot message for live sequence number `sequence`. */
export function endOfSnapshot(sequence: bigint | number): Uint8Array {
  const text = BigInt(sequence).toString();
  if (BigInt(sequence) < 0n || text.length > DIGITS) throw new SoupError("EFIELD", `the End of Snapshot sequence number ${text} does not fit 20 digits`);
  const m = new Uint8Array(END_OF_SNAPSHOT_LENGTH).fill(0x20);
  m[0] = END_OF_SNAPSHOT;
  for (let i = 0; i < text.length; i++) m[1 + DIGITS - text.length + i] = text.charCodeAt(i);
  return m;
}

/** The sequence number of an End of Snapshot message at buf[off, off + len); throws EFIELD when it is not one. */
export function readEndOfSnapshot(buf: Uint8Array, off: number, len: number): bigint {
  if (len !== END_OF_SNAPSHOT_LENGTH || buf[off] !== END_OF_SNAPSHOT) {
    throw new SoupError("EFIELD", `an End of Snapshot message of ${len} bytes; GLIMPSE 5.0's has ${END_OF_SNAPSHOT_LENGTH} ('G' and a 20-digit sequence number)`);
  }
  let a = off + 1;
  let b = off + len;
  while (a < b && buf[a] === 0x20) a++;
  while (b > a && buf[b - 1] === 0x20) b--;
  let v = 0n;
  for (let i = a; i < b; i++) {
    const c = buf[i];
    if (c < 0x30 || c > 0x39) {
      a = b; // not a number
      break;
    }
    v = v * 10n + BigInt(c - 0x30);
  }
  if (a === b) {
    const text = String.fromCharCode(...buf.subarray(off + 1, off + len));
    throw new SoupError("EFIELD", `the End of Snapshot sequence number ${JSON.stringify(text)} is not a number; the server does not follow GLIMPSE 5.0`);
  }
  return v;
}

const A = ITCH50.A;
export const ADD_ORDER_LENGTH = A.length;
const LOCATE = fieldSpec("A", "stockLocate").offset;
const TRACKING = fieldSpec("A", "trackingNumber").offset;
const TIMESTAMP = fieldSpec("A", "timestamp").offset;
const REF = fieldSpec("A", "orderRef").offset;
const SIDE = fieldSpec("A", "side").offset;
const SHARES = fieldSpec("A", "shares").offset;
const STOCK = fieldSpec("A", "stock").offset;
const PRICE = fieldSpec("A", "price").offset;

function u32(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}

/** Writes an Add Order (no MPID attribution, 'A') at out[at ..]; the stock is stock[stockAt, stockAt + 8). */
export function writeAddOrder(
  out: Uint8Array, at: number, locate: number, tracking: number, timestamp: number,
  refHi: number, refLo: number, side: number, shares: number, stock: Uint8Array, stockAt: number, price: number,
): void {
  out[at] = A.code;
  out[at + LOCATE] = locate >>> 8;
  out[at + LOCATE + 1] = locate & 0xff;
  out[at + TRACKING] = tracking >>> 8;
  out[at + TRACKING + 1] = tracking & 0xff;
  const hi = Math.floor(timestamp / 4294967296);
  out[at + TIMESTAMP] = (hi >>> 8) & 0xff;
  out[at + TIMESTAMP + 1] = hi & 0xff;
  u32(out, at + TIMESTAMP + 2, timestamp >>> 0);
  u32(out, at + REF, refHi);
  u32(out, at + REF + 4, refLo);
  out[at + SIDE] = side;
  u32(out, at + SHARES, shares);
  for (let i = 0; i < 8; i++) out[at + STOCK + i] = stock[stockAt + i];
  u32(out, at + PRICE, price);
}
