// The order-book half of the exported ABI, shared by the feed modules that keep a book
// (`export * from "../book/abi"`). TypeScript side: src/book/book.ts. Memory and control words:
// assembly/layout.ts (BK_*, BOOK_*); results: assembly/book/events.ts.
//
//   bookSize(maxOrders, maxLevels, maxInstruments)  bytes of book memory those capacities need
//   bookInit(base, maxOrders, maxLevels, maxInstruments)  lays the book out at base (64-byte
//                                  aligned, >= DYNAMIC_BASE, memory already grown to base +
//                                  bookSize) and empties it, disabled; 1 on success, 0 if not
//   bookEnable(on)                 starts / stops updating the book; returns the new state
//   bookEnabled()                  1 when the message handler updates the book
//   bookSetDepthWatch(n)           levels per side that count as depth (PS_BOOK_DEPTH_CHANGES; 0: none)
//   bookDepthEvents(on)            depth changes write book events too (EV_DEPTH_*); returns the state
//   bookReset()                    empties the book, keeps its layout
//   bookBbo(instrument)            published BBO at BOOK_CTL_BASE + BK_BBO; 0 if no instrument
//   bookDepth(instrument, side, n) best n levels of a side at BOOK_DEPTH_BASE; returns how many
//   bookOrderCount(), bookLevelCount()  orders and levels on the book
//   bookEventCount()               book events since the records were last cleared
//   bookCheck()                    0, or the CHECK_* of the first broken invariant (tests)

import { PS_BOOK_EVENTS, BK_ENABLED, BK_BASE, BK_DEPTH_N, BK_DEPTH_EVENTS, BK_ORDER_LIVE, BK_LEVEL_LIVE } from "../layout";
import { ctl, setCtl } from "./instruments";
import { bookBytes, bookSetup, bookClear } from "./setup";
import { resetNth } from "./level-nodes";
import { bboInto, depthInto } from "./snapshot";
import { checkBook } from "./l3";
import { psGet32 } from "../parse/stats";

export function bookSize(maxOrders: u32, maxLevels: u32, maxInstruments: u32): f64 {
  return <f64>bookBytes(maxOrders, maxLevels, maxInstruments);
}

export function bookInit(base: u32, maxOrders: u32, maxLevels: u32, maxInstruments: u32): u32 {
  return bookSetup(base, maxOrders, maxLevels, maxInstruments) ? 1 : 0;
}

export function bookEnable(on: u32): u32 {
  const v: u32 = on != 0 && ctl(BK_BASE) != 0 ? 1 : 0;
  setCtl(BK_ENABLED, v);
  return v;
}

export function bookEnabled(): u32 {
  return ctl(BK_ENABLED);
}

export function bookSetDepthWatch(n: u32): void {
  setCtl(BK_DEPTH_N, n);
  if (ctl(BK_BASE) != 0) resetNth();
}

export function bookDepthEvents(on: u32): u32 {
  const v: u32 = on != 0 ? 1 : 0;
  setCtl(BK_DEPTH_EVENTS, v);
  return v;
}

export function bookReset(): void {
  bookClear();
}

export function bookBbo(instrument: u32): u32 {
  return bboInto(instrument) ? 1 : 0;
}

export function bookDepth(instrument: u32, side: u32, n: u32): u32 {
  return depthInto(instrument, side, n);
}

export function bookOrderCount(): u32 {
  return ctl(BK_BASE) != 0 ? ctl(BK_ORDER_LIVE) : 0;
}

export function bookLevelCount(): u32 {
  return ctl(BK_BASE) != 0 ? ctl(BK_LEVEL_LIVE) : 0;
}

export function bookEventCount(): u32 {
  return psGet32(PS_BOOK_EVENTS);
}

export function bookCheck(): u32 {
  return checkBook();
}
