// Feed module "itch50": NASDAQ TotalView-ITCH 5.0 over MoldUDP64.
//
// Every message: type (char) @0, stockLocate (u16) @1, trackingNumber (u16) @3, timestamp (u48,
// ns since midnight) @5, then its fields from @11 in spec order; integers big-endian; price4 has
// 4 implied decimals, price8 has 8. Each length is checked exactly; an unknown type or a wrong
// length is counted, never thrown. The field tables for the full-message view are in
// src/itchgen/itch-encode.ts (ITCH50); test/itch50.test.ts checks both agree.

import { REJ_UNKNOWN_TYPE, REJ_BAD_LENGTH, PS_BOOK_EVENTS, PS_RECORDS, PS_RECORDS_ON_DEMAND } from "../layout";
import {
  TICK_OTHER, TICK_ADD, TICK_MODIFY, TICK_CANCEL, TICK_DELETE, TICK_EXECUTE, TICK_TRADE,
  TICK_STATUS, TICK_SYSTEM, TICK_DIRECTORY, TICK_BROKEN, TICK_IMBALANCE, R_MATCH_ID,
  R_REF_ORDER_ID, R_QUANTITY, R_QUANTITY2, R_PRICE, R_PRICE2, R_FLAGS, R_STATUS, R_SIDE, R_ORDER_ID,
} from "../records";
import { be16, be32, be48, be64 } from "../parse/bytes";
import { reject } from "../parse/stats";
import { beginRecord, setOrder, setU64, setU8, recordWanted, countMessage } from "../parse/record";
import { psGet32 } from "../parse/stats";
import { eventsName } from "../book/publish";
import { moldPacket, moldPacketInline, moldPeek } from "../parse/moldudp64";
import { registerFeed, registerRecordsOnDemand, registerFrames } from "../parse/feed-registry";
import { tableMessages, tablePayloads, rxFrame } from "../parse/driver";
import { rxBatchOf } from "../xsk";
import { arbitrating } from "../parse/arbiter";
import { bookOn } from "../book/instruments";
import { bookAdd, bookReduce, bookDelete, bookReplace, bookDirectory } from "../book/l3";

export * from "../abi";
export * from "../parse/feed-abi";
export * from "../book/abi";

const P4: u32 = 4;
const P8: u32 = 8;
// The smallest message block: u16 length + a 12-byte message.
const MIN_BLOCK: u32 = 14;

// Length of each message type by its byte (0: not an ITCH 5.0 type), from the table above in
// the spec's order: S 12, R 39, H 25, Y 20, L 26, V 35, W 12, K 28, J 35, h 21, A 36, F 40,
// E 31, C 36, X 23, D 19, U 35, P 44, Q 40, B 19, I 50, N 20, O 48. One load, no second switch.
const LENGTHS = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 36, 19, 36, 19, 31, 40, 0, 25, 50, 35, 28, 26, 0, 20, 48,
  44, 40, 39, 12, 0, 35, 35, 12, 23, 20, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 21, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);

function messageLength(type: u32): u32 {
  return <u32>load<u8>(LENGTHS + (type & 0xff));
}

// Inlined into the framing's loop (and the bare-message loop): no call per message. `book` is a
// constant of each instantiation: with it, the message is applied to the book (applyBook) after
// its record is written; without it (book off) the loop has no trace of the book. With records on
// demand (assembly/parse/record.ts recordWanted), a message of a type nobody asked for is counted
// and applied without a record, and gets one only if it wrote book events (they name it).
// `onDemand` is a constant of each instantiation too: false when PS_RECORDS_ON_DEMAND is off,
// so that the loop does not read it per message (the framing reads it once per packet).
@inline function onMessage(m: u32, len: u32, seq: u64, book: bool, onDemand: bool): void {
  const type = <u32>load<u8>(m);
  const need = messageLength(type);
  if (need == 0) {
    reject(REJ_UNKNOWN_TYPE);
    return;
  }
  if (len != need) {
    reject(REJ_BAD_LENGTH);
    return;
  }
  if (!onDemand || recordWanted(type)) {
    record(m, len, seq, type);
    if (book) applyBook(m, type);
  } else if (book) {
    const events = psGet32(PS_BOOK_EVENTS);
    applyBook(m, type);
    if (psGet32(PS_BOOK_EVENTS) == events) {
      countMessage(type);
    } else {
      record(m, len, seq, type);
      eventsName(events, psGet32(PS_RECORDS) - 1);
    }
  } else {
    countMessage(type);
  }
}

