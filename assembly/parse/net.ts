// Ethernet (up to two VLAN tags) / IPv4 (with options) / IPv6 (with hop-by-hop, routing and
// destination options headers) / UDP, in place. Every header is bounds-checked against the
// frame's end before it is read; a frame that does not parse is counted under its reason.

import {
  REJ_FRAME_SHORT, REJ_NOT_IP, REJ_NOT_UDP, REJ_IP_FRAGMENT, REJ_BAD_IP_LENGTH, REJ_OTHER_PORT,
  PS_FILTER_PORT, FILTER_ON,
} from "../layout";
import { be16 } from "./bytes";
import { reject, psGet32 } from "./stats";

// Length of the payload found by udpPayload().
export let payloadLen: u32 = 0;
// The frame was cut short of its datagram: the session layer counts it (as a packet cut short, or
// REJ_TRUNCATED when even its header is cut) and delivers the whole messages in what is there.
export let cutShort: bool = false;
// UDP destination port of the payload found by udpPayload().
export let dstPort: u32 = 0;

// Inputs that are payloads already (no frame around them) are never cut short.
export function wholePayload(): void {
  cutShort = false;
}

// Wasm address of the UDP payload of an Ethernet frame, or 0 (counted) when it has none. The
// common frame (untagged, IPv4 without options, at least as long as those headers) takes the
// fixed-offset path, inlined; every other goes through the general walk. Both check the same
// things in the same order, so a frame is rejected for the same reason either way.
@inline export function udpPayload(frame: u32, len: u32): u32 {
  // Ethertype 0x0800 and IPv4 version 4 with IHL 5, compared as the bytes lie in memory.
  if (len >= 42 && load<u16>(frame, 12) == 0x0008 && load<u8>(frame, 14) == 0x45) return udpPayloadIpv4(frame, len);
  return udpPayloadAny(frame, len);
}

// udpPayloadAny's walk for an untagged IPv4 frame whose header has no options (IHL 5) and whose
// len covers the Ethernet, IPv4 and UDP headers (42 bytes): its bounds checks hold.
@inline function udpPayloadIpv4(frame: u32, len: u32): u32 {
  cutShort = false;
  const ip = frame + 14;
  // Flags and fragment offset (be16 & 0x3fff), in memory order.
  if ((<u32>load<u16>(ip, 6) & 0xff3f) != 0) return fail(REJ_IP_FRAGMENT);
  if (load<u8>(ip, 9) != 17) return fail(REJ_NOT_UDP);
  const total = be16(ip + 2);
  if (total < 28) return fail(REJ_BAD_IP_LENGTH);
  const ulen = be16(frame + 38);
  // udpAt 34, ipEnd 14 + total.
  if (ulen < 8 || ulen + 20 > total) return fail(REJ_BAD_IP_LENGTH);
  const port = psGet32(PS_FILTER_PORT);
  dstPort = be16(frame + 36);
  if (port != 0 && dstPort != (port ^ FILTER_ON)) return fail(REJ_OTHER_PORT);
  payloadLen = ulen - 8;
  if (ulen + 34 > len) {
    cutShort = true;
    payloadLen = len - 42;
  }
  return frame + 42;
}

export function udpPayloadAny(frame: u32, len: u32): u32 {
  cutShort = false;
  if (len < 14) return fail(REJ_FRAME_SHORT);
  let p: u32 = 12;
  let type = be16(frame + p);
  for (let tags = 0; tags < 2 && (type == 0x8100 || type == 0x88a8); tags++) {
    p += 4;
    if (p + 2 > len) return fail(REJ_FRAME_SHORT);
    type = be16(frame + p);
  }
  p += 2;
  let udpAt: u32;
  let ipEnd: u32;
  if (type == 0x0800) {
    if (p + 20 > len) return fail(REJ_FRAME_SHORT);
    const ip = frame + p;
    const ihl = (<u32>load<u8>(ip) & 0xf) << 2;
    if (ihl < 20 || p + ihl + 8 > len) return fail(ihl < 20 ? REJ_BAD_IP_LENGTH : REJ_FRAME_SHORT);
    // More-fragments set or a fragment offset: not a whole datagram.
    if ((be16(ip + 6) & 0x3fff) != 0) return fail(REJ_IP_FRAGMENT);
    if (load<u8>(ip, 9) != 17) return fail(REJ_NOT_UDP);
    const total = be16(ip + 2);
    // Frames may carry Ethernet padding past the datagram; less than it is a frame cut short.
    if (total < ihl + 8) return fail(REJ_BAD_IP_LENGTH);
    udpAt = p + ihl;
    ipEnd = p + total;
  } else if (type == 0x86dd) {
    if (p + 40 > len) return fail(REJ_FRAME_SHORT);
    const ip = frame + p;
    ipEnd = p + 40 + be16(ip + 4);
    let next = <u32>load<u8>(ip, 6);
    let at = p + 40;
    for (let i = 0; i < 4 && (next == 0 || next == 43 || next == 60); i++) {
      if (at + 8 > ipEnd || at + 8 > len) return fail(REJ_FRAME_SHORT);
      next = load<u8>(frame + at);
      at += (<u32>load<u8>(frame + at, 1) + 1) << 3;
    }
    if (next == 44) return fail(REJ_IP_FRAGMENT);
    if (next != 17) return fail(REJ_NOT_UDP);
    if (at + 8 > ipEnd || at + 8 > len) return fail(REJ_FRAME_SHORT);
    udpAt = at;
  } else {
    return fail(REJ_NOT_IP);
  }
  const udp = frame + udpAt;
  const ulen = be16(udp + 4);
  if (ulen < 8 || udpAt + ulen > ipEnd) return fail(REJ_BAD_IP_LENGTH);
  const port = psGet32(PS_FILTER_PORT);
  dstPort = be16(udp + 2);
  if (port != 0 && dstPort != (port ^ FILTER_ON)) return fail(REJ_OTHER_PORT);
  payloadLen = ulen - 8;
  // Never past the frame: a datagram longer than the frame yields what the frame holds.
  if (udpAt + ulen > len) {
    cutShort = true;
    payloadLen = len - udpAt - 8;
  }
  return udp + 8;
}

@inline function fail(reason: u32): u32 {
  reject(reason);
  return 0;
}
