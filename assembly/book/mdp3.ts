// The CME MDP 3.0 books as a feed module calls and exports them (`export * from "../book/mdp3"`,
// beside "../book/abi"): the market-by-price book (./mbp.ts: outright and implied, by level), the
// market-by-order book (./mbo.ts) and their recovery, over the instrument slots of
// ./mdp-slots.ts. TypeScript side: src/book/mdp3.ts.
//
// The decoder calls, for each message, after the message's tick record is written:
//
//   mdpBookLevel(secId, side, action, level, price, qty, orders, implied)   one MBP entry
//   mdpBookOrder(secId, side, action, orderId, priority, price, qty)        one MBO entry
//   mdpBookReset()                     channel reset (MDEntryType J): every book emptied
//   mdpBookSnapshotBegin(secId, rptSeq) .. entries (action New) .. mdpBookSnapshotEnd(secId)
//                                      an instrument's snapshot: the book kinds its entries carry
//                                      (levels, orders) are replaced; one without entries empties both
//   mdpBookMessageEnd()                publishes what the message changed: per instrument, the
//                                      outright BBO (a book event when it changed) and, with depth
//                                      events on, changes among the best BK_DEPTH_N outright levels
//   mdpBookDefinition(secId, depth, impliedDepth)  an instrument definition (MDInstrumentDefinition*):
//                                      the MarketDepth of its NoMDFeedTypes entries GBX (outright)
//                                      and GBI (implied), 0 for a feed type it does not list (or a
//                                      MarketDepth not above 0): that book takes the default depth,
//                                      then as mdpBookSetDepth; followed by mdpBookMessageEnd
//   mdpBookSetDepth(secId, depth, impliedDepth)  sets the depths: until an instrument's definition
//                                      is seen, MDP_DEFAULT_DEPTH (10) and MDP_DEFAULT_IMPLIED (2),
//                                      or what mdpBookDefaultDepth set; clamped to MDP_DEPTH_MAX (16)
//                                      and MDP_IMPLIED_MAX (4); a lower depth drops the levels past it
//   mdpBookGap(secId)                  an RptSeq gap: the instrument is stale until its snapshot
//
// Sides: 0 bid, 1 ask; from MDEntryType: '0' bid and '1' offer are the outright book, 'E' implied
// bid and 'F' implied offer the implied book (implied = true); 'J' is mdpBookReset; the other
// types (trades, statistics) are not book entries. Prices are PRICE9 mantissas; orders is
// NumberOfOrders (0 when null, as on implied levels). Instrument slots are the book's instruments:
// book events, bookBbo(slot) and bookDepth(slot, side, n) (the outright levels) work as for the
// other feeds. Queries by SecurityID (./mdp-query.ts, exported here too): mdpBookSlot, mdpBookBbo,
// mdpBookDepth (implied apart), mdpBookOrderDepth (the orders' book by price), mdpBookOrderQty /
// mdpBookOrderPriority, mdpBookState, mdpBookCheck.
// Memory: mdpBookSize / mdpBookInit, after the shared book's (bookInit first).

