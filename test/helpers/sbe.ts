// SBE feeds for tests: modules generated from a schema and compiled once (release only) into
// assembly/build/generated/, keyed by a hash of the generated source and the AssemblyScript it
// imports, so a test run compiles a schema's module only when either changed; values of every
// field of a message at zero, at its maximum or null; records and messages of parsed payloads.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { readSbeSchema, PRIMITIVE_SIZE, type SbeSchema, type SbeField, type SbeGroup, type SbeData, type FieldType, type Primitive } from "../../src/sbe/schema.js";
import { generate } from "../../src/sbe/generate.js";
import { sbeFeedSchema } from "../../src/sbe/feed-schema.js";
import type { SbeObject, SbeValue } from "../../src/sbe/codec.js";
import { feedFromModule, type Feed } from "../../src/feeds/feeds.js";
import { buildFeed } from "../../src/feeds/build-feed.js";
import { FeedParser } from "../../src/feeds/parser.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CACHE = join(ROOT, "assembly/build/generated");

function sourcesHash(module: string): string {
  const h = createHash("sha256").update(module);
  const walk = (dir: string): void => {
    for (const f of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (f.name === "build") continue;
      const p = join(dir, f.name);
      if (f.isDirectory()) walk(p);
      else if (f.name.endsWith(".ts") && !f.name.endsWith(".as.ts")) h.update(p).update(readFileSync(p));
    }
  };
  walk(join(ROOT, "assembly"));
  return h.digest("hex").slice(0, 16);
}