// The book operation of a message (assembly/book/l3.ts), with the fields it needs.
@inline function applyBook(m: u32, type: u32): void {
  switch (type) {
    case 0x41: // A, F: orderRef, side, shares, stock, price
    case 0x46:
      bookAdd(be64(m + 11), be16(m + 1), load<u8>(m, 19), be32(m + 20), be32(m + 32));
      break;
    case 0x45: // E, C, X: orderRef, executed / cancelled shares
    case 0x43:
    case 0x58:
      bookReduce(be64(m + 11), be32(m + 19), be16(m + 1));
      break;
    case 0x44: // D: orderRef
      bookDelete(be64(m + 11), be16(m + 1));
      break;
    case 0x55: // U: originalOrderRef, newOrderRef, shares, price
      bookReplace(be64(m + 11), be64(m + 19), be32(m + 27), be32(m + 31), be16(m + 1));
      break;
    case 0x52: // R: the instrument is registered
      bookDirectory(be16(m + 1));
      break;
  }
}

// The tick record of a message of the right length: every field the record has room for.
@inline function record(m: u32, len: u32, seq: u64, type: u32): void {
  const locate = be16(m + 1);
  const ts = be48(m + 5);
  let r: u32;
  switch (type) {
    case 0x41: // A: orderRef, side, shares, stock, price
    case 0x46: { // F: ... attribution
      r = beginRecord(m, len, seq, type, TICK_ADD, ts, locate, P4);
      const ref = be64(m + 11);
      const side = <u32>load<u8>(m, 19);
      const shares = be32(m + 20);
      const price = be32(m + 32);
      setOrder(r, ref, side, shares, price);
      break;
    }
    case 0x45: { // E: orderRef, executedShares, matchNumber
      r = beginRecord(m, len, seq, type, TICK_EXECUTE, ts, locate, P4);
      const ref = be64(m + 11);
      const shares = be32(m + 19);
      setU64(r, R_ORDER_ID, ref);
      setU64(r, R_QUANTITY, shares);
      setU64(r, R_MATCH_ID, be64(m + 23));
      break;
    }
    case 0x43: { // C: orderRef, executedShares, matchNumber, printable, executionPrice
      r = beginRecord(m, len, seq, type, TICK_EXECUTE, ts, locate, P4);
      const ref = be64(m + 11);
      const shares = be32(m + 19);
      setU64(r, R_ORDER_ID, ref);
      setU64(r, R_QUANTITY, shares);
      setU64(r, R_MATCH_ID, be64(m + 23));
      setU8(r, R_FLAGS, load<u8>(m, 31));
      setU64(r, R_PRICE, be32(m + 32));
      break;
    }
    case 0x58: { // X: orderRef, cancelledShares
      r = beginRecord(m, len, seq, type, TICK_CANCEL, ts, locate, P4);
      const ref = be64(m + 11);
      const shares = be32(m + 19);
      setU64(r, R_ORDER_ID, ref);
      setU64(r, R_QUANTITY, shares);
      break;
    }
    case 0x44: { // D: orderRef
      r = beginRecord(m, len, seq, type, TICK_DELETE, ts, locate, P4);
      const ref = be64(m + 11);
      setU64(r, R_ORDER_ID, ref);
      break;
    }
    case 0x55: { // U: originalOrderRef, newOrderRef, shares, price
      r = beginRecord(m, len, seq, type, TICK_MODIFY, ts, locate, P4);
      const original = be64(m + 11);
      const ref = be64(m + 19);
      const shares = be32(m + 27);
      const price = be32(m + 31);
      setU64(r, R_REF_ORDER_ID, original);
      setU64(r, R_ORDER_ID, ref);
      setU64(r, R_QUANTITY, shares);
      setU64(r, R_PRICE, price);
      break;
    }
    case 0x50: // P: orderRef, side, shares, stock, price, matchNumber
      r = beginRecord(m, len, seq, type, TICK_TRADE, ts, locate, P4);
      setOrder(r, be64(m + 11), load<u8>(m, 19), be32(m + 20), be32(m + 32));
      setU64(r, R_MATCH_ID, be64(m + 36));
      break;
    case 0x51: // Q: shares (u64), stock, crossPrice, matchNumber, crossType
      r = beginRecord(m, len, seq, type, TICK_TRADE, ts, locate, P4);
      setU64(r, R_QUANTITY, be64(m + 11));
      setU64(r, R_PRICE, be32(m + 27));
      setU64(r, R_MATCH_ID, be64(m + 31));
      setU8(r, R_FLAGS, load<u8>(m, 39));
      break;
    case 0x42: // B: matchNumber
      r = beginRecord(m, len, seq, type, TICK_BROKEN, ts, locate, P4);
      setU64(r, R_MATCH_ID, be64(m + 11));
      break;
    case 0x49: // I: pairedShares, imbalanceShares, imbalanceDirection, stock, farPrice, nearPrice, currentReferencePrice, ...
      r = beginRecord(m, len, seq, type, TICK_IMBALANCE, ts, locate, P4);
      setU64(r, R_QUANTITY, be64(m + 11));
      setU64(r, R_QUANTITY2, be64(m + 19));
      setU8(r, R_SIDE, load<u8>(m, 27));
      setU64(r, R_PRICE, be32(m + 44));
      setU64(r, R_PRICE2, be32(m + 40));
      setU8(r, R_FLAGS, load<u8>(m, 48));
      break;
    case 0x48: // H: stock, tradingState, reserved, reason
      r = beginRecord(m, len, seq, type, TICK_STATUS, ts, locate, P4);
      setU8(r, R_STATUS, load<u8>(m, 19));
      break;
    case 0x68: // h: stock, marketCode, operationalHaltAction
      r = beginRecord(m, len, seq, type, TICK_STATUS, ts, locate, P4);
      setU8(r, R_STATUS, load<u8>(m, 20));
      break;
    case 0x53: // S: eventCode
      r = beginRecord(m, len, seq, type, TICK_SYSTEM, ts, locate, P4);
      setU8(r, R_STATUS, load<u8>(m, 11));
      break;
    case 0x52: // R: stock, marketCategory, financialStatusIndicator, roundLotSize, ...
      r = beginRecord(m, len, seq, type, TICK_DIRECTORY, ts, locate, P4);
      setU64(r, R_QUANTITY, be32(m + 21));
      break;
    case 0x56: // V: level1..3 (price8)
      r = beginRecord(m, len, seq, type, TICK_OTHER, ts, locate, P8);
      setU64(r, R_PRICE, be64(m + 11));
      break;
    case 0x4b: // K: stock, ipoQuotationReleaseTime, qualifier, ipoPrice
      r = beginRecord(m, len, seq, type, TICK_OTHER, ts, locate, P4);
      setU64(r, R_PRICE, be32(m + 24));
      break;
    case 0x59: // Y: stock, regShoAction
    case 0x4e: // N: stock, interestFlag
      r = beginRecord(m, len, seq, type, TICK_OTHER, ts, locate, P4);
      setU8(r, R_STATUS, load<u8>(m, 19));
      break;
    case 0x57: // W: breachedLevel
      r = beginRecord(m, len, seq, type, TICK_OTHER, ts, locate, P4);
      setU8(r, R_STATUS, load<u8>(m, 11));
      break;
    default: // L, J, O: the full view has every field
      beginRecord(m, len, seq, type, TICK_OTHER, ts, locate, P4);
  }
}

