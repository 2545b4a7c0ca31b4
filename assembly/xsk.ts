// The socket's data path in wasm: receive loop (RX -> handler -> FILL) and transmit path
// (free frame stack -> TX -> COMPLETION -> free stack). No FFI call per frame: TypeScript only
// makes the wakeup syscall when a loop returns RX_WAKEUP or txNeedsWakeup() says so.
// Control block and region layout: assembly/layout.ts.

import {
  CTL_BASE, RING_FILL, RING_PRODUCER, RING_CACHED_PROD, RING_COMP, RING_RX, RING_TX, CTL_UMEM, CTL_FRAME_SIZE, CTL_RX_FRAMES,
  CTL_TX_FRAMES, CTL_TXFREE_TOP, CTL_PENDING_FILL, CTL_BATCH_CAP, CTL_STATS, BATCH_BASE,
  BATCH_ENTRY, TXFREE_BASE, STAT_RX_FRAMES, STAT_RX_BYTES, STAT_RX_BATCHES, STAT_TX_FRAMES,
  STAT_TX_BYTES, STAT_TX_COMPLETED, BATCH_TS_BASE, CTL_CLOCK_OFFSET, CTL_RX_UNSTAMPED, CTL_RX_TS_LAST,
  STAT_RX_TS_DRIVER, STAT_RX_TS_HW, STAT_RX_TS_POLL, TS_SOURCE_POLL, TS_SOURCE_DRIVER, TS_SOURCE_DRIVER_HW,
  XDPFEED_META_MAGIC, XDPFEED_META_HW_TS, XDPFEED_META_SIZE, META_MAGIC, META_FLAGS, META_KTIME, META_HW_TS,
  XDP_DESC_SIZE, ADDR_DESC_SIZE,
} from "./layout";
import {
  ringIdx, prodReserve, prodSubmit, consPeek, consCancel, consRelease, needsWakeup, xdpDesc, addrSlot, ringDescs, ringMask,
} from "./ring";

// Returned by the receive loops when no frame was ready and the kernel asked for a wakeup
// (XDP_USE_NEED_WAKEUP on the FILL ring): TypeScript then calls recvfrom or poll.
export const RX_WAKEUP: i32 = -1;

const FILL: u32 = CTL_BASE + RING_FILL;
const COMP: u32 = CTL_BASE + RING_COMP;
const RX: u32 = CTL_BASE + RING_RX;
const TX: u32 = CTL_BASE + RING_TX;

@inline export function ctl(off: u32): u32 {
  return load<u32>(CTL_BASE + off);
}

@inline function setCtl(off: u32, v: u32): void {
  store<u32>(CTL_BASE + off, v);
}

@inline export function statAdd(index: u32, v: u64): void {
  const p = CTL_BASE + CTL_STATS + (index << 3);
  store<u64>(p, load<u64>(p) + v);
}

// Give every RX frame to the kernel. Called once after TypeScript wrote the control block.
export function fillAll(): u32 {
  const n = ctl(CTL_RX_FRAMES);
  const fs = ctl(CTL_FRAME_SIZE);
  if (prodReserve(FILL, n) != n) return 0;
  const idx = ringIdx;
  for (let i: u32 = 0; i < n; i++) store<u64>(addrSlot(FILL, idx + i), <u64>(i * fs));
  prodSubmit(FILL, n);
  // TX frames start on the free stack.
  const tx = ctl(CTL_TX_FRAMES);
  for (let i: u32 = 0; i < tx; i++) store<u32>(TXFREE_BASE + (i << 2), (n + i) * fs);
  setCtl(CTL_TXFREE_TOP, tx);
  return n;
}

// Return n frames to FILL; the descriptor addresses are frame bases (aligned UMEM mode).
@inline function refill(frames: u32, stride: u32, n: u32): bool {
  if (prodReserve(FILL, n) != n) return false;
  const idx = ringIdx;
  const umem = ctl(CTL_UMEM);
  const base = ~(ctl(CTL_FRAME_SIZE) - 1);
  const slots = ringDescs(FILL);
  const mask = ringMask(FILL);
  for (let i: u32 = 0; i < n; i++) {
    const ptr = load<u32>(frames + i * stride);
    store<u64>(slots + ((idx + i) & mask) * ADDR_DESC_SIZE, <u64>((ptr - <u32>umem) & base));
  }
  prodSubmit(FILL, n);
  return true;
}

// Frames of the last batch go back to FILL now that TypeScript is done with their views.
@inline export function recyclePending(): void {
  const pending = ctl(CTL_PENDING_FILL);
  if (pending != 0 && refill(BATCH_BASE, BATCH_ENTRY, pending)) setCtl(CTL_PENDING_FILL, 0);
}

