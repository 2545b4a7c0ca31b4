// SBE messages to plain objects and back, driven by a resolved schema (./schema.ts): the
// full-message view of generated feeds (decode --json, MessageView) and their encoders (tests,
// synthetic streams). Values: integers as numbers (as decimal strings beyond 2^53 - 1), char
// arrays as strings with their padding trimmed, enums by value name (the raw value, as a number,
// when the schema names none), sets as arrays of the choice names set, composites as objects,
// decimals as their mantissa (the integer price at the type's scale; an explicit exponent gives
// { mantissa, exponent }), optional fields at their null value as null, groups as arrays, var data
// as strings (hex for raw bytes). A field the message's version or block does not carry is absent.
//
// Decoding checks every length against the message's end: a group count or block length, or a
// var data length, running past it throws SbeDecodeError (the wasm parser counts the same cases).

import { XdpfeedError } from "../../bridge/errors.js";
import type { SbeSchema, SbeMessage, SbeField, SbeGroup, SbeData, FieldType, Primitive } from "./schema.js";
import { PRIMITIVE_SIZE } from "./schema.js";

export type SbeValue = number | string | null | boolean | SbeValue[] | { [k: string]: SbeValue };
export type SbeObject = { [k: string]: SbeValue };

export class SbeDecodeError extends XdpfeedError {
  constructor(message: string) {
    super("ESBEDECODE", message);
    this.name = "SbeDecodeError";
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function readInt(dv: DataView, p: number, t: Primitive, le: boolean): bigint {
  switch (t) {
    case "char":
    case "uint8": return BigInt(dv.getUint8(p));
    case "int8": return BigInt(dv.getInt8(p));
    case "int16": return BigInt(dv.getInt16(p, le));
    case "uint16": return BigInt(dv.getUint16(p, le));
    case "int32": return BigInt(dv.getInt32(p, le));
    case "uint32": return BigInt(dv.getUint32(p, le));
    case "int64": return dv.getBigInt64(p, le);
    case "uint64": return dv.getBigUint64(p, le);
    default: throw new SbeDecodeError(`${t} is not an integer type`);
  }
}

function writeNumber(dv: DataView, p: number, t: Primitive, le: boolean, v: bigint | number): void {
  switch (t) {
    case "float": dv.setFloat32(p, Number(v), le); return;
    case "double": dv.setFloat64(p, Number(v), le); return;
  }
  const size = PRIMITIVE_SIZE[t] * 8;
  const b = BigInt.asUintN(size, BigInt(v));
  switch (size) {
    case 8: dv.setUint8(p, Number(b)); return;
    case 16: dv.setUint16(p, Number(b), le); return;
    case 32: dv.setUint32(p, Number(b), le); return;
    default: dv.setBigUint64(p, b, le);
  }
}

const num = (v: bigint): number | string => (v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v.toString());
const isNull = (v: bigint, t: Primitive, nullValue: string): boolean => {
  const n = BigInt(nullValue);
  return v === n || BigInt.asUintN(PRIMITIVE_SIZE[t] * 8, v) === BigInt.asUintN(PRIMITIVE_SIZE[t] * 8, n);
};

/** Reads a field's value at p (the field's own offset already added). */
function readType(dv: DataView, u8: Uint8Array, p: number, t: FieldType, le: boolean): SbeValue {
  switch (t.class) {
    case "primitive": {
      if (t.presence === "constant") return t.primitive === "char" ? String.fromCharCode(Number(t.constant)) : constantValue(t.constant!);
      if (t.primitive === "float" || t.primitive === "double") {
        const v = t.primitive === "float" ? dv.getFloat32(p, le) : dv.getFloat64(p, le);
        return t.presence === "optional" && Number.isNaN(v) ? null : Number.isFinite(v) ? v : String(v);
      }
      const v = readInt(dv, p, t.primitive, le);
      if (t.presence === "optional" && isNull(v, t.primitive, t.nullValue)) return null;
      return t.primitive === "char" ? String.fromCharCode(Number(v)) : num(v);
    }
    case "chars": {
      if (t.presence === "constant") return t.constant ?? "";
      let end = p;
      while (end < p + t.length && u8[end] !== 0) end++;
      while (end > p && u8[end - 1] === 0x20) end--;
      return String.fromCharCode(...u8.subarray(p, end));
    }
    case "enum": {
      const raw = t.presence === "constant" ? BigInt(t.constant ?? "0") : readInt(dv, p, t.primitive, le);
      const hit = t.values.find((x) => BigInt(x.value) === raw);
      if (hit) return hit.name;
      if (isNull(raw, t.primitive, t.nullValue)) return null;
      return num(raw);
    }
    case "array": {
      const size = PRIMITIVE_SIZE[t.primitive];
      const elem: FieldType = { class: "primitive", primitive: t.primitive, presence: "required", nullValue: "0" };
      return Array.from({ length: t.length }, (_, i) => readType(dv, u8, p + i * size, elem, le));
    }
    case "set": {
      const raw = readInt(dv, p, t.primitive, le);
      return t.choices.filter((c) => (raw >> BigInt(c.bit)) & 1n).map((c) => c.name);
    }
    case "composite": {
      const o: SbeObject = {};
      for (const f of t.fields) o[f.name] = readType(dv, u8, p + f.offset, f.type, le);
      return o;
    }
    case "decimal": {
      const m = readInt(dv, p, t.mantissa, le);
      const mantissa = t.presence === "optional" && isNull(m, t.mantissa, t.nullValue) ? null : num(m);
      if (t.exponent !== null) return mantissa;
      return { mantissa, exponent: Number(readInt(dv, p + PRIMITIVE_SIZE[t.mantissa], t.exponentPrimitive!, le)) };
    }
  }
}

function constantValue(c: string): number | string {
  return /^-?\d+$/.test(c) ? num(BigInt(c)) : c;
}

/** The message of a template id, or undefined. */
export function messageOf(schema: SbeSchema, templateId: number): SbeMessage | undefined {
  return schema.messages.find((m) => m.id === templateId);
}

/**
 * Decodes the message at p (its SBE header first) of at most len bytes. Unknown templates give
 * { templateId, unknown: true }.
 */
export function decodeMessage(schema: SbeSchema, buf: ArrayBufferLike | Uint8Array, p: number, len: number): SbeObject {
  const u8 = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const le = schema.littleEndian;
  const h = schema.header;
  const end = p + len;
  if (len < h.size) throw new SbeDecodeError(`message of ${len} bytes is shorter than the ${h.size}-byte SBE header`);
  const blockLength = Number(readInt(dv, p + h.blockLength.offset, h.blockLength.primitive, le));
  const templateId = Number(readInt(dv, p + h.templateId.offset, h.templateId.primitive, le));
  const version = Number(readInt(dv, p + h.version.offset, h.version.primitive, le));
  const m = messageOf(schema, templateId);
  if (!m) return { templateId, version, blockLength, unknown: true };
  const out: SbeObject = { template: m.name, templateId, version };
  let at = p + h.size;
  if (at + blockLength > end) throw new SbeDecodeError(`${m.name}: block of ${blockLength} bytes runs past the message (${len} bytes)`);
  readFields(dv, u8, at, blockLength, m.fields, version, le, out);
  at += blockLength;
  at = readGroups(dv, u8, at, end, m.groups, m.data, version, le, out, m.name);
  return out;
}

function readFields(dv: DataView, u8: Uint8Array, at: number, blockLength: number, fields: SbeField[], version: number, le: boolean, out: SbeObject): void {
  for (const f of fields) {
    if (f.sinceVersion > version) continue;
    if (f.size > 0 && f.offset + f.size > blockLength) continue;
    out[f.name] = readType(dv, u8, at + f.offset, f.type, le);
  }
}

function readGroups(dv: DataView, u8: Uint8Array, at: number, end: number, groups: SbeGroup[], data: SbeData[], version: number, le: boolean, out: SbeObject, where: string): number {
  for (const g of groups) {
    if (g.sinceVersion > version) continue;
    const d = g.dimension;
    if (at + d.size > end) throw new SbeDecodeError(`${where}.${g.name}: group header runs past the message`);
    const bl = Number(readInt(dv, at + d.blockLengthOffset, d.blockLengthPrimitive, le));
    const n = Number(readInt(dv, at + d.countOffset, d.countPrimitive, le));
    at += d.size;
    const entries: SbeObject[] = [];
    for (let i = 0; i < n; i++) {
      if (at + bl > end) throw new SbeDecodeError(`${where}.${g.name}: ${n} entries of ${bl} bytes run past the message`);
      const e: SbeObject = {};
      readFields(dv, u8, at, bl, g.fields, version, le, e);
      at += bl;
      at = readGroups(dv, u8, at, end, g.groups, g.data, version, le, e, `${where}.${g.name}`);
      entries.push(e);
    }
    out[g.name] = entries;
  }
  for (const v of data) {
    if (v.sinceVersion > version) continue;
    const ls = PRIMITIVE_SIZE[v.lengthPrimitive];
    if (at + ls > end) throw new SbeDecodeError(`${where}.${v.name}: var data length runs past the message`);
    const n = Number(readInt(dv, at, v.lengthPrimitive, le));
    at += ls;
    if (at + n > end) throw new SbeDecodeError(`${where}.${v.name}: ${n} bytes of var data run past the message`);
    if (v.maxLength !== undefined && n > v.maxLength) throw new SbeDecodeError(`${where}.${v.name}: ${n} bytes of var data, more than its length's maxValue ${v.maxLength}`);
    const bytes = u8.subarray(at, at + n);
    out[v.name] = v.encoding ? new TextDecoder(v.encoding.toLowerCase() === "us-ascii" ? "latin1" : v.encoding).decode(bytes) : Buffer.from(bytes).toString("hex");
    at += n;
  }
  return at;
}

export interface EncodeOptions {
  /** The version written in the header (default the schema's): fields since a later one are left out. */
  version?: number;
  /** The root block length written (default the message's, or the end of the fields that version has). */
  blockLength?: number;
}

/** Encodes a message (SBE header first) from a plain object in decodeMessage's shape. */
export function encodeMessage(schema: SbeSchema, template: number | string, values: SbeObject, o: EncodeOptions = {}): Uint8Array {
  const m = typeof template === "number" ? messageOf(schema, template) : schema.messages.find((x) => x.name === template);
  if (!m) throw new SbeDecodeError(`the schema has no message ${template}`);
  const version = o.version ?? schema.version;
  const le = schema.littleEndian;
  const parts: Uint8Array[] = [];
  const h = schema.header;
  const hdr = new Uint8Array(h.size);
  const hdv = new DataView(hdr.buffer);
  const known = version >= schema.version ? m.blockLength : blockOf(m.fields, version, m.blockLength);
  const blockLength = o.blockLength ?? known;
  writeNumber(hdv, h.blockLength.offset, h.blockLength.primitive, le, blockLength);
  writeNumber(hdv, h.templateId.offset, h.templateId.primitive, le, m.id);
  writeNumber(hdv, h.schemaId.offset, h.schemaId.primitive, le, schema.id);
  writeNumber(hdv, h.version.offset, h.version.primitive, le, version);
  parts.push(hdr, writeBlock(m.fields, blockLength, values, version, le));
  writeGroups(m.groups, m.data, values, version, le, parts);
  const total = parts.reduce((a, b) => a + b.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of parts) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

// An older version's block: up to the end of the fields it has.
function blockOf(fields: SbeField[], version: number, full: number): number {
  const newer = fields.filter((f) => f.sinceVersion > version && f.size > 0);
  if (newer.length === 0) return full;
  return Math.min(...newer.map((f) => f.offset));
}

function writeBlock(fields: SbeField[], blockLength: number, values: SbeObject, version: number, le: boolean): Uint8Array {
  const b = new Uint8Array(blockLength);
  const dv = new DataView(b.buffer);
  for (const f of fields) {
    if (f.sinceVersion > version || f.size === 0 || f.offset + f.size > blockLength) continue;
    writeType(dv, b, f.offset, f.type, values[f.name], le, f.name);
  }
  return b;
}

function writeType(dv: DataView, u8: Uint8Array, p: number, t: FieldType, v: SbeValue | undefined, le: boolean, name: string): void {
  switch (t.class) {
    case "primitive": {
      if (t.presence === "constant") return;
      if (v === null) {
        if (t.primitive === "float" || t.primitive === "double") writeNumber(dv, p, t.primitive, le, NaN as unknown as number);
        else writeNumber(dv, p, t.primitive, le, BigInt(t.nullValue));
        return;
      }
      if (t.primitive === "char") {
        dv.setUint8(p, typeof v === "string" ? (v.length ? v.charCodeAt(0) : 0) : Number(v ?? 0));
        return;
      }
      if (t.primitive === "float" || t.primitive === "double") {
        writeNumber(dv, p, t.primitive, le, Number(v ?? 0));
        return;
      }
      writeNumber(dv, p, t.primitive, le, BigInt((v as number | string | undefined) ?? 0));
      return;
    }
    case "chars": {
      if (t.presence === "constant") return;
      const s = String(v ?? "");
      if (s.length > t.length) throw new SbeDecodeError(`${name}: "${s}" is longer than its ${t.length} characters`);
      for (let i = 0; i < s.length; i++) u8[p + i] = s.charCodeAt(i);
      return;
    }
    case "enum": {
      if (t.presence === "constant") return;
      let raw: string;
      if (v === undefined) raw = "0";
      else if (v === null) raw = t.nullValue;
      else if (typeof v === "string") {
        const hit = t.values.find((x) => x.name === v);
        if (!hit) throw new SbeDecodeError(`${name}: '${v}' is not a value of its enum (${t.values.map((x) => x.name).join(", ")})`);
        raw = hit.value;
      } else raw = String(v);
      writeNumber(dv, p, t.primitive, le, BigInt(raw));
      return;
    }
    case "array": {
      const a = (v ?? []) as SbeValue[];
      if (!Array.isArray(a) || a.length > t.length) throw new SbeDecodeError(`${name}: expected an array of at most ${t.length} ${t.primitive}`);
      const elem: FieldType = { class: "primitive", primitive: t.primitive, presence: "required", nullValue: "0" };
      a.forEach((x, i) => writeType(dv, u8, p + i * PRIMITIVE_SIZE[t.primitive], elem, x, le, `${name}[${i}]`));
      return;
    }
    case "set": {
      let raw = 0n;
      for (const c of (v as string[] | undefined) ?? []) {
        const hit = t.choices.find((x) => x.name === c);
        if (!hit) throw new SbeDecodeError(`${name}: '${c}' is not a choice of its set`);
        raw |= 1n << BigInt(hit.bit);
      }
      writeNumber(dv, p, t.primitive, le, raw);
      return;
    }
    case "composite": {
      const o = (v ?? {}) as SbeObject;
      for (const f of t.fields) writeType(dv, u8, p + f.offset, f.type, o[f.name], le, `${name}.${f.name}`);
      return;
    }
    case "decimal": {
      const mv = t.exponent === null && v !== null && typeof v === "object" ? (v as SbeObject).mantissa : v;
      if (mv === null) writeNumber(dv, p, t.mantissa, le, BigInt(t.nullValue));
      else writeNumber(dv, p, t.mantissa, le, BigInt((mv as number | string | undefined) ?? 0));
      if (t.exponent === null) {
        const e = v !== null && typeof v === "object" ? Number((v as SbeObject).exponent ?? 0) : 0;
        writeNumber(dv, p + PRIMITIVE_SIZE[t.mantissa], t.exponentPrimitive!, le, e);
      }
      return;
    }
  }
}

function writeGroups(groups: SbeGroup[], data: SbeData[], values: SbeObject, version: number, le: boolean, parts: Uint8Array[]): void {
  for (const g of groups) {
    if (g.sinceVersion > version) continue;
    const entries = (values[g.name] ?? []) as SbeObject[];
    const d = g.dimension;
    const hdr = new Uint8Array(d.size);
    const dv = new DataView(hdr.buffer);
    writeNumber(dv, d.blockLengthOffset, d.blockLengthPrimitive, le, g.blockLength);
    writeNumber(dv, d.countOffset, d.countPrimitive, le, entries.length);
    parts.push(hdr);
    for (const e of entries) {
      parts.push(writeBlock(g.fields, g.blockLength, e, version, le));
      writeGroups(g.groups, g.data, e, version, le, parts);
    }
  }
  for (const v of data) {
    if (v.sinceVersion > version) continue;
    const s = values[v.name];
    const bytes = v.encoding ? new TextEncoder().encode(String(s ?? "")) : Buffer.from(String(s ?? ""), "hex");
    const ls = PRIMITIVE_SIZE[v.lengthPrimitive];
    const limit = Math.min(v.maxLength ?? Infinity, 2 ** (8 * ls) - 1);
    if (bytes.length > limit) throw new SbeDecodeError(`${v.name}: ${bytes.length} bytes do not fit its length (at most ${limit})`);
    const hdr = new Uint8Array(ls);
    writeNumber(new DataView(hdr.buffer), 0, v.lengthPrimitive, le, bytes.length);
    parts.push(hdr, bytes);
  }
}
