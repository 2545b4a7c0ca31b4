// CME MDP 3.0 instruments: SecurityIDs (int32, sparse) mapped to the book's instrument slots, and
// the slot table that holds each instrument's market-by-price book (./mbp.ts) and recovery state.
// Slot s is the book's instrument s (book events, bookBbo, bookDepth, the instrument table of
// ./instruments.ts); slot 0 is never handed out. Slots are handed out in order of first sight
// and kept for the life of the book (a channel reset empties the books, not the mapping); a new
// SecurityID once every slot is in use is counted (PS_MDP_INSTRUMENTS_FULL) and its entries
// skipped. Memory (BK_MDP_BASE, laid out by mdpLayout(), 64-byte aligned parts):
//
//   part       size                                what
//   ids        MDP ids entries * ID_ENTRY          open addressing on the SecurityID, linear
//                                                  probing, never deleted: id i32, slot u32 (0: empty)
//   touched    (MDP_TOUCHED_MAX) * 4               slots the current message changed
//   slots      BK_MDP_SLOTS * MDP_SLOT_SIZE        below
//   orders     order table (./mbo.ts)
//
// Slot entry (MDP_SLOT_SIZE bytes):
//
//   offset  field       type
//   0       securityId  i32
//   4       depth       u32   outright levels kept (MarketDepth; at most MDP_DEPTH_MAX)
//   8       implied     u32   implied levels kept (at most MDP_IMPLIED_MAX)
//   12      rptSeq      u32   RptSeq of the last snapshot applied
//   16      flags       u32   MF_* below
//   20      count[4]    u32   levels held per book side: outright bid, ask, implied bid, ask
//   36      depthBits   u32   EV_DEPTH_* the current message made (./mdp3.ts publishes them)
//   40      orders      u32   market-by-order orders of the instrument
//   64      books       the four sides' levels (./mbp.ts): outright bid, ask (MDP_DEPTH_MAX each),
//                       implied bid, ask (MDP_IMPLIED_MAX each)

import {
  BK_MDP_SLOTS, BK_MDP_USED, BK_MDP_IDS, BK_MDP_IDS_MASK, BK_MDP_TABLE, BK_MDP_DEFAULT_DEPTH, BK_MDP_TOUCHED_N,
  BK_MAX_INSTRUMENTS, PS_MDP_INSTRUMENTS_FULL,
} from "../layout";
import { BBO_MDP } from "./events";
import { I_FLAGS, ctl, setCtl, instAddr } from "./instruments";
import { hash32 } from "./hash";
import { psAdd } from "../parse/stats";

export const MDP_DEPTH_MAX: u32 = 16;
export const MDP_IMPLIED_MAX: u32 = 4;
// Depth of an instrument whose definition has not set it (mdpBookSetDepth): CME's usual 10 outright
// levels and 2 implied.
export const MDP_DEFAULT_DEPTH: u32 = 10;
export const MDP_DEFAULT_IMPLIED: u32 = 2;
export const MDP_TOUCHED_MAX: u32 = 1024;

export const ID_ENTRY: u32 = 8;
export const MS_SECURITY_ID: u32 = 0;
export const MS_DEPTH: u32 = 4;
export const MS_IMPLIED: u32 = 8;
export const MS_RPT_SEQ: u32 = 12;
export const MS_FLAGS: u32 = 16;
export const MS_COUNT: u32 = 20;
export const MS_DEPTH_BITS: u32 = 36;
export const MS_ORDERS: u32 = 40;
export const MS_BOOKS: u32 = 64;

// One level: price i64 (PRICE9 mantissa), quantity i64, orders i32, present u32 (0: empty level).
export const MBP_LEVEL: u32 = 24;
export const ML_PRICE: u32 = 0;
export const ML_QTY: u32 = 8;
export const ML_ORDERS: u32 = 16;
export const ML_PRESENT: u32 = 20;
export const MDP_SLOT_SIZE: u32 = MS_BOOKS + (2 * MDP_DEPTH_MAX + 2 * MDP_IMPLIED_MAX) * MBP_LEVEL;

// Slot flags (MS_FLAGS).
export const MF_TOUCHED: u32 = 1; // on the touched list of the current message
export const MF_STALE: u32 = 2; // an RptSeq gap was reported and no snapshot has rebuilt it since
export const MF_SNAPSHOT: u32 = 4; // a snapshot is being applied
export const MF_SNAP_LEVELS: u32 = 8; // ... and it has emptied the price levels (its first level entry)
export const MF_SNAP_ORDERS: u32 = 16; // ... and the orders (its first order entry)

@inline export function slotAddr(slot: u32): u32 {
  return ctl(BK_MDP_TABLE) + slot * MDP_SLOT_SIZE;
}

@inline function idHome(id: i32): u32 {
  return hash32(<u64><u32>id);
}

// The entry of SecurityID id, or the empty one where it goes.
@inline function idProbe(id: i32): u32 {
  const table = ctl(BK_MDP_IDS);
  const mask = ctl(BK_MDP_IDS_MASK);
  let i = idHome(id) & mask;
  let e = table + (i << 3);
  while (load<u32>(e, 4) != 0 && load<i32>(e) != id) {
    i = (i + 1) & mask;
    e = table + (i << 3);
  }
  return e;
}

// The slot of a SecurityID, 0 when it has none.
export function slotFind(id: i32): u32 {
  return load<u32>(idProbe(id), 4);
}

// The slot of a SecurityID, given one at first sight; 0 (counted) when every slot is in use.
@inline export function slotOf(id: i32): u32 {
  const e = idProbe(id);
  const s = load<u32>(e, 4);
  return s != 0 ? s : slotNew(e, id);
}

function slotNew(e: u32, id: i32): u32 {
  const s = ctl(BK_MDP_USED);
  if (s >= ctl(BK_MDP_SLOTS)) {
    psAdd(PS_MDP_INSTRUMENTS_FULL, 1);
    return 0;
  }
  setCtl(BK_MDP_USED, s + 1);
  store<i32>(e, id);
  store<u32>(e, s, 4);
  const sa = slotAddr(s);
  memory.fill(sa, 0, MDP_SLOT_SIZE);
  const d = ctl(BK_MDP_DEFAULT_DEPTH);
  store<i32>(sa, id, MS_SECURITY_ID);
  store<u32>(sa, d & 0xffff, MS_DEPTH);
  store<u32>(sa, d >> 16, MS_IMPLIED);
  const ia = instAddr(s);
  store<u32>(ia, load<u32>(ia, I_FLAGS) | BBO_MDP, I_FLAGS);
  return s;
}

// Slots the ids table and slot table hold: one per book instrument (slot 0 unused).
@inline export function mdpSlots(): u32 {
  return ctl(BK_MAX_INSTRUMENTS);
}

// Entries of the ids table for n slots: a power of two, at least 2n.
export function idEntries(n: u32): u32 {
  let p: u32 = 64;
  while (p < n << 1) p <<= 1;
  return p;
}

// Forgets every SecurityID and the current message's changes (the book is emptied or laid out again).
export function slotsClear(): void {
  memory.fill(ctl(BK_MDP_IDS), 0, (ctl(BK_MDP_IDS_MASK) + 1) * ID_ENTRY);
  setCtl(BK_MDP_USED, 1);
  setCtl(BK_MDP_TOUCHED_N, 0);
}
