// The record writer: one tick record per delivered message (layout: assembly/records.ts).

import {
  RECORDS_BASE, RECORD_MAX, PS_RECORDS, PS_RECEIVE_TS, PS_MESSAGES, PS_BOOK_EVENTS, PS_HW_TS, PS_HW_USED, HWTS_BASE,
  PSTATS_BASE, PS_RECORDS_ON_DEMAND, PS_RECORD_TYPES,
} from "../layout";
import {
  RECORD_SIZE, R_SEQ, R_EXCHANGE_TS, R_RECEIVE_TS, R_ORDER_ID, R_MATCH_ID, R_REF_ORDER_ID,
  R_PRICE, R_QUANTITY, R_PRICE2, R_QUANTITY2, R_INSTRUMENT, R_MSG_OFFSET, R_MSG_LENGTH, R_KIND,
  R_SIDE, R_MSG_TYPE, R_PRICE_SCALE,
} from "../records";
import { psGet, psAdd, psGet32, psSet32, countType } from "./stats";
import { holdRecycle } from "./hold";

@inline export function recordsFree(): u32 {
  return RECORD_MAX - psGet32(PS_RECORDS);
}

@inline export function clearRecords(): void {
  psSet32(PS_RECORDS, 0);
  // Released held packets' bytes were read through the records until now.
  holdRecycle();
  psSet32(PS_BOOK_EVENTS, 0); // book events index records (assembly/book/events.ts)
}

// Whether a message of type byte `type` gets a record: every message does, unless records are on
// demand (PS_RECORDS_ON_DEMAND); then those of the types in PS_RECORD_TYPES do, and a feed with a
// book writes one for a message that wrote book events too (the events name it).
@inline export function recordWanted(type: u32): bool {
  return psGet32(PS_RECORDS_ON_DEMAND) == 0 ||
    ((<u32>load<u8>(PSTATS_BASE + PS_RECORD_TYPES + (type >> 3)) >> (type & 7)) & 1) != 0;
}

// Counts a delivered message (beginRecord does, for one that gets a record).
@inline export function countMessage(type: u32): void {
  psAdd(PS_MESSAGES, 1);
  countType(type);
}

// Starts the next record with the fields every message has, all others zero. The caller has
// checked recordsFree() for the whole packet.
@inline export function beginRecord(msg: u32, len: u32, seq: u64, type: u32, kind: u32, exchangeTs: u64, instrument: u32, scale: u32): u32 {
  countMessage(type);
  return writeRecord(msg, len, seq, type, kind, exchangeTs, instrument, scale);
}

// A further record of the message beginRecord() started (SBE feeds: one record per entry of a
// message's groups): written the same way, not counted as another message.
@inline export function writeRecord(msg: u32, len: u32, seq: u64, type: u32, kind: u32, exchangeTs: u64, instrument: u32, scale: u32): u32 {
  const n = psGet32(PS_RECORDS);
  psSet32(PS_RECORDS, n + 1);
  const r = RECORDS_BASE + n * RECORD_SIZE;
  store<u64>(r + R_SEQ, seq);
  store<u64>(r + R_EXCHANGE_TS, exchangeTs);
  store<u64>(r + R_RECEIVE_TS, psGet(PS_RECEIVE_TS));
  // The NIC's timestamp has no room in the record: a parallel array, written only once a NIC
  // has given one (no cost where none does).
  if (psGet32(PS_HW_USED) != 0) store<u64>(HWTS_BASE + (n << 3), psGet(PS_HW_TS));
  // orderId .. quantity2, seven u64 in a row (test/layout.test.ts), zeroed in four stores: the
  // first u64, then three v128 from R_MATCH_ID, which is 16-byte aligned in every record (records
  // of 96 bytes from a 64-byte aligned base). From R_ORDER_ID they were 8 bytes off, and every
  // other record's first and third crossed a cache line (~2% of an MDP 3.0 message).
  store<u64>(r + R_ORDER_ID, 0);
  const zero = i64x2.splat(0);
  v128.store(r + R_MATCH_ID, zero);
  v128.store(r + R_MATCH_ID + 16, zero);
  v128.store(r + R_MATCH_ID + 32, zero);
  // The last 16 bytes in two stores, not eight: V8 does not merge adjacent stores (~0.5 ns a
  // message). The u32 pair and the eight bytes from R_MSG_LENGTH (side, flags and status 0) are
  // laid out by records.ts; test/layout.test.ts checks they fit these two words.
  store<u64>(r + R_INSTRUMENT, <u64>instrument | (<u64>msg << ((R_MSG_OFFSET - R_INSTRUMENT) << 3)));
  store<u64>(r + R_MSG_LENGTH, <u64>(len & 0xffff) | (<u64>(kind & 0xff) << ((R_KIND - R_MSG_LENGTH) << 3)) |
    (<u64>(type & 0xff) << ((R_MSG_TYPE - R_MSG_LENGTH) << 3)) | (<u64>(scale & 0xff) << ((R_PRICE_SCALE - R_MSG_LENGTH) << 3)));
  return r;
}

@inline export function setOrder(r: u32, orderId: u64, side: u32, quantity: u64, price: i64): void {
  store<u64>(r + R_ORDER_ID, orderId);
  store<u8>(r + R_SIDE, <u8>side);
  store<u64>(r + R_QUANTITY, quantity);
  store<i64>(r + R_PRICE, price);
}

@inline export function setU64(r: u32, field: u32, v: u64): void {
  store<u64>(r + field, v);
}

@inline export function setU8(r: u32, field: u32, v: u32): void {
  store<u8>(r + field, <u8>v);
}
