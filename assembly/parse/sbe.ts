// What the generated SBE feed modules (src/sbe/generate.ts) share besides their framing
// (./sbe-packet.ts): the records of one message, which may be several (one per entry of its
// groups; the message counted once), and null values read as zero.

import { REJ_RECORDS_FULL, PS_RECORDS } from "../layout";
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
