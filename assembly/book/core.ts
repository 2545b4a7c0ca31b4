// What every order book shares: the control words, the instrument table, price levels (a node
// pool, a hash from (instrument, side, price) to node, and per instrument and side a doubly linked
// list sorted best-first), publishing the BBO as book events, depth extraction and the
// consistency check. assembly/book/l3.ts adds orders (ITCH), assembly/book/levels.ts the IEX
// price-level and quote books. Nothing is allocated per message; running out of nodes is counted.
//
// Memory at BK_BASE (assembly/layout.ts), laid out by bookInit, each part 64-byte aligned:
//
//   part          size                                     what
//   events        BOOK_EVENT_MAX * BOOK_EVENT_SIZE         book events (assembly/book/events.ts)
//   instruments   BK_MAX_INSTRUMENTS * INST_SIZE           per instrument, below
//   order table   2 * BK_ORDER_HASH_MAX * ORDER_ENTRY      the orders by reference (two regions,
//                                                          assembly/book/orders.ts)
//   level nodes   BK_MAX_LEVELS * LEVEL_SIZE               below
//   level hash    2 * BK_LEVEL_HASH_MAX * HASH_ENTRY       (instrument, side, price) -> node address
//
// Instrument (INST_SIZE bytes at BK_INSTRUMENTS + instrument * INST_SIZE):
//
//   offset  field     type
//   0       head[2]   u32   address of the best bid / best ask level node (0: side empty)
//   8       bidPx     i64   the last published BBO (what the last book event said)
//   16      askPx     i64
//   24      bidQty    u64
//   32      askQty    u64
//   40      levels[2] u32   levels on each side
//   48      orders    u32   orders on the book (ITCH)
//   52      flags     u32   BBO_REGISTERED, BBO_PENDING, BBO_QUOTED (assembly/book/events.ts); bits
//                           8.. hold the EV_DEPTH_* of an IEX DEEP event not yet complete
//   56      nth[2]    u32   address of the BK_DEPTH_N-th best level of each side (0: fewer levels),
//                           so that "is this level among the watched depth" is one compare
//
// Level node (LEVEL_SIZE bytes; free nodes are chained through next):
//
//   offset  field       type
//   0       price       i64
//   8       shares      u64
//   16      orders      u32   orders at the level (ITCH; 0 on price-level feeds)
//   20      prev        u32   address of the next better level (0: this is the best)
//   24      next        u32   address of the next worse level (0: the last)
//   28      key         u32   instrument << 1 | side (BOOK_BID or BOOK_ASK)
//
// Level hash entry (HASH_ENTRY bytes): hash u32 (levelHash of the key), value u32 (the address of
// the node, which holds the key; 0: empty). Open addressing with linear probing; deletion shifts the
// following entries back (no tombstones). A table is kept at most half full: it starts at
// HASH_INITIAL entries and doubles into the other region of its pair when it would fill past half
// (up to the region size, at least twice the capacity), so its size follows the live levels
// rather than the capacity -- the entries in use stay dense in the caches (the order table,
// assembly/book/orders.ts, grows the same way). Each key's
// home and every compare but the last use the stored hash; only a hash match loads the key.
// levelHash() below keeps neighbouring prices in one cache line.