class Handler {
  @inline onMessage(m: u32, len: u32, seq: u64): void {
    onMessage(m, len, seq, false, false);
  }
}
const handler = new Handler();

class OnDemandHandler {
  @inline onMessage(m: u32, len: u32, seq: u64): void {
    onMessage(m, len, seq, false, true);
  }
}
const onDemandHandler = new OnDemandHandler();

class BookHandler {
  @inline onMessage(m: u32, len: u32, seq: u64): void {
    onMessage(m, len, seq, true, true);
  }
}
const bookHandler = new BookHandler();

// Records on demand: the feed's handler reads PS_RECORDS_ON_DEMAND per message only when it is on.
@inline function onDemand(): bool {
  return psGet32(PS_RECORDS_ON_DEMAND) != 0;
}

class Framing {
  @inline onPayload(p: u32, len: u32): void {
    if (bookOn()) moldPacket<BookHandler>(p, len, bookHandler);
    else if (onDemand()) moldPacket<OnDemandHandler>(p, len, onDemandHandler);
    else moldPacketInline<Handler>(p, len, handler);
  }
}
const framing = new Framing();

function onPayload(p: u32, len: u32): void {
  framing.onPayload(p, len);
}

function onPayloads(first: u32, n: u32, line: u32): u32 {
  return tablePayloads<Framing>(first, n, line, MIN_BLOCK, framing, onPayload, moldPeek);
}

