// Queries and checks of the CME MDP 3.0 books (exported through ./mdp3.ts): by SecurityID, the
// slot, the outright or implied level 1 and levels, the orders' book by price, an order's quantity
// and priority, an instrument's recovery state; mdpBookCheck() walks both books (tests).

import {
  BK_MDP_BASE, BK_MDP_USED, BK_MDP_ORDERS, BK_MDP_ORDERS_MASK, BK_MDP_ORDER_LIVE, BOOK_CTL_BASE, BK_BBO,
} from "../layout";
import {
  BBO_SIZE, BBO_BID_PX, BBO_ASK_PX, BBO_BID_QTY, BBO_ASK_QTY, BBO_BID_ORDERS, BBO_ASK_ORDERS,
  BBO_BID_LEVELS, BBO_ASK_LEVELS, BBO_FLAGS, BBO_MDP, CHECK_OK, CHECK_NO_BOOK, CHECK_LEVEL_COUNT,
  CHECK_ORDER_HASH, CHECK_ORDER_SUMS, CHECK_PUBLISHED,
} from "./events";
import { I_HEAD, I_ORDERS, I_FLAGS, I_BID_PX, I_ASK_PX, I_BID_QTY, I_ASK_QTY, PUBLIC_FLAGS, ctl, instAddr } from "./instruments";
import { LV_SHARES, LV_ORDERS, LV_NEXT, LV_KEY } from "./level-nodes";
import { checkLevels, listDepthInto } from "./snapshot";
import {
  MS_FLAGS, MS_RPT_SEQ, MS_ORDERS, MS_SECURITY_ID, ML_PRICE, ML_QTY, ML_ORDERS, MF_TOUCHED, MF_STALE,
  slotAddr, slotFind,
} from "./mdp-slots";
import { bestLevel, sideCount, mbpDepthInto, mbpConsistent } from "./mbp";
import { MBO_ENTRY, MO_PRIORITY, MO_QTY, MO_LEVEL, MO_ID, mboProbe } from "./mbo";

@inline function ready(): bool {
  return ctl(BK_MDP_BASE) != 0;
}

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
