// What the generated SBE feed modules (src/sbe/generate.ts) share besides their framing
// (./sbe-packet.ts): the records of one message, which may be several (one per entry of its
// groups; the message counted once), and null values read as zero.

import { REJ_RECORDS_FULL, PS_RECORDS } from "../layout";
import { TICK_LEVEL, TICK_SYSTEM, TICK_OTHER } from "../records";
import { writeRecord, recordsFree, countMessage } from "./record";
import { reject, psGet32 } from "./stats";

// The record count when the current message started (set by sbeMessageStart): the message
// has written records when the count moved past it. A message is counted once, when it ends
// (sbeMessageEnd), if it wrote any: the records themselves are all written alike.
let startRecords: u32 = 0;

@inline export function sbeMessageStart(): void {
  startRecords = psGet32(PS_RECORDS);
}

// The next record of the current message, or 0 when the record region is full (counted; the
// framing's room check makes that possible only for packets released together by arbitration).
@inline export function sbeRecord(m: u32, len: u32, seq: u64, type: u32, kind: u32, ts: u64, instrument: u32, scale: u32): u32 {
  if (recordsFree() == 0) {
    reject(REJ_RECORDS_FULL);
    return 0;
  }
  return writeRecord(m, len, seq, type & 0xff, kind, ts, instrument, scale);
}

// Whether the current message wrote a record (else the generated code writes one for it).
@inline export function sbeWrote(): bool {
  return psGet32(PS_RECORDS) != startRecords;
}

// The end of a message of template `template`: counted as delivered if it wrote a record.
@inline export function sbeMessageEnd(template: u32): void {
  if (sbeWrote()) countMessage(template & 0xff);
}

// A field's value, 0 where it holds its null value.
@inline export function nonNull<T>(v: T, nullValue: T): T {
  return v == nullValue ? <T>0 : v;
}

// The records' reading of a FIX MDEntryType(269) char t (< 256): one load from a table each,
// not the compares of every entry (which kept their results live across the record's start).
//   entrySide    'B' for a bid ('0') or implied bid ('E'), 'S' for an offer ('1') or implied
//                offer ('F'), any other type its own char
//   levelKind    TICK_LEVEL for those four, TICK_SYSTEM for 'J' (empty the book), else TICK_OTHER
//   impliedFlag  0x80 (R_FLAGS' implied bit) for 'E' and 'F', else 0
const ENTRY_SIDE = memory.data(256);
const LEVEL_KIND = memory.data(256);
const IMPLIED_FLAG = memory.data(256);
for (let t: u32 = 0; t < 256; t++) {
  const bid = t == 0x30 || t == 0x45;
  const offer = t == 0x31 || t == 0x46;
  store<u8>(ENTRY_SIDE + t, bid ? 0x42 : offer ? 0x53 : t);
  store<u8>(LEVEL_KIND + t, bid || offer ? TICK_LEVEL : t == 0x4a ? TICK_SYSTEM : TICK_OTHER);
  store<u8>(IMPLIED_FLAG + t, t == 0x45 || t == 0x46 ? 0x80 : 0);
}

@inline export function entrySide(t: u32): u32 {
  return <u32>load<u8>(ENTRY_SIDE + t);
}

@inline export function levelKind(t: u32): u32 {
  return <u32>load<u8>(LEVEL_KIND + t);
}

@inline export function impliedFlag(t: u32): u32 {
  return <u32>load<u8>(IMPLIED_FLAG + t);
}
