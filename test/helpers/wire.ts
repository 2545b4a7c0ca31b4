// Building feed traffic for tests: MoldUDP64 and IEX-TP packets, Ethernet frames around them,
// messages encoded from a schema table with chosen field values.

import type { FieldDef } from "../../src/feeds/schema.js";
import { mold, iextp, encodeBySchema, frameOf, SYNTHETIC_ENDS } from "../../src/feeds/encode.js";

export { mold, iextp, encodeBySchema, frameOf };
import { FeedParser, type EntryKind, type InputChunk } from "../../src/feeds/parser.js";
import { itch50, type Feed } from "../../src/feeds/feeds.js";
import { itchInputChunks } from "../../src/itchgen/itch-writers.js";
import { generateSession, forEachMessage, type SessionOptions } from "../../src/itchgen/itch-session.js";

export const ENDS = SYNTHETIC_ENDS;

/** Values that stress each field kind: all zero, or the maximum of each width. */
export function extremeValue(f: FieldDef, max: boolean): number | bigint | string {
  switch (f.kind) {
    case "char": return max ? "~" : " ";
    case "alpha": return max ? "ZYXWVUTSRQ".slice(0, f.size) : "";
    case "u1": return max ? 255 : 0;
    case "u2": return max ? 0xffff : 0;
    case "u4": return max ? 0xffffffff : 0;
    case "u6": return max ? 2 ** 48 - 1 : 0;
    case "u8": return max ? 0xffffffffffffffffn : 0n;
    case "i8": return max ? 0x7fffffffffffffffn : -0x8000000000000000n;
  }
}

/** What decode --json shows for a value: trimmed strings, integers above 2^53 - 1 as strings. */
export function jsonValue(f: FieldDef, v: number | bigint | string): number | string {
  if (f.kind === "alpha") return String(v).trimEnd();
  if (typeof v === "bigint") return v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER) ? v.toString() : Number(v);
  return v;
}

/** Parses entries and returns every delivered record as [tick copy, full message JSON]. */
export function parseAll(p: FeedParser, entries: Uint8Array[], kind: EntryKind): Array<{ tick: Record<string, number | string>; msg: Record<string, number | string> }> {
  const data = new Uint8Array(entries.reduce((a, e) => a + e.length, 0));
  const offsets: number[] = [];
  let at = 0;
  for (const e of entries) {
    offsets.push(at);
    data.set(e, at);
    at += e.length;
  }
  const out: Array<{ tick: Record<string, number | string>; msg: Record<string, number | string> }> = [];
  p.parse({ data, count: entries.length, offsets, lengths: entries.map((e) => e.length) }, kind, (n) => {
    for (let i = 0; i < n; i++) {
      const t = p.ticks.at(i);
      out.push({ tick: t.copy(), msg: p.message.at(t.msgOffset, t.msgLength).toJSON(kind === "messages" ? undefined : t.seq) });
    }
  });
  return out;
}

/** A classic pcap file (little-endian, microseconds, Ethernet) holding these frames, a second apart. */
export function pcapOf(frames: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(24 + frames.reduce((a, f) => a + 16 + f.length, 0));
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true);
  v.setUint32(20, 1, true);
  let at = 24;
  frames.forEach((f, i) => {
    v.setUint32(at, i, true);
    v.setUint32(at + 8, f.length, true);
    v.setUint32(at + 12, f.length, true);
    out.set(f, at + 16);
    at += 16 + f.length;
  });
  return out;
}

/** As parseAll, the entries laid one after another in the parser's input region and parsed there. */
export function parsePlaced(p: FeedParser, entries: Uint8Array[], kind: EntryKind = "frames"): ReturnType<typeof parseAll> {
  const offsets: number[] = [];
  let at = 0;
  for (const e of entries) {
    offsets.push(at);
    p.input.set(e, at);
    at += e.length;
  }
  const out: ReturnType<typeof parseAll> = [];
  p.parsePlaced(entries.length, offsets, entries.map((e) => e.length), kind, (n) => {
    for (let i = 0; i < n; i++) {
      const t = p.ticks.at(i);
      out.push({ tick: t.copy(), msg: p.message.at(t.msgOffset, t.msgLength).toJSON(t.seq) });
    }
  });
  return out;
}

/** A generated session decoded from its NASDAQ binary file: one JSON line per message, the reference. */
export function sessionReference(session: { seed: number; symbols: number; messages: number }): string[] {
  const p = new FeedParser(itch50);
  const out: string[] = [];
  for (const chunk of itchInputChunks(session)) {
    p.parse(chunk, "messages", (n) => {
      for (let i = 0; i < n; i++) out.push(JSON.stringify(p.message.at(p.ticks.at(i).msgOffset, p.ticks.msgLength).toJSON()));
    });
  }
  return out;
}

/** The parts one after another in one array. */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A generated session's messages in one buffer, as one chunk of bare messages (one entry each). */
export function sessionChunk(o: SessionOptions): { data: Uint8Array; count: number; offsets: Uint32Array; lengths: Uint32Array } {
  const data = concatBytes([...generateSession({ ...o, reuseBuffer: false })]);
  const offsets = new Uint32Array(o.messages);
  const lengths = new Uint32Array(o.messages);
  let n = 0;
  forEachMessage(data, (_b, off, len) => {
    offsets[n] = off;
    lengths[n++] = len;
  });
  return { data, count: n, offsets, lengths };
}

/** Entries (offsets, lengths) of a chunk of length-prefixed messages. */
export function entriesOf(chunk: Uint8Array): InputChunk {
  const offsets: number[] = [];
  const lengths: number[] = [];
  forEachMessage(chunk, (_b, off, len) => {
    offsets.push(off);
    lengths.push(len);
  });
  return { data: chunk, count: offsets.length, offsets, lengths };
}

/**
 * Frames of two lines (UDP ports `lines`) parsed by one A/B-arbitrating parser of `feed`, a few
 * frames per chunk as packets trickle in: each record's sequence number in the order handed over,
 * how many before the final flush, and the summary.
 */
export function arbitrateFrames(feed: Feed, lines: [number, number], order: Uint8Array[]) {
  const p = new FeedParser(feed, { lines });
  const seqs: number[] = [];
  const take = (n: number) => {
    for (let i = 0; i < n; i++) seqs.push(p.ticks.at(i).seq);
  };
  for (let i = 0; i < order.length; i += 7) {
    const chunk = order.slice(i, i + 7);
    const data = concatBytes(chunk);
    const offsets: number[] = [];
    let at = 0;
    for (const f of chunk) { offsets.push(at); at += f.length; }
    p.parse({ data, count: chunk.length, offsets, lengths: chunk.map((f) => f.length) }, "frames", take);
  }
  const beforeFlush = seqs.length;
  p.flush(take);
  return { seqs, beforeFlush, s: p.summary() };
}
