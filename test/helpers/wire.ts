// Building feed traffic for tests: MoldUDP64 and IEX-TP packets, Ethernet frames around them,
// messages encoded from a schema table with chosen field values.

import type { FieldDef } from "../../src/feeds/schema.js";
import { mold, iextp, encodeBySchema, frameOf, SYNTHETIC_ENDS } from "../../src/feeds/encode.js";

export { mold, iextp, encodeBySchema, frameOf };
import { FeedParser, type EntryKind } from "../../src/feeds/parser.js";
import { itch50 } from "../../src/feeds/feeds.js";
import { itchInputChunks } from "../../src/itchgen/itch-writers.js";

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
