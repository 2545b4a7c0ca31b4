// What one message changed, and publishing it when it is done. A book applying a message calls
// beginMessage(), touchLevel() for each level it changes, then finishMessage(), which counts the
// change and publishes it (./publish.ts) or, for an IEX DEEP event in progress, keeps the depth
// change in the instrument's flags (./instruments.ts) until the event completes.

import { BK_DEPTH_N, BK_DEPTH_EVENTS, PS_BOOK_UPDATES, PS_BOOK_DEPTH_CHANGES } from "../layout";
import { BOOK_BID, EV_DEPTH_BID } from "./events";
import { psAdd } from "../parse/stats";
import { I_FLAGS, I_NTH, DEPTH_PENDING_SHIFT, PUBLIC_FLAGS, ctl } from "./instruments";
import { LV_PRICE } from "./level-nodes";
import { publish } from "./publish";

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