import {
  BOOK_CTL_BASE, BK_ENABLED, BK_BASE, BK_BYTES, BK_MAX_ORDERS, BK_MAX_LEVELS, BK_MAX_INSTRUMENTS,
  BK_DEPTH_N, BK_EVENTS, BK_INSTRUMENTS, BK_ORDER_HASH, BK_LEVELS,
  BK_LEVEL_HASH, BK_LEVEL_MASK, BK_ORDER_LIVE, BK_LEVEL_FREE,
  BK_LEVEL_USED, BK_LEVEL_LIVE, BK_ORDER_HASH_ALT, BK_ORDER_HASH_MAX, BK_LEVEL_HASH_ALT,
  BK_LEVEL_HASH_MAX, BK_BBO, BK_DEPTH_EVENTS, BOOK_EVENT_MAX, BOOK_MAX_INSTRUMENTS, BOOK_DEPTH_BASE,
  BOOK_DEPTH_MAX, BOOK_DEPTH_PRICES, BOOK_DEPTH_ORDERS, BOOK_DEPTH_SHARES, DYNAMIC_BASE,
  PS_BOOK_EVENTS, PS_BOOK_UPDATES, PS_BOOK_BBO_CHANGES, PS_BOOK_DEPTH_CHANGES, PS_BOOK_LEVELS_FULL,
  PS_BOOK_EVENTS_LOST, PS_RECORDS,
} from "../layout";
import {
  BOOK_EVENT_SIZE, BE_RECORD, BE_INSTRUMENT, BE_BID_PX, BE_ASK_PX, BE_BID_QTY, BE_ASK_QTY,
  BBO_BID_PX, BBO_ASK_PX, BBO_BID_QTY, BBO_ASK_QTY, BBO_BID_ORDERS, BBO_ASK_ORDERS, BBO_BID_LEVELS,
  BBO_ASK_LEVELS, BBO_FLAGS, BBO_SIZE, BBO_PENDING, BBO_QUOTED, BOOK_BID, BE_FLAGS, EV_BBO, EV_DEPTH_BID,
  CHECK_OK, CHECK_LIST_LINKS, CHECK_LIST_ORDER, CHECK_LEVEL_HASH, CHECK_LEVEL_COUNT, CHECK_ORDER_SUMS,
  CHECK_FREE_LISTS, CHECK_HASH_COUNT, CHECK_PUBLISHED,
} from "./events";
import { psAdd, psGet32, psSet32 } from "../parse/stats";
import { ORDER_ENTRY, ordersClear } from "./orders";

export const INST_SIZE: u32 = 64;
export const I_HEAD: u32 = 0;
export const I_BID_PX: u32 = 8;
export const I_ASK_PX: u32 = 16;
export const I_BID_QTY: u32 = 24;
export const I_ASK_QTY: u32 = 32;
export const I_LEVELS: u32 = 40;
export const I_ORDERS: u32 = 48;
export const I_FLAGS: u32 = 52;
export const I_NTH: u32 = 56;
// Where the flags word keeps the EV_DEPTH_* of an event in progress.
const DEPTH_PENDING_SHIFT: u32 = 8;
const PUBLIC_FLAGS: u32 = 0xff;

export const LEVEL_SIZE: u32 = 32;
export const LV_PRICE: u32 = 0;
export const LV_SHARES: u32 = 8;
export const LV_ORDERS: u32 = 16;
export const LV_PREV: u32 = 20;
export const LV_NEXT: u32 = 24;
export const LV_KEY: u32 = 28;

export const HASH_ENTRY: u32 = 8;
export const HE_HASH: u32 = 0;
export const HE_VALUE: u32 = 4;
export const HASH_INITIAL: u32 = 1024;

@inline export function ctl(off: u32): u32 {
  return load<u32>(BOOK_CTL_BASE + off);
}

@inline export function setCtl(off: u32, v: u32): void {
  store<u32>(BOOK_CTL_BASE + off, v);
}

// The guard of the feed modules' hook: one load per message when the book is off.
@inline export function bookOn(): bool {
  return load<u32>(BOOK_CTL_BASE + BK_ENABLED) != 0;
}

@inline export function instAddr(inst: u32): u32 {
  return ctl(BK_INSTRUMENTS) + inst * INST_SIZE;
}

// ---- hash tables ----

@inline export function hash32(key: u64): u32 {
  return <u32>((key * 0x9e3779b97f4a7c15) >> 32);
}

// Level hashes keep neighbours together: the low 3 bits are the key's place in a block of 8
// neighbouring prices (8 entries: one cache line), the others a hash of the block, so nearby
// prices of one instrument and side share a line while blocks scatter.
// Prices in blocks of 512 (5 cents in price4), 64 apart within a block.
@inline export function levelHash(key: u32, price: i64): u32 {
  return (hash32((<u64>key << 40) ^ <u64>(price >> 9)) & ~7) | (<u32>(price >> 6) & 7);
}

// Empties entry e, shifting back the entries of its cluster that may move closer to their home.
export function hashDelete(table: u32, mask: u32, e: u32): void {
  let hole = (e - table) >> 3;
  let j = hole;
  for (;;) {
    j = (j + 1) & mask;
    const ej = table + (j << 3);
    const v = load<u32>(ej, HE_VALUE);
    if (v == 0) break;
    const h = load<u32>(ej, HE_HASH);
    // Entry j may fill the hole when the hole lies cyclically in [home, j).
    if (((j - (h & mask)) & mask) >= ((j - hole) & mask)) {
      const eh = table + (hole << 3);
      store<u32>(eh, h, HE_HASH);
      store<u32>(eh, v, HE_VALUE);
      hole = j;
    }
  }
  store<u32>(table + (hole << 3), 0, HE_VALUE);
}

