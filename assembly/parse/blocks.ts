// The message blocks both session framings share: count blocks of length (u16, big-endian for
// MoldUDP64, little-endian for IEX-TP) and message, each numbered from seq. A count or a length
// running past `end` stops the packet (counted) after its whole messages; a message already
// delivered is dropped as a duplicate; bytes left after the last block are counted. In a frame cut
// short (by a capture's snaplen) the messages past the cut are lost to it, not to the feed: counted
// apart (PS_TRUNCATED_MESSAGES), and the sequence moves past them.

import { REJ_COUNT_OVERRUN, REJ_LENGTH_OVERRUN, REJ_ZERO_LENGTH, REJ_TRAILING } from "../layout";
import { be16, le16 } from "./bytes";
import { cutShort } from "./net";
import { reject } from "./stats";
import { sequenceMessage, sequenceTruncated } from "./sequence";

// A feed's message handler as a type: the framings (and the bare-message path, driver.ts) are
// generic over it, so each message is a direct call rather than an indirect one through a
// function reference, and the feeds inline their whole handler into the loop.
export interface Messages {
  onMessage(msg: u32, len: u32, seq: u64): void;
}

@inline export function messageBlocks<H extends Messages>(at: u32, end: u32, count: u32, seq: u64, bigEndian: bool, h: H): void {
  for (let i: u32 = 0; i < count; i++) {
    if (at + 2 > end) {
      overrun(REJ_COUNT_OVERRUN, seq + i, seq + count);
      return;
    }
    const mlen = bigEndian ? be16(at) : le16(at);
    at += 2;
    if (at + mlen > end) {
      overrun(REJ_LENGTH_OVERRUN, seq + i, seq + count);
      return;
    }
    if (sequenceMessage(seq + i)) {
      if (mlen == 0) reject(REJ_ZERO_LENGTH);
      else h.onMessage(at, mlen, seq + i);
    }
    at += mlen;
  }
  if (at != end && !cutShort) reject(REJ_TRAILING);
}

// Messages [from, end) run past the packet: lost to the cut of a frame cut short, else the packet
// is malformed (counted under the reason).
function overrun(reason: u32, from: u64, end: u64): void {
  if (cutShort) sequenceTruncated(from, end);
  else reject(reason);
}
