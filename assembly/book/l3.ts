// The order-by-order ITCH book: every displayed order by its reference, aggregated into price
// levels (assembly/book/core.ts). Fed from the tick record the ITCH handler has just written, so
// it decodes nothing itself:
//
//   record kind        messages  book operation
//   TICK_ADD           A, F      add orderId (side, quantity, price) at the record's instrument
//   TICK_EXECUTE       E, C      take quantity off orderId; remove it at 0
//   TICK_CANCEL        X         take quantity off orderId; remove it at 0
//   TICK_DELETE        D         remove orderId
//   TICK_MODIFY        U         remove refOrderId; add orderId with its side and instrument
//   TICK_DIRECTORY     R         mark the instrument registered
//   anything else      P, Q, B.. nothing (the record reports it)
//
// After a message that changed a level, the instrument's BBO is compared with the published one
// and a book event written when it differs. Whatever cannot be applied is counted and skipped:
// unknown references, a full slot pool or level pool, a reference already on the book, an
// instrument past BK_MAX_INSTRUMENTS, a side other than B/S or a zero price.
//
// Order slot (ORDER_SIZE bytes at BK_ORDERS + k * ORDER_SIZE; free slots chained through next):
//
//   offset  field       type
//   0       orderRef    u64
//   8       instrument  u32
//   12      price       u32
//   16      shares      u32
//   20      level       u32   address of its level node (0: a free slot)
//   24      side        u32   BOOK_BID or BOOK_ASK
//   28      next        u32   next free slot

import {
  RECORDS_BASE, BK_BASE, BK_MAX_INSTRUMENTS, BK_MAX_ORDERS, BK_ORDERS, BK_ORDER_HASH, BK_ORDER_MASK,
  BK_ORDER_HASH_ALT, BK_ORDER_HASH_MAX, BK_ORDER_FREE,
  BK_ORDER_USED, BK_ORDER_LIVE, PS_BOOK_UNKNOWN_ORDER, PS_BOOK_ORDERS_FULL, PS_BOOK_DUPLICATE_ORDER,
  PS_BOOK_BAD_INSTRUMENT, PS_BOOK_OVERSIZED, PS_BOOK_INVALID,
} from "../layout";
import {
  RECORD_SIZE, R_KIND, R_ORDER_ID, R_REF_ORDER_ID, R_PRICE, R_QUANTITY, R_INSTRUMENT, R_SIDE,
  TICK_ADD, TICK_EXECUTE, TICK_CANCEL, TICK_DELETE, TICK_MODIFY, TICK_DIRECTORY,
} from "../records";
import {
  BBO_REGISTERED, CHECK_OK, CHECK_NO_BOOK, CHECK_ORDER_HASH, CHECK_ORDER_LEVEL, CHECK_ORDER_SUMS, CHECK_FREE_LISTS,
  CHECK_HASH_COUNT,
} from "./events";
import {
  ORDER_SIZE, HE_VALUE, I_ORDERS, I_FLAGS, LV_ORDERS, LV_SHARES, LV_NEXT,
  HE_HASH, ctl, setCtl, instAddr, orderHash, hashDelete, hashReserve, hashCount, beginMessage, touchLevel,
  finishMessage, levelGet, levelRemove, levelIs, levelKey, lastRecord, checkLevels,
} from "./core";
import { psAdd } from "../parse/stats";

export const O_REF: u32 = 0;
export const O_INST: u32 = 8;
export const O_PRICE: u32 = 12;
export const O_SHARES: u32 = 16;
export const O_LEVEL: u32 = 20;
export const O_SIDE: u32 = 24;
export const O_NEXT: u32 = 28;

const NONE: u32 = 0xffffffff;

// The instrument the message changed (NONE: nothing changed).
let touched: u32 = NONE;

@inline function sideOf(c: u32): u32 {
  return c == 0x42 ? 0 : c == 0x53 ? 1 : NONE;
}

// The order hash entry of ref, or the empty entry where it goes.
@inline function orderProbe(h: u32, ref: u64): u32 {
  const table = ctl(BK_ORDER_HASH);
  const mask = ctl(BK_ORDER_MASK);
  let i = h & mask;
  let e = table + (i << 3);
  let v = load<u32>(e, HE_VALUE);
  while (v != 0) {
    if (load<u32>(e, HE_HASH) == h && load<u64>(v, O_REF) == ref) break;
    i = (i + 1) & mask;
    e = table + (i << 3);
    v = load<u32>(e, HE_VALUE);
  }
  return e;
}

// The order hash entry of ref, or 0.
@inline function orderFind(ref: u64): u32 {
  const e = orderProbe(orderHash(ref), ref);
  return load<u32>(e, HE_VALUE) != 0 ? e : 0;
}