// The receive timestamps of the frame being handed to a FrameHandler, from the metadata the XDP
// program put in front of it (layout.ts, XDPFEED_META_*): rxTs is wall-clock ns (the driver's
// CLOCK_MONOTONIC stamp plus CTL_CLOCK_OFFSET), 0 when the frame has no metadata (TypeScript then
// fills in the poll's time: CTL_RX_UNSTAMPED); rxHwTs is the NIC's timestamp, 0 when none.
export let rxTs: u64 = 0;
export let rxHwTs: u64 = 0;

// Reads frame's metadata into rxTs and rxHwTs; returns its TS_SOURCE_*. The metadata ends where
// the frame starts, inside the frame's UMEM chunk (the kernel leaves XDP_PACKET_HEADROOM there).
@inline function readMeta(frame: u32, umem: u32, chunkMask: u32, offset: u64): u32 {
  const m = frame - XDPFEED_META_SIZE;
  if (((frame - umem) & chunkMask) >= XDPFEED_META_SIZE && load<u32>(m, META_MAGIC) == XDPFEED_META_MAGIC) {
    rxTs = load<u64>(m, META_KTIME) + offset;
    if ((load<u32>(m, META_FLAGS) & XDPFEED_META_HW_TS) != 0) {
      rxHwTs = load<u64>(m, META_HW_TS);
      return TS_SOURCE_DRIVER_HW;
    }
    rxHwTs = 0;
    return TS_SOURCE_DRIVER;
  }
  rxTs = 0;
  rxHwTs = 0;
  return TS_SOURCE_POLL;
}

// A frame handler returns false to refuse a frame (e.g. no room left for its records): the
// batch ends there and the refused frame stays on RX for the next call.
export type FrameHandler = (frame: u32, len: u32) => bool;

// A frame handler as a type: rxBatchOf is instantiated per handler, so each frame is a direct,
// inlined call instead of an indirect one through a function reference (a feed module's own
// frame loop: assembly/parse/driver.ts rxFrame).
export interface Frames {
  onFrame(frame: u32, len: u32): bool;
}

// The function-reference handler of rxBatch() as a Frames.
let frameFn: FrameHandler = (frame: u32, len: u32): bool => false;
class FrameFn {
  @inline onFrame(frame: u32, len: u32): bool {
    return frameFn(frame, len);
  }
}
const frameFnFrames = new FrameFn();

// One batch of at most max frames (and at most the batch table's capacity). Each frame goes to
// handler(wasm address, length) in ring order, with rxTs and rxHwTs set to its timestamps. With
// keep, the (address, length) pairs stay in the batch table (and each frame's rxTs in BATCH_TS)
// and the frames stay out of FILL until the next call, so TypeScript (or the records pointing
// into them) can read them in place; without keep they are refilled at once.
export function rxBatch(max: u32, keep: bool, handler: FrameHandler): i32 {
  frameFn = handler;
  return rxBatchOf<FrameFn>(max, keep, frameFnFrames);
}

// rxBatch with the handler h.onFrame inlined into the loop.
@inline export function rxBatchOf<H extends Frames>(max: u32, keep: bool, h: H): i32 {
  recyclePending();
  if (keep) {
    const cap = ctl(CTL_BATCH_CAP);
    if (max > cap) max = cap;
  }
  let n = consPeek(RX, max);
  if (n == 0) return needsWakeup(FILL) ? RX_WAKEUP : 0;
  const idx = ringIdx;
  // The ring's descriptors and mask (xdpDesc), read once rather than per frame: they are set up
  // with the socket and never change.
  const descs = ringDescs(RX);
  const mask = ringMask(RX);
  const umem = ctl(CTL_UMEM);
  const chunkMask = ctl(CTL_FRAME_SIZE) - 1;
  const offset = load<u64>(CTL_BASE + CTL_CLOCK_OFFSET);
  let bytes: u64 = 0;
  let hw: u32 = 0;
  let unstamped: u32 = 0;
  let last: u32 = 0;
  let i: u32 = 0;
  for (; i < n; i++) {
    const d = descs + ((idx + i) & mask) * XDP_DESC_SIZE;
    const frame = umem + <u32>load<u64>(d);
    const len = load<u32>(d, 8);
    const source = readMeta(frame, umem, chunkMask, offset);
    if (!h.onFrame(frame, len)) break;
    last = source;
    bytes += len;
    // Taken: its metadata is spent (a refused frame keeps it for the next call).
    if (source != TS_SOURCE_POLL) store<u32>(frame - XDPFEED_META_SIZE, 0, META_MAGIC);
    else unstamped++;
    if (source == TS_SOURCE_DRIVER_HW) hw++;
    // The slot is reused by the kernel after release: keep what refill needs (and, for frames
    // kept, what TypeScript reads of them: their length and receive time).
    store<u32>(BATCH_BASE + i * BATCH_ENTRY, <u32>frame);
    if (keep) {
      store<u32>(BATCH_BASE + i * BATCH_ENTRY, len, 4);
      store<u64>(BATCH_TS_BASE + (i << 3), rxTs);
    }
  }
  if (i < n) {
    consCancel(RX, n - i);
    n = i;
    if (n == 0) return 0;
  }
  consRelease(RX, n);
  if (keep) setCtl(CTL_PENDING_FILL, n);
  else if (!refill(BATCH_BASE, BATCH_ENTRY, n)) setCtl(CTL_PENDING_FILL, n);
  statAdd(STAT_RX_FRAMES, n);
  statAdd(STAT_RX_BYTES, bytes);
  statAdd(STAT_RX_BATCHES, 1);
  statAdd(STAT_RX_TS_DRIVER, n - unstamped);
  if (hw != 0) statAdd(STAT_RX_TS_HW, hw);
  if (unstamped != 0) {
    statAdd(STAT_RX_TS_POLL, unstamped);
    setCtl(CTL_RX_UNSTAMPED, ctl(CTL_RX_UNSTAMPED) + unstamped);
  }
  setCtl(CTL_RX_TS_LAST, last);
  return <i32>n;
}

