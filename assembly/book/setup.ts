// The order books' memory: laid out by bookSetup() (bookInit, ./abi.ts), emptied by bookClear().
// What every book shares: the control words and the instrument table (./instruments.ts), price
// levels (./level-nodes.ts, hashed as ./hash.ts says), what one message changed (./message.ts),
// publishing the BBO as book events (./publish.ts), and reading and checking the book
// (./snapshot.ts). ./l3.ts adds orders (ITCH; the order table is ./orders.ts), ./levels.ts the
// IEX price-level and quote books.
//
// Memory at BK_BASE (assembly/layout.ts), laid out by bookSetup, each part 64-byte aligned:
//
//   part          size                                     what
//   events        BOOK_EVENT_MAX * BOOK_EVENT_SIZE         book events (./events.ts)
//   instruments   BK_MAX_INSTRUMENTS * INST_SIZE           per instrument (./instruments.ts)
//   order pages   WINDOW_PAGES * ORDER_PAGE_BYTES          order slots by reference in the
//                                                          window (./order-pages.ts)
//   page dir      WINDOW_PAGES * 4                         page of each page number
//   page meta     WINDOW_PAGES * PAGE_META                 page number and live orders of each
//   order hash    2 * BK_ORDER_HASH_MAX * HASH_ORDER       the other orders (two regions,
//                                                          ./order-hash.ts)
//   level nodes   BK_MAX_LEVELS * LEVEL_SIZE               ./level-nodes.ts
//   level hash    2 * BK_LEVEL_HASH_MAX * HASH_ENTRY       (instrument, side, price) -> node address
//                                                          (two regions, ./hash.ts)

import {
  BK_ENABLED, BK_BASE, BK_BYTES, BK_MAX_ORDERS, BK_MAX_LEVELS, BK_MAX_INSTRUMENTS, BK_EVENTS,
  BK_INSTRUMENTS, BK_ORDER_HASH, BK_LEVELS, BK_LEVEL_HASH, BK_LEVEL_MASK, BK_ORDER_LIVE,
  BK_LEVEL_FREE, BK_LEVEL_USED, BK_LEVEL_LIVE, BK_ORDER_HASH_ALT, BK_ORDER_HASH_MAX,
  BK_LEVEL_HASH_ALT, BK_LEVEL_HASH_MAX, BOOK_EVENT_MAX, BOOK_MAX_INSTRUMENTS, DYNAMIC_BASE, BK_MDP_BASE,
  BK_PAGES, BK_PAGE_DIR, BK_PAGE_META, HASH_ORDER, WINDOW_PAGES, ORDER_PAGE_BYTES, PAGE_META,
} from "../layout";
import { slotsClear } from "./mdp-slots";
import { mboClearAll } from "./mbo";
import { BOOK_EVENT_SIZE } from "./events";
import { INST_SIZE, ctl, setCtl } from "./instruments";
import { HASH_ENTRY, HASH_INITIAL } from "./hash";
import { LEVEL_SIZE } from "./level-nodes";
import { ordersClear } from "./orders";

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
  b += <u64>WINDOW_PAGES * ORDER_PAGE_BYTES + <u64>WINDOW_PAGES * 4 + <u64>WINDOW_PAGES * PAGE_META;
  b += 2 * align64(hashSlots(maxOrders) * HASH_ORDER);
  b += align64(<u64>maxLevels * LEVEL_SIZE);
  b += 2 * align64(hashSlots(maxLevels) * HASH_ENTRY);
  return b;
}

// Lays the book out at base and empties it; false (no book) when the capacities are out of range
// or the memory does not reach base + bookBytes().
export function bookSetup(base: u32, maxOrders: u32, maxLevels: u32, maxInstruments: u32): bool {
  setCtl(BK_ENABLED, 0);
  setCtl(BK_BASE, 0);
  setCtl(BK_MDP_BASE, 0); // an MDP 3.0 part is laid out again after this (mdpBookInit)
  if (maxInstruments == 0 || maxInstruments > BOOK_MAX_INSTRUMENTS || base < DYNAMIC_BASE || (base & 63) != 0) return false;
  if (maxOrders > 0x8000000 || maxLevels > 0x8000000) return false;
  const bytes = bookBytes(maxOrders, maxLevels, maxInstruments);
  if (<u64>base + bytes > (<u64>memory.size() << 16)) return false;
  let at: u64 = base;
  setCtl(BK_EVENTS, <u32>at);
  at += align64(<u64>BOOK_EVENT_MAX * BOOK_EVENT_SIZE);
  setCtl(BK_INSTRUMENTS, <u32>at);
  at += align64(<u64>maxInstruments * INST_SIZE);
  setCtl(BK_PAGES, <u32>at);
  at += <u64>WINDOW_PAGES * ORDER_PAGE_BYTES;
  setCtl(BK_PAGE_DIR, <u32>at);
  at += <u64>WINDOW_PAGES * 4;
  setCtl(BK_PAGE_META, <u32>at);
  at += <u64>WINDOW_PAGES * PAGE_META;
  const os = hashSlots(maxOrders);
  setCtl(BK_ORDER_HASH_MAX, <u32>os);
  setCtl(BK_ORDER_HASH, <u32>at);
  at += align64(os * HASH_ORDER);
  setCtl(BK_ORDER_HASH_ALT, <u32>at);
  at += align64(os * HASH_ORDER);
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

// Empties the book (keeps its layout and capacities); the hashes start small again. An MDP 3.0
// part (./mdp3.ts) is emptied too, its SecurityIDs forgotten.
export function bookClear(): void {
  if (ctl(BK_BASE) == 0) return;
  if (ctl(BK_MDP_BASE) != 0) {
    slotsClear();
    mboClearAll();
  }
  memory.fill(ctl(BK_INSTRUMENTS), 0, ctl(BK_MAX_INSTRUMENTS) * INST_SIZE);
  ordersClear();
  setCtl(BK_LEVEL_MASK, HASH_INITIAL - 1);
  memory.fill(ctl(BK_LEVEL_HASH), 0, HASH_INITIAL * HASH_ENTRY);
  setCtl(BK_ORDER_LIVE, 0);
  setCtl(BK_LEVEL_FREE, 0);
  setCtl(BK_LEVEL_USED, 0);
  setCtl(BK_LEVEL_LIVE, 0);
}