// Adds an order; counted and skipped when it cannot be.
function addOrder(ref: u64, inst: u32, side: u32, price: u32, shares: u32): void {
  if (inst >= ctl(BK_MAX_INSTRUMENTS)) {
    psAdd(PS_BOOK_BAD_INSTRUMENT, 1);
    return;
  }
  if (side == NONE || price == 0) {
    psAdd(PS_BOOK_INVALID, 1);
    return;
  }
  const h = orderHash(ref);
  let e = orderProbe(h, ref);
  if (load<u32>(e, HE_VALUE) != 0) {
    psAdd(PS_BOOK_DUPLICATE_ORDER, 1);
    return;
  }
  const live = ctl(BK_ORDER_LIVE);
  if (live >= ctl(BK_MAX_ORDERS)) {
    psAdd(PS_BOOK_ORDERS_FULL, 1);
    return;
  }
  const ia = instAddr(inst);
  const lv = levelGet(ia, inst, side, <i64>price);
  if (lv == 0) return; // counted: PS_BOOK_LEVELS_FULL
  let s = ctl(BK_ORDER_FREE);
  if (s != 0) {
    setCtl(BK_ORDER_FREE, load<u32>(s, O_NEXT));
  } else {
    const used = ctl(BK_ORDER_USED);
    s = ctl(BK_ORDERS) + used * ORDER_SIZE;
    setCtl(BK_ORDER_USED, used + 1);
  }
  const table = ctl(BK_ORDER_HASH);
  hashReserve(BK_ORDER_HASH, BK_ORDER_MASK, BK_ORDER_HASH_ALT, BK_ORDER_HASH_MAX, live);
  if (ctl(BK_ORDER_HASH) != table) e = orderProbe(h, ref);
  setCtl(BK_ORDER_LIVE, live + 1);
  store<u64>(s, ref, O_REF);
  store<u32>(s, inst, O_INST);
  store<u32>(s, price, O_PRICE);
  store<u32>(s, shares, O_SHARES);
  store<u32>(s, lv, O_LEVEL);
  store<u32>(s, side, O_SIDE);
  store<u32>(e, h, HE_HASH);
  store<u32>(e, s, HE_VALUE);
  store<u64>(lv, load<u64>(lv, LV_SHARES) + shares, LV_SHARES);
  store<u32>(lv, load<u32>(lv, LV_ORDERS) + 1, LV_ORDERS);
  store<u32>(ia, load<u32>(ia, I_ORDERS) + 1, I_ORDERS);
  touchLevel(ia, side, lv);
  touched = inst;
}

// Removes the order of hash entry e (slot s) from its level and the book.
function removeOrder(e: u32, s: u32): void {
  const inst = load<u32>(s, O_INST);
  const side = load<u32>(s, O_SIDE);
  const lv = load<u32>(s, O_LEVEL);
  const ia = instAddr(inst);
  touchLevel(ia, side, lv);
  const orders = load<u32>(lv, LV_ORDERS) - 1;
  if (orders == 0) {
    levelRemove(ia, lv);
  } else {
    store<u32>(lv, orders, LV_ORDERS);
    store<u64>(lv, load<u64>(lv, LV_SHARES) - load<u32>(s, O_SHARES), LV_SHARES);
  }
  store<u32>(ia, load<u32>(ia, I_ORDERS) - 1, I_ORDERS);
  hashDelete(ctl(BK_ORDER_HASH), ctl(BK_ORDER_MASK), e);
  store<u32>(s, 0, O_LEVEL);
  store<u32>(s, ctl(BK_ORDER_FREE), O_NEXT);
  setCtl(BK_ORDER_FREE, s);
  setCtl(BK_ORDER_LIVE, ctl(BK_ORDER_LIVE) - 1);
  touched = inst;
}

// Executes or cancels qty shares of an order; removes it when none are left.
function reduceOrder(ref: u64, qty: u32): void {
  const e = orderFind(ref);
  if (e == 0) {
    psAdd(PS_BOOK_UNKNOWN_ORDER, 1);
    return;
  }
  const s = load<u32>(e, HE_VALUE);
  const shares = load<u32>(s, O_SHARES);
  if (qty >= shares) {
    if (qty > shares) psAdd(PS_BOOK_OVERSIZED, 1);
    removeOrder(e, s);
    return;
  }
  if (qty == 0) return;
  store<u32>(s, shares - qty, O_SHARES);
  const lv = load<u32>(s, O_LEVEL);
  store<u64>(lv, load<u64>(lv, LV_SHARES) - qty, LV_SHARES);
  const inst = load<u32>(s, O_INST);
  touchLevel(instAddr(inst), load<u32>(s, O_SIDE), lv);
  touched = inst;
}

function deleteOrder(ref: u64): void {
  const e = orderFind(ref);
  if (e == 0) {
    psAdd(PS_BOOK_UNKNOWN_ORDER, 1);
    return;
  }
  removeOrder(e, load<u32>(e, HE_VALUE));
}