// A feed module's own batch loop (rxBatchOf over its frame handler): one batch of at most max
// frames, kept (poll) or refilled at once (run).
export type BatchHandler = (max: u32, keep: bool) => i32;

// rxRun over a feed module's batch loop: one indirect call per batch, none per frame.
export function rxRunBatches(budget: u32, batch: u32, b: BatchHandler): i32 {
  let done: u32 = 0;
  while (done < budget) {
    const left = budget - done;
    const r = b(left < batch ? left : batch, false);
    if (r <= 0) return done == 0 ? r : <i32>done;
    done += <u32>r;
  }
  return <i32>done;
}

// Receive up to budget frames in batches of at most batch, refilling as it goes; stops early
// when the RX ring is empty. Returns frames handled, or RX_WAKEUP if none and a wakeup is due.
export function rxRun(budget: u32, batch: u32, handler: FrameHandler): i32 {
  frameFn = handler;
  return rxRunOf<FrameFn>(budget, batch, frameFnFrames);
}

// rxRun with the handler h.onFrame inlined into the loop.
@inline export function rxRunOf<H extends Frames>(budget: u32, batch: u32, h: H): i32 {
  let done: u32 = 0;
  while (done < budget) {
    const left = budget - done;
    const r = rxBatchOf<H>(left < batch ? left : batch, false, h);
    if (r <= 0) return done == 0 ? r : <i32>done;
    done += <u32>r;
  }
  return <i32>done;
}

// Completed TX frames back onto the free stack.
export function txReclaim(): u32 {
  const n = consPeek(COMP, ctl(CTL_TX_FRAMES));
  if (n == 0) return 0;
  const idx = ringIdx;
  let top = ctl(CTL_TXFREE_TOP);
  for (let i: u32 = 0; i < n; i++) {
    store<u32>(TXFREE_BASE + (top << 2), <u32>load<u64>(addrSlot(COMP, idx + i)));
    top++;
  }
  consRelease(COMP, n);
  setCtl(CTL_TXFREE_TOP, top);
  statAdd(STAT_TX_COMPLETED, n);
  return n;
}

// A free TX frame's wasm address, or 0 when all are in flight.
export function txFrame(): u32 {
  let top = ctl(CTL_TXFREE_TOP);
  if (top == 0) {
    txReclaim();
    top = ctl(CTL_TXFREE_TOP);
    if (top == 0) return 0;
  }
  top--;
  setCtl(CTL_TXFREE_TOP, top);
  return ctl(CTL_UMEM) + load<u32>(TXFREE_BASE + (top << 2));
}

// Queue a frame obtained from txFrame(); it is sent on the next txSubmit().
export function txPush(frame: u32, len: u32): bool {
  if (prodReserve(TX, 1) != 1) return false;
  const d = xdpDesc(TX, ringIdx);
  store<u64>(d, <u64>(frame - ctl(CTL_UMEM)));
  store<u32>(d, len, 8);
  store<u32>(d, 0, 12);
  statAdd(STAT_TX_FRAMES, 1);
  statAdd(STAT_TX_BYTES, len);
  return true;
}

// Publish every pushed descriptor to the kernel.
export function txSubmit(): u32 {
  const shared = load<u32>(TX + RING_PRODUCER);
  const n = load<u32>(TX + RING_CACHED_PROD) - load<u32>(shared);
  if (n != 0) prodSubmit(TX, n);
  return n;
}

export function txNeedsWakeup(): bool {
  return needsWakeup(TX);
}

export function txInFlight(): u32 {
  return ctl(CTL_TX_FRAMES) - ctl(CTL_TXFREE_TOP);
}
