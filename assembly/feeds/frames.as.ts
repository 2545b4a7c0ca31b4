// Feed module "frames": no feed protocol, the frames themselves. poll() hands each batch to
// TypeScript as (offset, length) views; run() checks test-traffic frames (assembly/traffic.ts) in
// wasm (tests, bench).

import { rxBatch, rxRun } from "../xsk";
import { verifyFrame } from "../traffic";

export * from "../abi";

function keepFrame(frame: u32, len: u32): bool {
  return true;
}

// One batch of at most max frames, left in place for TypeScript until the next call.
export function poll(max: u32): i32 {
  return rxBatch(max, true, keepFrame);
}

// Up to budget frames, each verified and returned to FILL at once.
export function run(budget: u32, batch: u32): i32 {
  return rxRun(budget, batch, verifyFrame);
}
