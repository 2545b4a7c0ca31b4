// Building Ethernet/IPv4/UDP frames (generator templates, test and replay traffic).

import { isIPv4 } from "node:net";
import { XdpError } from "../../bridge/errors.js";
import * as L from "../../assembly/layout.js";

export interface UdpEndpoints {
  srcMac: string;
  dstMac: string;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
}

function mac(s: string): number[] {
  const b = s.split(":").map((h) => parseInt(h, 16));
  if (b.length !== 6 || b.some((x) => !(x >= 0 && x <= 255))) throw new XdpError("ECONFIG", `invalid MAC address '${s}'`);
  return b;
}

function ipv4(s: string): number[] {
  if (!isIPv4(s)) throw new XdpError("ECONFIG", `invalid IPv4 address '${s}'`);
  return s.split(".").map(Number);
}

/** Internet checksum (RFC 1071) of bytes [start, end). */
export function inetChecksum(b: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i += 2) sum += (b[i] << 8) | (i + 1 < end ? b[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Ethernet + IPv4 + UDP headers (42 bytes) for a payload of payloadLen bytes. */
export function udpHeaders(e: UdpEndpoints, payloadLen: number): Uint8Array {
  const h = new Uint8Array(L.GEN_HEADERS);
  const dv = new DataView(h.buffer);
  h.set(mac(e.dstMac), 0);
  h.set(mac(e.srcMac), 6);
  dv.setUint16(12, 0x0800);
  h[14] = 0x45; // IPv4, no options
  dv.setUint16(16, 20 + 8 + payloadLen);
  dv.setUint16(20, 0x4000); // don't fragment
  h[22] = 64; // TTL
  h[23] = 17; // UDP
  h.set(ipv4(e.srcIp), 26);
  h.set(ipv4(e.dstIp), 30);
  dv.setUint16(24, inetChecksum(h, 14, 34));
  dv.setUint16(34, e.srcPort);
  dv.setUint16(36, e.dstPort);
  dv.setUint16(38, 8 + payloadLen);
  // UDP checksum 0: "none" is allowed over IPv4 and the kernel accepts it.
  return h;
}

/** A whole UDP frame. */
export function udpFrame(e: UdpEndpoints, payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(L.GEN_HEADERS + payload.length);
  f.set(udpHeaders(e, payload.length), 0);
  f.set(payload, L.GEN_HEADERS);
  return f;
}

/**
 * The UDP payload of an Ethernet frame (VLAN tags, IPv4 that is not a fragment, or IPv6 without
 * extension headers), as a view of the frame: what the datagram holds within the frame (less when
 * the frame is cut short). Undefined for any other frame.
 */
export function udpPayloadOf(f: Uint8Array): Uint8Array | undefined {
  if (f.length < 14) return undefined;
  const be16 = (at: number): number => (f[at] << 8) | f[at + 1];
  let p = 12;
  let type = be16(p);
  while (type === 0x8100 || type === 0x88a8) {
    p += 4;
    if (p + 2 > f.length) return undefined;
    type = be16(p);
  }
  p += 2;
  let udp: number;
  if (type === 0x0800) {
    if (p + 20 > f.length || f[p + 9] !== 17 || (be16(p + 6) & 0x3fff) !== 0) return undefined;
    udp = p + ((f[p] & 0xf) << 2);
  } else if (type === 0x86dd) {
    if (p + 40 > f.length || f[p + 6] !== 17) return undefined;
    udp = p + 40;
  } else {
    return undefined;
  }
  if (udp + 8 > f.length) return undefined;
  return f.subarray(udp + 8, Math.min(udp + be16(udp + 4), f.length));
}

/** The generator's payload for a sequence number (see assembly/layout.ts): for tests and checks. */
export function genPayload(seq: number, len: number): Uint8Array {
  const p = new Uint8Array(len);
  new DataView(p.buffer).setBigUint64(0, BigInt(seq), true);
  for (let i = L.GEN_SEQ_BYTES; i < len; i++) p[i] = (seq * L.GEN_MUL + i) & 0xff;
  return p;
}
