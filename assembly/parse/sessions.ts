// Sessions as separate sequence spaces (layout: SESSIONS_BASE in assembly/layout.ts). The
// framings compare each packet's session with the current one in place (PS_SESSION); only a
// change of session comes here: the current session's expected sequence is saved and its counters'
// increments since it became current are added into its entry, then the new session's entry is
// found (or made) and its expected sequence restored. Nothing happens per message, and a capture
// interleaving two sessions keeps each one's sequence exact.

import {
  PSTATS_BASE, PS_SESSION, PS_NEXT_SEQ, PS_START_SEQ, PS_PACKETS, PS_TRUNCATED_PACKETS, REJ_SESSION_SHORT, REJ_TRUNCATED, SESSIONS_BASE, SESSIONS_SIZE, SS_COUNT, SS_CURRENT, SS_VICTIM, SS_FRAMING,
  SS_EVICTED, SS_SNAP, SS_ENTRIES, SESSION_MAX, SESSION_ENTRY, SN_ID, SN_NEXT, SN_COUNTERS, SESSION_COUNTERS,
} from "../layout";
import { psGet, psSet, psAdd, reject } from "./stats";
import { cutShort } from "./net";

// A payload of len bytes too short for the session header: counted once, as the frame cut
// short it was (REJ_TRUNCATED) or as a malformed packet.
@inline export function headerShort(len: u32, header: u32): bool {
  if (len >= header) return false;
  reject(cutShort ? REJ_TRUNCATED : REJ_SESSION_SHORT);
  return true;
}

// A session packet accepted for parsing (and one cut short, whose lost messages the framing counts).
@inline export function countPacket(): void {
  psAdd(PS_PACKETS, 1);
  if (cutShort) psAdd(PS_TRUNCATED_PACKETS, 1);
}

@inline function ss(off: u32): u32 {
  return SESSIONS_BASE + off;
}

@inline function entry(i: u32): u32 {
  return SESSIONS_BASE + SS_ENTRIES + i * SESSION_ENTRY;
}

// Adds the current session's counter increments since it became current into its entry, and
// starts counting afresh from the global values now.
function settle(): void {
  const cur = load<u32>(ss(SS_CURRENT));
  const e = cur == 0 ? 0 : entry(cur - 1);
  for (let k: u32 = 0; k < SESSION_COUNTERS; k++) {
    const now = psGet(k << 3);
    const snap = ss(SS_SNAP + (k << 3));
    if (e != 0) {
      const c = e + SN_COUNTERS + (k << 3);
      store<u64>(c, load<u64>(c) + now - load<u64>(snap));
    }
    store<u64>(snap, now);
  }
  if (e != 0) store<u64>(e + SN_NEXT, psGet(PS_NEXT_SEQ));
}

// The packet's session, whose identity (lo, the low 8 bytes; hi, the rest) differs from the
// current one's, becomes current: its expected sequence is restored, or 0 for a session not seen
// yet, so that its first packet sets it.
export function sessionEnter(lo: u64, hi: u64, framing: u32): void {
  settle();
  store<u32>(ss(SS_FRAMING), framing);
  const n = load<u32>(ss(SS_COUNT));
  let i: u32 = 0;
  while (i < n && (load<u64>(entry(i) + SN_ID) != lo || load<u64>(entry(i) + SN_ID + 8) != hi)) i++;
  if (i == n) {
    if (n < SESSION_MAX) {
      store<u32>(ss(SS_COUNT), n + 1);
    } else {
      // All in use (hostile or very unusual input): the oldest-made entry is reused.
      i = load<u32>(ss(SS_VICTIM));
      store<u32>(ss(SS_VICTIM), (i + 1) % SESSION_MAX);
      store<u64>(ss(SS_EVICTED), load<u64>(ss(SS_EVICTED)) + 1);
    }
    memory.fill(entry(i), 0, SESSION_ENTRY);
    store<u64>(entry(i) + SN_ID, lo);
    store<u64>(entry(i) + SN_ID + 8, hi);
  }
  store<u32>(ss(SS_CURRENT), i + 1);
  // A session not seen yet starts where a snapshot left off (PS_START_SEQ), or at its first packet.
  const next = load<u64>(entry(i) + SN_NEXT);
  psSet(PS_NEXT_SEQ, next != 0 ? next : psGet(PS_START_SEQ));
  store<u64>(PSTATS_BASE + PS_SESSION, lo);
  store<u64>(PSTATS_BASE + PS_SESSION + 8, hi);
}

export function clearSessions(): void {
  memory.fill(SESSIONS_BASE, 0, SESSIONS_SIZE);
}