function onMessages(first: u32, n: u32, firstSeq: u64, perEntry: u32): u32 {
  if (bookOn()) return tableMessages<BookHandler>(first, n, firstSeq, perEntry, bookHandler);
  if (onDemand()) return tableMessages<OnDemandHandler>(first, n, firstSeq, perEntry, onDemandHandler);
  return tableMessages<Handler>(first, n, firstSeq, perEntry, handler);
}

// The receive loop's frame handlers (poll: frames kept; run: records start over when full), each
// frame's framing a direct call. Most batches have no book, no records on demand and no
// arbitration, which only JavaScript turns on or off between batches: onFrames checks that once per
// batch and takes the plain loop, which inlines the framing and its handler and asks nothing per
// frame; the other loop asks per frame and calls the framing.
class CalledFraming {
  @inline onPayload(p: u32, len: u32): void {
    if (bookOn()) moldPacket<BookHandler>(p, len, bookHandler);
    else if (onDemand()) moldPacket<OnDemandHandler>(p, len, onDemandHandler);
    else moldPacket<Handler>(p, len, handler);
  }
}
const calledFraming = new CalledFraming();

class PlainFraming {
  @inline onPayload(p: u32, len: u32): void {
    moldPacketInline<Handler>(p, len, handler);
  }
}
const plainFraming = new PlainFraming();

class KeptFrames {
  @inline onFrame(frame: u32, len: u32): bool {
    return rxFrame<CalledFraming>(frame, len, true, MIN_BLOCK, calledFraming, onPayload, moldPeek);
  }
}
const keptFrames = new KeptFrames();

class RecycledFrames {
  @inline onFrame(frame: u32, len: u32): bool {
    return rxFrame<CalledFraming>(frame, len, false, MIN_BLOCK, calledFraming, onPayload, moldPeek);
  }
}
const recycledFrames = new RecycledFrames();

class KeptPlainFrames {
  @inline onFrame(frame: u32, len: u32): bool {
    return rxFrame<PlainFraming>(frame, len, true, MIN_BLOCK, plainFraming, onPayload, moldPeek, true);
  }
}
const keptPlainFrames = new KeptPlainFrames();

class RecycledPlainFrames {
  @inline onFrame(frame: u32, len: u32): bool {
    return rxFrame<PlainFraming>(frame, len, false, MIN_BLOCK, plainFraming, onPayload, moldPeek, true);
  }
}
const recycledPlainFrames = new RecycledPlainFrames();

function onFrames(max: u32, keep: bool): i32 {
  if (!bookOn() && !onDemand() && !arbitrating()) {
    return keep ? rxBatchOf<KeptPlainFrames>(max, true, keptPlainFrames) : rxBatchOf<RecycledPlainFrames>(max, false, recycledPlainFrames);
  }
  return keep ? rxBatchOf<KeptFrames>(max, true, keptFrames) : rxBatchOf<RecycledFrames>(max, false, recycledFrames);
}

registerFeed(onPayload, onPayloads, onMessages, messageLength, MIN_BLOCK, moldPeek);
registerFrames(onFrames);
registerRecordsOnDemand();
