// Feed module "frames": no feed protocol, the frames themselves. poll() hands each batch to
// TypeScript as (offset, length) views; run() checks test-traffic frames (assembly/traffic.ts) in
// wasm (tests, bench).

import { rxBatchOf, rxRunOf } from "../xsk";
import { verifyFrame } from "../traffic";

export * from "../abi";

// Each frame left in place for TypeScript (poll), or verified and returned to FILL (run); the
// loops inline these (xsk.ts rxBatchOf), so no frame costs an indirect call.
class KeptFrames {
  @inline onFrame(frame: u32, len: u32): bool {
    return true;
  }
}
const kept = new KeptFrames();

class VerifiedFrames {
  @inline onFrame(frame: u32, len: u32): bool {
    return verifyFrame(frame, len);
  }
}
const verified = new VerifiedFrames();

// One batch of at most max frames, left in place for TypeScript until the next call.
export function poll(max: u32): i32 {
  return rxBatchOf<KeptFrames>(max, true, kept);
}

// Up to budget frames, each verified and returned to FILL at once.
export function run(budget: u32, batch: u32): i32 {
  return rxRunOf<VerifiedFrames>(budget, batch, verified);
}
