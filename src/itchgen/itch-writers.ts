// Writers for generated ITCH 5.0 sessions:
//  - a NASDAQ binary ITCH file: each message preceded by its length (u2 big-endian);
//  - MoldUDP64 packets (moldFrames / moldPackets) for a sender;
//  - a pcap (microsecond timestamps, Ethernet) of Ethernet/[802.1Q]/IPv4/UDP frames, one
//    MoldUDP64 packet each.
// Files stream to disk with backpressure (memory stays bounded whatever the session's size) and
// are gzipped when the name ends with .gz.
//
// A source is either SessionOptions (the session is generated on the fly) or an iterable of
// chunks of length-prefixed messages, as generateSession yields them.

import { createWriteStream } from "node:fs";
import { isIPv4 } from "node:net";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH, fieldSpec } from "./itch-encode.js";
import { generateSession, type SessionOptions, type SessionSummary } from "./itch-session.js";

export type SessionSource = SessionOptions | Iterable<Uint8Array>;

const TS_OFFSET = fieldSpec("A", "timestamp").offset;
if (fieldSpec("A", "timestamp").size !== 6 || TS_OFFSET + 6 > HEADER_LENGTH) throw new Error("itch-writers: unexpected timestamp layout");

function isIterable(x: unknown): x is Iterable<Uint8Array> {
  return typeof x === "object" && x !== null && typeof (x as Iterable<Uint8Array>)[Symbol.iterator] === "function";
}

/** An iterator over the source's chunks. fresh: the caller keeps chunks (never reused views). */
function chunkIterator(src: SessionSource, fresh: boolean): { it: Iterator<Uint8Array, unknown>; own: boolean } {
  if (isIterable(src)) return { it: src[Symbol.iterator](), own: false };
  return { it: generateSession({ ...src, reuseBuffer: !fresh }), own: true };
}

function isSummary(x: unknown): x is SessionSummary {
  return typeof x === "object" && x !== null && "counts" in x && "messages" in x;
}

// ---- MoldUDP64 ----

export const MOLD_HEADER_LENGTH = 20;
/** Message count of an end-of-session packet. */
export const MOLD_END_OF_SESSION = 0xffff;

export interface MoldOptions {
  /** Session name, up to 10 ASCII characters, padded with spaces. Default "XDPFEED001". */
  session?: string;
  /** Largest UDP payload in bytes, header included (default 1400; 72 .. 65507). */
  maxPayload?: number;
  /** Most messages per packet (default as many as fit; at most 65534). */
  maxMessages?: number;
  /** Close a packet rather than add a message this many ns later than the packet's first one (default: never). */
  maxDelayNs?: number;
  /** Sequence number of the first message (default 1). */
  firstSequence?: number;
  /**
   * Send a heartbeat (count 0) whenever this many ns pass without a packet; 0 (default): none.
   * With heartbeats a packet also closes before a message that is due a heartbeat interval after the
   * previous packet, so no two packets are further apart than the interval.
   */
  heartbeatNs?: number;
  /** End with an end-of-session packet (count 0xFFFF). Default true. */
  endOfSession?: boolean;
  /** Yield views into one reused buffer, valid until the next iteration (default false: a new array per packet). */
  reuseBuffer?: boolean;
}

export interface MoldPacket {
  /** The UDP payload: header and message blocks. */
  payload: Uint8Array;
  /** Sequence number in the header: of the first message, or the next one for heartbeats and end of session. */
  sequence: number;
  /** Messages in the packet; 0 for a heartbeat, 0xFFFF for end of session. */
  count: number;
  /** When it is sent: the ITCH timestamp (ns since midnight) of its last message, or the heartbeat's time. */
  timeNs: number;
}

export interface MoldSummary {
  packets: number;
  /** Packets with messages. */
  dataPackets: number;
  heartbeats: number;
  messages: number;
  firstSequence: number;
  /** Sequence number the next message would have. */
  nextSequence: number;
  /** The generated session's summary when the source was SessionOptions. */
  session?: SessionSummary;
}