// Makes room for one more entry in the table whose control words are at tableOff (address),
// maskOff, altOff (the other region) and maxOff (region entries), `live` entries in it now:
// doubles it into the other region when it would be more than half full.
@inline export function hashReserve(tableOff: u32, maskOff: u32, altOff: u32, maxOff: u32, live: u32): void {
  const size = ctl(maskOff) + 1;
  if ((live + 1) << 1 > size && size < ctl(maxOff)) hashGrow(tableOff, maskOff, altOff, size);
}

function hashGrow(tableOff: u32, maskOff: u32, altOff: u32, size: u32): void {
  const from = ctl(tableOff);
  const to = ctl(altOff);
  const mask = (size << 1) - 1;
  memory.fill(to, 0, (mask + 1) * HASH_ENTRY);
  for (let i: u32 = 0; i < size; i++) {
    const e = from + (i << 3);
    const v = load<u32>(e, HE_VALUE);
    if (v == 0) continue;
    const h = load<u32>(e, HE_HASH);
    let k = h & mask;
    while (load<u32>(to + (k << 3), HE_VALUE) != 0) k = (k + 1) & mask;
    store<u32>(to + (k << 3), h, HE_HASH);
    store<u32>(to + (k << 3), v, HE_VALUE);
  }
  setCtl(tableOff, to);
  setCtl(altOff, from);
  setCtl(maskOff, mask);
}

// Entries in use (checks).
export function hashCount(table: u32, mask: u32): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i <= mask; i++) if (load<u32>(table + (i << 3), HE_VALUE) != 0) n++;
  return n;
}

// ---- per-message state ----

// Set by touchLevel() while one message is applied, read by finishMessage().
let changed: bool = false;
let depthChanged: u32 = 0; // EV_DEPTH_BID << side for each side whose watched depth changed
let topChanged: bool = false;

@inline export function beginMessage(): void {
  changed = false;
  depthChanged = 0;
  topChanged = false;
}

// Whether `node` (on the book) is among the best BK_DEPTH_N levels of its side: better than or at
// the N-th level, or any level when there are fewer than N.
@inline function inWatchedDepth(ia: u32, side: u32, node: u32): bool {
  const nth = load<u32>(ia + (side << 2), I_NTH);
  if (nth == 0) return ctl(BK_DEPTH_N) != 0;
  const p = load<i64>(node, LV_PRICE);
  const q = load<i64>(nth, LV_PRICE);
  return side == BOOK_BID ? p >= q : p <= q;
}

// Notes a change to level `node`: call it after the change for a level that stays or was just
// created, before levelRemove() for one that goes. The watched depth is looked at only with depth
// events on (BK_DEPTH_EVENTS): the compare with the N-th level costs ~10% of the book's rate on
// 1,000 symbols, for what only onBook needs. (The N-th level itself is kept either way, so that
// depth events can be turned on at any time.)
@inline export function touchLevel(ia: u32, side: u32, node: u32): void {
  changed = true;
  if (node == load<u32>(ia + (side << 2))) topChanged = true;
  const bit = EV_DEPTH_BID << side;
  if ((depthChanged & bit) == 0 && ctl(BK_DEPTH_EVENTS) != 0 && inWatchedDepth(ia, side, node)) depthChanged |= bit;
}

// After a message: counts what it changed and, when `now`, publishes it: the BBO when a best level
// changed, a book event when the BBO or (with BK_DEPTH_EVENTS) the watched depth did. Otherwise
// (an IEX DEEP event in progress) the depth change waits in the instrument's flags for publish().
@inline export function finishMessage(inst: u32, ia: u32, rec: u32, now: bool): void {
  if (changed) {
    psAdd(PS_BOOK_UPDATES, 1);
    const depth = depthChanged;
    if (depth != 0) psAdd(PS_BOOK_DEPTH_CHANGES, 1);
    if (now) {
      if (topChanged || depth != 0) publish(inst, ia, rec, depth);
    } else if (depth != 0) {
      store<u32>(ia, load<u32>(ia, I_FLAGS) | (depth << DEPTH_PENDING_SHIFT), I_FLAGS);
    }
  }
}

