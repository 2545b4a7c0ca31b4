// The SBE binary packet framing of CME MDP 3.0, which the generated SBE feed modules use
// (src/sbe/generate.ts). Little-endian. Packet header (12 bytes):
//
//   offset  field        size
//   0       MsgSeqNum    4     the packet's sequence number (one per packet, not per message)
//   4       SendingTime  8     ns since the Unix epoch
//
// then messages, each preceded by MsgSize (u16): the length of the message including these two
// bytes. The packet is the unit of sequence: a gap is a jump of MsgSeqNum, a duplicate a packet
// already delivered (its messages are all dropped), and MsgSeqNum 1 after a later one is a reset
// unless it is a copy of the packet 1 already seen (same SendingTime).
// The header has no session id: one channel is one sequence space (its A and B feeds arbitrated
// as two lines). A size below its own two bytes, or running past the packet, stops the packet
// (counted) after its whole messages.

import { PSTATS_BASE, PS_SESSION, PS_NEXT_SEQ, SESSIONS_BASE, SS_CURRENT, SS_SBE, REJ_LENGTH_OVERRUN, REJ_ZERO_LENGTH, REJ_TRAILING } from "../layout";
import { le16, le32, le64 } from "./bytes";
import { psGet, reject } from "./stats";
import { sequencePacket, sequenceMessage, sequenceReset, sequenceTruncated } from "./sequence";
import { sessionEnter, headerShort, countPacket } from "./sessions";
import { cutShort } from "./net";
import { Messages } from "./blocks";
import { setPeek } from "./arbiter";

export const SBE_PACKET_HEADER: u32 = 12;
export const SBE_SEQ: u32 = 0;
export const SBE_SENDING_TIME: u32 = 4;
// The u16 size that precedes each message.
export const SBE_SIZE_BYTES: u32 = 2;

// SendingTime of the packet being parsed: the messages' exchange time where they carry none.
export let sbeSendingTime: u64 = 0;
// SendingTime of the last packet numbered 1: a later packet 1 sent at the same time is its copy
// (the other line's, arriving late under A/B arbitration: a duplicate), not a restart.
let firstSendingTime: u64 = 0;

// Sequence number and message count for arbitration: a packet is one sequence number.
export function sbePeek(p: u32, len: u32): bool {
  if (len < SBE_PACKET_HEADER) return false;
  return setPeek(<u64>le32(p + SBE_SEQ), 1);
}

export function sbePacket<H extends Messages>(p: u32, len: u32, h: H): void {
  if (headerShort(len, SBE_PACKET_HEADER)) return;
  if (load<u32>(SESSIONS_BASE + SS_CURRENT) == 0 || load<u64>(PSTATS_BASE + PS_SESSION) != 0) sessionEnter(0, 0, SS_SBE);
  countPacket();
  const seq = <u64>le32(p + SBE_SEQ);
  sbeSendingTime = le64(p + SBE_SENDING_TIME);
  // The channel restarting its numbering (MsgSeqNum 1, sent anew, after a later packet) is a reset.
  if (seq == 1) {
    if (psGet(PS_NEXT_SEQ) > 1 && sbeSendingTime != firstSendingTime) sequenceReset(seq);
    firstSendingTime = sbeSendingTime;
  }
  sequencePacket(seq);
  if (!sequenceMessage(seq)) return;
  const end = p + len;
  let at = p + SBE_PACKET_HEADER;
  while (at + SBE_SIZE_BYTES <= end) {
    const size = le16(at);
    if (size <= SBE_SIZE_BYTES) {
      // Zero (or only its own two bytes): no message, and no way to the next one.
      reject(REJ_ZERO_LENGTH);
      return;
    }
    if (at + size > end) {
      if (cutShort) sequenceTruncated(seq, seq + 1);
      else reject(REJ_LENGTH_OVERRUN);
      return;
    }
    h.onMessage(at + SBE_SIZE_BYTES, size - SBE_SIZE_BYTES, seq);
    at += size;
  }
  if (at != end && !cutShort) reject(REJ_TRAILING);
}