function asciiBytes(s: string, width: number, what: string): Uint8Array {
  if (s.length > width) throw new RangeError(`${what} '${s}' is longer than ${width} characters`);
  const b = new Uint8Array(width).fill(0x20);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new RangeError(`${what} '${s}' is not printable ASCII`);
    b[i] = c;
  }
  return b;
}

/** MoldUDP64 packets with their sequence numbers and send times; the return value counts them. */
export function* moldFrames(source: SessionSource, o: MoldOptions = {}): Generator<MoldPacket, MoldSummary, undefined> {
  const maxPayload = o.maxPayload ?? 1400;
  const minPayload = MOLD_HEADER_LENGTH + 2 + MAX_MESSAGE_LENGTH;
  if (!Number.isInteger(maxPayload) || maxPayload < minPayload || maxPayload > 65507) {
    throw new RangeError(`maxPayload must be ${minPayload}..65507, got ${maxPayload}`);
  }
  const maxMessages = o.maxMessages ?? 0xfffe;
  if (!Number.isInteger(maxMessages) || maxMessages < 1 || maxMessages > 0xfffe) throw new RangeError(`maxMessages must be 1..65534`);
  const maxDelay = o.maxDelayNs ?? Infinity;
  const hb = o.heartbeatNs ?? 0;
  if (!(hb >= 0)) throw new RangeError(`heartbeatNs must be >= 0`);
  const first = o.firstSequence ?? 1;
  if (!Number.isSafeInteger(first) || first < 0) throw new RangeError(`firstSequence must be a safe integer >= 0`);
  const session = asciiBytes(o.session ?? "XDPFEED001", 10, "MoldUDP64 session");
  const reuse = o.reuseBuffer ?? false;

  const buf = new Uint8Array(maxPayload);
  const dv = new DataView(buf.buffer);
  buf.set(session, 0);
  let seq = first; // of the next message
  let count = 0; // messages in the packet being filled
  let len = MOLD_HEADER_LENGTH; // its bytes
  let firstTs = 0; // of its first message
  let lastTs = 0; // of its last message
  let sentAt = -1; // time of the last packet sent
  const sum: MoldSummary = { packets: 0, dataPackets: 0, heartbeats: 0, messages: 0, firstSequence: first, nextSequence: first };

  const packet = (sequence: number, n: number, bytes: number, timeNs: number): MoldPacket => {
    dv.setUint32(10, (sequence / 4294967296) >>> 0);
    dv.setUint32(14, sequence >>> 0);
    dv.setUint16(18, n);
    sentAt = timeNs;
    sum.packets++;
    return { payload: reuse ? buf.subarray(0, bytes) : buf.slice(0, bytes), sequence, count: n, timeNs };
  };

  const { it, own } = chunkIterator(source, false);
  for (;;) {
    const r = it.next();
    if (r.done) {
      if (own && isSummary(r.value)) sum.session = r.value;
      break;
    }
    const c = r.value;
    const end = c.length;
    let p = 0;
    let pend = 0; // start of this chunk's blocks not yet copied into buf
    while (p < end) {
      if (p + 2 > end) throw new RangeError(`chunk ends inside a length prefix`);
      const mlen = (c[p] << 8) | c[p + 1];
      if (mlen < HEADER_LENGTH || p + 2 + mlen > end) throw new RangeError(`bad message block at ${p}: length ${mlen}`);
      const t = TS_OFFSET + p + 2;
      const ts = ((c[t] << 8) | c[t + 1]) * 4294967296 + (((c[t + 2] << 24) | (c[t + 3] << 16) | (c[t + 4] << 8) | c[t + 5]) >>> 0);
      // with heartbeats, no packet waits until the next heartbeat would be due
      if (count > 0 && (len + 2 + mlen > maxPayload || count >= maxMessages || ts - firstTs > maxDelay || (hb > 0 && ts >= (sentAt >= 0 ? sentAt : firstTs) + hb))) {
        buf.set(c.subarray(pend, p), len - (p - pend));
        pend = p;
        sum.dataPackets++;
        sum.messages += count;
        yield packet(seq, count, len, lastTs);
        seq += count;
        count = 0;
        len = MOLD_HEADER_LENGTH;
      }
      if (count === 0) {
        if (hb > 0 && sentAt >= 0) {
          for (let at = sentAt + hb; at < ts; at += hb) {
            sum.heartbeats++;
            yield packet(seq, 0, MOLD_HEADER_LENGTH, at);
          }
        }
        firstTs = ts;
      }
      lastTs = ts;
      count++;
      len += 2 + mlen;
      p += 2 + mlen;
    }
    if (count > 0) buf.set(c.subarray(pend, end), len - (end - pend));
  }
  if (count > 0) {
    sum.dataPackets++;
    sum.messages += count;
    yield packet(seq, count, len, lastTs);
    seq += count;
  }
  sum.nextSequence = seq;
  if (o.endOfSession ?? true) yield packet(seq, MOLD_END_OF_SESSION, MOLD_HEADER_LENGTH, Math.max(sentAt, lastTs));
  return sum;
}

