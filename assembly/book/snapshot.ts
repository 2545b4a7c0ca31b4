// Reading the book and checking it: bboInto() and depthInto() copy an instrument's published BBO
// and the best levels of a side to fixed addresses (bookBbo, bookDepth in ./abi.ts; layouts in
// ./events.ts and assembly/layout.ts), and checkLevels() walks every list, level and free list
// (bookCheck, for tests; the order part is checkBook() in ./l3.ts). A CME MDP 3.0 instrument
// (flag BBO_MDP) is read from its market-by-price levels (./mbp.ts) instead of the level lists,
// which hold its market-by-order book (./mbo.ts).

import {
  BOOK_CTL_BASE, BK_BASE, BK_MAX_LEVELS, BK_MAX_INSTRUMENTS, BK_DEPTH_N, BK_LEVEL_HASH,
  BK_LEVEL_MASK, BK_LEVEL_FREE, BK_LEVEL_USED, BK_LEVEL_LIVE, BK_BBO, BOOK_DEPTH_BASE,
  BOOK_DEPTH_MAX, BOOK_DEPTH_PRICES, BOOK_DEPTH_ORDERS, BOOK_DEPTH_SHARES,
} from "../layout";
import {
  BBO_BID_PX, BBO_ASK_PX, BBO_BID_QTY, BBO_ASK_QTY, BBO_BID_ORDERS, BBO_ASK_ORDERS, BBO_BID_LEVELS,
  BBO_ASK_LEVELS, BBO_FLAGS, BBO_SIZE, BBO_PENDING, BBO_QUOTED, BBO_MDP, BOOK_BID, CHECK_OK,
  CHECK_LIST_LINKS, CHECK_LIST_ORDER, CHECK_LEVEL_HASH, CHECK_LEVEL_COUNT, CHECK_ORDER_SUMS,
  CHECK_FREE_LISTS, CHECK_HASH_COUNT, CHECK_PUBLISHED,
} from "./events";
import {
  I_HEAD, I_BID_PX, I_ASK_PX, I_BID_QTY, I_ASK_QTY, I_LEVELS, I_ORDERS, I_FLAGS, I_NTH,
  PUBLIC_FLAGS, ctl, instAddr,
} from "./instruments";
import { hashCount } from "./hash";
import {
  LV_PRICE, LV_SHARES, LV_ORDERS, LV_PREV, LV_NEXT, levelKey, levelIs, levelFind, walkNth,
} from "./level-nodes";
import { slotAddr, ML_ORDERS } from "./mdp-slots";
import { bestLevel, sideCount, mbpDepthInto } from "./mbp";

@inline export function validInstrument(inst: u32): bool {
  return ctl(BK_BASE) != 0 && inst < ctl(BK_MAX_INSTRUMENTS);
}

// Writes the published BBO of inst at BK_BBO; false when there is no such instrument.
export function bboInto(inst: u32): bool {
  const out = BOOK_CTL_BASE + BK_BBO;
  memory.fill(out, 0, BBO_SIZE);
  if (!validInstrument(inst)) return false;
  const ia = instAddr(inst);
  store<i64>(out, load<i64>(ia, I_BID_PX), BBO_BID_PX);
  store<i64>(out, load<i64>(ia, I_ASK_PX), BBO_ASK_PX);
  store<u64>(out, load<u64>(ia, I_BID_QTY), BBO_BID_QTY);
  store<u64>(out, load<u64>(ia, I_ASK_QTY), BBO_ASK_QTY);
  const flags = load<u32>(ia, I_FLAGS);
  store<u32>(out, flags & PUBLIC_FLAGS, BBO_FLAGS);
  if ((flags & BBO_MDP) != 0) {
    const sa = slotAddr(inst);
    const bl = bestLevel(sa, 0);
    const al = bestLevel(sa, 1);
    store<u32>(out, bl != 0 ? load<u32>(bl, ML_ORDERS) : 0, BBO_BID_ORDERS);
    store<u32>(out, al != 0 ? load<u32>(al, ML_ORDERS) : 0, BBO_ASK_ORDERS);
    store<u32>(out, sideCount(sa, 0), BBO_BID_LEVELS);
    store<u32>(out, sideCount(sa, 1), BBO_ASK_LEVELS);
    return true;
  }
  const bh = load<u32>(ia, I_HEAD);
  const ah = load<u32>(ia, I_HEAD + 4);
  store<u32>(out, bh != 0 ? load<u32>(bh, LV_ORDERS) : 0, BBO_BID_ORDERS);
  store<u32>(out, ah != 0 ? load<u32>(ah, LV_ORDERS) : 0, BBO_ASK_ORDERS);
  store<u32>(out, load<u32>(ia, I_LEVELS), BBO_BID_LEVELS);
  store<u32>(out, load<u32>(ia, I_LEVELS + 4), BBO_ASK_LEVELS);
  return true;
}

