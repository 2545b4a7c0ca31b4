// The order-by-order ITCH book: every displayed order by its reference, aggregated into price
// levels (./level-nodes.ts). Called by the ITCH handler (assembly/feeds/itch50.as.ts) from its
// switch on the message type, with the fields it has just decoded, so it decodes nothing itself:
//
//   messages  hook           book operation
//   A, F      bookAdd        add orderRef (side, shares, price) at the message's stock locate
//   E, C, X   bookReduce     take the executed / cancelled shares off orderRef; remove it at 0
//   D         bookDelete     remove orderRef
//   U         bookReplace    remove originalOrderRef; add newOrderRef with its side and instrument
//   R         bookDirectory  mark the instrument registered
//   others    none           P, Q, B.. change no displayed order (the record reports them)
//
// After a message that changed a level, the instrument's BBO is compared with the published one
// and a book event written when it or the watched depth changed (message.ts). Whatever cannot be
// applied is counted and skipped: unknown references, BK_MAX_ORDERS orders or BK_MAX_LEVELS
// levels already on the book, a reference already on the book, an
// instrument past BK_MAX_INSTRUMENTS, a side other than B/S or a zero price. A message naming an
// order under another stock locate than the order's is applied to the order and counted.
//
// The orders themselves are slots of the order table (assembly/book/orders.ts): level node and
// shares left, found by reference; instrument, side and price are the level's.

import {
  BK_BASE, BK_MAX_INSTRUMENTS, BK_MAX_ORDERS, BK_ORDER_LIVE,
  PS_BOOK_UNKNOWN_ORDER, PS_BOOK_ORDERS_FULL, PS_BOOK_DUPLICATE_ORDER, PS_BOOK_BAD_INSTRUMENT,
  PS_BOOK_OVERSIZED, PS_BOOK_INVALID, PS_BOOK_WRONG_LOCATE,
} from "../layout";
import {
  BBO_REGISTERED, BBO_MDP, CHECK_OK, CHECK_NO_BOOK, CHECK_ORDER_HASH, CHECK_ORDER_LEVEL, CHECK_ORDER_SUMS, CHECK_HASH_COUNT,
} from "./events";
import { I_ORDERS, I_FLAGS, ctl, setCtl, instAddr } from "./instruments";
import {
  LV_ORDERS, LV_SHARES, LV_NEXT, LV_KEY, LV_PRICE, levelGet, levelFind, levelRemove,
} from "./level-nodes";
import { beginMessage, touchLevel, finishMessage } from "./message";
import { lastRecord } from "./publish";
import { checkLevels } from "./snapshot";
import { O_LEVEL, O_SHARES, orderFind, orderPut, orderRemove, orderRefOf, orderSlots, orderSlot } from "./orders";
import { psAdd } from "../parse/stats";

const NONE: u32 = 0xffffffff;

// The instrument the message changed (NONE: nothing changed).
let touched: u32 = NONE;

