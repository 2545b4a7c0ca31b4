// Publishing: an instrument's published BBO (bidPx .. askQty in its entry, ./instruments.ts) and
// the book events that report a change to it or to the watched depth (their layout: ./events.ts),
// written in message order, each naming the tick record of its message.

import {
  BK_EVENTS, BOOK_EVENT_MAX, PS_BOOK_EVENTS, PS_BOOK_BBO_CHANGES, PS_BOOK_EVENTS_LOST, PS_RECORDS,
} from "../layout";
import {
  BOOK_EVENT_SIZE, BE_RECORD, BE_INSTRUMENT, BE_BID_PX, BE_ASK_PX, BE_BID_QTY, BE_ASK_QTY, BE_FLAGS,
  EV_BBO,
} from "./events";
import { psAdd, psGet32, psSet32 } from "../parse/stats";
import { I_HEAD, I_BID_PX, I_ASK_PX, I_BID_QTY, I_ASK_QTY, ctl } from "./instruments";
import { LV_PRICE, LV_SHARES } from "./level-nodes";

// Writes a book event for instrument inst (its published BBO, flags EV_*) at record rec.
export function emitEvent(rec: u32, inst: u32, ia: u32, flags: u32): void {
  const k = psGet32(PS_BOOK_EVENTS);
  if (k >= BOOK_EVENT_MAX) {
    psAdd(PS_BOOK_EVENTS_LOST, 1);
    return;
  }
  psSet32(PS_BOOK_EVENTS, k + 1);
  const ev = ctl(BK_EVENTS) + k * BOOK_EVENT_SIZE;
  store<u32>(ev, rec, BE_RECORD);
  store<u32>(ev, inst, BE_INSTRUMENT);
  store<i64>(ev, load<i64>(ia, I_BID_PX), BE_BID_PX);
  store<i64>(ev, load<i64>(ia, I_ASK_PX), BE_ASK_PX);
  store<u64>(ev, load<u64>(ia, I_BID_QTY), BE_BID_QTY);
  store<u64>(ev, load<u64>(ia, I_ASK_QTY), BE_ASK_QTY);
  store<u32>(ev, flags, BE_FLAGS);
  store<u32>(ev, 0, BE_FLAGS + 4);
}

@inline export function isPublished(ia: u32, bp: i64, ap: i64, bq: u64, aq: u64): bool {
  return bp == load<i64>(ia, I_BID_PX) && ap == load<i64>(ia, I_ASK_PX) && bq == load<u64>(ia, I_BID_QTY) && aq == load<u64>(ia, I_ASK_QTY);
}

// Makes (bp, ap, bq, aq) the published BBO and writes a book event at record `rec` when it or the
// watched depth (depth: EV_DEPTH_*) changed.
export function setBbo(inst: u32, ia: u32, rec: u32, bp: i64, ap: i64, bq: u64, aq: u64, depth: u32): void {
  let flags = depth;
  if (!isPublished(ia, bp, ap, bq, aq)) {
    store<i64>(ia, bp, I_BID_PX);
    store<i64>(ia, ap, I_ASK_PX);
    store<u64>(ia, bq, I_BID_QTY);
    store<u64>(ia, aq, I_ASK_QTY);
    psAdd(PS_BOOK_BBO_CHANGES, 1);
    flags |= EV_BBO;
  }
  if (flags != 0) emitEvent(rec, inst, ia, flags);
}

// Publishes the BBO of the levels, with the depth change the message made.
export function publish(inst: u32, ia: u32, rec: u32, depth: u32): void {
  const bh = load<u32>(ia, I_HEAD);
  const ah = load<u32>(ia, I_HEAD + 4);
  setBbo(inst, ia, rec,
    bh != 0 ? load<i64>(bh, LV_PRICE) : 0, ah != 0 ? load<i64>(ah, LV_PRICE) : 0,
    bh != 0 ? load<u64>(bh, LV_SHARES) : 0, ah != 0 ? load<u64>(ah, LV_SHARES) : 0, depth);
}

// Points the book events from index `from` on at record `rec`: a message applied before its
// record was written (records on demand, assembly/parse/record.ts) gets its record only once it
// wrote events, which then name it.
export function eventsName(from: u32, rec: u32): void {
  const to = psGet32(PS_BOOK_EVENTS);
  const base = ctl(BK_EVENTS);
  for (let k = from; k < to; k++) store<u32>(base + k * BOOK_EVENT_SIZE, rec, BE_RECORD);
}

// The index of the record just written (the message being applied).
@inline export function lastRecord(): u32 {
  return psGet32(PS_RECORDS) - 1;
}
