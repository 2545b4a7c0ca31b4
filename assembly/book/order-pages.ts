// The order table's pages: order slots indexed by reference, for the references of a window that
// follows the feed's newest ones. Exchanges number orders upwards, so nearly every order message
// names a reference a little below the newest: one shift and two loads find its slot, with no
// hash, no probe and no compare, and a delete only clears it.
//
//   page       ORDER_PAGE_REFS consecutive references' slots (ORDER_SLOT bytes each, ./orders.ts),
//              handed out from a pool of WINDOW_PAGES pages when an add first reaches it, back to
//              the pool when its last order leaves (unless it is the newest page)
//   directory  WINDOW_PAGES u32 at BK_PAGE_DIR: the page of each page number of the window
//              (page number & (WINDOW_PAGES - 1)), 0 for none
//   page meta  PAGE_META bytes per pool page at BK_PAGE_META: its page number (u64) and live
//              orders (u32); a free page's next free page (u32) in place of its live count
//   window     page numbers [lo, lo + WINDOW_PAGES) (BK_WINDOW_LO); hi (BK_WINDOW_HI) is the
//              newest page number an add reached
//
// An add above the window, within WINDOW_JUMP pages of the newest, moves the window up: the pages
// it leaves behind move their orders to the hash (./order-hash.ts, counted in
// PS_BOOK_ORDERS_EVICTED) and go back to the pool. Any other reference outside the window -- below
// it (an order older than the window), or far above (a hostile or mistaken one) -- is kept in
// the hash (PS_BOOK_ORDERS_OFF_WINDOW), so that one stray reference cannot empty the window. Only
// when REANCHOR adds in a row land above it does the window move there (the feed's numbering
// jumped). Memory: at most WINDOW_PAGES pages, whatever the references.
//
// The pages pay where most orders leave the book while their page is in the window; where most
// outlive it (references handed out sparsely, orders resting long) each order would be moved to
// the hash once on top of its own work, and the hash alone is faster. So the pages count, over
// the last PAUSE_SAMPLE orders to leave them, how many left by themselves and how many were
// moved; when more were moved, new orders go to the hash for the next PAUSE_ADDS adds
// (PS_BOOK_ORDER_PAGES_PAUSED counts the pauses) before the pages try again.
//
// Sizes, measured with bench/book.ts on this project's generated days (alternating fresh
// processes): a window of 128 pages of 1,024 references (1 MiB of slots) took 22% off the book's
// time on 1,000 symbols with dense references against the hash alone; 256 pages 11%, 1,024 pages
// none (the slots of a large window are mostly empty: more lines and TLB entries per order than
// the hash's); pages of 64 or 128 references were slower than the hash (page upkeep).

import {
  BOOK_CTL_BASE, BK_PAGES, BK_PAGE_DIR, BK_PAGE_META, BK_PAGE_FREE, BK_PAGE_USED, BK_PAGE_LIVE,
  BK_WINDOW_LO, BK_WINDOW_HI, BK_WINDOW_SET, BK_OFF_RUN, BK_PAGE_KEPT, BK_PAGE_MOVED, BK_PAGES_PAUSED,
  PS_BOOK_ORDERS_EVICTED, PS_BOOK_ORDER_PAGES_PAUSED, ORDER_SLOT, ORDER_PAGE_BITS, ORDER_PAGE_REFS,
  ORDER_PAGE_BYTES, WINDOW_PAGES, PAGE_META,
} from "../layout";
import { ctl, setCtl } from "./instruments";
import { hashPut } from "./order-hash";
import { psAdd } from "../parse/stats";

const PM_PAGE_NO: u32 = 0;
const PM_LIVE: u32 = 8;
// How far above the newest page an add may land and still move the window (a gap in the feed's
// numbering), and how many adds in a row above that move it anyway.
const WINDOW_JUMP: u64 = 1024;
const REANCHOR: u32 = 1024;
const PAUSE_SAMPLE: u32 = 8192;
const PAUSE_ADDS: u32 = 1 << 20;

const LO: u32 = BOOK_CTL_BASE + BK_WINDOW_LO;
const HI: u32 = BOOK_CTL_BASE + BK_WINDOW_HI;

@inline function dirEntry(pn: u64): u32 {
  return ctl(BK_PAGE_DIR) + ((<u32>pn & (WINDOW_PAGES - 1)) << 2);
}

