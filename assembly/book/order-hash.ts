// The order table's fallback: an open-addressing hash of whole orders by reference, for the orders
// whose reference lies outside the paged window (./order-pages.ts) -- orders older than the
// window, references far from the feed's others (out of order, or hostile: random 64-bit values).
// Its size follows the orders in it, never the references, so memory stays bounded whatever the
// references are.
//
// Entry (HASH_ORDER bytes at BK_ORDER_HASH + i * HASH_ORDER); the first 8 bytes are an order slot
// as the pages' (./orders.ts: level, shares), so the book reads an order the same way wherever it
// is kept:
//
//   offset  field     type
//   0       level     u32   address of its level node (./level-nodes.ts), 0: an empty entry
//   4       shares    u32   shares left
//   8       orderRef  u64
//
// Linear probing from the home orderHome(ref); deletion shifts the following entries back (no
// tombstones), which is why no address of an entry is kept across a change. The table starts at
// HASH_INITIAL entries and doubles into the other region of its pair (BK_ORDER_HASH_ALT) when it
// would fill past half, up to BK_ORDER_HASH_MAX entries (at least twice BK_MAX_ORDERS).

import {
  BOOK_CTL_BASE, BK_ORDER_HASH, BK_ORDER_MASK, BK_ORDER_HASH_ALT, BK_ORDER_HASH_MAX, BK_ORDER_HASHED, BK_HASH_TOP,
  HASH_ORDER,
} from "../layout";
import { ctl, setCtl } from "./instruments";
import { hash32, HASH_INITIAL } from "./hash";

export const HO_REF: u32 = 8;

// The home slot bits: the low 4 bits are the reference's place in a block of 16 consecutive
// references (16 entries: 4 cache lines in a row), the rest a hash of the block, so that
// neighbouring references (an old page moved here whole) stay together while blocks scatter.
@inline function orderHome(ref: u64): u32 {
  return (hash32(ref >> 4) & ~15) | (<u32>ref & 15);
}

@inline function entryAt(table: u32, i: u32): u32 {
  return table + i * HASH_ORDER;
}

// The entry holding ref, or the empty entry where it goes.
@inline function probe(ref: u64): u32 {
  const table = ctl(BK_ORDER_HASH);
  const mask = ctl(BK_ORDER_MASK);
  let i = orderHome(ref) & mask;
  let e = entryAt(table, i);
  while (load<u32>(e) != 0 && load<u64>(e, HO_REF) != ref) {
    i = (i + 1) & mask;
    e = entryAt(table, i);
  }
  return e;
}

const TOP: u32 = BOOK_CTL_BASE + BK_HASH_TOP;

// The largest reference put in the hash since it was last empty (0: none): a reference above it
// is not in the hash, which spares the adds in the window a probe.
@inline export function hashTop(): u64 {
  return load<u64>(TOP);
}

// The entry of ref, or 0.
export function hashFind(ref: u64): u32 {
  if (ctl(BK_ORDER_HASHED) == 0 || ref > hashTop()) return 0;
  const e = probe(ref);
  return load<u32>(e) != 0 ? e : 0;
}

// Puts an order not on the book (the caller checked) in the hash.
export function hashPut(ref: u64, level: u32, shares: u32): void {
  const live = ctl(BK_ORDER_HASHED);
  reserve(live);
  const e = probe(ref);
  store<u32>(e, level);
  store<u32>(e, shares, 4);
  store<u64>(e, ref, HO_REF);
  setCtl(BK_ORDER_HASHED, live + 1);
  if (ref > hashTop()) store<u64>(TOP, ref);
}

@inline export function hashRefOf(e: u32): u64 {
  return load<u64>(e, HO_REF);
}

// Empties entry e, shifting back the entries of its cluster that may move closer to their home.
export function hashDelete(e: u32): void {
  const table = ctl(BK_ORDER_HASH);
  const mask = ctl(BK_ORDER_MASK);
  let hole = (e - table) / HASH_ORDER;
  let j = hole;
  for (;;) {
    j = (j + 1) & mask;
    const ej = entryAt(table, j);
    if (load<u32>(ej) == 0) break;
    // Entry j may fill the hole when the hole lies cyclically in [home, j).
    const home = orderHome(load<u64>(ej, HO_REF)) & mask;
    if (((j - home) & mask) >= ((j - hole) & mask)) {
      const eh = entryAt(table, hole);
      store<u64>(eh, load<u64>(ej)); // level and shares together
      store<u64>(eh, load<u64>(ej, HO_REF), HO_REF);
      hole = j;
    }
  }
  store<u32>(entryAt(table, hole), 0);
  const live = ctl(BK_ORDER_HASHED) - 1;
  setCtl(BK_ORDER_HASHED, live);
  if (live == 0) store<u64>(TOP, 0);
}

// Makes room for one more order when `live` are in the hash: doubles the table into the other
// region when it would be more than half full. Entries move.
function reserve(live: u32): void {
  const size = ctl(BK_ORDER_MASK) + 1;
  if ((live + 1) << 1 <= size || size >= ctl(BK_ORDER_HASH_MAX)) return;
  const from = ctl(BK_ORDER_HASH);
  const to = ctl(BK_ORDER_HASH_ALT);
  const mask = (size << 1) - 1;
  memory.fill(to, 0, (mask + 1) * HASH_ORDER);
  for (let i: u32 = 0; i < size; i++) {
    const e = entryAt(from, i);
    if (load<u32>(e) == 0) continue;
    const ref = load<u64>(e, HO_REF);
    let k = orderHome(ref) & mask;
    while (load<u32>(entryAt(to, k)) != 0) k = (k + 1) & mask;
    store<u64>(entryAt(to, k), load<u64>(e));
    store<u64>(entryAt(to, k), ref, HO_REF);
  }
  setCtl(BK_ORDER_HASH, to);
  setCtl(BK_ORDER_HASH_ALT, from);
  setCtl(BK_ORDER_MASK, mask);
}

// Empties the hash and shrinks it to HASH_INITIAL entries.
export function hashClear(): void {
  setCtl(BK_ORDER_MASK, HASH_INITIAL - 1);
  memory.fill(ctl(BK_ORDER_HASH), 0, HASH_INITIAL * HASH_ORDER);
  setCtl(BK_ORDER_HASHED, 0);
  store<u64>(TOP, 0);
}

// Entries of the hash in use now, and entry i of it (checks walk every entry).
@inline export function hashSlots(): u32 {
  return ctl(BK_ORDER_MASK) + 1;
}

@inline export function hashEntry(i: u32): u32 {
  return entryAt(ctl(BK_ORDER_HASH), i);
}
