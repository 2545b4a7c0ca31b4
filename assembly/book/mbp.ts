// The CME MDP 3.0 market-by-price book of one instrument: per side, the levels by MDPriceLevel
// (1 = best) up to the instrument's market depth, the outright book and the implied book kept
// apart (four book sides in the instrument's slot, ./mdp-slots.ts). MDUpdateAction is applied by
// level, as CME's MDP 3.0 book management describes it:
//
//   0 New         insert at the level; the levels from it down shift one worse, the one pushed
//                 past the depth is dropped
//   1 Change      update the level in place (price, quantity, orders)
//   2 Delete      remove the level; the worse ones shift up one, the last becomes empty
//   3 DeleteThru  empty the side (the level is not looked at)
//   4 DeleteFrom  remove levels 1 .. N (N = MDPriceLevel); the rest shift up N
//   5 Overlay     replace the level in place
//
// Each level is fixed-size (MBP_LEVEL) in an array of the side, so an action is a bounded copy
// within the array, never a walk or an allocation. A level 0 or past the depth is counted
// (PS_MDP_LEVEL_RANGE) and skipped; Change or Delete of an empty level is counted
// (PS_MDP_LEVEL_EMPTY) and applied. A level can be empty inside a side (a New at level 3 of an
// empty side): bookDepth lists the levels held, best first, skipping empty ones.

import { PS_MDP_LEVEL_RANGE, PS_MDP_LEVEL_EMPTY, PS_MDP_INVALID, BOOK_DEPTH_BASE, BOOK_DEPTH_MAX, BOOK_DEPTH_PRICES, BOOK_DEPTH_ORDERS, BOOK_DEPTH_SHARES } from "../layout";
import { psAdd } from "../parse/stats";
import {
  MDP_DEPTH_MAX, MDP_IMPLIED_MAX, MS_BOOKS, MS_COUNT, MS_DEPTH, MS_IMPLIED, MBP_LEVEL, ML_PRICE,
  ML_QTY, ML_ORDERS, ML_PRESENT,
} from "./mdp-slots";

export const MDP_NEW: u32 = 0;
export const MDP_CHANGE: u32 = 1;
export const MDP_DELETE: u32 = 2;
export const MDP_DELETE_THRU: u32 = 3;
export const MDP_DELETE_FROM: u32 = 4;
export const MDP_OVERLAY: u32 = 5;

// Book sides of a slot: outright bid 0, ask 1, implied bid 2, ask 3.
@inline export function sideAddr(sa: u32, b: u32): u32 {
  return sa + MS_BOOKS + (b < 2 ? b * MDP_DEPTH_MAX * MBP_LEVEL : (2 * MDP_DEPTH_MAX + (b - 2) * MDP_IMPLIED_MAX) * MBP_LEVEL);
}

// Levels kept on book side b of the slot.
@inline export function sideDepth(sa: u32, b: u32): u32 {
  return load<u32>(sa + (b < 2 ? MS_DEPTH : MS_IMPLIED));
}

@inline export function sideCount(sa: u32, b: u32): u32 {
  return load<u32>(sa + (b << 2), MS_COUNT);
}

@inline function setCount(sa: u32, b: u32, n: u32): void {
  store<u32>(sa + (b << 2), n, MS_COUNT);
}

@inline function put(at: u32, price: i64, qty: i64, orders: i32): void {
  store<i64>(at, price, ML_PRICE);
  store<i64>(at, qty, ML_QTY);
  store<i32>(at, orders, ML_ORDERS);
  store<u32>(at, 1, ML_PRESENT);
}