import {
  BK_ENABLED, BK_BASE, BK_MAX_INSTRUMENTS, BK_DEPTH_N, BK_DEPTH_EVENTS, BK_MDP_BASE, BK_MDP_BYTES,
  BK_MDP_SLOTS, BK_MDP_USED, BK_MDP_IDS, BK_MDP_IDS_MASK, BK_MDP_TABLE, BK_MDP_ORDERS,
  BK_MDP_ORDERS_MASK, BK_MDP_MAX_ORDERS, BK_MDP_TOUCHED, BK_MDP_TOUCHED_N, BK_MDP_DEFAULT_DEPTH,
  BK_LEVEL_MASK, BK_LEVEL_HASH, BK_LEVEL_FREE, BK_LEVEL_USED, BK_LEVEL_LIVE, PS_BOOK_UPDATES,
  PS_BOOK_DEPTH_CHANGES, PS_MDP_INVALID, PS_MDP_UNKNOWN_INSTRUMENT, PS_MDP_RESETS,
  PS_MDP_SNAPSHOTS, PS_MDP_GAPS, DYNAMIC_BASE,
} from "../layout";
import { EV_DEPTH_BID } from "./events";
import { psAdd } from "../parse/stats";
import { I_HEAD, I_LEVELS, I_NTH, I_ORDERS, ctl, setCtl, instAddr } from "./instruments";
import { HASH_ENTRY, HASH_INITIAL } from "./hash";
import { setBbo, lastRecord } from "./publish";
import {
  MDP_DEPTH_MAX, MDP_IMPLIED_MAX, MDP_DEFAULT_DEPTH, MDP_DEFAULT_IMPLIED, MDP_TOUCHED_MAX,
  ID_ENTRY, MDP_SLOT_SIZE, MS_FLAGS, MS_DEPTH, MS_IMPLIED, MS_RPT_SEQ, MS_DEPTH_BITS, MS_ORDERS,
  ML_PRICE, ML_QTY, MF_TOUCHED, MF_STALE, MF_SNAPSHOT, MF_SNAP_LEVELS, MF_SNAP_ORDERS, slotAddr,
  slotFind, slotOf, idEntries, slotsClear,
} from "./mdp-slots";
import {
  MDP_NEW, MDP_CHANGE, MDP_DELETE, mbpApply, mbpClear, mbpTruncate, bestLevel, sideCount,
} from "./mbp";
import { MBO_ENTRY, mboAdd, mboModify, mboRemove, mboClearSlot, mboClearAll, mboEntries } from "./mbo";

@inline function align64(x: u64): u64 {
  return (x + 63) & ~(<u64>63);
}

// Bytes of MDP3 memory for the shared book's instruments (bookInit first) and maxOrders orders.
export function mdpBookSize(maxOrders: u32): f64 {
  const slots = <u64>ctl(BK_MAX_INSTRUMENTS);
  let b = align64(<u64>idEntries(<u32>slots) * ID_ENTRY);
  b += align64(<u64>MDP_TOUCHED_MAX * 4);
  b += align64(slots * MDP_SLOT_SIZE);
  b += align64(<u64>mboEntries(maxOrders) * MBO_ENTRY);
  return <f64>b;
}

// Lays the MDP3 books out at base (64-byte aligned, after the shared book, memory grown to base +
// mdpBookSize) for the shared book's instruments; 1 on success, 0 if not.
export function mdpBookInit(base: u32, maxOrders: u32): u32 {
  setCtl(BK_MDP_BASE, 0);
  if (ctl(BK_BASE) == 0 || base < DYNAMIC_BASE || (base & 63) != 0 || maxOrders > 0x4000000) return 0;
  const bytes = <u64>mdpBookSize(maxOrders);
  if (<u64>base + bytes > (<u64>memory.size() << 16)) return 0;
  const slots = ctl(BK_MAX_INSTRUMENTS);
  let at: u64 = base;
  setCtl(BK_MDP_IDS, <u32>at);
  setCtl(BK_MDP_IDS_MASK, idEntries(slots) - 1);
  at += align64(<u64>idEntries(slots) * ID_ENTRY);
  setCtl(BK_MDP_TOUCHED, <u32>at);
  at += align64(<u64>MDP_TOUCHED_MAX * 4);
  setCtl(BK_MDP_TABLE, <u32>at);
  at += align64(<u64>slots * MDP_SLOT_SIZE);
  setCtl(BK_MDP_ORDERS, <u32>at);
  setCtl(BK_MDP_ORDERS_MASK, mboEntries(maxOrders) - 1);
  setCtl(BK_MDP_MAX_ORDERS, maxOrders);
  setCtl(BK_MDP_SLOTS, slots);
  setCtl(BK_MDP_BYTES, <u32>bytes);
  setCtl(BK_MDP_TOUCHED_N, 0);
  setCtl(BK_MDP_DEFAULT_DEPTH, MDP_DEFAULT_DEPTH | (MDP_DEFAULT_IMPLIED << 16));
  slotsClear();
  mboClearAll();
  setCtl(BK_MDP_BASE, base);
  return 1;
}