@inline function metaOf(page: u32): u32 {
  return ctl(BK_PAGE_META) + (((page - ctl(BK_PAGES)) >> (ORDER_PAGE_BITS + 3)) << 4);
}

// The slot of ref when its page is in the window and handed out (the slot may be empty), else 0.
@inline export function pageSlot(ref: u64): u32 {
  const pn = ref >> ORDER_PAGE_BITS;
  if (pn - load<u64>(LO) >= <u64>WINDOW_PAGES) return 0;
  const page = load<u32>(dirEntry(pn));
  return page != 0 ? page + ((<u32>ref & (ORDER_PAGE_REFS - 1)) << 3) : 0;
}

// Whether e is a slot of a page (not an entry of the hash).
@inline export function inPages(e: u32): bool {
  return e - ctl(BK_PAGES) < WINDOW_PAGES * ORDER_PAGE_BYTES;
}

// The reference of page slot e.
@inline export function pageRefOf(e: u32): u64 {
  const page = ctl(BK_PAGES) + ((e - ctl(BK_PAGES)) & ~(ORDER_PAGE_BYTES - 1));
  return (load<u64>(metaOf(page), PM_PAGE_NO) << ORDER_PAGE_BITS) | <u64>((e - page) >> 3);
}

// Whether the pages are paused (the caller keeps the add in the hash), counting the add if so.
@inline export function pagesPaused(): bool {
  const left = ctl(BK_PAGES_PAUSED);
  if (left == 0) return false;
  setCtl(BK_PAGES_PAUSED, left - 1);
  // Resuming: the first add above the window moves it there, however far.
  if (left == 1) setCtl(BK_OFF_RUN, REANCHOR - 1);
  return true;
}

// Puts an order not on the book (the caller checked) in its page; false when its reference is
// outside the window and stays so (the caller keeps it in the hash).
export function pagePut(ref: u64, level: u32, shares: u32): bool {
  const pn = ref >> ORDER_PAGE_BITS;
  if (ctl(BK_WINDOW_SET) == 0) {
    store<u64>(LO, pn);
    store<u64>(HI, pn);
    setCtl(BK_WINDOW_SET, 1);
  }
  const lo = load<u64>(LO);
  if (pn - lo >= <u64>WINDOW_PAGES) {
    const hi = load<u64>(HI);
    if (pn < lo || pn <= hi) return false; // below the window: an old reference
    if (pn - hi <= WINDOW_JUMP) {
      moveWindow(pn - WINDOW_PAGES + 1);
    } else {
      const run = ctl(BK_OFF_RUN) + 1;
      setCtl(BK_OFF_RUN, run);
      if (run < REANCHOR) return false;
      moveWindow(pn);
    }
  }
  const d = dirEntry(pn);
  let page = load<u32>(d);
  if (page == 0) {
    page = takePage();
    store<u64>(metaOf(page), pn, PM_PAGE_NO);
    store<u32>(metaOf(page), 0, PM_LIVE);
    store<u32>(d, page);
  }
  const s = page + ((<u32>ref & (ORDER_PAGE_REFS - 1)) << 3);
  store<u32>(s, level);
  store<u32>(s, shares, 4);
  const m = metaOf(page);
  store<u32>(m, load<u32>(m, PM_LIVE) + 1, PM_LIVE);
  if (pn > load<u64>(HI)) store<u64>(HI, pn);
  setCtl(BK_OFF_RUN, 0);
  return true;
}

// Empties page slot e; its page goes back to the pool when that was its last order, unless it is
// the newest page (the next adds go there).
export function pageRemove(e: u32): void {
  store<u32>(e, 0);
  setCtl(BK_PAGE_KEPT, ctl(BK_PAGE_KEPT) + 1);
  const page = ctl(BK_PAGES) + ((e - ctl(BK_PAGES)) & ~(ORDER_PAGE_BYTES - 1));
  const m = metaOf(page);
  const live = load<u32>(m, PM_LIVE) - 1;
  store<u32>(m, live, PM_LIVE);
  if (live == 0) {
    const pn = load<u64>(m, PM_PAGE_NO);
    if (pn != load<u64>(HI)) {
      store<u32>(dirEntry(pn), 0);
      givePage(page);
    }
  }
}

