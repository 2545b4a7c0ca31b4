// Where the fields of feed traffic lie: the Ethernet/IP/UDP headers of a frame, the session
// header of each framing (MoldUDP64, IEX-TP) and its message blocks. The mutators aim at these
// fields, the corpus reads message counts from them, and the accounting bounds what a packet
// can physically hold by them.

import type { Feed } from "../src/feeds/feeds.js";
import { udpPayloadOf } from "../src/socket/frame.js";

/** A field of a session header: offset, size in bytes, byte order. */
export interface Field {
  at: number;
  size: 2 | 4 | 8 | 10;
  littleEndian: boolean;
}

/** A session framing's header and message blocks. */
export interface Framing {
  /** Bytes of the session header, before the first message block. */
  header: number;
  /** The session id, when the header has one (CME MDP 3.0's has none). */
  session?: Field;
  sequence: Field;
  /** The message count, when the header has one (CME MDP 3.0's has none: blocks run to the end). */
  count?: Field;
  /** The declared bytes of message blocks (IEX-TP), when the header has them. */
  payloadLength?: Field;
  /** The message protocol id (IEX-TP), when the header has one. */
  protocol?: Field;
  /** Byte order of each message block's length. */
  blockLittleEndian: boolean;
  /** Whether a block's length counts its own two bytes (CME MDP 3.0's MsgSize). */
  blockLengthInclusive?: boolean;
}

export const FRAMINGS: Record<Feed["framing"], Framing> = {
  moldudp64: {
    header: 20,
    session: { at: 0, size: 10, littleEndian: false },
    sequence: { at: 10, size: 8, littleEndian: false },
    count: { at: 18, size: 2, littleEndian: false },
    blockLittleEndian: false,
  },
  iextp: {
    header: 40,
    session: { at: 8, size: 4, littleEndian: true },
    sequence: { at: 24, size: 8, littleEndian: true },
    count: { at: 14, size: 2, littleEndian: true },
    payloadLength: { at: 12, size: 2, littleEndian: true },
    protocol: { at: 2, size: 2, littleEndian: true },
    blockLittleEndian: true,
  },
  mdp3: {
    header: 12,
    sequence: { at: 0, size: 4, littleEndian: true },
    blockLittleEndian: true,
    blockLengthInclusive: true,
  },
};

/** Ethernet, IPv4 and UDP headers without VLAN tags or IP options: the least before a UDP payload. */
export const MIN_FRAME_HEADERS = 42;
/** Offsets in an untagged Ethernet/IPv4 frame. */
export const ETHERTYPE = 12;
export const IP = 14;

/** Offset of the UDP payload in a frame, or -1 when it has none (udpPayloadOf). */
export function payloadOffset(frame: Uint8Array): number {
  const p = udpPayloadOf(frame);
  return p ? p.byteOffset - frame.byteOffset : -1;
}

/** Offset of the UDP header in a frame, or -1. */
export function udpOffset(frame: Uint8Array): number {
  const p = payloadOffset(frame);
  return p < 0 ? -1 : p - 8;
}

/** Reads an unsigned field as a bigint (10-byte fields: their first 8 bytes). */
export function readField(b: Uint8Array, base: number, f: Field): bigint {
  const n = Math.min(f.size, 8);
  if (base + f.at + n > b.length) return -1n;
  let v = 0n;
  for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(b[base + f.at + (f.littleEndian ? n - 1 - i : i)]);
  return v;
}

/** Writes an unsigned field (truncated to its size); bytes past the buffer are left out. */
export function writeField(b: Uint8Array, base: number, f: Field, v: bigint): void {
  const n = Math.min(f.size, 8);
  for (let i = 0; i < n; i++) {
    const at = base + f.at + (f.littleEndian ? i : n - 1 - i);
    if (at < b.length) b[at] = Number((v >> BigInt(8 * i)) & 0xffn);
  }
}

/** A 16-bit big-endian value. */
export const be16 = (b: Uint8Array, at: number): number => (b[at] << 8) | b[at + 1];

export function setBe16(b: Uint8Array, at: number, v: number): void {
  if (at + 1 < b.length) {
    b[at] = (v >>> 8) & 0xff;
    b[at + 1] = v & 0xff;
  }
}

/**
 * Offsets of the message blocks (each a u16 length, then the message) from `at` while they lie
 * within `end`, at most `max` of them.
 */
export function blockOffsets(b: Uint8Array, at: number, end: number, littleEndian: boolean, max = Infinity, inclusive = false): number[] {
  const out: number[] = [];
  while (out.length < max && at + 2 <= end) {
    const size = littleEndian ? b[at] | (b[at + 1] << 8) : be16(b, at);
    if (inclusive && size < 2) break;
    const len = inclusive ? size - 2 : size;
    if (at + 2 + len > end) break;
    out.push(at);
    at += 2 + len;
  }
  return out;
}

/** Messages a session packet declares (0 for a heartbeat or MoldUDP64's end of session). */
export function declaredCount(payload: Uint8Array, framing: Framing): number {
  if (payload.length < framing.header) return 0;
  if (!framing.count) return blockOffsets(payload, framing.header, payload.length, framing.blockLittleEndian, Infinity, framing.blockLengthInclusive).length;
  const n = Number(readField(payload, 0, framing.count));
  return framing === FRAMINGS.moldudp64 && n === 0xffff ? 0 : n;
}

/** The whole messages of a session packet, as views of it. */
export function messagesOf(payload: Uint8Array, framing: Framing): Uint8Array[] {
  const end = framing.payloadLength ? Math.min(payload.length, framing.header + Number(readField(payload, 0, framing.payloadLength))) : payload.length;
  const less = framing.blockLengthInclusive ? 2 : 0;
  return blockOffsets(payload, framing.header, end, framing.blockLittleEndian, declaredCount(payload, framing), framing.blockLengthInclusive)
    .map((at) => payload.subarray(at + 2, at + 2 + (framing.blockLittleEndian ? payload[at] | (payload[at + 1] << 8) : be16(payload, at)) - less));
}
