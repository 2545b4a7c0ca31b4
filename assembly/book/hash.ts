// The book's hash tables: open addressing with linear probing; deletion shifts the following
// entries back (no tombstones). A table is kept at most half full: it starts at HASH_INITIAL
// entries and doubles into the other region of its pair when it would fill past half (up to the
// region size, at least twice the capacity), so its size follows the live keys rather than the
// capacity -- the entries in use stay dense in the caches. The table and its regions are control
// words (assembly/layout.ts: address in use, mask = entries - 1, the other region, region entries).
//
// The level hash (./level-nodes.ts) is made of the entries below (HASH_ENTRY bytes each):
//
//   offset  field  type
//   0       hash   u32   the key's hash (levelHash())
//   4       value  u32   the address of the node, which holds the key (0: an empty entry)
//
// Each key's home and every compare but the last use the stored hash; only a hash match loads
// the key. The order table (./orders.ts) keeps whole orders in its entries instead, with its own
// probing, but starts and grows the same way (HASH_INITIAL, hash32()).

import { ctl, setCtl } from "./instruments";

export const HASH_ENTRY: u32 = 8;
export const HE_HASH: u32 = 0;
export const HE_VALUE: u32 = 4;
export const HASH_INITIAL: u32 = 1024;

@inline export function hash32(key: u64): u32 {
  return <u32>((key * 0x9e3779b97f4a7c15) >> 32);
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