// A page from the pool (the window never holds more pages than the pool has). Every page in the
// pool is empty: a page goes back only when its slots are (pageRemove, moveWindow), and
// pagesClear() empties the ones handed out before.
function takePage(): u32 {
  let page = ctl(BK_PAGE_FREE);
  if (page != 0) {
    setCtl(BK_PAGE_FREE, load<u32>(metaOf(page), PM_LIVE));
  } else {
    const used = ctl(BK_PAGE_USED);
    page = ctl(BK_PAGES) + used * ORDER_PAGE_BYTES;
    setCtl(BK_PAGE_USED, used + 1);
  }
  setCtl(BK_PAGE_LIVE, ctl(BK_PAGE_LIVE) + 1);
  return page;
}

function givePage(page: u32): void {
  store<u32>(metaOf(page), ctl(BK_PAGE_FREE), PM_LIVE);
  setCtl(BK_PAGE_FREE, page);
  setCtl(BK_PAGE_LIVE, ctl(BK_PAGE_LIVE) - 1);
}

// Moves the window to start at page number newLo (above the current start): the pages below it
// move their orders to the hash and go back to the pool.
function moveWindow(newLo: u64): void {
  const lo = load<u64>(LO);
  const hi = load<u64>(HI);
  // Page numbers [lo, min(newLo, hi + 1)), at most a whole window of them.
  let end = newLo < hi + 1 ? newLo : hi + 1;
  if (end - lo > <u64>WINDOW_PAGES) end = lo + WINDOW_PAGES;
  for (let pn = lo; pn < end; pn++) {
    const d = dirEntry(pn);
    const page = load<u32>(d);
    if (page == 0) continue;
    let moved: u32 = 0;
    for (let i: u32 = 0; i < ORDER_PAGE_REFS; i++) {
      const s = page + (i << 3);
      const level = load<u32>(s);
      if (level == 0) continue;
      hashPut((pn << ORDER_PAGE_BITS) | <u64>i, level, load<u32>(s, 4));
      store<u32>(s, 0);
      moved++;
    }
    if (moved != 0) {
      psAdd(PS_BOOK_ORDERS_EVICTED, moved);
      setCtl(BK_PAGE_MOVED, ctl(BK_PAGE_MOVED) + moved);
    }
    store<u32>(d, 0);
    givePage(page);
  }
  const kept = ctl(BK_PAGE_KEPT);
  const movedAll = ctl(BK_PAGE_MOVED);
  if (kept + movedAll >= PAUSE_SAMPLE) {
    if (movedAll > kept) {
      setCtl(BK_PAGES_PAUSED, PAUSE_ADDS);
      psAdd(PS_BOOK_ORDER_PAGES_PAUSED, 1);
    }
    setCtl(BK_PAGE_KEPT, 0);
    setCtl(BK_PAGE_MOVED, 0);
  }
  store<u64>(LO, newLo);
  if (hi < newLo) store<u64>(HI, newLo);
  setCtl(BK_OFF_RUN, 0);
}

// Empties the pages: the window starts again at the next add.
export function pagesClear(): void {
  memory.fill(ctl(BK_PAGES), 0, ctl(BK_PAGE_USED) * ORDER_PAGE_BYTES);
  memory.fill(ctl(BK_PAGE_DIR), 0, WINDOW_PAGES << 2);
  setCtl(BK_PAGE_FREE, 0);
  setCtl(BK_PAGE_USED, 0);
  setCtl(BK_PAGE_LIVE, 0);
  setCtl(BK_WINDOW_SET, 0);
  setCtl(BK_OFF_RUN, 0);
  setCtl(BK_PAGE_KEPT, 0);
  setCtl(BK_PAGE_MOVED, 0);
  setCtl(BK_PAGES_PAUSED, 0);
  store<u64>(LO, 0);
  store<u64>(HI, 0);
}

// Slots of the pages handed out so far, and slot i of them (checks walk every slot; a page in the
// pool has only empty ones).
@inline export function pageSlots(): u32 {
  return ctl(BK_PAGE_USED) * ORDER_PAGE_REFS;
}

@inline export function pageSlotAt(i: u32): u32 {
  return ctl(BK_PAGES) + i * ORDER_SLOT;
}
