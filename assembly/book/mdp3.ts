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
//   mdpBookSetDepth(secId, depth, impliedDepth)  from the instrument definition (MarketDepth,
//                                      GBXMarketDepth ...); until then MDP_DEFAULT_DEPTH (10) and
//                                      MDP_DEFAULT_IMPLIED (2); clamped to MDP_DEPTH_MAX (16) and
//                                      MDP_IMPLIED_MAX (4); a lower depth drops the levels past it
//   mdpBookGap(secId)                  an RptSeq gap: the instrument is stale until its snapshot
//
// Sides: 0 bid, 1 ask. Prices are PRICE9 mantissas. Instrument slots are the book's instruments:
// book events, bookBbo(slot) and bookDepth(slot, side, n) (the outright levels) work as for the
// other feeds. Queries by SecurityID: mdpBookSlot, mdpBookBbo, mdpBookDepth (implied apart),
// mdpBookOrderDepth (the orders' book by price), mdpBookOrderQty / mdpBookOrderPriority.
// Memory: mdpBookSize / mdpBookInit, after the shared book's (bookInit first).

import {
  BK_ENABLED, BK_BASE, BK_MAX_INSTRUMENTS, BK_DEPTH_N, BK_DEPTH_EVENTS, BK_MDP_BASE, BK_MDP_BYTES,
  BK_MDP_SLOTS, BK_MDP_USED, BK_MDP_IDS, BK_MDP_IDS_MASK, BK_MDP_TABLE, BK_MDP_ORDERS,
  BK_MDP_ORDERS_MASK, BK_MDP_MAX_ORDERS, BK_MDP_ORDER_LIVE, BK_MDP_TOUCHED, BK_MDP_TOUCHED_N,
  BK_MDP_DEFAULT_DEPTH, BK_LEVEL_MASK, BK_LEVEL_HASH, BK_LEVEL_FREE, BK_LEVEL_USED, BK_LEVEL_LIVE,
  BOOK_CTL_BASE, BK_BBO, PS_BOOK_UPDATES, PS_BOOK_DEPTH_CHANGES, PS_MDP_INVALID,
  PS_MDP_UNKNOWN_INSTRUMENT, PS_MDP_RESETS, PS_MDP_SNAPSHOTS, PS_MDP_GAPS, DYNAMIC_BASE,
} from "../layout";
import {
  EV_DEPTH_BID, BBO_SIZE, BBO_BID_PX, BBO_ASK_PX, BBO_BID_QTY, BBO_ASK_QTY,
  BBO_BID_ORDERS, BBO_ASK_ORDERS, BBO_BID_LEVELS, BBO_ASK_LEVELS, BBO_FLAGS, BBO_MDP, CHECK_OK,
  CHECK_NO_BOOK, CHECK_LEVEL_COUNT, CHECK_ORDER_HASH, CHECK_ORDER_SUMS, CHECK_PUBLISHED,
} from "./events";
import { psAdd } from "../parse/stats";
import { I_HEAD, I_LEVELS, I_NTH, I_ORDERS, I_FLAGS, I_BID_PX, I_ASK_PX, I_BID_QTY, I_ASK_QTY, PUBLIC_FLAGS, ctl, setCtl, instAddr } from "./instruments";
import { HASH_ENTRY, HASH_INITIAL } from "./hash";
import { LV_SHARES, LV_ORDERS, LV_NEXT, LV_KEY } from "./level-nodes";
import { setBbo, lastRecord } from "./publish";
import { checkLevels, listDepthInto } from "./snapshot";
import {
  MDP_DEPTH_MAX, MDP_IMPLIED_MAX, MDP_DEFAULT_DEPTH, MDP_DEFAULT_IMPLIED, MDP_TOUCHED_MAX, ID_ENTRY,
  MDP_SLOT_SIZE, MS_FLAGS, MS_DEPTH, MS_IMPLIED, MS_RPT_SEQ, MS_DEPTH_BITS, MS_ORDERS, MS_SECURITY_ID,
  ML_PRICE, ML_QTY, ML_ORDERS, MF_TOUCHED, MF_STALE, MF_SNAPSHOT, MF_SNAP_LEVELS, MF_SNAP_ORDERS,
  slotAddr, slotFind, slotOf, idEntries, slotsClear,
} from "./mdp-slots";
import { MDP_NEW, MDP_CHANGE, MDP_DELETE, mbpApply, mbpClear, mbpTruncate, bestLevel, sideCount, mbpDepthInto, mbpConsistent } from "./mbp";
import { MBO_ENTRY, MO_ID, MO_PRIORITY, MO_QTY, MO_LEVEL, mboProbe, mboAdd, mboModify, mboRemove, mboClearSlot, mboClearAll, mboEntries } from "./mbo";

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