// --- what one message changed ---

// Puts a slot on the current message's touched list, with the EV_DEPTH_* it changed.
@inline function touch(slot: u32, sa: u32, depth: u32): void {
  const f = load<u32>(sa, MS_FLAGS);
  store<u32>(sa, load<u32>(sa, MS_DEPTH_BITS) | depth, MS_DEPTH_BITS);
  if ((f & MF_TOUCHED) != 0) return;
  store<u32>(sa, f | MF_TOUCHED, MS_FLAGS);
  const n = ctl(BK_MDP_TOUCHED_N);
  if (n < MDP_TOUCHED_MAX) store<u32>(ctl(BK_MDP_TOUCHED) + (n << 2), slot);
  if (n <= MDP_TOUCHED_MAX) setCtl(BK_MDP_TOUCHED_N, n + 1);
}

// The EV_DEPTH_* bit of a change from level `level` down on book side b (outright only).
@inline function depthBit(b: u32, level: u32): u32 {
  return b < 2 && level != 0 && level <= ctl(BK_DEPTH_N) ? EV_DEPTH_BID << b : 0;
}

// Publishes one touched slot: its outright BBO, and the watched depth change with depth events on.
function publishSlot(slot: u32, sa: u32, rec: u32): void {
  let depth = load<u32>(sa, MS_DEPTH_BITS);
  store<u32>(sa, 0, MS_DEPTH_BITS);
  store<u32>(sa, load<u32>(sa, MS_FLAGS) & ~MF_TOUCHED, MS_FLAGS);
  psAdd(PS_BOOK_UPDATES, 1);
  if (ctl(BK_DEPTH_EVENTS) == 0 || ctl(BK_DEPTH_N) == 0) depth = 0;
  else if (depth != 0) psAdd(PS_BOOK_DEPTH_CHANGES, 1);
  const bl = bestLevel(sa, 0);
  const al = bestLevel(sa, 1);
  setBbo(slot, instAddr(slot), rec,
    bl != 0 ? load<i64>(bl, ML_PRICE) : 0, al != 0 ? load<i64>(al, ML_PRICE) : 0,
    bl != 0 ? <u64>load<i64>(bl, ML_QTY) : 0, al != 0 ? <u64>load<i64>(al, ML_QTY) : 0, depth);
}

export function mdpBookMessageEnd(): void {
  const n = ctl(BK_MDP_TOUCHED_N);
  if (n == 0) return;
  const rec = lastRecord();
  if (n <= MDP_TOUCHED_MAX) {
    const list = ctl(BK_MDP_TOUCHED);
    for (let i: u32 = 0; i < n; i++) {
      const slot = load<u32>(list + (i << 2));
      publishSlot(slot, slotAddr(slot), rec);
    }
  } else {
    const used = ctl(BK_MDP_USED);
    for (let slot: u32 = 1; slot < used; slot++) {
      const sa = slotAddr(slot);
      if ((load<u32>(sa, MS_FLAGS) & MF_TOUCHED) != 0) publishSlot(slot, sa, rec);
    }
  }
  setCtl(BK_MDP_TOUCHED_N, 0);
}

// --- the hooks ---

// Whether the MDP3 part is laid out (queries), and whether the hooks update it (the book is on:
// BookView.enabled; the decoder may also skip calling them, as the other modules' bookOn() does).
@inline function ready(): bool {
  return ctl(BK_MDP_BASE) != 0;
}

@inline function on(): bool {
  return ctl(BK_ENABLED) != 0 && ctl(BK_MDP_BASE) != 0;
}