// The EV_DEPTH_* waiting for publish() (IEX DEEP), cleared.
export function takePendingDepth(ia: u32): u32 {
  const f = load<u32>(ia, I_FLAGS);
  store<u32>(ia, f & PUBLIC_FLAGS, I_FLAGS);
  return f >> DEPTH_PENDING_SHIFT;
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

// ---- levels ----

// A level's instrument and side in one word (LV_KEY).
@inline export function levelKey(inst: u32, side: u32): u32 {
  return (inst << 1) | side;
}

// Whether level node `node` is (key, price).
@inline export function levelIs(node: u32, key: u32, price: i64): bool {
  return load<i64>(node, LV_PRICE) == price && load<u32>(node, LV_KEY) == key;
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

// ---- publishing ----

// Writes a book event for instrument inst (its published BBO, flags EV_*) at record rec.
export function emitEvent(rec: u32, inst: u32, ia: u32, flags: u32): void {
  const k = psGet32(PS_BOOK_EVENTS);
  if (k >= BOOK_EVENT_MAX) {
    psAdd(PS_BOOK_EVENTS_LOST, 1);
    return;
  }
  psSet32(PS_BOOK_EVENTS, k + 1);
  const ev = ctl(BK_EVENTS) + k * BOOK_EVENT_SIZE;
  store<u32>(ev, rec, BE_RECORD);
  store<u32>(ev, inst, BE_INSTRUMENT);
  store<i64>(ev, load<i64>(ia, I_BID_PX), BE_BID_PX);
  store<i64>(ev, load<i64>(ia, I_ASK_PX), BE_ASK_PX);
  store<u64>(ev, load<u64>(ia, I_BID_QTY), BE_BID_QTY);
  store<u64>(ev, load<u64>(ia, I_ASK_QTY), BE_ASK_QTY);
  store<u32>(ev, flags, BE_FLAGS);
  store<u32>(ev, 0, BE_FLAGS + 4);
}

@inline export function isPublished(ia: u32, bp: i64, ap: i64, bq: u64, aq: u64): bool {
  return bp == load<i64>(ia, I_BID_PX) && ap == load<i64>(ia, I_ASK_PX) && bq == load<u64>(ia, I_BID_QTY) && aq == load<u64>(ia, I_ASK_QTY);
}

// Makes (bp, ap, bq, aq) the published BBO and writes a book event at record `rec` when it or the
// watched depth (depth: EV_DEPTH_*) changed.
export function setBbo(inst: u32, ia: u32, rec: u32, bp: i64, ap: i64, bq: u64, aq: u64, depth: u32): void {
  let flags = depth;
  if (!isPublished(ia, bp, ap, bq, aq)) {
    store<i64>(ia, bp, I_BID_PX);
    store<i64>(ia, ap, I_ASK_PX);
    store<u64>(ia, bq, I_BID_QTY);
    store<u64>(ia, aq, I_ASK_QTY);
    psAdd(PS_BOOK_BBO_CHANGES, 1);
    flags |= EV_BBO;
  }
  if (flags != 0) emitEvent(rec, inst, ia, flags);
}

// Publishes the BBO of the levels, with the depth change the message made.
export function publish(inst: u32, ia: u32, rec: u32, depth: u32): void {
  const bh = load<u32>(ia, I_HEAD);
  const ah = load<u32>(ia, I_HEAD + 4);
  setBbo(inst, ia, rec,
    bh != 0 ? load<i64>(bh, LV_PRICE) : 0, ah != 0 ? load<i64>(ah, LV_PRICE) : 0,
    bh != 0 ? load<u64>(bh, LV_SHARES) : 0, ah != 0 ? load<u64>(ah, LV_SHARES) : 0, depth);
}

// The index of the record just written (the message being applied).
@inline export function lastRecord(): u32 {
  return psGet32(PS_RECORDS) - 1;
}

// ---- set-up ----

@inline function align64(x: u64): u64 {
  return (x + 63) & ~(<u64>63);
}

// Entries of each region of a hash for n keys: a power of two, at least 2n.
function hashSlots(n: u64): u64 {
  let p: u64 = HASH_INITIAL;
  while (p < n << 1) p <<= 1;
  return p;
}

// Bytes of book memory for these capacities (u64: the caller checks it fits).
export function bookBytes(maxOrders: u32, maxLevels: u32, maxInstruments: u32): u64 {
  let b: u64 = align64(<u64>BOOK_EVENT_MAX * BOOK_EVENT_SIZE);
  b += align64(<u64>maxInstruments * INST_SIZE);
  b += 2 * align64(hashSlots(maxOrders) * ORDER_ENTRY);
  b += align64(<u64>maxLevels * LEVEL_SIZE);
  b += 2 * align64(hashSlots(maxLevels) * HASH_ENTRY);
  return b;
}

// Lays the book out at base and empties it; false (no book) when the capacities are out of range
// or the memory does not reach base + bookBytes().
export function bookSetup(base: u32, maxOrders: u32, maxLevels: u32, maxInstruments: u32): bool {
  setCtl(BK_ENABLED, 0);
  setCtl(BK_BASE, 0);
  if (maxInstruments == 0 || maxInstruments > BOOK_MAX_INSTRUMENTS || base < DYNAMIC_BASE || (base & 63) != 0) return false;
  if (maxOrders > 0x8000000 || maxLevels > 0x8000000) return false;
  const bytes = bookBytes(maxOrders, maxLevels, maxInstruments);
  if (<u64>base + bytes > (<u64>memory.size() << 16)) return false;
  let at: u64 = base;
  setCtl(BK_EVENTS, <u32>at);
  at += align64(<u64>BOOK_EVENT_MAX * BOOK_EVENT_SIZE);
  setCtl(BK_INSTRUMENTS, <u32>at);
  at += align64(<u64>maxInstruments * INST_SIZE);
  const os = hashSlots(maxOrders);
  setCtl(BK_ORDER_HASH_MAX, <u32>os);
  setCtl(BK_ORDER_HASH, <u32>at);
  at += align64(os * ORDER_ENTRY);
  setCtl(BK_ORDER_HASH_ALT, <u32>at);
  at += align64(os * ORDER_ENTRY);
  setCtl(BK_LEVELS, <u32>at);
  at += align64(<u64>maxLevels * LEVEL_SIZE);
  const ls = hashSlots(maxLevels);
  setCtl(BK_LEVEL_HASH_MAX, <u32>ls);
  setCtl(BK_LEVEL_HASH, <u32>at);
  at += align64(ls * HASH_ENTRY);
  setCtl(BK_LEVEL_HASH_ALT, <u32>at);
  setCtl(BK_MAX_ORDERS, maxOrders);
  setCtl(BK_MAX_LEVELS, maxLevels);
  setCtl(BK_MAX_INSTRUMENTS, maxInstruments);
  setCtl(BK_BYTES, <u32>bytes);
  setCtl(BK_BASE, base);
  bookClear();
  return true;
}

// Empties the book (keeps its layout and capacities); the hashes start small again.
export function bookClear(): void {
  if (ctl(BK_BASE) == 0) return;
  memory.fill(ctl(BK_INSTRUMENTS), 0, ctl(BK_MAX_INSTRUMENTS) * INST_SIZE);
  ordersClear();
  setCtl(BK_LEVEL_MASK, HASH_INITIAL - 1);
  memory.fill(ctl(BK_LEVEL_HASH), 0, HASH_INITIAL * HASH_ENTRY);
  setCtl(BK_ORDER_LIVE, 0);
  setCtl(BK_LEVEL_FREE, 0);
  setCtl(BK_LEVEL_USED, 0);
  setCtl(BK_LEVEL_LIVE, 0);
}

// ---- reading ----

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
  const bh = load<u32>(ia, I_HEAD);
  const ah = load<u32>(ia, I_HEAD + 4);
  store<u32>(out, bh != 0 ? load<u32>(bh, LV_ORDERS) : 0, BBO_BID_ORDERS);
  store<u32>(out, ah != 0 ? load<u32>(ah, LV_ORDERS) : 0, BBO_ASK_ORDERS);
  store<u32>(out, load<u32>(ia, I_LEVELS), BBO_BID_LEVELS);
  store<u32>(out, load<u32>(ia, I_LEVELS + 4), BBO_ASK_LEVELS);
  store<u32>(out, load<u32>(ia, I_FLAGS) & PUBLIC_FLAGS, BBO_FLAGS);
  return true;
}

// Writes the best n (at most BOOK_DEPTH_MAX) levels of one side at BOOK_DEPTH_BASE; returns how many.
export function depthInto(inst: u32, side: u32, n: u32): u32 {
  if (!validInstrument(inst) || side > 1) return 0;
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

// ---- checking (tests) ----

// Walks every list, level and free list; returns the CHECK_* of the first broken invariant, or 0.
// The order part (the order table, level sums) is checkBook() in l3.ts.
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
    if ((flags & (BBO_PENDING | BBO_QUOTED)) == 0) {
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
