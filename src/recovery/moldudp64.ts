// MoldUDP64 retransmission on the wire: the request a receiver sends for missing messages, and the
// checks an answer passes before it reaches the parser. A request is a UDP datagram to the
// retransmission server:
//
//   offset  field             size
//   0       session           10   ASCII, the MoldUDP64 session whose messages are missing
//   10      sequence number   8    big-endian, the first message wanted
//   18      message count     2    big-endian, how many from there
//
// The server answers with ordinary MoldUDP64 packets (assembly/parse/moldudp64.ts) sent to the
// requester's address.

export const REQUEST_BYTES = 20;
export const MOLD_HEADER = 20;

/** Writes a request into `out` (REQUEST_BYTES) for `count` messages from `seq` of `session` (10 bytes). */
export function encodeRequest(out: Uint8Array, session: Uint8Array, seq: bigint, count: number): Uint8Array {
  out.set(session.subarray(0, 10), 0);
  const v = new DataView(out.buffer, out.byteOffset, REQUEST_BYTES);
  v.setBigUint64(10, seq);
  v.setUint16(18, count);
  return out;
}

/** A request read back (the server's side). */
export function decodeRequest(b: Uint8Array): { session: Uint8Array; seq: bigint; count: number } | null {
  if (b.length !== REQUEST_BYTES) return null;
  const v = new DataView(b.buffer, b.byteOffset, REQUEST_BYTES);
  return { session: b.subarray(0, 10), seq: v.getBigUint64(10), count: v.getUint16(18) };
}

/**
 * Calls fn(offset, length) for each message block of a MoldUDP64 packet, as far as its count and
 * bytes go (a heartbeat or the end of session has none).
 */
export function forEachBlock(payload: Uint8Array, fn: (offset: number, length: number) => void): void {
  const count = (payload[18] << 8) | payload[19];
  if (count === 0xffff) return;
  let p = MOLD_HEADER;
  for (let i = 0; i < count && p + 2 <= payload.length; i++) {
    const len = (payload[p] << 8) | payload[p + 1];
    fn(p + 2, len);
    p += 2 + len;
  }
}

/** Why an answer is not taken; undefined when it is. */
export type AnswerProblem = "malformed" | "wrongSession" | "outOfRange";

/**
 * Checks an answer of len bytes at buf[at]: a MoldUDP64 packet of `session` whose message count
 * agrees with its blocks (each a u16 length and that many bytes, ending exactly at its end).
 * Returns its first sequence and count through `out`, or the problem.
 */
export function checkAnswer(buf: Uint8Array, at: number, len: number, session: Uint8Array, out: { seq: bigint; count: number }): AnswerProblem | undefined {
  if (len < MOLD_HEADER) return "malformed";
  for (let i = 0; i < 10; i++) if (buf[at + i] !== session[i]) return "wrongSession";
  const count = (buf[at + 18] << 8) | buf[at + 19];
  if (count === 0 || count === 0xffff) return "malformed";
  let p = at + MOLD_HEADER;
  const end = at + len;
  for (let i = 0; i < count; i++) {
    if (p + 2 > end) return "malformed";
    p += 2 + ((buf[p] << 8) | buf[p + 1]);
  }
  if (p !== end) return "malformed";
  out.seq = new DataView(buf.buffer, buf.byteOffset + at + 10, 8).getBigUint64(0);
  out.count = count;
  return undefined;
}
