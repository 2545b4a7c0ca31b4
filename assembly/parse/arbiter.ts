// A/B line arbitration: two lines (two UDP ports) carry the same sequence space; the first
// arrival of each sequence number wins and the later copy is dropped (the session framing counts
// it as a duplicate). A packet that would open a gap while the other line may still fill it is
// held back (copied) instead of being delivered; it is released, in sequence order, once the gap
// is filled, once the other line has moved past it (then the gap is on both lines and the
// framing declares it), when the hold queue is full, or on arbFlush(). Counters and the hold
// queue: PS_ARB_PORTS .. PS_HOLD_QUEUE in assembly/layout.ts.

import {
  PSTATS_BASE, PS_NEXT_SEQ, PS_ARB_PORTS, PS_HELD, PS_HELD_BYTES, PS_HOLD_NEXT, PS_LINES, PS_HOLD_QUEUE, LINE_SIZE,
  LN_RECEIVED, LN_WON, LN_LATE, LN_MISSING, LN_NEXT, HOLD_MAX, HOLD_ENTRY, HOLD_SLOTS, HOLD_SLOT,
  HOLD_BASE, PS_RECEIVE_TS, PS_HW_TS, CTL_BASE, CTL_RX_UNSTAMPED, PS_MESSAGES, PS_DUPLICATES, PS_REJECTED,
  REJ_ZERO_LENGTH, REJ_UNKNOWN_TYPE, REJ_BAD_LENGTH, COUNTER_MAX,
} from "../layout";
import { psGet, psSet, psGet32, psSet32 } from "./stats";
import { wholePayload } from "./net";

export type PayloadHandler = (p: u32, len: u32) => void;

// A framing's view of a packet: its first sequence number and message count, or false when the
// header is malformed (the framing itself then counts the rejection).
export type SequencePeek = (p: u32, len: u32) => bool;
export let peekSeq: u64 = 0;
export let peekCount: u32 = 0;

export function setPeek(seq: u64, count: u32): bool {
  peekSeq = seq;
  peekCount = count;
  return true;
}

@inline function line(l: u32): u32 {
  return PSTATS_BASE + PS_LINES + l * LINE_SIZE;
}

@inline function add(at: u32, v: u64): void {
  store<u64>(at, load<u64>(at) + v);
}

// A line's count of messages it skipped comes from wire sequence numbers: it stops at COUNTER_MAX.
@inline function addSaturated(at: u32, v: u64): void {
  const now = load<u64>(at);
  store<u64>(at, v >= COUNTER_MAX - now ? COUNTER_MAX : now + v);
}

// Messages the framing took as new: delivered, or rejected for what they hold (not for where).
@inline function freshMessages(): u64 {
  return psGet(PS_MESSAGES) + psGet(PS_REJECTED + (REJ_ZERO_LENGTH << 3)) + psGet(PS_REJECTED + (REJ_UNKNOWN_TYPE << 3)) +
    psGet(PS_REJECTED + (REJ_BAD_LENGTH << 3));
}

@inline function entry(i: u32): u32 {
  return PSTATS_BASE + PS_HOLD_QUEUE + i * HOLD_ENTRY;
}

// Line of a UDP destination port: 0 (A) or 1 (B); -1 when arbitration is on and it is neither.
export function lineOfPort(port: u32): i32 {
  const ports = psGet32(PS_ARB_PORTS);
  if (ports == 0) return 0;
  if (port == (ports & 0xffff)) return 0;
  if (port == ports >>> 16) return 1;
  return -1;
}

// The other line has not yet delivered past `next`: it may still fill the gap.
@inline function otherMayFill(l: u32, next: u64): bool {
  return load<u64>(line(l ^ 1) + LN_NEXT) <= next;
}

// The line's statistics count what the framing found in the packet, not what its header claims:
// the messages it took as new (won) and those it dropped as already delivered (late).
function deliver(p: u32, len: u32, l: u32, onPayload: PayloadHandler): void {
  const fresh = freshMessages();
  const dup = psGet(PS_DUPLICATES);
  onPayload(p, len);
  const won = freshMessages() - fresh;
  const late = psGet(PS_DUPLICATES) - dup;
  add(line(l) + LN_WON, won);
  add(line(l) + LN_LATE, late);
  add(line(l) + LN_RECEIVED, won + late);
}