/** MoldUDP64 payloads (UDP payloads) for a sender, in order. */
export function* moldPackets(source: SessionSource, o: MoldOptions = {}): Generator<Uint8Array, MoldSummary, undefined> {
  const it = moldFrames(source, o);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
    yield r.value.payload;
  }
}

// ---- pcap ----

export interface PcapOptions extends MoldOptions, FileOptions {
  srcMac?: string;
  /** Default: the multicast MAC of a multicast dstIp, else 02:00:00:00:00:02. */
  dstMac?: string;
  srcIp?: string;
  dstIp?: string;
  srcPort?: number;
  dstPort?: number;
  /** An 802.1Q tag: the VLAN id, or id and priority. */
  vlan?: number | { id: number; pcp?: number };
  ttl?: number;
  /** Compute UDP checksums (default true; false writes 0, "none"). */
  udpChecksum?: boolean;
  /** Unix time in seconds of the session day's midnight (default 1704171600, 2024-01-02 00:00 US Eastern). */
  midnight?: number;
}

export const PCAP_DEFAULTS = {
  srcMac: "02:00:00:00:00:01",
  srcIp: "198.18.0.1",
  dstIp: "233.54.12.111",
  srcPort: 26400,
  dstPort: 26400,
  ttl: 64,
  midnight: 1704171600,
} as const;

export interface PcapSummary extends MoldSummary {
  /** Bytes of pcap (before any compression). */
  bytes: number;
}

function parseMac(s: string): number[] {
  const b = s.split(/[:-]/).map((h) => (/^[0-9a-fA-F]{1,2}$/.test(h) ? parseInt(h, 16) : NaN));
  if (b.length !== 6 || b.some((x) => Number.isNaN(x))) throw new RangeError(`invalid MAC address '${s}'`);
  return b;
}

function parseIp(s: string): number[] {
  if (!isIPv4(s)) throw new RangeError(`invalid IPv4 address '${s}'`);
  return s.split(".").map(Number);
}

function port(p: number, what: string): number {
  if (!Number.isInteger(p) || p < 0 || p > 0xffff) throw new RangeError(`invalid ${what} ${p}`);
  return p;
}

/** Ones' complement sum of the 16-bit big-endian words of b[start, end). */
function sum16(b: Uint8Array, start: number, end: number, acc: number): number {
  let i = start;
  for (; i + 1 < end; i += 2) acc += (b[i] << 8) | b[i + 1];
  if (i < end) acc += b[i] << 8;
  return acc;
}

function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 65536);
  return acc;
}

