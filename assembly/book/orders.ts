// The ITCH book's orders by reference: the order table. Every order is an order slot, wherever it
// is kept:
//
//   offset  field   type
//   0       level   u32   address of its level node (./level-nodes.ts), 0: an empty slot
//   4       shares  u32   shares left
//
// Instrument, side and price are the level node's (key, price). The slots of the references in a
// window that follows the feed's newest are pages indexed by reference (./order-pages.ts); the
// others are entries of a hash (./order-hash.ts) whose first 8 bytes are a slot. Memory follows
// the live orders: at most the window's pages, and a hash sized by the orders in it.
//
// A slot's address is good until the next change to the table: an add may move the window (pages'
// orders go to the hash) or grow the hash (its entries move), a delete may shift hash entries.

import { PS_BOOK_ORDERS_OFF_WINDOW } from "../layout";
import { psAdd } from "../parse/stats";
import { pageSlot, pagePut, pagesPaused, pageRemove, pagesClear, inPages, pageRefOf, pageSlots, pageSlotAt } from "./order-pages";
import { hashFind, hashPut, hashDelete, hashClear, hashRefOf, hashSlots, hashEntry } from "./order-hash";

export const O_LEVEL: u32 = 0;
export const O_SHARES: u32 = 4;

// The slot of ref, or 0.
@inline export function orderFind(ref: u64): u32 {
  const s = pageSlot(ref);
  if (s != 0 && load<u32>(s, O_LEVEL) != 0) return s;
  return hashFind(ref);
}

// Adds an order that is not on the book (orderFind(ref) == 0).
export function orderPut(ref: u64, level: u32, shares: u32): void {
  if (!pagesPaused()) {
    if (pagePut(ref, level, shares)) return;
    psAdd(PS_BOOK_ORDERS_OFF_WINDOW, 1);
  }
  hashPut(ref, level, shares);
}

// Removes the order of slot e.
@inline export function orderRemove(e: u32): void {
  if (inPages(e)) pageRemove(e);
  else hashDelete(e);
}

// The reference of the order in slot e.
export function orderRefOf(e: u32): u64 {
  return inPages(e) ? pageRefOf(e) : hashRefOf(e);
}

// Empties the table.
export function ordersClear(): void {
  pagesClear();
  hashClear();
}

// Every slot of the table (checks): the hash's entries in use, then the pages handed out.
export function orderSlots(): u32 {
  return hashSlots() + pageSlots();
}

export function orderSlot(i: u32): u32 {
  const h = hashSlots();
  return i < h ? hashEntry(i) : pageSlotAt(i - h);
}