// Writes the best n (at most BOOK_DEPTH_MAX) levels of one side at BOOK_DEPTH_BASE; returns how many.
export function depthInto(inst: u32, side: u32, n: u32): u32 {
  if (!validInstrument(inst) || side > 1) return 0;
  if ((load<u32>(instAddr(inst), I_FLAGS) & BBO_MDP) != 0) return mbpDepthInto(slotAddr(inst), side, n);
  return listDepthInto(inst, side, n);
}

// The same from the instrument's level lists (for MDP 3.0: its market-by-order book).
export function listDepthInto(inst: u32, side: u32, n: u32): u32 {
  if (n > BOOK_DEPTH_MAX) n = BOOK_DEPTH_MAX;
  let cur = load<u32>(instAddr(inst) + (side << 2));
  let i: u32 = 0;
  while (cur != 0 && i < n) {
    store<f64>(BOOK_DEPTH_BASE + BOOK_DEPTH_PRICES + (i << 3), <f64>load<i64>(cur, LV_PRICE));
    store<u32>(BOOK_DEPTH_BASE + BOOK_DEPTH_ORDERS + (i << 2), load<u32>(cur, LV_ORDERS));
    store<f64>(BOOK_DEPTH_BASE + BOOK_DEPTH_SHARES + (i << 3), <f64>load<u64>(cur, LV_SHARES));
    cur = load<u32>(cur, LV_NEXT);
    i++;
  }
  return i;
}

// Walks every list, level and free list; returns the CHECK_* of the first broken invariant, or 0.
// The order part (the order table, level sums) is checkBook() in ./l3.ts.
export function checkLevels(): u32 {
  const maxInst = ctl(BK_MAX_INSTRUMENTS);
  const maxLevels = ctl(BK_MAX_LEVELS);
  let total: u32 = 0;
  for (let inst: u32 = 0; inst < maxInst; inst++) {
    const ia = instAddr(inst);
    let instOrders: u32 = 0;
    for (let side: u32 = 0; side < 2; side++) {
      let prev: u32 = 0;
      let cur = load<u32>(ia + (side << 2));
      let count: u32 = 0;
      while (cur != 0) {
        const price = load<i64>(cur, LV_PRICE);
        if (load<u32>(cur, LV_PREV) != prev || !levelIs(cur, levelKey(inst, side), price)) return CHECK_LIST_LINKS;
        if (prev != 0) {
          const pp = load<i64>(prev, LV_PRICE);
          if (side == BOOK_BID ? pp <= price : pp >= price) return CHECK_LIST_ORDER;
        }
        if (levelFind(inst, side, price) != cur) return CHECK_LEVEL_HASH;
        if (++count > maxLevels) return CHECK_LIST_LINKS;
        instOrders += load<u32>(cur, LV_ORDERS);
        prev = cur;
        cur = load<u32>(cur, LV_NEXT);
      }
      if (count != load<u32>(ia + (side << 2), I_LEVELS)) return CHECK_LEVEL_COUNT;
      if (load<u32>(ia + (side << 2), I_NTH) != walkNth(ia, side, ctl(BK_DEPTH_N))) return CHECK_LEVEL_COUNT;
      total += count;
    }
    if (instOrders != load<u32>(ia, I_ORDERS)) return CHECK_ORDER_SUMS;
    const flags = load<u32>(ia, I_FLAGS);
    if ((flags & (BBO_PENDING | BBO_QUOTED | BBO_MDP)) == 0) {
      const bh = load<u32>(ia, I_HEAD);
      const ah = load<u32>(ia, I_HEAD + 4);
      if (load<i64>(ia, I_BID_PX) != (bh != 0 ? load<i64>(bh, LV_PRICE) : 0)) return CHECK_PUBLISHED;
      if (load<i64>(ia, I_ASK_PX) != (ah != 0 ? load<i64>(ah, LV_PRICE) : 0)) return CHECK_PUBLISHED;
      if (load<u64>(ia, I_BID_QTY) != (bh != 0 ? load<u64>(bh, LV_SHARES) : 0)) return CHECK_PUBLISHED;
      if (load<u64>(ia, I_ASK_QTY) != (ah != 0 ? load<u64>(ah, LV_SHARES) : 0)) return CHECK_PUBLISHED;
    }
  }
  if (total != ctl(BK_LEVEL_LIVE)) return CHECK_LEVEL_COUNT;
  let free: u32 = 0;
  for (let f = ctl(BK_LEVEL_FREE); f != 0; f = load<u32>(f, LV_NEXT)) {
    if (++free > maxLevels) return CHECK_FREE_LISTS;
  }
  if (free + ctl(BK_LEVEL_LIVE) != ctl(BK_LEVEL_USED)) return CHECK_FREE_LISTS;
  if (hashCount(ctl(BK_LEVEL_HASH), ctl(BK_LEVEL_MASK)) != ctl(BK_LEVEL_LIVE)) return CHECK_HASH_COUNT;
  return CHECK_OK;
}
