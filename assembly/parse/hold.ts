// The hold queue: packets kept back from the framing (A/B arbitration waiting for the other line,
// a gap waiting for its retransmission, or everything while a snapshot loads), each copied into a
// slot of its own, in a ring of entries sorted by sequence. Layout: HOLD_BASE in assembly/layout.ts.
//
// A released packet's records point into its slot until the records are next cleared, so its slot
// goes on the released list and back on the free stack only then (holdRecycle, from clearRecords):
// with twice as many slots as entries, a slot is never reused while anything reads it. Slots are
// handed out fresh until every one has been used once, so nothing needs setting up.

import {
  HE_SLOT, HE_LENGTH, HE_SEQ, HE_LINE, HE_COUNT, HE_RECEIVE_TS, HE_HW_TS, PS_HELD, PS_HELD_BYTES, PS_HELD_MESSAGES, PS_HOLD_HEAD, PS_HOLD_FREE, PS_HOLD_RELEASED, PS_HOLD_FRESH,
  HOLD_BASE, HOLD_MAX, HOLD_ENTRY, HOLD_SLOTS, HOLD_SLOT, HOLD_QUEUE, HOLD_FREE_BASE, HOLD_RELEASED_BASE, HOLD_SLOTS_BASE,
} from "../layout";
import { psGet32, psSet32 } from "./stats";

@inline export function held(): u32 {
  return psGet32(PS_HELD);
}

// The k-th held entry in sequence order.
@inline export function heldEntry(k: u32): u32 {
  return HOLD_BASE + HOLD_QUEUE + ((psGet32(PS_HOLD_HEAD) + k) % HOLD_MAX) * HOLD_ENTRY;
}

@inline export function slotAddress(slot: u32): u32 {
  return HOLD_BASE + HOLD_SLOTS_BASE + slot * HOLD_SLOT;
}

// A slot to copy a packet into, or -1 when none is free (cannot happen while the counts hold).
function takeSlot(): i32 {
  const free = psGet32(PS_HOLD_FREE);
  if (free > 0) {
    psSet32(PS_HOLD_FREE, free - 1);
    return load<i32>(HOLD_BASE + HOLD_FREE_BASE + ((free - 1) << 2));
  }
  const fresh = psGet32(PS_HOLD_FRESH);
  if (fresh == HOLD_SLOTS) return -1;
  psSet32(PS_HOLD_FRESH, fresh + 1);
  return <i32>fresh;
}

// Whether `count` more messages in one more packet would exceed the limits.
@inline export function holdFull(count: u32, limit: u32): bool {
  return held() == HOLD_MAX || (limit != 0 && psGet32(PS_HELD_MESSAGES) + count > limit);
}

// Copies the packet in, its entry placed in sequence order (from the back: packets mostly come in
// order). False when it cannot be held (too long for a slot, or the queue full).
export function holdPacket(p: u32, len: u32, seq: u64, count: u32, line: u32, receiveTs: u64, hwTs: u64): bool {
  const n = held();
  if (len > HOLD_SLOT || n == HOLD_MAX) return false;
  const slot = takeSlot();
  if (slot < 0) return false;
  memory.copy(slotAddress(<u32>slot), p, len);
  let i = n;
  while (i > 0 && load<u64>(heldEntry(i - 1) + HE_SEQ) > seq) {
    memory.copy(heldEntry(i), heldEntry(i - 1), HOLD_ENTRY);
    i--;
  }
  const e = heldEntry(i);
  store<u32>(e + HE_SLOT, <u32>slot);
  store<u32>(e + HE_LENGTH, len);
  store<u64>(e + HE_SEQ, seq);
  store<u32>(e + HE_LINE, line);
  store<u32>(e + HE_COUNT, count);
  store<u64>(e + HE_RECEIVE_TS, receiveTs);
  store<u64>(e + HE_HW_TS, hwTs);
  psSet32(PS_HELD, n + 1);
  psSet32(PS_HELD_BYTES, psGet32(PS_HELD_BYTES) + len);
  psSet32(PS_HELD_MESSAGES, psGet32(PS_HELD_MESSAGES) + count);
  return true;
}

// Takes the first entry out of the queue (the caller has read it); its slot stays readable until
// the records are next cleared.
export function dropFirst(): void {
  const e = heldEntry(0);
  const r = psGet32(PS_HOLD_RELEASED);
  store<u32>(HOLD_BASE + HOLD_RELEASED_BASE + (r << 2), load<u32>(e + HE_SLOT));
  psSet32(PS_HOLD_RELEASED, r + 1);
  psSet32(PS_HOLD_HEAD, (psGet32(PS_HOLD_HEAD) + 1) % HOLD_MAX);
  psSet32(PS_HELD, held() - 1);
  psSet32(PS_HELD_BYTES, psGet32(PS_HELD_BYTES) - load<u32>(e + HE_LENGTH));
  psSet32(PS_HELD_MESSAGES, psGet32(PS_HELD_MESSAGES) - load<u32>(e + HE_COUNT));
}

// The records were cleared: the slots released since are free again.
@inline export function holdRecycle(): void {
  const r = psGet32(PS_HOLD_RELEASED);
  if (r == 0) return;
  const free = psGet32(PS_HOLD_FREE);
  memory.copy(HOLD_BASE + HOLD_FREE_BASE + (free << 2), HOLD_BASE + HOLD_RELEASED_BASE, r << 2);
  psSet32(PS_HOLD_FREE, free + r);
  psSet32(PS_HOLD_RELEASED, 0);
}

