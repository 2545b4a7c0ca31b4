// The CME MDP 3.0 market-by-order book: every order by its OrderID, with its priority
// (OrderPriority, kept as sent) and quantity, aggregated into the shared price levels
// (./level-nodes.ts) of its instrument's slot, so the instrument's level lists hold the orders'
// book by price (mdpBookOrderDepth). Entries are order add / modify / delete (MDUpdateAction New,
// Change, Delete): a Change that moves the price or side moves the order to its new level.
// Whatever cannot be applied is counted and skipped: an OrderID not on the book
// (PS_MDP_UNKNOWN_ORDER), one already on it (PS_MDP_DUPLICATE_ORDER), every order slot in use
// (PS_MDP_ORDERS_FULL), a level node short (PS_BOOK_LEVELS_FULL), a Change or Delete naming an
// order of another instrument (PS_MDP_UNKNOWN_INSTRUMENT).
//
// Order table (BK_MDP_ORDERS, a power of two of entries at least twice BK_MDP_MAX_ORDERS; open
// addressing on the OrderID, linear probing, deletion shifting the cluster back):
//
//   offset  field     type
//   0       orderId   u64
//   8       priority  u64
//   16      qty       i64
//   24      level     u32   address of its level node (0: an empty entry); instrument, side and
//                           price are the node's
//   28      (zero)    u32

import {
  BK_MDP_ORDERS, BK_MDP_ORDERS_MASK, BK_MDP_MAX_ORDERS, BK_MDP_ORDER_LIVE,
  PS_MDP_UNKNOWN_ORDER, PS_MDP_DUPLICATE_ORDER, PS_MDP_ORDERS_FULL, PS_MDP_UNKNOWN_INSTRUMENT,
} from "../layout";
import { psAdd } from "../parse/stats";
import { I_ORDERS, ctl, setCtl, instAddr } from "./instruments";
import { hash32 } from "./hash";
import { LV_SHARES, LV_ORDERS, LV_KEY, levelGet, levelRemove } from "./level-nodes";
import { MS_ORDERS } from "./mdp-slots";

export const MBO_ENTRY: u32 = 32;
export const MO_ID: u32 = 0;
export const MO_PRIORITY: u32 = 8;
export const MO_QTY: u32 = 16;
export const MO_LEVEL: u32 = 24;

@inline function home(id: u64): u32 {
  return hash32(id);
}

// The entry of order id, or the empty one where it goes.
@inline export function mboProbe(id: u64): u32 {
  const table = ctl(BK_MDP_ORDERS);
  const mask = ctl(BK_MDP_ORDERS_MASK);
  let i = home(id) & mask;
  let e = table + i * MBO_ENTRY;
  while (load<u32>(e, MO_LEVEL) != 0 && load<u64>(e, MO_ID) != id) {
    i = (i + 1) & mask;
    e = table + i * MBO_ENTRY;
  }
  return e;
}

// Empties entry e, shifting back the entries of its cluster that may move closer to their home.
function mboDelete(e: u32): void {
  const table = ctl(BK_MDP_ORDERS);
  const mask = ctl(BK_MDP_ORDERS_MASK);
  let hole = (e - table) / MBO_ENTRY;
  let j = hole;
  for (;;) {
    j = (j + 1) & mask;
    const ej = table + j * MBO_ENTRY;
    if (load<u32>(ej, MO_LEVEL) == 0) break;
    const h = home(load<u64>(ej, MO_ID)) & mask;
    if (((j - h) & mask) >= ((j - hole) & mask)) {
      memory.copy(table + hole * MBO_ENTRY, ej, MBO_ENTRY);
      hole = j;
    }
  }
  store<u32>(table + hole * MBO_ENTRY, 0, MO_LEVEL);
}

// Puts an order on level (slot, side, price); false when it could not be (counted).
function place(e: u32, slot: u32, sa: u32, side: u32, id: u64, priority: u64, price: i64, qty: i64): bool {
  const ia = instAddr(slot);
  const lv = levelGet(ia, slot, side, price);
  if (lv == 0) return false; // counted: PS_BOOK_LEVELS_FULL
  store<u64>(e, id, MO_ID);
  store<u64>(e, priority, MO_PRIORITY);
  store<i64>(e, qty, MO_QTY);
  store<u32>(e, lv, MO_LEVEL);
  store<u32>(e, 0, MO_LEVEL + 4);
  store<u64>(lv, load<u64>(lv, LV_SHARES) + <u64>qty, LV_SHARES);
  store<u32>(lv, load<u32>(lv, LV_ORDERS) + 1, LV_ORDERS);
  store<u32>(ia, load<u32>(ia, I_ORDERS) + 1, I_ORDERS);
  store<u32>(sa, load<u32>(sa, MS_ORDERS) + 1, MS_ORDERS);
  setCtl(BK_MDP_ORDER_LIVE, ctl(BK_MDP_ORDER_LIVE) + 1);
  return true;
}