// The EV_DEPTH_* of the outright sides holding levels (what emptying the book changes).
@inline function outrightBits(sa: u32): u32 {
  return (sideCount(sa, 0) != 0 ? EV_DEPTH_BID : 0) | (sideCount(sa, 1) != 0 ? EV_DEPTH_BID << 1 : 0);
}

// A snapshot's first entry of a kind empties that kind of the instrument's book.
function snapshotFirst(slot: u32, sa: u32, f: u32, kind: u32): void {
  store<u32>(sa, f | kind, MS_FLAGS);
  if (kind == MF_SNAP_LEVELS) {
    const had = sideCount(sa, 0) | sideCount(sa, 1) | sideCount(sa, 2) | sideCount(sa, 3);
    const bits = outrightBits(sa);
    for (let b: u32 = 0; b < 4; b++) mbpClear(sa, b);
    if (had != 0) touch(slot, sa, bits);
  } else {
    mboClearSlot(slot, sa);
  }
}

export function mdpBookLevel(secId: i32, side: u32, action: u32, level: u32, price: i64, qty: i64, orders: i32, implied: bool): void {
  if (!on()) return;
  const slot = slotOf(secId);
  if (slot == 0) return; // counted: PS_MDP_INSTRUMENTS_FULL
  if (side > 1) {
    psAdd(PS_MDP_INVALID, 1);
    return;
  }
  const sa = slotAddr(slot);
  const f = load<u32>(sa, MS_FLAGS);
  if ((f & (MF_SNAPSHOT | MF_SNAP_LEVELS)) == MF_SNAPSHOT) snapshotFirst(slot, sa, f, MF_SNAP_LEVELS);
  const b = implied ? side + 2 : side;
  const changed = mbpApply(sa, b, action, level, price, qty, orders);
  if (changed != 0) touch(slot, sa, depthBit(b, changed));
}

export function mdpBookOrder(secId: i32, side: u32, action: u32, orderId: u64, priority: u64, price: i64, qty: i64): void {
  if (!on()) return;
  const slot = slotOf(secId);
  if (slot == 0) return;
  if (side > 1 || action > MDP_DELETE) {
    psAdd(PS_MDP_INVALID, 1);
    return;
  }
  const sa = slotAddr(slot);
  const f = load<u32>(sa, MS_FLAGS);
  if ((f & (MF_SNAPSHOT | MF_SNAP_ORDERS)) == MF_SNAPSHOT) snapshotFirst(slot, sa, f, MF_SNAP_ORDERS);
  if (action == MDP_NEW) mboAdd(slot, sa, side, orderId, priority, price, qty);
  else if (action == MDP_CHANGE) mboModify(slot, sa, side, orderId, priority, price, qty);
  else mboRemove(slot, sa, orderId);
}

export function mdpBookReset(): void {
  if (!on()) return;
  const used = ctl(BK_MDP_USED);
  for (let slot: u32 = 1; slot < used; slot++) {
    const sa = slotAddr(slot);
    const had = sideCount(sa, 0) | sideCount(sa, 1) | sideCount(sa, 2) | sideCount(sa, 3);
    const bits = outrightBits(sa);
    for (let b: u32 = 0; b < 4; b++) mbpClear(sa, b);
    store<u32>(sa, 0, MS_ORDERS);
    const ia = instAddr(slot);
    store<u64>(ia, 0, I_HEAD);
    store<u64>(ia, 0, I_LEVELS);
    store<u64>(ia, 0, I_NTH);
    store<u32>(ia, 0, I_ORDERS);
    if (had != 0) touch(slot, sa, bits);
  }
  // Every level node held orders of these books: the pool and its hash start again.
  setCtl(BK_LEVEL_MASK, HASH_INITIAL - 1);
  memory.fill(ctl(BK_LEVEL_HASH), 0, HASH_INITIAL * HASH_ENTRY);
  setCtl(BK_LEVEL_FREE, 0);
  setCtl(BK_LEVEL_USED, 0);
  setCtl(BK_LEVEL_LIVE, 0);
  mboClearAll();
  psAdd(PS_MDP_RESETS, 1);
}

