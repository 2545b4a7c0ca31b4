// Per-session sequence integrity shared by the session framings: expected next sequence, gaps,
// duplicates (a message already delivered is dropped, as when the same packet arrives twice),
// resets. Counters in PSTATS (assembly/layout.ts).

import { PS_NEXT_SEQ, PS_GAPS, PS_GAP_MESSAGES, PS_DUPLICATES, PS_RESETS } from "../layout";
import { psGet, psSet, psAdd } from "./stats";

// A new stream of sequence numbers begins at seq (new session, or the feed restarted at 1).
export function sequenceReset(seq: u64): void {
  if (psGet(PS_NEXT_SEQ) != 0) psAdd(PS_RESETS, 1);
  psSet(PS_NEXT_SEQ, seq);
}

// A packet (or heartbeat) whose first message has sequence seq: records a gap when it jumps
// past the next expected one. The first packet of a stream only sets the expectation.
export function sequencePacket(seq: u64): void {
  const next = psGet(PS_NEXT_SEQ);
  if (next == 0) {
    psSet(PS_NEXT_SEQ, seq);
  } else if (seq > next) {
    psAdd(PS_GAPS, 1);
    psAdd(PS_GAP_MESSAGES, seq - next);
    psSet(PS_NEXT_SEQ, seq);
  }
}

// True when message seq is new: it becomes the last delivered. False (counted) when it was
// delivered before.
@inline export function sequenceMessage(seq: u64): bool {
  const next = psGet(PS_NEXT_SEQ);
  if (seq < next) {
    psAdd(PS_DUPLICATES, 1);
    return false;
  }
  psSet(PS_NEXT_SEQ, seq + 1);
  return true;
}
