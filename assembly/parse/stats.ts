// Parser counters and session state in the PSTATS region (layout in assembly/layout.ts).

import { PSTATS_BASE, PS_REJECTED, PS_BY_TYPE, COUNTER_MAX } from "../layout";

@inline export function psGet(off: u32): u64 {
  return load<u64>(PSTATS_BASE + off);
}

@inline export function psSet(off: u32, v: u64): void {
  store<u64>(PSTATS_BASE + off, v);
}

@inline export function psAdd(off: u32, v: u64): void {
  const p = PSTATS_BASE + off;
  store<u64>(p, load<u64>(p) + v);
}

// For increments taken from the wire (a sequence jump): stops at COUNTER_MAX instead of wrapping.
export function psAddSaturated(off: u32, v: u64): void {
  const p = PSTATS_BASE + off;
  const now = load<u64>(p);
  store<u64>(p, v >= COUNTER_MAX - now ? COUNTER_MAX : now + v);
}

@inline export function psGet32(off: u32): u32 {
  return load<u32>(PSTATS_BASE + off);
}

@inline export function psSet32(off: u32, v: u32): void {
  store<u32>(PSTATS_BASE + off, v);
}

@inline export function reject(reason: u32): void {
  psAdd(PS_REJECTED + (reason << 3), 1);
}

@inline export function countType(t: u32): void {
  psAdd(PS_BY_TYPE + (t << 3), 1);
}