// Takes the order of entry e off its level (the entry stays).
function unplace(e: u32, slot: u32, sa: u32): void {
  const lv = load<u32>(e, MO_LEVEL);
  const ia = instAddr(slot);
  const orders = load<u32>(lv, LV_ORDERS) - 1;
  if (orders == 0) {
    levelRemove(ia, lv);
  } else {
    store<u32>(lv, orders, LV_ORDERS);
    store<u64>(lv, load<u64>(lv, LV_SHARES) - load<u64>(e, MO_QTY), LV_SHARES);
  }
  store<u32>(ia, load<u32>(ia, I_ORDERS) - 1, I_ORDERS);
  store<u32>(sa, load<u32>(sa, MS_ORDERS) - 1, MS_ORDERS);
  setCtl(BK_MDP_ORDER_LIVE, ctl(BK_MDP_ORDER_LIVE) - 1);
}

export function mboAdd(slot: u32, sa: u32, side: u32, id: u64, priority: u64, price: i64, qty: i64): void {
  const e = mboProbe(id);
  if (load<u32>(e, MO_LEVEL) != 0) {
    psAdd(PS_MDP_DUPLICATE_ORDER, 1);
    return;
  }
  if (ctl(BK_MDP_ORDER_LIVE) >= ctl(BK_MDP_MAX_ORDERS)) {
    psAdd(PS_MDP_ORDERS_FULL, 1);
    return;
  }
  place(e, slot, sa, side, id, priority, price, qty);
}

// The entry of order id of this slot, 0 (counted) when it is not on the book or is another's.
function owned(slot: u32, id: u64): u32 {
  const e = mboProbe(id);
  const lv = load<u32>(e, MO_LEVEL);
  if (lv == 0) {
    psAdd(PS_MDP_UNKNOWN_ORDER, 1);
    return 0;
  }
  if (load<u32>(lv, LV_KEY) >> 1 != slot) {
    psAdd(PS_MDP_UNKNOWN_INSTRUMENT, 1);
    return 0;
  }
  return e;
}

export function mboModify(slot: u32, sa: u32, side: u32, id: u64, priority: u64, price: i64, qty: i64): void {
  const e = owned(slot, id);
  if (e == 0) return;
  const lv = load<u32>(e, MO_LEVEL);
  if (load<u32>(lv, LV_KEY) == ((slot << 1) | side) && load<i64>(lv) == price) {
    store<u64>(lv, load<u64>(lv, LV_SHARES) - load<u64>(e, MO_QTY) + <u64>qty, LV_SHARES);
    store<i64>(e, qty, MO_QTY);
    store<u64>(e, priority, MO_PRIORITY);
    return;
  }
  // A new price or side: off the old level, onto the new one (same entry, the OrderID stays).
  unplace(e, slot, sa);
  if (!place(e, slot, sa, side, id, priority, price, qty)) mboDelete(e);
}

export function mboRemove(slot: u32, sa: u32, id: u64): void {
  const e = owned(slot, id);
  if (e == 0) return;
  unplace(e, slot, sa);
  mboDelete(e);
}

// Takes every order of one slot off the book (a snapshot rebuilds it): a walk of the table, done
// only when the slot has orders.
export function mboClearSlot(slot: u32, sa: u32): void {
  if (load<u32>(sa, MS_ORDERS) == 0) return;
  const table = ctl(BK_MDP_ORDERS);
  const mask = ctl(BK_MDP_ORDERS_MASK);
  let i: u32 = 0;
  while (i <= mask) {
    const e = table + i * MBO_ENTRY;
    const lv = load<u32>(e, MO_LEVEL);
    if (lv != 0 && load<u32>(lv, LV_KEY) >> 1 == slot) {
      unplace(e, slot, sa);
      mboDelete(e); // a later entry may have moved into e: look at it again
      if (load<u32>(sa, MS_ORDERS) == 0) return;
    } else {
      i++;
    }
  }
}

// Empties the order table (the level nodes are emptied by the caller).
export function mboClearAll(): void {
  memory.fill(ctl(BK_MDP_ORDERS), 0, (ctl(BK_MDP_ORDERS_MASK) + 1) * MBO_ENTRY);
  setCtl(BK_MDP_ORDER_LIVE, 0);
}

// Order table entries for n orders: a power of two, at least 2n.
export function mboEntries(n: u32): u32 {
  let p: u32 = 64;
  while (p < n << 1) p <<= 1;
  return p;
}