/** The pcap file as chunks (new arrays, which the caller may keep); the return value counts the packets. */
export function* pcapChunks(source: SessionSource, o: PcapOptions = {}): Generator<Uint8Array, PcapSummary, undefined> {
  const srcIp = parseIp(o.srcIp ?? PCAP_DEFAULTS.srcIp);
  const dstIp = parseIp(o.dstIp ?? PCAP_DEFAULTS.dstIp);
  const srcMac = parseMac(o.srcMac ?? PCAP_DEFAULTS.srcMac);
  const dstMac = parseMac(
    o.dstMac ?? (dstIp[0] >= 224 && dstIp[0] <= 239 ? `01:00:5e:${(dstIp[1] & 0x7f).toString(16)}:${dstIp[2].toString(16)}:${dstIp[3].toString(16)}` : "02:00:00:00:00:02"),
  );
  const srcPort = port(o.srcPort ?? PCAP_DEFAULTS.srcPort, "source port");
  const dstPort = port(o.dstPort ?? PCAP_DEFAULTS.dstPort, "destination port");
  const ttl = o.ttl ?? PCAP_DEFAULTS.ttl;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 255) throw new RangeError(`invalid TTL ${ttl}`);
  const midnight = o.midnight ?? PCAP_DEFAULTS.midnight;
  if (!Number.isSafeInteger(midnight) || midnight < 0) throw new RangeError(`invalid midnight ${midnight}`);
  const udpSum = o.udpChecksum ?? true;
  let vlan: { id: number; pcp: number } | undefined;
  if (o.vlan !== undefined) {
    vlan = typeof o.vlan === "number" ? { id: o.vlan, pcp: 0 } : { id: o.vlan.id, pcp: o.vlan.pcp ?? 0 };
    if (!Number.isInteger(vlan.id) || vlan.id < 0 || vlan.id > 4095 || !Number.isInteger(vlan.pcp) || vlan.pcp < 0 || vlan.pcp > 7) {
      throw new RangeError(`invalid VLAN ${JSON.stringify(o.vlan)}`);
    }
  }

  // header template: Ethernet [802.1Q] IPv4 UDP
  const l2 = vlan ? 18 : 14;
  const hdrLen = l2 + 20 + 8;
  const tpl = new Uint8Array(hdrLen);
  const tdv = new DataView(tpl.buffer);
  tpl.set(dstMac, 0);
  tpl.set(srcMac, 6);
  if (vlan) {
    tdv.setUint16(12, 0x8100);
    tdv.setUint16(14, (vlan.pcp << 13) | vlan.id);
  }
  tdv.setUint16(l2 - 2, 0x0800);
  const ip = l2;
  tpl[ip] = 0x45;
  tdv.setUint16(ip + 6, 0x4000); // don't fragment
  tpl[ip + 8] = ttl;
  tpl[ip + 9] = 17;
  tpl.set(srcIp, ip + 12);
  tpl.set(dstIp, ip + 16);
  const udp = ip + 20;
  tdv.setUint16(udp, srcPort);
  tdv.setUint16(udp + 2, dstPort);
  // the constant part of the UDP pseudo-header sum: addresses and protocol
  const pseudo = sum16(tpl, ip + 12, ip + 20, 17) + srcPort + dstPort;

  const CHUNK = 1 << 20;
  let out = new Uint8Array(CHUNK);
  let odv = new DataView(out.buffer);
  let pos = 0;
  let bytes = 0;
  // global header, little-endian: microsecond magic, version 2.4, snaplen, linktype 1 (Ethernet)
  odv.setUint32(0, 0xa1b2c3d4, true);
  odv.setUint16(4, 2, true);
  odv.setUint16(6, 4, true);
  odv.setUint32(16, 65535, true);
  odv.setUint32(20, 1, true);
  pos = 24;

  let ipId = 0;
  const frames = moldFrames(source, { ...o, reuseBuffer: true });
  for (;;) {
    const r = frames.next();
    if (r.done) {
      if (pos > 0) yield out.subarray(0, pos);
      bytes += pos;
      return { ...r.value, bytes };
    }
    const { payload, timeNs } = r.value;
    const frameLen = hdrLen + payload.length;
    if (pos + 16 + frameLen > CHUNK) {
      yield out.subarray(0, pos);
      bytes += pos;
      out = new Uint8Array(CHUNK);
      odv = new DataView(out.buffer);
      pos = 0;
    }
    const sec = midnight + Math.floor(timeNs / 1e9);
    const usec = Math.floor((timeNs % 1e9) / 1000);
    odv.setUint32(pos, sec, true);
    odv.setUint32(pos + 4, usec, true);
    odv.setUint32(pos + 8, frameLen, true);
    odv.setUint32(pos + 12, frameLen, true);
    const f = pos + 16;
    out.set(tpl, f);
    out.set(payload, f + hdrLen);
    const udpLen = 8 + payload.length;
    odv.setUint16(f + ip + 2, 20 + udpLen);
    odv.setUint16(f + ip + 4, ipId);
    ipId = (ipId + 1) & 0xffff;
    odv.setUint16(f + ip + 10, ~fold(sum16(out, f + ip, f + ip + 20, 0)) & 0xffff);
    odv.setUint16(f + udp + 4, udpLen);
    if (udpSum) {
      const s = ~fold(sum16(payload, 0, payload.length, pseudo + udpLen + udpLen)) & 0xffff;
      odv.setUint16(f + udp + 6, s === 0 ? 0xffff : s);
    }
    pos = f + frameLen;
  }
}

