// Test-traffic frames: built here into TX frames for the traffic generator (src/socket/traffic.ts,
// genFrames) and checked here by the frames module (verifyFrame). A traffic frame is the template
// written by TypeScript at TEMPLATE_BASE (Ethernet + IPv4 + UDP headers, GEN_HEADERS bytes,
// lengths and checksum already set for the payload length) followed by the payload described in
// assembly/layout.ts (u64 LE sequence number, then byte i = (seq * GEN_MUL + i) & 0xff).

import {
  TEMPLATE_BASE, GEN_HEADERS, GEN_SEQ_BYTES, GEN_MUL, STAT_VERIFY_NEXT, STAT_VERIFY_OK,
  STAT_VERIFY_BAD, STAT_VERIFY_MISSING, STAT_VERIFY_LATE, CTL_BASE, CTL_STATS,
} from "./layout";
import { txFrame, txPush, statAdd } from "./xsk";

@inline function fillPayload(p: u32, len: u32, seq: u64): void {
  store<u64>(p, seq);
  let b = <u32>seq * GEN_MUL;
  // Eight pattern bytes at a time: byte k of the word is (seq * GEN_MUL + i + k) & 0xff.
  let i: u32 = GEN_SEQ_BYTES;
  for (; i + 8 <= len; i += 8) {
    const x = (b + i) & 0xff;
    store<u64>(p + i, patternWord(x));
  }
  for (; i < len; i++) store<u8>(p + i, <u8>(b + i));
}

// Bytes x, x+1, ..., x+7 (each mod 256), little-endian.
@inline function patternWord(x: u32): u64 {
  const lanes: u64 = 0x0706050403020100;
  const rep = <u64>x * 0x0101010101010101;
  // Per-byte add without carries between bytes: add the low 7 bits, then fix the top bit.
  const h: u64 = 0x8080808080808080;
  return ((rep & ~h) + (lanes & ~h)) ^ ((rep ^ lanes) & h);
}

// Queue up to count traffic frames with sequence numbers seq, seq+1, ...; returns how many
// were queued (fewer when TX frames or TX ring slots run out). Call txSubmit() after.
export function genFrames(count: u32, seq: u64, payloadLen: u32): u32 {
  for (let i: u32 = 0; i < count; i++) {
    const f = txFrame();
    if (f == 0) return i;
    memory.copy(f, TEMPLATE_BASE, GEN_HEADERS);
    fillPayload(f + GEN_HEADERS, payloadLen, seq + i);
    if (!txPush(f, GEN_HEADERS + payloadLen)) return i;
  }
  return count;
}

@inline function stat(index: u32): u64 {
  return load<u64>(CTL_BASE + CTL_STATS + (index << 3));
}

// Frame handler: checks a traffic frame byte for byte and its sequence against the expected
// next one. Any frame not of that shape counts as bad; nothing is read past len.
export function verifyFrame(frame: u32, len: u32): bool {
  if (len < GEN_HEADERS + GEN_SEQ_BYTES || load<u16>(frame, 12) != 0x0008) {
    statAdd(STAT_VERIFY_BAD, 1);
    return true;
  }
  const p = frame + GEN_HEADERS;
  const plen = len - GEN_HEADERS;
  const seq = load<u64>(p);
  const b = <u32>seq * GEN_MUL;
  let i: u32 = GEN_SEQ_BYTES;
  let diff: u64 = 0;
  for (; i + 8 <= plen; i += 8) diff |= load<u64>(p + i) ^ patternWord((b + i) & 0xff);
  for (; i < plen; i++) diff |= <u64>(load<u8>(p + i) ^ <u8>(b + i));
  if (diff != 0) {
    statAdd(STAT_VERIFY_BAD, 1);
    return true;
  }
  statAdd(STAT_VERIFY_OK, 1);
  const next = stat(STAT_VERIFY_NEXT);
  if (seq >= next) {
    statAdd(STAT_VERIFY_MISSING, seq - next);
    statAdd(STAT_VERIFY_NEXT, seq + 1 - next);
  } else {
    statAdd(STAT_VERIFY_LATE, 1);
  }
  return true;
}
