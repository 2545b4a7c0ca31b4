// What the generated SBE feed modules (src/sbe/generate.ts) share besides their framing
// (./sbe-packet.ts): the records of one message, which may be several (one per entry of its
// groups: the first counted as the message, the others not), and null values read as zero.

import { REJ_RECORDS_FULL } from "../layout";
import { beginRecord, writeRecord, recordsFree } from "./record";
import { reject } from "./stats";

// Whether the message being parsed has written no record yet (set by sbeMessageStart).
let first = true;

@inline export function sbeMessageStart(): void {
  first = true;
}

// The next record of the current message, or 0 when the record region is full (counted; the
// framing's room check makes that possible only for packets released together by arbitration).
@inline export function sbeRecord(m: u32, len: u32, seq: u64, type: u32, kind: u32, ts: u64, instrument: u32, scale: u32): u32 {
  if (recordsFree() == 0) {
    reject(REJ_RECORDS_FULL);
    return 0;
  }
  if (first) {
    first = false;
    return beginRecord(m, len, seq, type & 0xff, kind, ts, instrument, scale);
  }
  return writeRecord(m, len, seq, type & 0xff, kind, ts, instrument, scale);
}

// Whether the current message wrote a record (else the generated code writes one for it).
@inline export function sbeWrote(): bool {
  return !first;
}

// A field's value, 0 where it holds its null value.
@inline export function nonNull<T>(v: T, nullValue: T): T {
  return v == nullValue ? <T>0 : v;
}
