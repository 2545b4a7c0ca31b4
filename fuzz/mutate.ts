// Mutators: each takes an input (a frame, a UDP payload, a bare message, or a run of
// length-prefixed messages) and returns a changed copy. Some change bytes blindly (bit flips,
// interesting values, truncation, extension, splicing); the others aim at the fields a parser
// trusts: IP and UDP lengths, the session header's count, sequence number and session, each
// message block's length, a message's type.

import type { Rng } from "../src/itchgen/rng.js";
import {
  ETHERTYPE, IP, MIN_FRAME_HEADERS, payloadOffset, udpOffset, readField, writeField, be16, setBe16, blockOffsets,
  type Field, type Framing,
} from "./fields.js";

/** What an input is. */
export type Shape = "frame" | "payload" | "message" | "prefixed";

/** An input's context: what it is, its framing, the feed's type bytes, a second input to splice in. */
export interface Target {
  shape: Shape;
  framing: Framing;
  types: number[];
  partner: () => Uint8Array;
}

interface Mutator {
  name: string;
  shapes: Shape[];
  /** How often it is picked, relative to the others (default 1). */
  weight?: number;
  apply(b: Uint8Array, t: Target, rng: Rng): Uint8Array;
}

const INTERESTING = [0x00, 0xff, 0x7f, 0x80];
const U16_EXTREMES = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, 0xffff];
const U64_MAX = (1n << 64n) - 1n;

const ALL: Shape[] = ["frame", "payload", "message", "prefixed"];
const PACKETS: Shape[] = ["frame", "payload"];
const BLOCKS: Shape[] = ["frame", "payload", "prefixed"];

/** Where the session header starts in the input, or -1 (none, or no longer findable). */
function sessionAt(b: Uint8Array, t: Target): number {
  if (t.shape === "payload") return 0;
  if (t.shape === "frame") return payloadOffset(b);
  return -1;
}

/** Offsets of the input's message blocks (each a u16 length and a message). */
function blocksOf(b: Uint8Array, t: Target): number[] {
  if (t.shape === "prefixed") return blockOffsets(b, 0, b.length, false, 256);
  const s = sessionAt(b, t);
  return s < 0 ? [] : blockOffsets(b, s + t.framing.header, b.length, t.framing.blockLittleEndian);
}

function setU16(b: Uint8Array, at: number, v: number, littleEndian: boolean): void {
  if (at < 0 || at + 1 >= b.length) return;
  b[at + (littleEndian ? 0 : 1)] = v & 0xff;
  b[at + (littleEndian ? 1 : 0)] = (v >>> 8) & 0xff;
}

