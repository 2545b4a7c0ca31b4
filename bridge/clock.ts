// The clock of receive timestamps. The XDP program stamps each frame it redirects with
// bpf_ktime_get_ns(), CLOCK_MONOTONIC; records carry wall-clock ns: that stamp plus
// CLOCK_REALTIME - CLOCK_MONOTONIC, taken when the socket opens and written into its control block
// (CTL_CLOCK_OFFSET, assembly/layout.ts), where the wasm receive loop adds it. Frames that arrive
// without the program's metadata are stamped by TypeScript after the poll that took them, on the
// same timeline (CLOCK_MONOTONIC now plus the same offset).

import * as L from "../assembly/layout.js";
import { libc, CLOCK_MONOTONIC, CLOCK_REALTIME } from "./libc.js";

const NS = 1_000_000_000n;

/** A clock's reading in ns; `ts` is a struct timespec to read it into. */
export function clockNs(clock: number, ts: BigInt64Array = new BigInt64Array(2)): bigint {
  libc.clock_gettime(clock, ts);
  return ts[0] * NS + ts[1];
}

/**
 * CLOCK_REALTIME - CLOCK_MONOTONIC in ns: of a few (monotonic, realtime, monotonic) readings, the
 * one whose two monotonic readings lie closest (the realtime reading is then placed within a
 * fraction of a microsecond).
 */
export function realtimeOffsetNs(tries = 8): bigint {
  const ts = new BigInt64Array(2);
  let best = -1n;
  let offset = 0n;
  for (let i = 0; i < tries; i++) {
    const m0 = clockNs(CLOCK_MONOTONIC, ts);
    const r = clockNs(CLOCK_REALTIME, ts);
    const m1 = clockNs(CLOCK_MONOTONIC, ts);
    if (best < 0n || m1 - m0 < best) {
      best = m1 - m0;
      offset = r - (m0 + m1) / 2n;
    }
  }
  return offset;
}

/** Takes the offset now and writes it into a socket memory's control block; returns it. */
export function writeClockOffset(buffer: ArrayBufferLike): bigint {
  const offset = realtimeOffsetNs();
  new BigInt64Array(buffer, L.CTL_BASE + L.CTL_CLOCK_OFFSET, 1)[0] = offset;
  return offset;
}

export function readClockOffset(buffer: ArrayBufferLike): bigint {
  return new BigInt64Array(buffer, L.CTL_BASE + L.CTL_CLOCK_OFFSET, 1)[0];
}

/**
 * Frames of the last receive (or the records parsed from them) that had no receive metadata,
 * counted by wasm in CTL_RX_UNSTAMPED, carry timestamp 0: gives each u64 timestamp that is 0 at
 * word index at + i * stride (of u32), i < n, the time now (the same timeline as the driver's
 * stamps), then clears the count. Only called when that count is not 0: it allocates.
 */
export function stampUnstamped(u32: Uint32Array, at: number, stride: number, n: number): void {
  const now = clockNs(CLOCK_MONOTONIC) + readClockOffset(u32.buffer);
  const lo = Number(now & 0xffffffffn);
  const hi = Number(now >> 32n);
  for (let i = 0, w = at; i < n; i++, w += stride) {
    if (u32[w] === 0 && u32[w + 1] === 0) {
      u32[w] = lo;
      u32[w + 1] = hi;
    }
  }
  u32[(L.CTL_BASE + L.CTL_RX_UNSTAMPED) >>> 2] = 0;
}

// A struct timespec read into by monotonicMs(): two 64-bit fields as u32 halves.
const timespec = new Uint32Array(4);

/**
 * CLOCK_MONOTONIC in ms, as a double, allocating nothing: a koffi call into a preallocated
 * timespec (~70 ns). Date.now() returns a new heap number on every call, even in optimized code,
 * and performance.now() allocates in Node 20; a receive loop that reads a clock on its empty
 * polls reads this one.
 */
export function monotonicMs(): number {
  libc.clock_gettime(CLOCK_MONOTONIC, timespec);
  return (timespec[0] + timespec[1] * 4294967296) * 1000 + timespec[2] / 1e6;
}
