// AF_XDP ring protocol, after libxdp's headers/xdp/xsk.h: producer reserve/submit (FILL, TX),
// consumer peek/release (RX, COMPLETION), cached indices so the shared words are touched only
// when the cache runs dry, free-running u32 indices masked with `idx & mask`.
//
// Ordering follows the kernel's net/xdp/xsk_queue.h:
//
//   producer                          consumer
//   if (LOAD ->consumer) {   (A)      LOAD.acq ->producer   (C)
//      STORE $data                    LOAD $data
//      STORE.rel ->producer  (B)      STORE.rel ->consumer  (D)
//   }
//
// Wasm atomics are sequentially consistent, so atomic.load/atomic.store give at least the
// acquire/release each comment names. Descriptor layout: see assembly/layout.ts.

import {
  RING_PRODUCER, RING_CONSUMER, RING_FLAGS, RING_DESCS, RING_MASK, RING_SIZE,
  RING_CACHED_PROD, RING_CACHED_CONS, XDP_RING_NEED_WAKEUP, XDP_DESC_SIZE, ADDR_DESC_SIZE,
} from "./layout";

// Index of the first slot of the last reserve() or peek(), as libxdp's `*idx` out-parameter.
export let ringIdx: u32 = 0;

@inline function field(r: u32, off: u32): u32 {
  return load<u32>(r + off);
}

@inline function setField(r: u32, off: u32, v: u32): void {
  store<u32>(r + off, v);
}

// Free slots on a producer ring, refreshing the cached consumer only when fewer than nb remain.
@inline export function prodNbFree(r: u32, nb: u32): u32 {
  let free = field(r, RING_CACHED_CONS) - field(r, RING_CACHED_PROD);
  if (free >= nb) return free;
  // (A): pairs with the kernel's STORE.rel of ->consumer (D) after it read our descriptors.
  // cached_cons is kept one ring ahead (+ size) so that free = cached_cons - cached_prod.
  const cons = atomic.load<u32>(field(r, RING_CONSUMER)) + field(r, RING_SIZE);
  setField(r, RING_CACHED_CONS, cons);
  return cons - field(r, RING_CACHED_PROD);
}

// All or nothing, as xsk_ring_prod__reserve: returns nb or 0; the first slot is ringIdx.
@inline export function prodReserve(r: u32, nb: u32): u32 {
  if (prodNbFree(r, nb) < nb) return 0;
  const prod = field(r, RING_CACHED_PROD);
  ringIdx = prod;
  setField(r, RING_CACHED_PROD, prod + nb);
  return nb;
}

@inline export function prodSubmit(r: u32, nb: u32): void {
  const p = field(r, RING_PRODUCER);
  // (B): release pairs with the kernel's LOAD.acq of ->producer (C) in xskq_cons_peek.
  atomic.store<u32>(p, load<u32>(p) + nb);
}

// Up to nb filled slots on a consumer ring; the first is ringIdx.
@inline export function consPeek(r: u32, nb: u32): u32 {
  let cons = field(r, RING_CACHED_CONS);
  let entries = field(r, RING_CACHED_PROD) - cons;
  if (entries == 0) {
    // (C): acquire pairs with the kernel's STORE.rel of ->producer (B) after it wrote the slots.
    const prod = atomic.load<u32>(field(r, RING_PRODUCER));
    setField(r, RING_CACHED_PROD, prod);
    entries = prod - cons;
  }
  const n = entries > nb ? nb : entries;
  ringIdx = cons;
  setField(r, RING_CACHED_CONS, cons + n);
  return n;
}

// Gives back the last nb peeked slots, as xsk_ring_cons__cancel: they are peeked again next time.
@inline export function consCancel(r: u32, nb: u32): void {
  setField(r, RING_CACHED_CONS, field(r, RING_CACHED_CONS) - nb);
}

@inline export function consRelease(r: u32, nb: u32): void {
  const c = field(r, RING_CONSUMER);
  // (D): release pairs with the kernel's LOAD of ->consumer (A) before it reuses the slots.
  atomic.store<u32>(c, load<u32>(c) + nb);
}

@inline export function needsWakeup(r: u32): bool {
  // The kernel sets the flag when it stopped polling; a stale read only costs one extra syscall.
  return (atomic.load<u32>(field(r, RING_FLAGS)) & XDP_RING_NEED_WAKEUP) != 0;
}

// A ring's descriptor array and index mask, fixed when the socket is set up: a loop over many
// slots may read them once (xdpDesc, addrSlot read them per slot).
@inline export function ringDescs(r: u32): u32 {
  return field(r, RING_DESCS);
}

@inline export function ringMask(r: u32): u32 {
  return field(r, RING_MASK);
}

// Address of the xdp_desc (RX/TX) or u64 address slot (FILL/COMPLETION) at index idx.
@inline export function xdpDesc(r: u32, idx: u32): u32 {
  return field(r, RING_DESCS) + ((idx & field(r, RING_MASK)) * XDP_DESC_SIZE);
}

@inline export function addrSlot(r: u32, idx: u32): u32 {
  return field(r, RING_DESCS) + ((idx & field(r, RING_MASK)) * ADDR_DESC_SIZE);
}