// --- queries ---

// The book instrument (slot) of a SecurityID, 0 when it has none.
export function mdpBookSlot(secId: i32): u32 {
  return ready() ? slotFind(secId) : 0;
}

// The SecurityID of a slot (0 when the slot is not in use).
export function mdpBookSecurityId(slot: u32): i32 {
  return ready() && slot != 0 && slot < ctl(BK_MDP_USED) ? load<i32>(slotAddr(slot), MS_SECURITY_ID) : 0;
}

export function mdpBookInstruments(): u32 {
  return ready() ? ctl(BK_MDP_USED) - 1 : 0;
}

// MF_STALE (2) when an RptSeq gap left the instrument stale, and the RptSeq of its last snapshot
// in the high 32 bits; -1 when it has no slot.
export function mdpBookState(secId: i32): i64 {
  const slot = mdpBookSlot(secId);
  if (slot == 0) return -1;
  const sa = slotAddr(slot);
  return (<i64>load<u32>(sa, MS_RPT_SEQ) << 32) | <i64>(load<u32>(sa, MS_FLAGS) & MF_STALE);
}

// Level 1 of the outright (implied = 0) or implied book of a SecurityID at BK_BBO (the BBO_*
// layout; prices and quantities 0 for an empty side; flags BBO_MDP); 0 when it has no slot.
export function mdpBookBbo(secId: i32, implied: u32): u32 {
  const out = BOOK_CTL_BASE + BK_BBO;
  memory.fill(out, 0, BBO_SIZE);
  const slot = mdpBookSlot(secId);
  if (slot == 0) return 0;
  const sa = slotAddr(slot);
  const b: u32 = implied != 0 ? 2 : 0;
  const bl = bestLevel(sa, b);
  const al = bestLevel(sa, b + 1);
  if (bl != 0) {
    store<i64>(out, load<i64>(bl, ML_PRICE), BBO_BID_PX);
    store<i64>(out, load<i64>(bl, ML_QTY), BBO_BID_QTY);
    store<i32>(out, load<i32>(bl, ML_ORDERS), BBO_BID_ORDERS);
  }
  if (al != 0) {
    store<i64>(out, load<i64>(al, ML_PRICE), BBO_ASK_PX);
    store<i64>(out, load<i64>(al, ML_QTY), BBO_ASK_QTY);
    store<i32>(out, load<i32>(al, ML_ORDERS), BBO_ASK_ORDERS);
  }
  store<u32>(out, sideCount(sa, b), BBO_BID_LEVELS);
  store<u32>(out, sideCount(sa, b + 1), BBO_ASK_LEVELS);
  store<u32>(out, load<u32>(instAddr(slot), I_FLAGS) & PUBLIC_FLAGS, BBO_FLAGS);
  return 1;
}

// The held levels of one side of the outright or implied book, best first, at BOOK_DEPTH_BASE.
export function mdpBookDepth(secId: i32, side: u32, n: u32, implied: u32): u32 {
  const slot = mdpBookSlot(secId);
  if (slot == 0 || side > 1) return 0;
  return mbpDepthInto(slotAddr(slot), implied != 0 ? side + 2 : side, n);
}

// The market-by-order book of one side by price (orders, quantity per price), best first.
export function mdpBookOrderDepth(secId: i32, side: u32, n: u32): u32 {
  const slot = mdpBookSlot(secId);
  if (slot == 0 || side > 1) return 0;
  return listDepthInto(slot, side, n);
}

