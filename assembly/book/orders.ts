// The ITCH book's orders, kept in the hash table itself: open addressing on the order reference,
// each entry the whole order, so a lookup touches one cache line. (With the orders in a separate
// slot pool, an execution, cancel or delete on a large book paid two dependent misses before any
// work: the hash entry, then the slot holding the reference to compare; a profile of
// `npm run bench:book` on 1,000 symbols put about 60% of the book's time on those two loads.)
//
// Entry (ORDER_ENTRY bytes at BK_ORDER_HASH + i * ORDER_ENTRY):
//
//   offset  field     type
//   0       orderRef  u64
//   8       level     u32   address of its level node (./level-nodes.ts), 0: an empty entry
//   12      shares    u32   shares left
//
// Instrument, side and price are the level node's (key, price). Linear probing from the home
// orderHome(ref); deletion shifts the following entries back (no tombstones), which is why no
// address of an entry is kept anywhere. The table starts at HASH_INITIAL entries and doubles into
// the other region of its pair (BK_ORDER_HASH_ALT) when it would fill past half, up to
// BK_ORDER_HASH_MAX entries (at least twice BK_MAX_ORDERS), so it stays as small as the live
// orders allow.

import { BK_ORDER_HASH, BK_ORDER_MASK, BK_ORDER_HASH_ALT, BK_ORDER_HASH_MAX } from "../layout";
import { ctl, setCtl } from "./instruments";
import { hash32, HASH_INITIAL } from "./hash";

export const ORDER_ENTRY: u32 = 16;
export const O_REF: u32 = 0;
export const O_LEVEL: u32 = 8;
export const O_SHARES: u32 = 12;

// The home slot bits: the low 4 bits are the reference's place in a block of 16 consecutive
// references (16 entries: 4 cache lines in a row), the rest a hash of the block. Exchanges number
// orders upwards, so adds walk a block line after line (a pattern the CPU prefetches) while blocks
// scatter, so no reference pattern piles up on one home. Measured against blocks of 4 (one line),
// alternating fresh processes on `bench/book.ts` sessions: +8% on 1,000 symbols, +13% on 200,
// -4% on 20 (a table of a few thousand orders, cached either way); blocks of 64 lost 15% on 20.
@inline function orderHome(ref: u64): u32 {
  return (hash32(ref >> 4) & ~15) | (<u32>ref & 15);
}

@inline function entryAt(table: u32, i: u32): u32 {
  return table + i * ORDER_ENTRY;
}

// The entry holding ref, or the empty entry where it goes.
@inline export function orderProbe(ref: u64): u32 {
  const table = ctl(BK_ORDER_HASH);
  const mask = ctl(BK_ORDER_MASK);
  let i = orderHome(ref) & mask;
  let e = entryAt(table, i);
  while (load<u32>(e, O_LEVEL) != 0 && load<u64>(e, O_REF) != ref) {
    i = (i + 1) & mask;
    e = entryAt(table, i);
  }
  return e;
}

// The entry of ref, or 0.
@inline export function orderFind(ref: u64): u32 {
  const e = orderProbe(ref);
  return load<u32>(e, O_LEVEL) != 0 ? e : 0;
}

// Empties entry e, shifting back the entries of its cluster that may move closer to their home.
export function orderDelete(e: u32): void {
  const table = ctl(BK_ORDER_HASH);
  const mask = ctl(BK_ORDER_MASK);
  let hole = (e - table) / ORDER_ENTRY;
  let j = hole;
  for (;;) {
    j = (j + 1) & mask;
    const ej = entryAt(table, j);
    if (load<u32>(ej, O_LEVEL) == 0) break;
    // Entry j may fill the hole when the hole lies cyclically in [home, j).
    const home = orderHome(load<u64>(ej, O_REF)) & mask;
    if (((j - home) & mask) >= ((j - hole) & mask)) {
      const eh = entryAt(table, hole);
      store<u64>(eh, load<u64>(ej, O_REF), O_REF);
      store<u64>(eh, load<u64>(ej, O_LEVEL), O_LEVEL); // level and shares together
      hole = j;
    }
  }
  store<u32>(entryAt(table, hole), 0, O_LEVEL);
}

// Makes room for one more order when `live` are on the book: doubles the table into the other
// region when it would be more than half full. Entries move: probe again after calling it.
export function orderReserve(live: u32): void {
  const size = ctl(BK_ORDER_MASK) + 1;
  if ((live + 1) << 1 <= size || size >= ctl(BK_ORDER_HASH_MAX)) return;
  const from = ctl(BK_ORDER_HASH);
  const to = ctl(BK_ORDER_HASH_ALT);
  const mask = (size << 1) - 1;
  memory.fill(to, 0, (mask + 1) * ORDER_ENTRY);
  for (let i: u32 = 0; i < size; i++) {
    const e = entryAt(from, i);
    if (load<u32>(e, O_LEVEL) == 0) continue;
    const ref = load<u64>(e, O_REF);
    let k = orderHome(ref) & mask;
    while (load<u32>(entryAt(to, k), O_LEVEL) != 0) k = (k + 1) & mask;
    store<u64>(entryAt(to, k), ref, O_REF);
    store<u64>(entryAt(to, k), load<u64>(e, O_LEVEL), O_LEVEL);
  }
  setCtl(BK_ORDER_HASH, to);
  setCtl(BK_ORDER_HASH_ALT, from);
  setCtl(BK_ORDER_MASK, mask);
}

// Empties the table and shrinks it to HASH_INITIAL entries.
export function ordersClear(): void {
  setCtl(BK_ORDER_MASK, HASH_INITIAL - 1);
  memory.fill(ctl(BK_ORDER_HASH), 0, HASH_INITIAL * ORDER_ENTRY);
}

// Entries of the table in use now, and entry i of it (checks walk every entry).
@inline export function orderSlots(): u32 {
  return ctl(BK_ORDER_MASK) + 1;
}

@inline export function orderEntry(i: u32): u32 {
  return entryAt(ctl(BK_ORDER_HASH), i);
}