// ---- files ----

async function writeChunks(path: string, chunks: () => Generator<Uint8Array>, o: FileOptions): Promise<void> {
  const source = async function* () {
    yield* chunks();
  };
  if (o.gzip ?? path.endsWith(".gz")) await pipeline(source, createGzip({ level: o.gzipLevel ?? 1 }), createWriteStream(path));
  else await pipeline(source, createWriteStream(path));
}

export interface FileOptions {
  /** Gzip the file (default: when the path ends with .gz). */
  gzip?: boolean;
  /** zlib level, 0..9 (default 1: about 3 times faster than zlib's default 6, for files ~10% larger). */
  gzipLevel?: number;
}

export interface ItchFileSummary {
  messages: number;
  /** Bytes of the binary file before any compression. */
  bytes: number;
  /** The generated session's summary when the source was SessionOptions. */
  session?: SessionSummary;
}

/** The NASDAQ binary ITCH file as chunks (new arrays): each message preceded by its u2 BE length. */
export function* itchFileChunks(source: SessionSource): Generator<Uint8Array, ItchFileSummary, undefined> {
  const { it, own } = chunkIterator(source, true);
  const sum: ItchFileSummary = { messages: 0, bytes: 0 };
  for (;;) {
    const r = it.next();
    if (r.done) {
      if (own && isSummary(r.value)) sum.session = r.value;
      return sum;
    }
    const c = r.value;
    let p = 0;
    while (p + 2 <= c.length) {
      p += 2 + ((c[p] << 8) | c[p + 1]);
      sum.messages++;
    }
    if (p !== c.length) throw new RangeError(`a chunk does not end at a message boundary`);
    sum.bytes += c.length;
    yield own ? c : c.slice(); // a caller's chunks may be views into a reused buffer
  }
}

/** Writes a NASDAQ binary ITCH file (gzipped if the name ends with .gz), streaming. */
export async function writeItchFile(path: string, source: SessionSource, o: FileOptions = {}): Promise<ItchFileSummary> {
  let sum: ItchFileSummary | undefined;
  await writeChunks(
    path,
    function* () {
      sum = yield* itchFileChunks(source);
    },
    o,
  );
  return sum!;
}

/** Writes a pcap of MoldUDP64 over Ethernet/IPv4/UDP (gzipped if the name ends with .gz), streaming. */
export async function writePcap(path: string, source: SessionSource, o: PcapOptions = {}): Promise<PcapSummary> {
  let sum: PcapSummary | undefined;
  await writeChunks(
    path,
    function* () {
      sum = yield* pcapChunks(source, o);
    },
    o,
  );
  return sum!;
}

/**
 * A session as parser input: each chunk of its NASDAQ binary file with the offset and length of
 * every message (bare, without its u16 length), ready for FeedParser.parse(chunk, "messages") or,
 * since each follows its length, "prefixed".
 */
export function* itchInputChunks(source: SessionSource): Generator<{ data: Uint8Array; count: number; offsets: number[]; lengths: number[] }> {
  for (const data of itchFileChunks(source)) {
    const offsets: number[] = [];
    const lengths: number[] = [];
    for (let at = 0; at < data.length;) {
      const len = (data[at] << 8) | data[at + 1];
      offsets.push(at + 2);
      lengths.push(len);
      at += 2 + len;
    }
    yield { data, count: offsets.length, offsets, lengths };
  }
}
