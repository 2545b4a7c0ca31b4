// Sequence integrity within the current session (./sessions.ts keeps one sequence space per
// session), shared by the session framings: expected next sequence, gaps, duplicates (a message
// already delivered is dropped, as when the same packet arrives twice, unless PS_NO_DEDUP), resets,
// and messages lost to a frame cut short. Counters in PSTATS (assembly/layout.ts).

import {
  PS_NEXT_SEQ, PS_GAPS, PS_GAP_MESSAGES, PS_DUPLICATES, PS_RESETS, PS_NO_DEDUP, PS_TRUNCATED_MESSAGES, PS_DECLARED_COUNT,
  PS_DECLARED, DECLARED_LOG, DECLARED_ENTRY,
} from "../layout";
import { psGet, psSet, psAdd, psAddSaturated, psGet32 } from "./stats";

// The session's sequence starts again at seq (IEX-TP restarting at 1).
export function sequenceReset(seq: u64): void {
  if (psGet(PS_NEXT_SEQ) != 0) psAdd(PS_RESETS, 1);
  psSet(PS_NEXT_SEQ, seq);
}

// A packet (or heartbeat) whose first message has sequence seq: records a gap when it jumps
// past the next expected one. The first packet of a session only sets the expectation.
export function sequencePacket(seq: u64): void {
  const next = psGet(PS_NEXT_SEQ);
  if (next == 0) {
    psSet(PS_NEXT_SEQ, seq);
  } else if (seq > next) {
    psAdd(PS_GAPS, 1);
    psAddSaturated(PS_GAP_MESSAGES, seq - next);
    declared(next, seq);
    psSet(PS_NEXT_SEQ, seq);
  }
}

// The gap [from, to) into the ring of the last DECLARED_LOG declared.
function declared(from: u64, to: u64): void {
  const n = psGet(PS_DECLARED_COUNT);
  const e = PS_DECLARED + <u32>(n % DECLARED_LOG) * DECLARED_ENTRY;
  psSet(e, from);
  psSet(e + 8, to);
  psSet(PS_DECLARED_COUNT, n + 1);
}

// True when message seq is new: it becomes the last delivered. False (counted) when it was
// delivered before, unless de-duplication is off.
@inline export function sequenceMessage(seq: u64): bool {
  const next = psGet(PS_NEXT_SEQ);
  if (seq < next) {
    if (psGet32(PS_NO_DEDUP) != 0) return true;
    psAdd(PS_DUPLICATES, 1);
    return false;
  }
  psSet(PS_NEXT_SEQ, seq + 1);
  return true;
}

// Messages [from, end) were declared by a packet whose frame was cut before them: counted as lost
// to the cut (those not delivered before), and the sequence moves past them, so the next packet
// shows no gap for them.
export function sequenceTruncated(from: u64, end: u64): void {
  const next = psGet(PS_NEXT_SEQ);
  const first = next > from ? next : from;
  if (end <= first) return;
  psAddSaturated(PS_TRUNCATED_MESSAGES, end - first);
  psSet(PS_NEXT_SEQ, end);
}