// U: the original order leaves the book; the new one joins it on the same side and instrument.
function replaceOrder(oldRef: u64, newRef: u64, shares: u32, price: u32): void {
  const e = orderFind(oldRef);
  if (e == 0) {
    psAdd(PS_BOOK_UNKNOWN_ORDER, 1);
    return;
  }
  const s = load<u32>(e, HE_VALUE);
  const inst = load<u32>(s, O_INST);
  const side = load<u32>(s, O_SIDE);
  removeOrder(e, s);
  addOrder(newRef, inst, side, price, shares);
}

// The hook of the ITCH handler: applies the message of the record just written.
export function bookItch(): void {
  const n = lastRecord();
  const r = RECORDS_BASE + n * RECORD_SIZE;
  const kind = <u32>load<u8>(r, R_KIND);
  if (kind > TICK_EXECUTE && kind != TICK_DIRECTORY) return;
  beginMessage();
  touched = NONE;
  switch (kind) {
    case TICK_ADD:
      addOrder(load<u64>(r, R_ORDER_ID), load<u32>(r, R_INSTRUMENT), sideOf(load<u8>(r, R_SIDE)),
        <u32>load<u64>(r, R_PRICE), <u32>load<u64>(r, R_QUANTITY));
      break;
    case TICK_EXECUTE:
    case TICK_CANCEL:
      reduceOrder(load<u64>(r, R_ORDER_ID), <u32>load<u64>(r, R_QUANTITY));
      break;
    case TICK_DELETE:
      deleteOrder(load<u64>(r, R_ORDER_ID));
      break;
    case TICK_MODIFY:
      replaceOrder(load<u64>(r, R_REF_ORDER_ID), load<u64>(r, R_ORDER_ID), <u32>load<u64>(r, R_QUANTITY),
        <u32>load<u64>(r, R_PRICE));
      break;
    case TICK_DIRECTORY: {
      const inst = load<u32>(r, R_INSTRUMENT);
      if (inst < ctl(BK_MAX_INSTRUMENTS)) {
        const ia = instAddr(inst);
        store<u32>(ia, load<u32>(ia, I_FLAGS) | BBO_REGISTERED, I_FLAGS);
      } else {
        psAdd(PS_BOOK_BAD_INSTRUMENT, 1);
      }
      return;
    }
    default:
      return;
  }
  if (touched != NONE) finishMessage(touched, instAddr(touched), n, true);
}

// The order invariants (every live slot hashed by its reference and on a level of its key, level
// shares and order counts the sums of their orders, free + live = used), then checkLevels().
export function checkBook(): u32 {
  if (ctl(BK_BASE) == 0) return CHECK_NO_BOOK;
  const levels = checkLevels();
  if (levels != 0) return levels;
  const used = ctl(BK_ORDER_USED);
  const table = ctl(BK_ORDER_HASH);
  const mask = ctl(BK_ORDER_MASK);
  let live: u32 = 0;
  let orderShares: u64 = 0;
  for (let k: u32 = 0; k < used; k++) {
    const s = ctl(BK_ORDERS) + k * ORDER_SIZE;
    const lv = load<u32>(s, O_LEVEL);
    if (lv == 0) continue;
    live++;
    const e = orderFind(load<u64>(s, O_REF));
    if (e == 0 || load<u32>(e, HE_VALUE) != s || load<u32>(e, HE_HASH) != orderHash(load<u64>(s, O_REF))) return CHECK_ORDER_HASH;
    if (!levelIs(lv, levelKey(load<u32>(s, O_INST), load<u32>(s, O_SIDE)), <i64>load<u32>(s, O_PRICE))) return CHECK_ORDER_LEVEL;
    orderShares += load<u32>(s, O_SHARES);
  }
  if (live != ctl(BK_ORDER_LIVE)) return CHECK_FREE_LISTS;
  let free: u32 = 0;
  for (let f = ctl(BK_ORDER_FREE); f != 0; f = load<u32>(f, O_NEXT)) {
    if (++free > used) return CHECK_FREE_LISTS;
  }
  if (free + live != used) return CHECK_FREE_LISTS;
  if (hashCount(table, mask) != live) return CHECK_HASH_COUNT;
  // Level sums over the levels that hold orders (IEX levels have none).
  let levelShares: u64 = 0;
  let levelOrders: u64 = 0;
  const maxInst = ctl(BK_MAX_INSTRUMENTS);
  for (let inst: u32 = 0; inst < maxInst; inst++) {
    const ia = instAddr(inst);
    for (let side: u32 = 0; side < 2; side++) {
      for (let cur = load<u32>(ia + (side << 2)); cur != 0; cur = load<u32>(cur, LV_NEXT)) {
        const o = load<u32>(cur, LV_ORDERS);
        if (o == 0) continue;
        levelOrders += o;
        levelShares += load<u64>(cur, LV_SHARES);
      }
    }
  }
  if (levelOrders != <u64>live || levelShares != orderShares) return CHECK_ORDER_SUMS;
  return CHECK_OK;
}
