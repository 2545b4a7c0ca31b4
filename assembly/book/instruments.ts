// The order book's control words and its instrument table, which every other part of the book
// (assembly/book/) reads. The control words are u32 at BOOK_CTL_BASE + BK_* (listed in
// assembly/layout.ts). The instrument table is at BK_INSTRUMENTS, INST_SIZE bytes per instrument:
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
// The level nodes that head[], nth[] and levels[] refer to: ./level-nodes.ts.

import { BOOK_CTL_BASE, BK_ENABLED, BK_INSTRUMENTS } from "../layout";

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
// Where the flags word keeps the EV_DEPTH_* of an event in progress (./message.ts), and the bits
// below it, the ones bookBbo() reports.
export const DEPTH_PENDING_SHIFT: u32 = 8;
export const PUBLIC_FLAGS: u32 = 0xff;

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
