// Building feed traffic for tests: MoldUDP64 and IEX-TP packets, Ethernet frames around them,
// messages encoded from a schema table with chosen field values.

import { udpFrame } from "../../src/socket/frame.js";
import type { Schema, FieldDef } from "../../src/feeds/schema.js";
import { FeedParser, type EntryKind } from "../../src/feeds/parser.js";
import { itch50 } from "../../src/feeds/feeds.js";
import { itchInputChunks } from "../../src/itchgen/itch-writers.js";

export const ENDS = { srcMac: "02:00:00:00:00:01", dstMac: "02:00:00:00:00:02", srcIp: "198.18.0.1", dstIp: "198.18.0.2", srcPort: 30000, dstPort: 26400 };

export function mold(session: string, seq: number | bigint, msgs: Uint8Array[], count = msgs.length): Uint8Array {
  const len = 20 + msgs.reduce((a, m) => a + 2 + m.length, 0);
  const p = new Uint8Array(len);
  const dv = new DataView(p.buffer);
  p.set(new TextEncoder().encode(session.padEnd(10).slice(0, 10)), 0);
  dv.setBigUint64(10, BigInt(seq));
  dv.setUint16(18, count);
  let at = 20;
  for (const m of msgs) {
    dv.setUint16(at, m.length);
    p.set(m, at + 2);
    at += 2 + m.length;
  }
  return p;
}

export function iextp(protocol: number, session: number, seq: number | bigint, msgs: Uint8Array[], count = msgs.length): Uint8Array {
  const body = msgs.reduce((a, m) => a + 2 + m.length, 0);
  const p = new Uint8Array(40 + body);
  const dv = new DataView(p.buffer);
  p[0] = 1;
  dv.setUint16(2, protocol, true);
  dv.setUint32(4, 1, true);
  dv.setUint32(8, session, true);
  dv.setUint16(12, body, true);
  dv.setUint16(14, count, true);
  dv.setBigUint64(24, BigInt(seq), true);
  let at = 40;
  for (const m of msgs) {
    dv.setUint16(at, m.length, true);
    p.set(m, at + 2);
    at += 2 + m.length;
  }
  return p;
}

export const frameOf = (payload: Uint8Array): Uint8Array => udpFrame(ENDS, payload);

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

/** Encodes a message of `type` from a schema, with values by field name (type byte at 0). */
export function encodeBySchema(schema: Schema, type: string, values: Record<string, number | bigint | string>): Uint8Array {
  const def = schema.messages[type];
  const m = new Uint8Array(def.length);
  const dv = new DataView(m.buffer);
  const le = schema.littleEndian;
  m[0] = type.charCodeAt(0);
  for (const f of def.fields) {
    if (f.offset === 0) continue;
    const v = values[f.name];
    if (v === undefined) continue;
    switch (f.kind) {
      case "char": m[f.offset] = String(v).charCodeAt(0); break;
      case "alpha": m.set(new TextEncoder().encode(String(v).padEnd(f.size)), f.offset); break;
      case "u1": m[f.offset] = Number(v); break;
      case "u2": dv.setUint16(f.offset, Number(v), le); break;
      case "u4": dv.setUint32(f.offset, Number(v), le); break;
      case "u6": {
        const n = BigInt(v);
        if (le) { dv.setUint32(f.offset, Number(n & 0xffffffffn), true); dv.setUint16(f.offset + 4, Number(n >> 32n), true); }
        else { dv.setUint16(f.offset, Number(n >> 32n)); dv.setUint32(f.offset + 2, Number(n & 0xffffffffn)); }
        break;
      }
      case "u8": dv.setBigUint64(f.offset, BigInt(v), le); break;
      case "i8": dv.setBigInt64(f.offset, BigInt(v), le); break;
    }
  }
  return m;
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