/** An extreme value for a 16-bit field whose honest value is `v`, or a random one. */
function extreme16(rng: Rng, v: number): number {
  const r = rng.int(4);
  if (r === 0) return (v + rng.range(-2, 2)) & 0xffff;
  if (r === 1) return rng.int(0x10000);
  return rng.pick(U16_EXTREMES);
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(256);
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Cut points worth trying: inside and at the end of every header, at and inside every message block. */
function boundaries(b: Uint8Array, t: Target): number[] {
  const cuts = [0, 1, b.length - 1];
  const s = sessionAt(b, t);
  if (t.shape === "frame") cuts.push(13, 14, 15, IP + 20 - 1, IP + 20, MIN_FRAME_HEADERS - 1, MIN_FRAME_HEADERS);
  if (s >= 0) for (let k = 0; k <= t.framing.header; k++) cuts.push(s + k);
  for (const at of blocksOf(b, t)) {
    const len = t.framing.blockLittleEndian && t.shape !== "prefixed" ? b[at] | (b[at + 1] << 8) : be16(b, at);
    cuts.push(at + 1, at + 2, at + 3, at + 2 + (len >>> 1), at + 1 + len, at + 2 + len);
  }
  return cuts.filter((c) => c >= 0 && c < b.length);
}

const sessionField = (name: "count" | "sequence" | "session" | "payloadLength" | "protocol") =>
  (b: Uint8Array, t: Target): { base: number; f: Field } | undefined => {
    const f = t.framing[name];
    const base = sessionAt(b, t);
    return f && base >= 0 && base + f.at + f.size <= b.length ? { base, f } : undefined;
  };

const countField = sessionField("count");
const sequenceField = sessionField("sequence");
const sessionIdField = sessionField("session");
const payloadLengthField = sessionField("payloadLength");
const protocolField = sessionField("protocol");

export const MUTATORS: Mutator[] = [
  {
    name: "bitFlip", shapes: ALL, apply(b, _t, rng) {
      for (let k = 1 + rng.int(4); k > 0 && b.length > 0; k--) b[rng.int(b.length)] ^= 1 << rng.int(8);
      return b;
    },
  },
  {
    name: "interestingByte", shapes: ALL, apply(b, _t, rng) {
      for (let k = 1 + rng.int(3); k > 0 && b.length > 0; k--) b[rng.int(b.length)] = rng.pick(INTERESTING);
      return b;
    },
  },
  {
    name: "truncate", shapes: ALL, apply(b, t, rng) {
      const cuts = boundaries(b, t);
      return b.subarray(0, rng.int(3) === 0 ? rng.int(b.length + 1) : rng.pick(cuts.length ? cuts : [0]));
    },
  },
  {
    name: "extend", shapes: ALL, apply(b, _t, rng) {
      if (rng.int(2) === 0 || b.length === 0) return concat(b, randomBytes(rng, 1 + rng.int(rng.pick([8, 64, 512]))));
      const from = rng.int(b.length);
      return concat(b, b.slice(from, from + 1 + rng.int(256)));
    },
  },
  {
    // Larger than any UDP datagram, as a capture record can be: past what a parser's record
    // region could hold if every 12 or 14 bytes were a message.
    name: "oversize", shapes: PACKETS, weight: 0.05, apply(b, _t, rng) {
      const out = new Uint8Array(rng.pick([0x10000, 196_608, 229_376, 262_144]) + rng.int(64));
      out.set(b.subarray(0, Math.min(b.length, out.length)));
      return out;
    },
  },
  {
    name: "splice", shapes: ALL, apply(b, t, rng) {
      const other = t.partner();
      const cut = rng.int(b.length + 1);
      return concat(b.subarray(0, cut), other.subarray(rng.int(2) === 0 ? cut : rng.int(other.length + 1)));
    },
  },
  {
    name: "count", shapes: PACKETS, apply(b, t, rng) {
      const c = countField(b, t);
      if (c) writeField(b, c.base, c.f, BigInt(extreme16(rng, Number(readField(b, c.base, c.f)))));
      return b;
    },
  },
  {
    name: "payloadLength", shapes: PACKETS, apply(b, t, rng) {
      const c = payloadLengthField(b, t);
      if (c) writeField(b, c.base, c.f, BigInt(extreme16(rng, Number(readField(b, c.base, c.f)))));
      return b;
    },
  },
  {
    name: "blockLength", shapes: BLOCKS, apply(b, t, rng) {
      const blocks = blocksOf(b, t);
      if (blocks.length === 0) return b;
      const at = rng.pick(blocks);
      const le = t.shape !== "prefixed" && t.framing.blockLittleEndian;
      const len = le ? b[at] | (b[at + 1] << 8) : be16(b, at);
      setU16(b, at, rng.int(3) === 0 ? (b.length - at - 2 + rng.range(-1, 1)) & 0xffff : extreme16(rng, len), le);
      return b;
    },
  },
  {
    name: "sequence", shapes: PACKETS, apply(b, t, rng) {
      const c = sequenceField(b, t);
      if (!c) return b;
      const seq = readField(b, c.base, c.f);
      const k = BigInt(1 + rng.int(1000));
      const jumps = [seq + k, seq - k, seq + (1n << BigInt(rng.range(16, 62))), 0n, 1n, U64_MAX, U64_MAX - k, 1n << 63n, 1n << 53n,
        BigInt(rng.u32()) << 32n | BigInt(rng.u32())];
      writeField(b, c.base, c.f, BigInt.asUintN(64, rng.pick(jumps)));
      return b;
    },
  },
  {
    name: "session", shapes: PACKETS, apply(b, t, rng) {
      const c = sessionIdField(b, t);
      if (!c) return b;
      if (c.f.size === 10) b[c.base + c.f.at + rng.int(10)] = rng.range(0x20, 0x7e);
      else writeField(b, c.base, c.f, BigInt(rng.pick([0, 1, 2, 0xffffffff, rng.u32()])));
      return b;
    },
  },
  {
    name: "protocol", shapes: PACKETS, apply(b, t, rng) {
      const c = protocolField(b, t);
      if (c) writeField(b, c.base, c.f, BigInt(rng.pick([0x8003, 0x8004, 0, 0xffff, rng.int(0x10000)])));
      return b;
    },
  },
  {
    name: "messageType", shapes: ALL, apply(b, t, rng) {
      const starts = t.shape === "message" ? [0] : blocksOf(b, t).map((at) => at + 2);
      const at = starts.length ? rng.pick(starts) : -1;
      if (at >= 0 && at < b.length) b[at] = rng.int(4) === 0 ? rng.int(256) : rng.pick(t.types);
      return b;
    },
  },
  {
    name: "ipLength", shapes: ["frame"], apply(b, _t, rng) {
      const total = be16(b, IP + 2);
      setBe16(b, IP + 2, rng.pick([extreme16(rng, total), b.length - IP, b.length - IP + 1, 19, 20, 27, 28]));
      return b;
    },
  },
  {
    name: "ihl", shapes: ["frame"], apply(b, _t, rng) {
      if (b.length > IP) b[IP] = (b[IP] & 0xf0) | rng.int(16);
      return b;
    },
  },
  {
    name: "udpLength", shapes: ["frame"], apply(b, _t, rng) {
      const udp = udpOffset(b);
      const at = udp >= 0 ? udp + 4 : IP + 20 + 4;
      setBe16(b, at, rng.pick([extreme16(rng, be16(b, at)), 0, 7, 8, 9, b.length - at + 4]));
      return b;
    },
  },
  {
    name: "ipHeader", shapes: ["frame"], apply(b, _t, rng) {
      const r = rng.int(4);
      if (r === 0) setBe16(b, ETHERTYPE, rng.pick([0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8, rng.int(0x10000)]));
      else if (r === 1) setBe16(b, IP + 6, rng.pick([0x2000, 0x0001, 0x3fff, 0x4000, 0]));
      else if (r === 2 && b.length > IP + 9) b[IP + 9] = rng.pick([6, 17, 0, 1, 44]);
      else {
        // A VLAN tag (or two) before the EtherType: the same frame, tagged.
        const tag = new Uint8Array([rng.int(2) ? 0x81 : 0x88, rng.int(2) ? 0x00 : 0xa8, rng.int(16), rng.int(256)]);
        return concat(concat(b.subarray(0, ETHERTYPE), tag), b.subarray(ETHERTYPE));
      }
      return b;
    },
  },
  {
    name: "dstPort", shapes: ["frame"], apply(b, _t, rng) {
      const udp = udpOffset(b);
      if (udp >= 0) setBe16(b, udp + 2, rng.pick([0, 1, 0xffff, rng.int(0x10000), be16(b, udp + 2) + 1]));
      return b;
    },
  },
];

const BY_SHAPE: Record<Shape, Mutator[]> = Object.fromEntries(ALL.map((s) => [s, MUTATORS.filter((m) => m.shapes.includes(s))])) as Record<Shape, Mutator[]>;

function pickMutator(shape: Shape, rng: Rng): Mutator {
  const ms = BY_SHAPE[shape];
  let r = rng.next() * ms.reduce((a, m) => a + (m.weight ?? 1), 0);
  for (const m of ms) {
    r -= m.weight ?? 1;
    if (r < 0) return m;
  }
  return ms[ms.length - 1];
}

/** Mutations of one input: one to three mutators applied to a copy; returns the copy and their names. */
export function mutate(input: Uint8Array, t: Target, rng: Rng): { bytes: Uint8Array; applied: string[] } {
  let b: Uint8Array = input.slice();
  const applied: string[] = [];
  for (let k = rng.int(4) === 0 ? 2 + rng.int(2) : 1; k > 0; k--) {
    const m = pickMutator(t.shape, rng);
    b = m.apply(b, t, rng);
    applied.push(m.name);
  }
  // A run of prefixed messages starts with a length prefix: never shorter than one.
  if (t.shape === "prefixed" && b.length < 2) b = concat(b, new Uint8Array(2 - b.length));
  return { bytes: b, applied };
}

/** Random bytes, sometimes behind a valid frame's or packet's headers: garbage the framing layers see too. */
export function junk(t: Target, template: Uint8Array, rng: Rng): Uint8Array {
  const b = randomBytes(rng, rng.int(rng.pick([16, 160, 600])));
  const keep = t.shape === "frame" ? MIN_FRAME_HEADERS : t.shape === "payload" ? t.framing.header : 0;
  if (keep > 0 && rng.int(2) === 0) b.set(template.subarray(0, Math.min(keep, b.length)));
  return t.shape === "prefixed" && b.length < 2 ? concat(b, new Uint8Array(2)) : b;
}