// Applies one entry to book side b; returns the best level it changed (1-based), 0 when it
// changed nothing (skipped and counted, or an empty side emptied).
export function mbpApply(sa: u32, b: u32, action: u32, level: u32, price: i64, qty: i64, orders: i32): u32 {
  const base = sideAddr(sa, b);
  const max = sideDepth(sa, b);
  let n = sideCount(sa, b);
  if (action == MDP_DELETE_THRU) {
    if (n == 0) return 0;
    memory.fill(base, 0, max * MBP_LEVEL);
    setCount(sa, b, 0);
    return 1;
  }
  if (action > MDP_OVERLAY) {
    psAdd(PS_MDP_INVALID, 1);
    return 0;
  }
  if (level == 0 || level > max) {
    psAdd(PS_MDP_LEVEL_RANGE, 1);
    return 0;
  }
  const i = level - 1;
  const at = base + i * MBP_LEVEL;
  const present = load<u32>(at, ML_PRESENT);
  if (action == MDP_NEW) {
    const last = base + (max - 1) * MBP_LEVEL;
    if (load<u32>(last, ML_PRESENT) != 0) n--;
    if (i < max - 1) memory.copy(at + MBP_LEVEL, at, (max - 1 - i) * MBP_LEVEL);
    put(at, price, qty, orders);
    setCount(sa, b, n + 1);
  } else if (action == MDP_CHANGE || action == MDP_OVERLAY) {
    if (present == 0) {
      if (action == MDP_CHANGE) psAdd(PS_MDP_LEVEL_EMPTY, 1);
      setCount(sa, b, n + 1);
    }
    put(at, price, qty, orders);
  } else if (action == MDP_DELETE) {
    if (present == 0) psAdd(PS_MDP_LEVEL_EMPTY, 1);
    else setCount(sa, b, n - 1);
    if (i < max - 1) memory.copy(at, at + MBP_LEVEL, (max - 1 - i) * MBP_LEVEL);
    memory.fill(base + (max - 1) * MBP_LEVEL, 0, MBP_LEVEL);
  } else {
    // DeleteFrom: levels 1 .. level go, the rest move to the top.
    let gone: u32 = 0;
    for (let k: u32 = 0; k < level; k++) gone += load<u32>(base + k * MBP_LEVEL, ML_PRESENT);
    if (level < max) memory.copy(base, base + level * MBP_LEVEL, (max - level) * MBP_LEVEL);
    memory.fill(base + (max - level) * MBP_LEVEL, 0, level * MBP_LEVEL);
    setCount(sa, b, n - gone);
    return gone != 0 || n != 0 ? 1 : 0;
  }
  return level;
}

// Empties book side b.
export function mbpClear(sa: u32, b: u32): void {
  memory.fill(sideAddr(sa, b), 0, (b < 2 ? MDP_DEPTH_MAX : MDP_IMPLIED_MAX) * MBP_LEVEL);
  setCount(sa, b, 0);
}

// Keeps the first `depth` levels of book side b (the depth was lowered); returns whether any went.
export function mbpTruncate(sa: u32, b: u32, depth: u32): bool {
  const cap: u32 = b < 2 ? MDP_DEPTH_MAX : MDP_IMPLIED_MAX;
  const base = sideAddr(sa, b);
  let gone: u32 = 0;
  for (let k = depth; k < cap; k++) gone += load<u32>(base + k * MBP_LEVEL, ML_PRESENT);
  if (depth < cap) memory.fill(base + depth * MBP_LEVEL, 0, (cap - depth) * MBP_LEVEL);
  setCount(sa, b, sideCount(sa, b) - gone);
  return gone != 0;
}

// Level 1 of book side b, 0 when it is empty.
@inline export function bestLevel(sa: u32, b: u32): u32 {
  const at = sideAddr(sa, b);
  return load<u32>(at, ML_PRESENT) != 0 ? at : 0;
}

// Writes the held levels of book side b, best first, at BOOK_DEPTH_BASE (as bookDepth does);
// returns how many (at most n).
export function mbpDepthInto(sa: u32, b: u32, n: u32): u32 {
  if (n > BOOK_DEPTH_MAX) n = BOOK_DEPTH_MAX;
  const base = sideAddr(sa, b);
  const max = sideDepth(sa, b);
  let k: u32 = 0;
  for (let i: u32 = 0; i < max && k < n; i++) {
    const at = base + i * MBP_LEVEL;
    if (load<u32>(at, ML_PRESENT) == 0) continue;
    store<f64>(BOOK_DEPTH_BASE + BOOK_DEPTH_PRICES + (k << 3), <f64>load<i64>(at, ML_PRICE));
    store<u32>(BOOK_DEPTH_BASE + BOOK_DEPTH_ORDERS + (k << 2), <u32>load<i32>(at, ML_ORDERS));
    store<f64>(BOOK_DEPTH_BASE + BOOK_DEPTH_SHARES + (k << 3), <f64>load<i64>(at, ML_QTY));
    k++;
  }
  return k;
}

// Whether the counts agree with the levels held, and nothing lies past the depth (checks).
export function mbpConsistent(sa: u32, b: u32): bool {
  const cap: u32 = b < 2 ? MDP_DEPTH_MAX : MDP_IMPLIED_MAX;
  const max = sideDepth(sa, b);
  if (max > cap) return false;
  const base = sideAddr(sa, b);
  let n: u32 = 0;
  for (let i: u32 = 0; i < cap; i++) {
    const p = load<u32>(base + i * MBP_LEVEL, ML_PRESENT);
    if (p > 1 || (p != 0 && i >= max)) return false;
    n += p;
  }
  return n == sideCount(sa, b);
}
