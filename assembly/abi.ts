// The exports every compiled feed module shares (`export * from "../abi"` in each *.as.ts).
// A feed module adds `poll` and `run`, binding the receive loops to its own frame handler.
// TypeScript side: src/socket/module.ts. Everything here works on the memory laid out in layout.ts.

import { CTL_BASE } from "./layout";
import {
  ringIdx, prodNbFree, prodReserve, prodSubmit, consPeek, consRelease, needsWakeup,
} from "./ring";

export { fillAll, txFrame, txPush, txSubmit, txReclaim, txNeedsWakeup, txInFlight } from "./xsk";
export { genFrames } from "./traffic";

// Bumped whenever an export's meaning or the layout changes; checked by TypeScript at load.
export const ABI_VERSION: u32 = 2;

// Start-up checks: static data and heap must stay below AS_REGION_END, and the control block
// must be where layout.ts says.
export function heapBase(): u32 {
  return <u32>__heap_base;
}

export function controlBase(): u32 {
  return CTL_BASE;
}

// Ring primitives, exported for the unit tests of ring arithmetic (r = descriptor address).
export function ringNbFree(r: u32, nb: u32): u32 { return prodNbFree(r, nb); }
export function ringReserve(r: u32, nb: u32): u32 { return prodReserve(r, nb); }
export function ringSubmit(r: u32, nb: u32): void { prodSubmit(r, nb); }
export function ringPeek(r: u32, nb: u32): u32 { return consPeek(r, nb); }
export function ringRelease(r: u32, nb: u32): void { consRelease(r, nb); }
export function ringNeedsWakeup(r: u32): bool { return needsWakeup(r); }
export function ringIndex(): u32 { return ringIdx; }
