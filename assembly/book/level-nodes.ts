// Price levels, which every book aggregates into: a pool of level nodes, the level hash from
// (instrument, side, price) to node (entries and growth: ./hash.ts), and per instrument and side a
// doubly linked list sorted best-first, with its head, length and BK_DEPTH_N-th level in the
// instrument's entry (./instruments.ts). Nothing is allocated per message: nodes come from the
// free list or the pool, and running out of them is counted (PS_BOOK_LEVELS_FULL).
//
// Level node (LEVEL_SIZE bytes at BK_LEVELS + i * LEVEL_SIZE; free nodes are chained through next):
//
//   offset  field       type
//   0       price       i64
//   8       shares      u64
//   16      orders      u32   orders at the level (ITCH; 0 on price-level feeds)
//   20      prev        u32   address of the next better level (0: this is the best)
//   24      next        u32   address of the next worse level (0: the last)
//   28      key         u32   instrument << 1 | side (BOOK_BID or BOOK_ASK)
//
// levelHash() below keeps neighbouring prices in one cache line of the level hash.

import {
  BK_MAX_LEVELS, BK_MAX_INSTRUMENTS, BK_DEPTH_N, BK_LEVELS, BK_LEVEL_HASH, BK_LEVEL_MASK,
  BK_LEVEL_FREE, BK_LEVEL_USED, BK_LEVEL_LIVE, BK_LEVEL_HASH_ALT, BK_LEVEL_HASH_MAX,
  PS_BOOK_LEVELS_FULL,
} from "../layout";
import { BOOK_BID } from "./events";
import { psAdd } from "../parse/stats";
import { I_LEVELS, I_NTH, ctl, setCtl, instAddr } from "./instruments";
import { HE_HASH, HE_VALUE, hash32, hashDelete, hashReserve } from "./hash";

export const LEVEL_SIZE: u32 = 32;
export const LV_PRICE: u32 = 0;
export const LV_SHARES: u32 = 8;
export const LV_ORDERS: u32 = 16;
export const LV_PREV: u32 = 20;
export const LV_NEXT: u32 = 24;
export const LV_KEY: u32 = 28;

// A level's instrument and side in one word (LV_KEY).
@inline export function levelKey(inst: u32, side: u32): u32 {
  return (inst << 1) | side;
}

// Whether level node `node` is (key, price).
@inline export function levelIs(node: u32, key: u32, price: i64): bool {
  return load<i64>(node, LV_PRICE) == price && load<u32>(node, LV_KEY) == key;
}

// Level hashes keep neighbours together: the low 3 bits are the key's place in a block of 8
// neighbouring prices (8 entries: one cache line), the others a hash of the block, so nearby
// prices of one instrument and side share a line while blocks scatter.
// Prices in blocks of 512 (5 cents in price4), 64 apart within a block.
@inline export function levelHash(key: u32, price: i64): u32 {
  return (hash32((<u64>key << 40) ^ <u64>(price >> 9)) & ~7) | (<u32>(price >> 6) & 7);
}

// The entry of level (key, price), or the empty entry where it goes.
@inline function levelProbe(table: u32, mask: u32, h: u32, key: u32, price: i64): u32 {
  let i = h & mask;
  let e = table + (i << 3);
  let v = load<u32>(e, HE_VALUE);
  while (v != 0) {
    if (load<u32>(e, HE_HASH) == h && levelIs(v, key, price)) break;
    i = (i + 1) & mask;
    e = table + (i << 3);
    v = load<u32>(e, HE_VALUE);
  }
  return e;
}

export function levelFind(inst: u32, side: u32, price: i64): u32 {
  const key = levelKey(inst, side);
  return load<u32>(levelProbe(ctl(BK_LEVEL_HASH), ctl(BK_LEVEL_MASK), levelHash(key, price), key, price), HE_VALUE);
}

