// IEX-TP (IEX's transport), little-endian. Segment header (40 bytes):
//
//   offset  field                       size
//   0       version                     1
//   1       reserved                    1
//   2       messageProtocolId           2   0x8003 TOPS 1.6, 0x8004 DEEP 1.0
//   4       channelId                   4
//   8       sessionId                   4
//   12      payloadLength               2
//   14      messageCount                2   0: heartbeat
//   16      streamOffset                8
//   24      firstMessageSequenceNumber  8
//   32      sendTime                    8
//
// then message blocks of length (u16 LE) and message. Each session id is its own sequence space;
// the sequence restarting at 1 within a session is a reset (the feed restarted), not a gap or
// duplicates.

import { PSTATS_BASE, PS_SESSION, PS_NEXT_SEQ, REJ_PROTOCOL, SESSIONS_BASE, SS_CURRENT, SS_IEXTP } from "../layout";
import { le16, le32, le64 } from "./bytes";
import { psGet, reject } from "./stats";
import { sequenceReset, sequencePacket } from "./sequence";
import { sessionEnter, headerShort, countPacket } from "./sessions";
import { Messages, messageBlocks } from "./blocks";
import { setPeek } from "./arbiter";

export const IEXTP_HEADER: u32 = 40;

// First sequence and message count, for arbitration.
export function iextpPeek(p: u32, len: u32, protocol: u32): bool {
  if (len < IEXTP_HEADER || le16(p + 2) != protocol) return false;
  return setPeek(le64(p + 24), le16(p + 14));
}

export function iextpSegment<H extends Messages>(p: u32, len: u32, protocol: u32, h: H): void {
  if (headerShort(len, IEXTP_HEADER)) return;
  if (le16(p + 2) != protocol) {
    reject(REJ_PROTOCOL);
    return;
  }
  const seq = le64(p + 24);
  const count = le16(p + 14);
  // Each session id is its own sequence space (./sessions.ts).
  const session = <u64>le32(p + 8);
  if (load<u64>(PSTATS_BASE + PS_SESSION) != session || load<u32>(SESSIONS_BASE + SS_CURRENT) == 0) {
    sessionEnter(session, 0, SS_IEXTP);
  }
  countPacket();
  if (seq == 1 && psGet(PS_NEXT_SEQ) > 1) sequenceReset(seq);
  sequencePacket(seq);
  if (count == 0) return;
  // The declared payload ends the segment; a capture cut short ends it earlier.
  let end = p + IEXTP_HEADER + le16(p + 12);
  if (end > p + len) end = p + len;
  messageBlocks<H>(p + IEXTP_HEADER, end, count, seq, false, h);
}
