// MoldUDP64 (ITCH's transport): session (10 bytes), sequence number of the first message (u64
// BE), message count (u16 BE), then message blocks of length (u16 BE) and message. Count 0 is a
// heartbeat, 0xFFFF the end of the session. A count or a length running past the packet rejects
// the packet (counted) after delivering the whole messages before it. Each session (its 10-byte
// name) is its own sequence space (./sessions.ts).

import { PSTATS_BASE, PS_SESSION, PS_NEXT_SEQ, SESSIONS_BASE, SS_CURRENT, SS_MOLD } from "../layout";
import { psGet } from "./stats";
import { be16, be64 } from "./bytes";
import { sequencePacket } from "./sequence";
import { sessionEnter, headerShort, countPacket } from "./sessions";
import { Messages, messageBlocks } from "./blocks";
import { setPeek } from "./arbiter";

export const MOLD_HEADER: u32 = 20;
export const MOLD_END_OF_SESSION: u32 = 0xffff;

// First sequence and message count, for arbitration (end of session counts no messages).
export function moldPeek(p: u32, len: u32): bool {
  if (len < MOLD_HEADER) return false;
  const count = be16(p + 18);
  return setPeek(be64(p + 10), count == MOLD_END_OF_SESSION ? 0 : count);
}

export function moldPacket<H extends Messages>(p: u32, len: u32, h: H): void {
  moldPacketInline<H>(p, len, h);
}

// moldPacket inlined into the caller: a receive loop's common case (itch50's frames without a book),
// which then spills and reloads nothing of its own for a call per frame.
@inline export function moldPacketInline<H extends Messages>(p: u32, len: u32, h: H): void {
  if (headerShort(len, MOLD_HEADER)) return;
  // Each session is its own stream of sequence numbers (./sessions.ts).
  const s = PSTATS_BASE + PS_SESSION;
  if (load<u64>(p) != load<u64>(s) || load<u16>(p, 8) != load<u16>(s, 8) || load<u32>(SESSIONS_BASE + SS_CURRENT) == 0) {
    sessionEnter(load<u64>(p), load<u16>(p, 8), SS_MOLD);
  }
  countPacket();
  const seq = be64(p + 10);
  const count = be16(p + 18);
  // Heartbeats and the end of session carry the next sequence number: a gap shows there too.
  // sequencePacket does nothing for the packet expected next (the common one): no call for it.
  if (seq != psGet(PS_NEXT_SEQ)) sequencePacket(seq);
  if (count == 0 || count == MOLD_END_OF_SESSION) return;
  messageBlocks<H>(p + MOLD_HEADER, p + len, count, seq, true, h);
}
