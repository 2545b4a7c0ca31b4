// The SBE binary packet of CME MDP 3.0 around encoded messages (the framing the generated feed
// modules parse: assembly/parse/sbe-packet.ts): MsgSeqNum u32, SendingTime u64, then each message
// preceded by its MsgSize u16 (its length plus these two bytes), all little-endian.

export const SBE_PACKET_HEADER = 12;

/** A packet of sequence number seq sent at sendingTime (ns since the epoch) holding msgs. */
export function sbePacket(seq: number, sendingTime: bigint | number, msgs: Uint8Array[]): Uint8Array {
  const p = new Uint8Array(SBE_PACKET_HEADER + msgs.reduce((a, m) => a + 2 + m.length, 0));
  const dv = new DataView(p.buffer);
  dv.setUint32(0, seq >>> 0, true);
  dv.setBigUint64(4, BigInt(sendingTime), true);
  let at = SBE_PACKET_HEADER;
  for (const m of msgs) {
    if (m.length + 2 > 0xffff) throw new RangeError(`a message of ${m.length} bytes does not fit MsgSize (u16)`);
    dv.setUint16(at, m.length + 2, true);
    p.set(m, at + 2);
    at += 2 + m.length;
  }
  return p;
}

/** The messages of a packet (views into it), or throws on a size that does not fit. */
export function sbePacketMessages(p: Uint8Array): { seq: number; sendingTime: bigint; messages: Uint8Array[] } {
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  if (p.length < SBE_PACKET_HEADER) throw new RangeError(`a packet of ${p.length} bytes is shorter than its ${SBE_PACKET_HEADER}-byte header`);
  const messages: Uint8Array[] = [];
  let at = SBE_PACKET_HEADER;
  while (at + 2 <= p.length) {
    const size = dv.getUint16(at, true);
    if (size <= 2 || at + size > p.length) throw new RangeError(`MsgSize ${size} at byte ${at} does not fit the packet`);
    messages.push(p.subarray(at + 2, at + size));
    at += size;
  }
  return { seq: dv.getUint32(0, true), sendingTime: dv.getBigUint64(4, true), messages };
}