function hold(p: u32, len: u32, seq: u64, l: u32): bool {
  const held = psGet32(PS_HELD);
  if (len > HOLD_SLOT || held == HOLD_MAX) return false;
  const slot = psGet32(PS_HOLD_NEXT);
  psSet32(PS_HOLD_NEXT, (slot + 1) % HOLD_SLOTS);
  memory.copy(HOLD_BASE + slot * HOLD_SLOT, p, len);
  // Insertion keeps the queue sorted by sequence (it is short: HOLD_MAX entries).
  let i = held;
  while (i > 0 && load<u64>(entry(i - 1) + 8) > seq) {
    memory.copy(entry(i), entry(i - 1), HOLD_ENTRY);
    i--;
  }
  const e = entry(i);
  store<u32>(e, slot);
  store<u32>(e + 4, len);
  store<u64>(e + 8, seq);
  store<u32>(e + 16, l);
  store<u64>(e + 24, psGet(PS_RECEIVE_TS));
  store<u64>(e + 32, psGet(PS_HW_TS));
  psSet32(PS_HELD, held + 1);
  psSet32(PS_HELD_BYTES, psGet32(PS_HELD_BYTES) + len);
  return true;
}

// Delivers the first held packet (the lowest sequence), its records stamped with its own receive
// timestamps rather than those of the frame that released it.
function releaseFirst(onPayload: PayloadHandler): void {
  const held = psGet32(PS_HELD);
  const e = entry(0);
  const p = HOLD_BASE + load<u32>(e) * HOLD_SLOT;
  const len = load<u32>(e + 4);
  const l = load<u32>(e + 16);
  const ts = load<u64>(e + 24);
  const hw = load<u64>(e + 32);
  memory.copy(entry(0), entry(1), (held - 1) * HOLD_ENTRY);
  psSet32(PS_HELD, held - 1);
  psSet32(PS_HELD_BYTES, psGet32(PS_HELD_BYTES) - len);
  const nowTs = psGet(PS_RECEIVE_TS);
  const nowHw = psGet(PS_HW_TS);
  psSet(PS_RECEIVE_TS, ts);
  psSet(PS_HW_TS, hw);
  // Received without metadata: TypeScript stamps its records (assembly/xsk.ts rxBatch).
  if (ts == 0) store<u32>(CTL_BASE + CTL_RX_UNSTAMPED, load<u32>(CTL_BASE + CTL_RX_UNSTAMPED) + 1);
  wholePayload();
  deliver(p, len, l, onPayload);
  psSet(PS_RECEIVE_TS, nowTs);
  psSet(PS_HW_TS, nowHw);
}

function release(onPayload: PayloadHandler): void {
  while (psGet32(PS_HELD) > 0) {
    const e = entry(0);
    const next = psGet(PS_NEXT_SEQ);
    if (load<u64>(e + 8) > next && otherMayFill(load<u32>(e + 16), next)) return;
    releaseFirst(onPayload);
  }
}

// One packet from line l. Without arbitration (PS_ARB_PORTS 0) it goes straight to onPayload.
export function arbitrate(p: u32, len: u32, l: u32, cutShort: bool, onPayload: PayloadHandler, peek: SequencePeek): void {
  if (psGet32(PS_ARB_PORTS) == 0 || !peek(p, len)) {
    onPayload(p, len);
    return;
  }
  const seq = peekSeq;
  const count = peekCount;
  const ln = line(l);
  const lineNext = load<u64>(ln + LN_NEXT);
  if (lineNext != 0 && seq > lineNext) addSaturated(ln + LN_MISSING, seq - lineNext);
  if (seq + count > lineNext) store<u64>(ln + LN_NEXT, seq + count);
  const next = psGet(PS_NEXT_SEQ);
  if (next != 0 && seq > next && !cutShort && otherMayFill(l, next)) {
    if (psGet32(PS_HELD) == HOLD_MAX) releaseFirst(onPayload);
    if (hold(p, len, seq, l)) {
      release(onPayload);
      return;
    }
  }
  deliver(p, len, l, onPayload);
  release(onPayload);
}

// Releases every held packet in sequence order (declaring the gaps still open): when a line
// has gone quiet and what is held should not wait for it.
export function arbFlush(onPayload: PayloadHandler): u32 {
  const n = psGet32(PS_HELD);
  while (psGet32(PS_HELD) > 0) releaseFirst(onPayload);
  return n;
}