/** A feed generated from a schema file and compiled (or taken from the cache). */
export async function generatedFeed(schemaFile: string, name: string, o: { mdp3Book?: boolean } = {}): Promise<{ feed: Feed; schema: SbeSchema; module: string }> {
  const schema = readSbeSchema(readFileSync(schemaFile, "utf8"), schemaFile);
  const files = generate(schema, { name, source: schemaFile, mdp3Book: o.mdp3Book });
  const key = `${name}-${sourcesHash(files.module)}`;
  const wasm = join(CACHE, `${key}.wasm`);
  if (!existsSync(wasm)) {
    mkdirSync(CACHE, { recursive: true });
    const stage = mkdtempSync(join(tmpdir(), "xdpfeed-sbe-"));
    try {
      const src = join(stage, `${name}.as.ts`);
      writeFileSync(src, files.module);
      await buildFeed(src, { outDir: CACHE, name: key, releaseOnly: true });
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
  }
  return { feed: feedFromModule({ name, wasm, schema: sbeFeedSchema(name, schema), framing: "mdp3" }), schema, module: files.module };
}

export interface Parsed {
  ticks: Array<Record<string, number | string>>;
  /** One per message (its records share its bytes), decoded by the full-message view. */
  messages: SbeObject[];
}

/** Parses UDP payloads (SBE packets) and returns every record and every message. */
export function parsePayloads(p: FeedParser, payloads: Uint8Array[]): Parsed {
  const data = new Uint8Array(payloads.reduce((a, e) => a + e.length, 0));
  const offsets: number[] = [];
  let at = 0;
  for (const e of payloads) {
    offsets.push(at);
    data.set(e, at);
    at += e.length;
  }
  const out: Parsed = { ticks: [], messages: [] };
  let last = -1;
  p.parse({ data, count: payloads.length, offsets, lengths: payloads.map((e) => e.length) }, "payloads", (n) => {
    for (let i = 0; i < n; i++) {
      const t = p.ticks.at(i);
      out.ticks.push(t.copy());
      if (t.msgOffset !== last) out.messages.push(p.message.at(t.msgOffset, t.msgLength).sbe());
      last = t.msgOffset;
    }
    last = -1;
  });
  return out;
}

export type Extreme = "zero" | "max" | "null";

const MAX: Record<Primitive, bigint> = {
  char: 0x7en, int8: 127n, uint8: 255n, int16: 32767n, uint16: 65535n, int32: 2147483647n, uint32: 4294967295n,
  int64: 9223372036854775807n, uint64: 18446744073709551615n, float: 0n, double: 0n,
};
const MIN: Partial<Record<Primitive, bigint>> = { int8: -128n, int16: -32768n, int32: -2147483648n, int64: -9223372036854775808n };
const num = (v: bigint): number | string => (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString());

// The largest value that is not the type's null (its maxValue when the schema gives one).
function maxOf(p: Primitive, nullValue: string, optional: boolean, max?: string): bigint {
  if (max !== undefined) return BigInt(max);
  const m = MAX[p];
  return optional && BigInt.asUintN(64, m) === BigInt.asUintN(64, BigInt(nullValue)) ? m - 1n : m;
}

function value(t: FieldType, x: Extreme): SbeValue | undefined {
  switch (t.class) {
    case "primitive":
      if (t.presence === "constant") return undefined;
      if (t.primitive === "float" || t.primitive === "double") {
        if (x === "null") return t.presence === "optional" ? null : -1.5;
        return x === "zero" ? 0 : t.primitive === "float" ? 3.4028234663852886e38 : Number.MAX_VALUE;
      }
      if (t.primitive === "char") return x === "max" ? "~" : x === "null" && t.presence === "optional" ? null : "\u0000";
      if (x === "null") return t.presence === "optional" ? null : num(t.min !== undefined ? BigInt(t.min) : MIN[t.primitive] ?? 0n);
      return x === "zero" ? 0 : num(maxOf(t.primitive, t.nullValue, t.presence === "optional", t.max));
    case "chars":
      return t.presence === "constant" ? undefined : x === "max" ? "Z".repeat(t.length) : "";
    case "enum":
      if (t.presence === "constant") return undefined;
      return x === "null" ? null : x === "zero" ? t.values[0]?.name ?? 0 : t.values[t.values.length - 1]?.name ?? 0;
    case "set":
      return x === "max" ? t.choices.map((c) => c.name) : [];
    case "array":
      return Array.from({ length: t.length }, () => (x === "max" ? num(MAX[t.primitive]) : 0));
    case "composite":
      return Object.fromEntries(t.fields.map((f) => [f.name, value(f.type, x)]).filter(([, v]) => v !== undefined));
    case "decimal": {
      if (x === "null") return t.presence === "optional" ? (t.exponent === null ? { mantissa: null, exponent: 0 } : null) : num(MIN[t.mantissa] ?? 0n);
      const m = x === "zero" ? 0 : num(maxOf(t.mantissa, t.nullValue, t.presence === "optional"));
      return t.exponent === null ? { mantissa: m, exponent: x === "zero" ? 0 : 127 } : m;
    }
  }
}

// The longest var data a test writes: its length's maxValue or the primitive's maximum, at most
// VAR_MAX bytes (a packet is one UDP payload).
const VAR_MAX = 300;

/**
 * Var data at an extreme: empty for zero and null (SBE's var data has no null), for max the most
 * bytes its length allows up to VAR_MAX: text with a multi-byte UTF-8 character, or raw bytes
 * 00..ff (as hex).
 */
function dataValue(d: SbeData, x: Extreme): string {
  if (x !== "max") return "";
  const n = Math.min(VAR_MAX, d.maxLength ?? Infinity, 2 ** (8 * PRIMITIVE_SIZE[d.lengthPrimitive]) - 1);
  if (!d.encoding) return Array.from({ length: n }, (_, i) => (i & 0xff).toString(16).padStart(2, "0")).join("");
  const ascii = /^(us-)?ascii$/i.test(d.encoding);
  return ascii ? "~".repeat(n) : "é" + "Z".repeat(n - 2);
}

/**
 * Values of every field (not the constants) at an extreme, groups with `entries` entries each
 * (their nested groups 2 when many), and var data (`data`, and each group's own) by dataValue.
 */
export function extremeValues(fields: SbeField[], groups: SbeGroup[], x: Extreme, entries: number, version = Infinity, data: SbeData[] = []): SbeObject {
  const o: SbeObject = {};
  for (const f of fields) {
    if (f.sinceVersion > version) continue;
    const v = value(f.type, x);
    if (v !== undefined) o[f.name] = v;
  }
  for (const g of groups) {
    if (g.sinceVersion > version) continue;
    o[g.name] = Array.from({ length: entries }, () => extremeValues(g.fields, g.groups, x, entries > 1 ? 2 : entries, version, g.data));
  }
  for (const d of data) if (d.sinceVersion <= version) o[d.name] = dataValue(d, x);
  return o;
}

/** The constant fields of a block as decoded (for comparing a decoded message with its values). */
export function constantsOf(fields: SbeField[]): string[] {
  return fields.filter((f) => f.size === 0).map((f) => f.name);
}

/** A decoded message (or entry) without its constant fields, groups and composites included: what was encoded. */
export function withoutConstants(o: SbeObject, fields: SbeField[], groups: SbeGroup[]): SbeObject {
  const out: SbeObject = { ...o };
  for (const f of fields) {
    if (f.size === 0) delete out[f.name];
    else if (f.type.class === "composite" && out[f.name] && typeof out[f.name] === "object") out[f.name] = withoutConstants(out[f.name] as SbeObject, f.type.fields, []);
  }
  for (const g of groups) {
    if (Array.isArray(out[g.name])) out[g.name] = (out[g.name] as SbeObject[]).map((e) => withoutConstants(e, g.fields, g.groups));
  }
  return out;
}
