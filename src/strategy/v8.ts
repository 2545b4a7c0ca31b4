// V8 settings for a live receive loop, applied once per process by runStrategy (they are
// process-wide: every isolate, every worker):
//
//   --no-memory-reducer   V8's memory reducer runs mark-compacts some seconds after start and
//                         after allocation slows down, to give memory back; each stops the
//                         receiving thread for milliseconds. A receiver that allocates nothing
//                         per packet has nothing to give back.
//
// Set XDPFEED_V8_TUNING=0 to leave V8's defaults. What they change is measured by
// `npm run bench:latency` (bench/README.md).

import { setFlagsFromString } from "node:v8";

export const V8_FLAGS = ["--no-memory-reducer"] as const;

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
