// V8 settings for a live receive loop, applied once per process by runStrategy (they are
// process-wide: every isolate, every worker):
//
//   --no-memory-reducer   V8's memory reducer runs mark-compacts some seconds after start and
//                         after allocation slows down, to give memory back; each stops the
//                         receiving thread for milliseconds. A receiver that allocates nothing
//                         per packet has nothing to give back.
//   --max-inlined-bytecode-size-small=64
//                         functions this small are inlined whatever the caller has spent of
//                         its inlining budget (default 27 bytes of bytecode). The views' getters
//                         of 64-bit fields (timestamps, prices) are about 40: left uninlined in
//                         a dispatch loop that inlined a strategy's handler, each returned its
//                         double boxed, a heap number per read (test/alloc.test.ts found 1.5 MB
//                         in 2 s with the book on, in some runs and not others).
//
// Set XDPFEED_V8_TUNING=0 to leave V8's defaults. What they change is measured by
// `npm run bench:latency` (bench/README.md).

import { setFlagsFromString } from "node:v8";

export const V8_FLAGS = ["--no-memory-reducer", "--max-inlined-bytecode-size-small=64"] as const;

let applied = false;

/** Applies V8_FLAGS once; returns whether they are in force. */
export function tuneV8(): boolean {
  if (process.env.XDPFEED_V8_TUNING === "0") return false;
  if (!applied) {
    for (const f of V8_FLAGS) setFlagsFromString(f);
    applied = true;
  }
  return true;
}