// The level (inst, side, price), new ones linked in price order by a walk from the best; 0 (and
// counted) when it is new and every node is in use.
export function levelGet(ia: u32, inst: u32, side: u32, price: i64): u32 {
  // Nearly half the adds to a level already on the book join the best one, and another eighth
  // the second (measured on the generator's uniform and realistic days): their nodes are the
  // instrument's most used, so two compares there spare the hash's line.
  const best = load<u32>(ia + (side << 2));
  if (best != 0) {
    if (load<i64>(best, LV_PRICE) == price) return best;
    const second = load<u32>(best, LV_NEXT);
    if (second != 0 && load<i64>(second, LV_PRICE) == price) return second;
  }
  const key = levelKey(inst, side);
  const h = levelHash(key, price);
  let e = levelProbe(ctl(BK_LEVEL_HASH), ctl(BK_LEVEL_MASK), h, key, price);
  const found = load<u32>(e, HE_VALUE);
  if (found != 0) return found;
  const live = ctl(BK_LEVEL_LIVE);
  if (live >= ctl(BK_MAX_LEVELS)) {
    psAdd(PS_BOOK_LEVELS_FULL, 1);
    return 0;
  }
  let node = ctl(BK_LEVEL_FREE);
  if (node != 0) {
    setCtl(BK_LEVEL_FREE, load<u32>(node, LV_NEXT));
  } else {
    const used = ctl(BK_LEVEL_USED);
    node = ctl(BK_LEVELS) + used * LEVEL_SIZE;
    setCtl(BK_LEVEL_USED, used + 1);
  }
  const table = ctl(BK_LEVEL_HASH);
  hashReserve(BK_LEVEL_HASH, BK_LEVEL_MASK, BK_LEVEL_HASH_ALT, BK_LEVEL_HASH_MAX, live);
  if (ctl(BK_LEVEL_HASH) != table) e = levelProbe(ctl(BK_LEVEL_HASH), ctl(BK_LEVEL_MASK), h, key, price);
  setCtl(BK_LEVEL_LIVE, live + 1);
  store<u32>(e, h, HE_HASH);
  store<u32>(e, node, HE_VALUE);
  store<i64>(node, price, LV_PRICE);
  store<u64>(node, 0, LV_SHARES);
  store<u32>(node, 0, LV_ORDERS);
  store<u32>(node, key, LV_KEY);
  // Link: activity is near the top, so walk from the best.
  const hp = ia + (side << 2);
  let prev: u32 = 0;
  let cur = load<u32>(hp);
  if (side == BOOK_BID) {
    while (cur != 0 && load<i64>(cur, LV_PRICE) > price) {
      prev = cur;
      cur = load<u32>(cur, LV_NEXT);
    }
  } else {
    while (cur != 0 && load<i64>(cur, LV_PRICE) < price) {
      prev = cur;
      cur = load<u32>(cur, LV_NEXT);
    }
  }
  store<u32>(node, prev, LV_PREV);
  store<u32>(node, cur, LV_NEXT);
  if (prev != 0) store<u32>(prev, node, LV_NEXT);
  else store<u32>(hp, node);
  if (cur != 0) store<u32>(cur, node, LV_PREV);
  const lp = ia + I_LEVELS + (side << 2);
  const levels = load<u32>(lp) + 1;
  store<u32>(lp, levels);
  // The N-th level: reached when the side grows to N levels; one better when the new level is.
  const n = ctl(BK_DEPTH_N);
  if (levels >= n && n != 0) {
    const np = ia + (side << 2);
    if (levels == n) {
      store<u32>(np, walkNth(ia, side, n), I_NTH);
    } else {
      const nth = load<u32>(np, I_NTH);
      const q = load<i64>(nth, LV_PRICE);
      if (side == BOOK_BID ? price > q : price < q) store<u32>(np, load<u32>(nth, LV_PREV), I_NTH);
    }
  }
  return node;
}

// Unlinks, unhashes and frees a level node.
export function levelRemove(ia: u32, node: u32): void {
  const key = load<u32>(node, LV_KEY);
  const side = key & 1;
  const price = load<i64>(node, LV_PRICE);
  // The N-th level: gone below N levels; one worse when the level leaving is at or above it.
  const np = ia + (side << 2);
  const nth = load<u32>(np, I_NTH);
  if (nth != 0) {
    if (load<u32>(ia + I_LEVELS + (side << 2)) <= ctl(BK_DEPTH_N)) {
      store<u32>(np, 0, I_NTH);
    } else {
      const q = load<i64>(nth, LV_PRICE);
      if (side == BOOK_BID ? price >= q : price <= q) store<u32>(np, load<u32>(nth, LV_NEXT), I_NTH);
    }
  }
  const prev = load<u32>(node, LV_PREV);
  const next = load<u32>(node, LV_NEXT);
  if (prev != 0) store<u32>(prev, next, LV_NEXT);
  else store<u32>(ia + (side << 2), next);
  if (next != 0) store<u32>(next, prev, LV_PREV);
  const table = ctl(BK_LEVEL_HASH);
  const mask = ctl(BK_LEVEL_MASK);
  const e = levelProbe(table, mask, levelHash(key, price), key, price);
  if (load<u32>(e, HE_VALUE) == node) hashDelete(table, mask, e);
  store<u32>(node, ctl(BK_LEVEL_FREE), LV_NEXT);
  store<u32>(node, 0, LV_PREV);
  store<u32>(node, 0, LV_ORDERS);
  setCtl(BK_LEVEL_FREE, node);
  setCtl(BK_LEVEL_LIVE, ctl(BK_LEVEL_LIVE) - 1);
  const lp = ia + I_LEVELS + (side << 2);
  store<u32>(lp, load<u32>(lp) - 1);
}

// The n-th best level of a side by walking (0: fewer levels, or n = 0).
export function walkNth(ia: u32, side: u32, n: u32): u32 {
  if (n == 0) return 0;
  let cur = load<u32>(ia + (side << 2));
  while (cur != 0 && --n != 0) cur = load<u32>(cur, LV_NEXT);
  return cur;
}

// Points every instrument's nth[] at its BK_DEPTH_N-th level (after the depth changed).
export function resetNth(): void {
  const n = ctl(BK_DEPTH_N);
  const maxInst = ctl(BK_MAX_INSTRUMENTS);
  for (let inst: u32 = 0; inst < maxInst; inst++) {
    const ia = instAddr(inst);
    store<u32>(ia, walkNth(ia, 0, n), I_NTH);
    store<u32>(ia, walkNth(ia, 1, n), I_NTH + 4);
  }
}
