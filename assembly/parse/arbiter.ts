// What reaches the session framing, and when: A/B line arbitration, the wait for a retransmission,
// and holding everything while a snapshot loads. Packets come from line A or B (two UDP ports
// carrying the same sequence space: the first arrival of each sequence number wins, the later copy
// is dropped by the framing as a duplicate) or from the retransmission server (LINE_RETRANSMIT).
// A packet that would open a gap is held back (./hold.ts) instead of delivered while the gap may
// still be filled: by the other line (until that line has moved past it: the gap is on both) or,
// with HOLD_RECOVER, by a retransmission (until TypeScript gives the gap up: recoverAbandon). With
// HOLD_ALL every packet is held until holdRelease. Held packets are released in sequence order as
// the gap closes, when the queue is full (the hold limit), or on arbFlush(). Counters: PS_LINES.

import {
  PSTATS_BASE, PS_NEXT_SEQ, PS_ARB_PORTS, PS_LINES, LINE_SIZE, LN_RECEIVED, LN_WON, LN_LATE, LN_MISSING, LN_NEXT,
  PS_RECEIVE_TS, PS_HW_TS, CTL_BASE, CTL_RX_UNSTAMPED, PS_MESSAGES, PS_DUPLICATES, PS_REJECTED, REJ_ZERO_LENGTH,
  REJ_UNKNOWN_TYPE, REJ_BAD_LENGTH, COUNTER_MAX, PS_HOLD_FLAGS, PS_HOLD_LIMIT, HOLD_RECOVER, HOLD_ALL, LINE_B,
  HE_SLOT, HE_LENGTH, HE_SEQ, HE_LINE, HE_RECEIVE_TS, HE_HW_TS, HOLD_MESSAGES_MAX, PS_START_SEQ, SESSIONS_BASE, SS_CURRENT, PS_HOLD_DROPPED,
} from "../layout";
import { psGet, psSet, psGet32, psSet32 } from "./stats";
import { wholePayload } from "./net";
import { held, heldEntry, slotAddress, holdFull, holdPacket, dropFirst } from "./hold";
import { sequencePacket } from "./sequence";

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

// Whether packets go through here at all: A/B lines, or a hold mode.
@inline export function arbitrating(): bool {
  return (psGet32(PS_ARB_PORTS) | psGet32(PS_HOLD_FLAGS)) != 0;
}

// Line of a UDP destination port: 0 (A) or 1 (B); -1 when arbitration is on and it is neither.
export function lineOfPort(port: u32): i32 {
  const ports = psGet32(PS_ARB_PORTS);
  if (ports == 0) return 0;
  if (port == (ports & 0xffff)) return 0;
  if (port == ports >>> 16) return 1;
  return -1;
}

// Whether the gap at `next` may still be filled for a packet held from line l: by a retransmission
// (until given up), or by the other line while it has not delivered past `next`.
@inline function mayFill(l: u32, next: u64): bool {
  if ((psGet32(PS_HOLD_FLAGS) & HOLD_RECOVER) != 0) return true;
  return psGet32(PS_ARB_PORTS) != 0 && l <= LINE_B && load<u64>(line(l ^ 1) + LN_NEXT) <= next;
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

// Delivers the first held packet (the lowest sequence), its records stamped with its own receive
// timestamps rather than those of the frame that released it.
function releaseFirst(onPayload: PayloadHandler): void {
  const e = heldEntry(0);
  const p = slotAddress(load<u32>(e + HE_SLOT));
  const len = load<u32>(e + HE_LENGTH);
  const l = load<u32>(e + HE_LINE);
  const ts = load<u64>(e + HE_RECEIVE_TS);
  const hw = load<u64>(e + HE_HW_TS);
  dropFirst();
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

// The next sequence expected: the current session's, or before any session, where a session not
// seen yet starts (PS_START_SEQ: 0, its first packet, unless retransmission or a snapshot set it).
@inline function expected(): u64 {
  return load<u32>(SESSIONS_BASE + SS_CURRENT) != 0 ? psGet(PS_NEXT_SEQ) : psGet(PS_START_SEQ);
}

// Releases, in sequence order, what no longer has to wait.
function release(onPayload: PayloadHandler): void {
  if ((psGet32(PS_HOLD_FLAGS) & HOLD_ALL) != 0) return;
  while (held() > 0) {
    const e = heldEntry(0);
    const next = expected();
    if (load<u64>(e + HE_SEQ) > next && mayFill(load<u32>(e + HE_LINE), next)) return;
    releaseFirst(onPayload);
  }
}

// One packet from line l. Without lines or a hold mode it goes straight to onPayload.
export function arbitrate(p: u32, len: u32, l: u32, cutShort: bool, onPayload: PayloadHandler, peek: SequencePeek): void {
  if (!arbitrating() || !peek(p, len)) {
    onPayload(p, len);
    return;
  }
  const seq = peekSeq;
  const count = peekCount;
  const ln = line(l);
  const lineNext = load<u64>(ln + LN_NEXT);
  if (lineNext != 0 && seq > lineNext) addSaturated(ln + LN_MISSING, seq - lineNext);
  if (seq + count > lineNext) store<u64>(ln + LN_NEXT, seq + count);
  const next = expected();
  const all = (psGet32(PS_HOLD_FLAGS) & HOLD_ALL) != 0;
  // A packet cut short is never held: it could not be delivered whole later either.
  if (!cutShort && (all || (next != 0 && seq > next && mayFill(l, next)))) {
    // What the packet can really hold (a block takes 3 bytes or more), whatever its header claims.
    const most = len / 3;
    const messages = count < most ? count : most;
    const limit = psGet32(PS_HOLD_LIMIT);
    while (held() > 0 && holdFull(messages, limit == 0 || limit > HOLD_MESSAGES_MAX ? HOLD_MESSAGES_MAX : limit)) {
      // Under HOLD_ALL nothing may be parsed yet (a snapshot is loading): the oldest is dropped,
      // counted, and becomes a gap once the feed is released.
      if (all) {
        dropFirst();
        psSet(PS_HOLD_DROPPED, psGet(PS_HOLD_DROPPED) + 1);
      } else {
        releaseFirst(onPayload);
      }
    }
    if (holdPacket(p, len, seq, messages, l, psGet(PS_RECEIVE_TS), psGet(PS_HW_TS))) {
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
  const n = held();
  while (held() > 0) releaseFirst(onPayload);
  return n;
}

// Gives up the messages up to `end` (TypeScript's retransmission requests went unanswered): they
// are a gap, declared now, and what was held behind them is released as far as it can be.
export function recoverAbandon(end: u64, onPayload: PayloadHandler): void {
  if (load<u32>(SESSIONS_BASE + SS_CURRENT) == 0) {
    // Nothing parsed yet: the session is entered when its first packet is, and starts at `end`.
    if (end > psGet(PS_START_SEQ)) psSet(PS_START_SEQ, end);
  } else if (end > psGet(PS_NEXT_SEQ)) {
    sequencePacket(end);
  }
  release(onPayload);
}

// Ends HOLD_ALL: what was held is released in sequence order, as far as it can be.
export function holdRelease(onPayload: PayloadHandler): void {
  psSet32(PS_HOLD_FLAGS, psGet32(PS_HOLD_FLAGS) & ~HOLD_ALL);
  release(onPayload);
}