@inline function sideOf(c: u32): u32 {
  return c == 0x42 ? 0 : c == 0x53 ? 1 : NONE;
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
  if (orderFind(ref) != 0) {
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
  setCtl(BK_ORDER_LIVE, live + 1);
  orderPut(ref, lv, shares);
  store<u64>(lv, load<u64>(lv, LV_SHARES) + shares, LV_SHARES);
  store<u32>(lv, load<u32>(lv, LV_ORDERS) + 1, LV_ORDERS);
  store<u32>(ia, load<u32>(ia, I_ORDERS) + 1, I_ORDERS);
  touchLevel(ia, side, lv);
  touched = inst;
}

// The instrument of an order on level key, from the stock locate of the message naming it when
// the two agree: the locate is known before the order's level node is loaded, so the instrument's
// line is fetched while the node is (behind a branch the CPU predicts, not a data dependency). A
// message whose locate is not its order's is counted and the order's own instrument used.
@inline function instrumentOf(key: u32, locate: u32): u32 {
  if ((key >> 1) != locate) {
    psAdd(PS_BOOK_WRONG_LOCATE, 1);
    return key >> 1;
  }
  return locate;
}

// Removes the order of entry e from its level and the book; locate: the message's.
function removeOrder(e: u32, locate: u32): void {
  const lv = load<u32>(e, O_LEVEL);
  const key = load<u32>(lv, LV_KEY);
  const inst = instrumentOf(key, locate);
  const ia = instAddr(inst);
  store<u32>(ia, load<u32>(ia, I_ORDERS) - 1, I_ORDERS);
  touchLevel(ia, key & 1, lv);
  const orders = load<u32>(lv, LV_ORDERS) - 1;
  if (orders == 0) {
    levelRemove(ia, lv);
  } else {
    store<u32>(lv, orders, LV_ORDERS);
    store<u64>(lv, load<u64>(lv, LV_SHARES) - load<u32>(e, O_SHARES), LV_SHARES);
  }
  orderRemove(e);
  setCtl(BK_ORDER_LIVE, ctl(BK_ORDER_LIVE) - 1);
  touched = inst;
}

// Executes or cancels qty shares of an order; removes it when none are left.
function reduceOrder(ref: u64, qty: u32, locate: u32): void {
  const e = orderFind(ref);
  if (e == 0) {
    psAdd(PS_BOOK_UNKNOWN_ORDER, 1);
    return;
  }
  const shares = load<u32>(e, O_SHARES);
  if (qty >= shares) {
    if (qty > shares) psAdd(PS_BOOK_OVERSIZED, 1);
    removeOrder(e, locate);
    return;
  }
  if (qty == 0) return;
  store<u32>(e, shares - qty, O_SHARES);
  const lv = load<u32>(e, O_LEVEL);
  store<u64>(lv, load<u64>(lv, LV_SHARES) - qty, LV_SHARES);
  const key = load<u32>(lv, LV_KEY);
  const inst = instrumentOf(key, locate);
  touchLevel(instAddr(inst), key & 1, lv);
  touched = inst;
}

function deleteOrder(ref: u64, locate: u32): void {
  const e = orderFind(ref);
  if (e == 0) {
    psAdd(PS_BOOK_UNKNOWN_ORDER, 1);
    return;
  }
  removeOrder(e, locate);
}

// U: the original order leaves the book; the new one joins it on the same side and instrument.
function replaceOrder(oldRef: u64, newRef: u64, shares: u32, price: u32, locate: u32): void {
  const e = orderFind(oldRef);
  if (e == 0) {
    psAdd(PS_BOOK_UNKNOWN_ORDER, 1);
    return;
  }
  const key = load<u32>(load<u32>(e, O_LEVEL), LV_KEY);
  removeOrder(e, locate);
  addOrder(newRef, key >> 1, key & 1, price, shares);
}

// The hooks of the ITCH handler, one per book operation, called from its switch on the message
// type with the fields it has just decoded (and written to the record): the type decides the
// operation once, so the book adds no second unpredictable branch on it. Each applies one message
// and publishes what it changed, with the record just written as the event's record.

@inline function begin(): void {
  beginMessage();
  touched = NONE;
}

@inline function finish(): void {
  if (touched != NONE) finishMessage(touched, instAddr(touched), lastRecord(), true);
}

// A, F.
export function bookAdd(ref: u64, inst: u32, side: u32, shares: u32, price: u32): void {
  begin();
  addOrder(ref, inst, sideOf(side), price, shares);
  finish();
}

// E, C, X: executed or cancelled shares.
export function bookReduce(ref: u64, qty: u32, locate: u32): void {
  begin();
  reduceOrder(ref, qty, locate);
  finish();
}

// D.
export function bookDelete(ref: u64, locate: u32): void {
  begin();
  deleteOrder(ref, locate);
  finish();
}

// U.
export function bookReplace(oldRef: u64, newRef: u64, shares: u32, price: u32, locate: u32): void {
  begin();
  replaceOrder(oldRef, newRef, shares, price, locate);
  finish();
}

// R: the instrument is registered.
export function bookDirectory(inst: u32): void {
  if (inst < ctl(BK_MAX_INSTRUMENTS)) {
    const ia = instAddr(inst);
    store<u32>(ia, load<u32>(ia, I_FLAGS) | BBO_REGISTERED, I_FLAGS);
  } else {
    psAdd(PS_BOOK_BAD_INSTRUMENT, 1);
  }
}

// The order invariants (every order found by its reference where it is kept, on a live level,
// level shares and order counts the sums of their orders, the live count right), then
// checkLevels().
export function checkBook(): u32 {
  if (ctl(BK_BASE) == 0) return CHECK_NO_BOOK;
  const levels = checkLevels();
  if (levels != 0) return levels;
  let live: u32 = 0;
  let orderShares: u64 = 0;
  const slots = orderSlots();
  for (let i: u32 = 0; i < slots; i++) {
    const e = orderSlot(i);
    const lv = load<u32>(e, O_LEVEL);
    if (lv == 0) continue;
    live++;
    if (orderFind(orderRefOf(e)) != e) return CHECK_ORDER_HASH;
    const key = load<u32>(lv, LV_KEY);
    if (levelFind(key >> 1, key & 1, load<i64>(lv, LV_PRICE)) != lv) return CHECK_ORDER_LEVEL;
    orderShares += load<u32>(e, O_SHARES);
  }
  if (live != ctl(BK_ORDER_LIVE)) return CHECK_HASH_COUNT;
  // Level sums over the levels that hold orders (IEX levels have none).
  let levelShares: u64 = 0;
  let levelOrders: u64 = 0;
  const maxInst = ctl(BK_MAX_INSTRUMENTS);
  for (let inst: u32 = 0; inst < maxInst; inst++) {
    const ia = instAddr(inst);
    if ((load<u32>(ia, I_FLAGS) & BBO_MDP) != 0) continue; // its orders: ../book/mdp3.ts mdpBookCheck
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