export function mdpBookSnapshotBegin(secId: i32, rptSeq: u32): void {
  if (!on()) return;
  const slot = slotOf(secId);
  if (slot == 0) return;
  const sa = slotAddr(slot);
  store<u32>(sa, rptSeq, MS_RPT_SEQ);
  store<u32>(sa, (load<u32>(sa, MS_FLAGS) & ~(MF_SNAP_LEVELS | MF_SNAP_ORDERS)) | MF_SNAPSHOT, MS_FLAGS);
}

export function mdpBookSnapshotEnd(secId: i32): void {
  if (!on()) return;
  const slot = slotFind(secId);
  if (slot == 0) {
    psAdd(PS_MDP_UNKNOWN_INSTRUMENT, 1);
    return;
  }
  const sa = slotAddr(slot);
  let f = load<u32>(sa, MS_FLAGS);
  if ((f & MF_SNAPSHOT) == 0) return;
  if ((f & (MF_SNAP_LEVELS | MF_SNAP_ORDERS)) == 0) {
    snapshotFirst(slot, sa, f, MF_SNAP_LEVELS);
    snapshotFirst(slot, sa, load<u32>(sa, MS_FLAGS), MF_SNAP_ORDERS);
  }
  f = load<u32>(sa, MS_FLAGS);
  store<u32>(sa, f & ~(MF_SNAPSHOT | MF_SNAP_LEVELS | MF_SNAP_ORDERS | MF_STALE), MS_FLAGS);
  psAdd(PS_MDP_SNAPSHOTS, 1);
}

export function mdpBookSetDepth(secId: i32, depth: u32, impliedDepth: u32): void {
  if (!ready()) return;
  const slot = slotOf(secId);
  if (slot == 0) return;
  const sa = slotAddr(slot);
  if (depth > MDP_DEPTH_MAX) depth = MDP_DEPTH_MAX;
  if (impliedDepth > MDP_IMPLIED_MAX) impliedDepth = MDP_IMPLIED_MAX;
  store<u32>(sa, depth, MS_DEPTH);
  store<u32>(sa, impliedDepth, MS_IMPLIED);
  let cut: u32 = 0;
  for (let b: u32 = 0; b < 4; b++) if (mbpTruncate(sa, b, b < 2 ? depth : impliedDepth) && b < 2) cut |= EV_DEPTH_BID << b;
  if (cut != 0) touch(slot, sa, cut);
}

// An instrument definition's depths: each its feed type's MarketDepth, or 0 when the definition
// does not give it (no GBX / GBI entry, or MarketDepth 0 or less): the default depth of that book.
export function mdpBookDefinition(secId: i32, depth: u32, impliedDepth: u32): void {
  if (!ready()) return;
  const d = ctl(BK_MDP_DEFAULT_DEPTH);
  mdpBookSetDepth(secId, depth != 0 ? depth : d & 0xffff, impliedDepth != 0 ? impliedDepth : d >> 16);
}

// The depth (outright | implied << 16) of instruments not yet defined, from now on.
export function mdpBookDefaultDepth(depth: u32, impliedDepth: u32): void {
  if (depth > MDP_DEPTH_MAX) depth = MDP_DEPTH_MAX;
  if (impliedDepth > MDP_IMPLIED_MAX) impliedDepth = MDP_IMPLIED_MAX;
  setCtl(BK_MDP_DEFAULT_DEPTH, depth | (impliedDepth << 16));
}

export function mdpBookGap(secId: i32): void {
  if (!on()) return;
  const slot = slotOf(secId);
  if (slot == 0) return;
  const sa = slotAddr(slot);
  store<u32>(sa, load<u32>(sa, MS_FLAGS) | MF_STALE, MS_FLAGS);
  psAdd(PS_MDP_GAPS, 1);
}

export * from "./mdp-query";