export function mdpBookOrderCount(): u32 {
  return ready() ? ctl(BK_MDP_ORDER_LIVE) : 0;
}

// The quantity of an order on the book, -1 when it is not.
export function mdpBookOrderQty(orderId: u64): i64 {
  if (!ready()) return -1;
  const e = mboProbe(orderId);
  return load<u32>(e, MO_LEVEL) != 0 ? load<i64>(e, MO_QTY) : -1;
}

// The priority of an order on the book, 0 when it is not.
export function mdpBookOrderPriority(orderId: u64): u64 {
  if (!ready()) return 0;
  const e = mboProbe(orderId);
  return load<u32>(e, MO_LEVEL) != 0 ? load<u64>(e, MO_PRIORITY) : 0;
}

// --- checks ---

// 0, or the CHECK_* of the first broken invariant: the shared levels (checkLevels), every slot's
// price levels (counts, nothing past the depth), its published BBO (level 1 of the outright book),
// and the orders (each found from its home, on a level of its slot, level sums).
export function mdpBookCheck(): u32 {
  if (!ready()) return CHECK_NO_BOOK;
  const levels = checkLevels();
  if (levels != CHECK_OK) return levels;
  const used = ctl(BK_MDP_USED);
  let slotOrders: u64 = 0;
  let levelOrders: u64 = 0;
  let levelQty: u64 = 0;
  for (let slot: u32 = 1; slot < used; slot++) {
    const sa = slotAddr(slot);
    const ia = instAddr(slot);
    if (slotFind(load<i32>(sa, MS_SECURITY_ID)) != slot || (load<u32>(ia, I_FLAGS) & BBO_MDP) == 0) return CHECK_LEVEL_COUNT;
    for (let b: u32 = 0; b < 4; b++) if (!mbpConsistent(sa, b)) return CHECK_LEVEL_COUNT;
    if ((load<u32>(sa, MS_FLAGS) & MF_TOUCHED) == 0) {
      const bl = bestLevel(sa, 0);
      const al = bestLevel(sa, 1);
      if (load<i64>(ia, I_BID_PX) != (bl != 0 ? load<i64>(bl, ML_PRICE) : 0)) return CHECK_PUBLISHED;
      if (load<i64>(ia, I_ASK_PX) != (al != 0 ? load<i64>(al, ML_PRICE) : 0)) return CHECK_PUBLISHED;
      if (load<i64>(ia, I_BID_QTY) != (bl != 0 ? load<i64>(bl, ML_QTY) : 0)) return CHECK_PUBLISHED;
      if (load<i64>(ia, I_ASK_QTY) != (al != 0 ? load<i64>(al, ML_QTY) : 0)) return CHECK_PUBLISHED;
    }
    if (load<u32>(sa, MS_ORDERS) != load<u32>(ia, I_ORDERS)) return CHECK_ORDER_SUMS;
    slotOrders += load<u32>(sa, MS_ORDERS);
    for (let side: u32 = 0; side < 2; side++) {
      for (let cur = load<u32>(ia + (side << 2), I_HEAD); cur != 0; cur = load<u32>(cur, LV_NEXT)) {
        levelOrders += load<u32>(cur, LV_ORDERS);
        levelQty += load<u64>(cur, LV_SHARES);
      }
    }
  }
  let live: u64 = 0;
  let qty: u64 = 0;
  const table = ctl(BK_MDP_ORDERS);
  const mask = ctl(BK_MDP_ORDERS_MASK);
  for (let i: u32 = 0; i <= mask; i++) {
    const e = table + i * MBO_ENTRY;
    const lv = load<u32>(e, MO_LEVEL);
    if (lv == 0) continue;
    if (mboProbe(load<u64>(e, MO_ID)) != e) return CHECK_ORDER_HASH;
    if (load<u32>(lv, LV_KEY) >> 1 >= used) return CHECK_ORDER_HASH;
    live++;
    qty += load<u64>(e, MO_QTY);
  }
  if (live != <u64>ctl(BK_MDP_ORDER_LIVE) || live != slotOrders || live != levelOrders || qty != levelQty) return CHECK_ORDER_SUMS;
  return CHECK_OK;
}
