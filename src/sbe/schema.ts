// An SBE 1.0 message schema read from its XML (./xml.ts) into a resolved, JSON-serializable
// form: every field with its offset in its block, its wire size and its type class resolved
// (primitive, char array, enum, set, composite, decimal), groups with their dimension composite,
// var data with its length prefix. The generator (./generate.ts) writes code from it, the codec
// (./codec.ts) decodes and encodes messages with it, and a generated NAME-schema.ts holds it.
//
// Offsets follow the schema where it gives them (`offset` attributes) and are laid out in order
// otherwise; constant fields take no bytes. A block's length is its `blockLength` when given,
// else the end of its last field.

import { parseXml, type XmlElement, XmlError } from "./xml.js";

export type Primitive = "char" | "int8" | "uint8" | "int16" | "uint16" | "int32" | "uint32" | "int64" | "uint64" | "float" | "double";

export const PRIMITIVE_SIZE: Record<Primitive, number> = {
  char: 1, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, float: 4, double: 8,
};

/** SBE's default null value of each primitive (as a decimal string; NaN for floats). */
export const DEFAULT_NULL: Record<Primitive, string> = {
  char: "0", int8: "-128", uint8: "255", int16: "-32768", uint16: "65535", int32: "-2147483648", uint32: "4294967295",
  int64: "-9223372036854775808", uint64: "18446744073709551615", float: "NaN", double: "NaN",
};

export type Presence = "required" | "optional" | "constant";

/** A field's type, resolved. Integers that need 64 bits are kept as decimal strings. */
export type FieldType =
  | { class: "primitive"; primitive: Primitive; presence: Presence; nullValue: string; constant?: string; min?: string; max?: string }
  | { class: "chars"; length: number; presence: Presence; constant?: string; encoding: string }
  | { class: "enum"; primitive: Primitive; presence: Presence; nullValue: string; values: Array<{ name: string; value: string }>; constant?: string }
  | { class: "array"; primitive: Primitive; length: number }
  | { class: "set"; primitive: Primitive; choices: Array<{ name: string; bit: number }> }
  | { class: "composite"; fields: SbeField[]; size: number }
  | { class: "decimal"; mantissa: Primitive; presence: Presence; nullValue: string; exponent: number | null; exponentPrimitive?: Primitive; size: number };

export interface SbeField {
  name: string;
  id: number;
  /** Offset in its block (or composite); meaningless for constants. */
  offset: number;
  /** Bytes on the wire (0 for a constant). */
  size: number;
  sinceVersion: number;
  /** The schema's type name (for reading the generated code). */
  typeName: string;
  semanticType?: string;
  type: FieldType;
}

export interface SbeDimension {
  typeName: string;
  size: number;
  blockLengthOffset: number;
  blockLengthPrimitive: Primitive;
  countOffset: number;
  countPrimitive: Primitive;
}

export interface SbeGroup {
  name: string;
  id: number;
  blockLength: number;
  sinceVersion: number;
  dimension: SbeDimension;
  fields: SbeField[];
  groups: SbeGroup[];
  data: SbeData[];
}

export interface SbeData {
  name: string;
  id: number;
  sinceVersion: number;
  typeName: string;
  lengthPrimitive: Primitive;
  /** Character encoding of the bytes, "" for raw bytes (shown in hex). */
  encoding: string;
  /** The length member's maxValue, when the schema gives one: a longer length is an error. */
  maxLength?: number;
}

export interface SbeMessage {
  name: string;
  id: number;
  blockLength: number;
  sinceVersion: number;
  semanticType?: string;
  description?: string;
  fields: SbeField[];
  groups: SbeGroup[];
  data: SbeData[];
}

export interface SbeHeader {
  size: number;
  blockLength: { offset: number; primitive: Primitive };
  templateId: { offset: number; primitive: Primitive };
  schemaId: { offset: number; primitive: Primitive };
  version: { offset: number; primitive: Primitive };
}

export interface SbeSchema {
  package: string;
  id: number;
  version: number;
  semanticVersion: string;
  description: string;
  littleEndian: boolean;
  header: SbeHeader;
  messages: SbeMessage[];
}

export class SbeSchemaError extends XmlError {
  constructor(message: string) {
    super(message);
    this.name = "SbeSchemaError";
    (this as { code: string }).code = "ESBESCHEMA";
  }
}

const PRIMITIVES = new Set(Object.keys(PRIMITIVE_SIZE));

/** Reads an SBE schema's XML text; `source` names the file in errors. */
export function readSbeSchema(xml: string, source = "schema"): SbeSchema {
  const root = parseXml(xml, source);
  const at = (el: XmlElement): string => `${source}:${el.line}:${el.column}`;
  const fail = (el: XmlElement, msg: string): never => {
    throw new SbeSchemaError(`${at(el)}: ${msg}`);
  };
  if (root.name !== "messageSchema") fail(root, `root element is <${root.name}>, not <messageSchema>: not an SBE schema`);
  const int = (el: XmlElement, attr: string, dflt?: number): number => {
    const v = el.attrs[attr];
    if (v === undefined) {
      if (dflt === undefined) fail(el, `<${el.name}> needs a ${attr} attribute`);
      return dflt!;
    }
    if (!/^-?\d+$/.test(v.trim())) fail(el, `${attr}="${v}" is not an integer`);
    return Number(v);
  };

  // Named types: every child of every <types> element, by name.
  const named = new Map<string, XmlElement>();
  for (const types of root.children.filter((c) => c.name === "types")) {
    for (const t of types.children) {
      if (!t.attrs.name) fail(t, `<${t.name}> in <types> has no name`);
      named.set(t.attrs.name, t);
    }
  }
  const byteOrder = root.attrs.byteOrder ?? "littleEndian";
  if (byteOrder !== "littleEndian" && byteOrder !== "bigEndian") fail(root, `byteOrder="${byteOrder}" must be littleEndian or bigEndian`);

  const primitiveOf = (el: XmlElement, name: string): Primitive => {
    if (PRIMITIVES.has(name)) return name as Primitive;
    const t = named.get(name);
    if (t && t.name === "type" && t.attrs.primitiveType) return primitiveOf(t, t.attrs.primitiveType);
    return fail(el, `'${name}' is neither a primitive type nor a <type> of one`);
  };

  // The type of an element (<type>, <composite>, <enum>, <set>, <ref>): its FieldType and size.
  const resolving = new Set<string>();
  const typeOf = (t: XmlElement, presenceOverride?: Presence, valueRef?: string): { type: FieldType; size: number } => {
    if (t.name === "ref") {
      const target = named.get(t.attrs.type ?? "");
      if (!target) fail(t, `<ref> to unknown type '${t.attrs.type}'`);
      return typeOf(target!, presenceOverride, valueRef);
    }
    if (t.name === "type") {
      const primitive = primitiveOf(t, t.attrs.primitiveType ?? "");
      const presence = (presenceOverride ?? t.attrs.presence ?? "required") as Presence;
      if (!["required", "optional", "constant"].includes(presence)) fail(t, `presence="${presence}" must be required, optional or constant`);
      const length = int(t, "length", 1);
      const constant = presence === "constant" ? (valueRef ? constantOf(t, valueRef) : t.text.trim()) : undefined;
      // A constant char of several characters is a constant string (SBE allows either).
      if (primitive === "char" && (length !== 1 || (constant !== undefined && !valueRef && constant.length > 1))) {
        return { type: { class: "chars", length, presence, constant, encoding: t.attrs.characterEncoding ?? "US-ASCII" }, size: presence === "constant" ? 0 : length };
      }
      if (length !== 1) {
        if (presence === "constant") fail(t, `a constant array of ${primitive} is not supported`);
        if (length < 1) fail(t, `length ${length} of a ${primitive} array must be at least 1`);
        return { type: { class: "array", primitive, length }, size: length * PRIMITIVE_SIZE[primitive] };
      }
      const size = presence === "constant" ? 0 : PRIMITIVE_SIZE[primitive];
      const type: FieldType = { class: "primitive", primitive, presence, nullValue: t.attrs.nullValue ?? DEFAULT_NULL[primitive] };
      if (constant !== undefined) type.constant = primitive === "char" && constant.length === 1 ? String(constant.charCodeAt(0)) : constant;
      if (t.attrs.minValue) type.min = t.attrs.minValue;
      if (t.attrs.maxValue) type.max = t.attrs.maxValue;
      return { type, size };
    }
    if (t.name === "enum") {
      const enc = t.attrs.encodingType ?? "";
      const encType = named.get(enc);
      const primitive = primitiveOf(t, enc);
      const presence = (presenceOverride ?? encType?.attrs.presence ?? "required") as Presence;
      const values = t.children.filter((c) => c.name === "validValue").map((v) => ({
        name: v.attrs.name ?? fail(v, "<validValue> has no name"),
        value: primitive === "char" ? String(v.text.trim().charCodeAt(0)) : v.text.trim(),
      }));
      const nullValue = encType?.attrs.nullValue ?? t.attrs.nullValue ?? DEFAULT_NULL[primitive];
      const type: FieldType = { class: "enum", primitive, presence, nullValue, values };
      if (presence === "constant") type.constant = valueRef ? constantOf(t, valueRef) : values[0]?.value;
      return { type, size: presence === "constant" ? 0 : PRIMITIVE_SIZE[primitive] };
    }
    if (t.name === "set") {
      const primitive = primitiveOf(t, t.attrs.encodingType ?? "");
      const choices = t.children.filter((c) => c.name === "choice").map((c) => ({ name: c.attrs.name ?? fail(c, "<choice> has no name"), bit: Number(c.text.trim()) }));
      for (const c of choices) if (!(c.bit >= 0 && c.bit < PRIMITIVE_SIZE[primitive] * 8)) fail(t, `choice ${c.name} bit ${c.bit} does not fit ${primitive}`);
      return { type: { class: "set", primitive, choices }, size: PRIMITIVE_SIZE[primitive] };
    }
    if (t.name === "composite") {
      const name = t.attrs.name ?? "";
      if (resolving.has(name)) fail(t, `composite ${name} contains itself`);
      resolving.add(name);
      const fields = layoutMembers(t);
      resolving.delete(name);
      const size = fields.reduce((a, f) => Math.max(a, f.offset + f.size), 0);
      const names = fields.map((f) => f.name);
      // A decimal: a mantissa and an exponent (constant or on the wire).
      if (names.length === 2 && names.includes("mantissa") && names.includes("exponent")) {
        const m = fields.find((f) => f.name === "mantissa")!;
        const e = fields.find((f) => f.name === "exponent")!;
        if (m.type.class === "primitive" && e.type.class === "primitive" && !m.type.primitive.startsWith("float") && m.type.primitive !== "double") {
          const dec: FieldType = {
            class: "decimal", mantissa: m.type.primitive, presence: presenceOverride ?? m.type.presence, nullValue: m.type.nullValue,
            exponent: e.type.presence === "constant" ? Number(e.type.constant) : null, size,
          };
          if (e.type.presence !== "constant") dec.exponentPrimitive = e.type.primitive;
          if (m.offset !== 0 || (dec.exponent === null && e.offset !== PRIMITIVE_SIZE[m.type.primitive])) {
            return { type: { class: "composite", fields, size }, size };
          }
          return { type: dec, size };
        }
      }
      return { type: { class: "composite", fields, size }, size };
    }
    return fail(t, `<${t.name}> is not a type, composite, enum, set or ref`);
  };

  // A constant's value from valueRef="EnumName.ValueName".
  const constantOf = (t: XmlElement, ref: string): string => {
    const [en, vn] = ref.split(".");
    const e = named.get(en);
    const v = e?.children.find((c) => c.name === "validValue" && c.attrs.name === vn);
    if (!v) fail(t, `valueRef="${ref}" names no enum value`);
    const text = v!.text.trim();
    return primitiveOf(e!, e!.attrs.encodingType ?? "") === "char" ? String(text.charCodeAt(0)) : text;
  };

  // A composite's members laid out: explicit offsets where given, else in order.
  const layoutMembers = (c: XmlElement): SbeField[] => {
    let next = 0;
    return c.children.filter((m) => ["type", "composite", "enum", "set", "ref"].includes(m.name)).map((m) => {
      const { type, size } = typeOf(m);
      const offset = m.attrs.offset !== undefined ? int(m, "offset") : next;
      next = offset + size;
      return { name: m.attrs.name ?? fail(m, `<${m.name}> in composite ${c.attrs.name} has no name`), id: 0, offset, size, sinceVersion: int(m, "sinceVersion", 0), typeName: m.attrs.type ?? m.attrs.primitiveType ?? m.name, type };
    });
  };

  const fieldOf = (f: XmlElement, next: number): SbeField => {
    const typeName = f.attrs.type ?? fail(f, `field ${f.attrs.name} has no type`);
    let t: XmlElement | undefined = named.get(typeName);
    if (!t) {
      if (!PRIMITIVES.has(typeName)) fail(f, `field ${f.attrs.name} has unknown type '${typeName}'`);
      t = { name: "type", attrs: { name: typeName, primitiveType: typeName }, children: [], text: f.text, line: f.line, column: f.column };
    }
    const presence = f.attrs.presence as Presence | undefined;
    const { type, size } = typeOf(t!, presence, f.attrs.valueRef);
    if (presence === "constant" && type.class === "primitive" && type.constant === undefined) type.constant = f.text.trim();
    const offset = f.attrs.offset !== undefined ? int(f, "offset") : next;
    const out: SbeField = { name: f.attrs.name ?? fail(f, "<field> has no name"), id: int(f, "id", 0), offset, size, sinceVersion: int(f, "sinceVersion", 0), typeName, type };
    if (f.attrs.semanticType) out.semanticType = f.attrs.semanticType;
    return out;
  };

  const dimensionOf = (g: XmlElement): SbeDimension => {
    const typeName = g.attrs.dimensionType ?? "groupSizeEncoding";
    const t = named.get(typeName);
    if (!t || t.name !== "composite") return fail(g, `group ${g.attrs.name}: dimensionType '${typeName}' is not a composite of the schema`);
    const { type, size } = typeOf(t);
    const members = type.class === "composite" ? type.fields : [];
    const bl = members.find((m) => m.name === "blockLength");
    const n = members.find((m) => m.name === "numInGroup");
    if (!bl || !n || bl.type.class !== "primitive" || n.type.class !== "primitive") {
      return fail(t, `dimension composite ${typeName} needs blockLength and numInGroup integer members`);
    }
    return { typeName, size, blockLengthOffset: bl.offset, blockLengthPrimitive: bl.type.primitive, countOffset: n.offset, countPrimitive: n.type.primitive };
  };

  const dataOf = (d: XmlElement): SbeData => {
    const typeName = d.attrs.type ?? fail(d, `data ${d.attrs.name} has no type`);
    const t = named.get(typeName);
    if (!t || t.name !== "composite") return fail(d, `data ${d.attrs.name}: type '${typeName}' is not a composite (length, varData)`);
    const members = t.children.filter((m) => m.name === "type");
    const length = members.find((m) => m.attrs.name === "length");
    const bytes = members.find((m) => m.attrs.name === "varData");
    if (!length || !bytes) return fail(t, `var data composite ${typeName} needs length and varData members`);
    const out: SbeData = {
      name: d.attrs.name ?? fail(d, "<data> has no name"), id: int(d, "id", 0), sinceVersion: int(d, "sinceVersion", 0), typeName,
      lengthPrimitive: primitiveOf(length, length.attrs.primitiveType ?? ""), encoding: bytes.attrs.characterEncoding ?? "",
    };
    if (length.attrs.maxValue !== undefined) {
      const max = int(length, "maxValue");
      if (max < 0 || BigInt(max) > (1n << BigInt(PRIMITIVE_SIZE[out.lengthPrimitive] * 8)) - 1n) fail(length, `maxValue ${max} does not fit ${out.lengthPrimitive}`);
      out.maxLength = max;
    }
    return out;
  };

  // Fields, then groups, then data: SBE's order within a message or group.
  const body = (el: XmlElement): { fields: SbeField[]; groups: SbeGroup[]; data: SbeData[]; end: number } => {
    const fields: SbeField[] = [];
    const groups: SbeGroup[] = [];
    const data: SbeData[] = [];
    let next = 0;
    for (const c of el.children) {
      if (c.name === "field") {
        if (groups.length || data.length) fail(c, `field ${c.attrs.name} after a group or var data`);
        const f = fieldOf(c, next);
        next = Math.max(next, f.offset + f.size);
        fields.push(f);
      } else if (c.name === "group") {
        if (data.length) fail(c, `group ${c.attrs.name} after var data`);
        const b = body(c);
        groups.push({
          name: c.attrs.name ?? fail(c, "<group> has no name"), id: int(c, "id", 0), blockLength: int(c, "blockLength", b.end),
          sinceVersion: int(c, "sinceVersion", 0), dimension: dimensionOf(c), fields: b.fields, groups: b.groups, data: b.data,
        });
        const g = groups[groups.length - 1];
        if (g.blockLength < b.end) fail(c, `group ${g.name}: blockLength ${g.blockLength} is less than its fields' ${b.end} bytes`);
      } else if (c.name === "data") {
        data.push(dataOf(c));
      }
    }
    return { fields, groups, data, end: next };
  };

  const headerName = root.attrs.headerType ?? "messageHeader";
  const h = named.get(headerName);
  if (!h || h.name !== "composite") fail(root, `no <composite name="${headerName}"> for the message header`);
  const hdr = typeOf(h!);
  const member = (n: string): { offset: number; primitive: Primitive } => {
    const m = hdr.type.class === "composite" ? hdr.type.fields.find((f) => f.name === n) : undefined;
    if (!m || m.type.class !== "primitive") return fail(h!, `message header ${headerName} has no integer ${n}`);
    return { offset: m.offset, primitive: m.type.primitive };
  };
  const header: SbeHeader = { size: hdr.size, blockLength: member("blockLength"), templateId: member("templateId"), schemaId: member("schemaId"), version: member("version") };

  const messages: SbeMessage[] = [];
  const ids = new Set<number>();
  for (const m of root.children.filter((c) => c.name === "message")) {
    const b = body(m);
    const msg: SbeMessage = {
      name: m.attrs.name ?? fail(m, "<message> has no name"), id: int(m, "id"), blockLength: int(m, "blockLength", b.end),
      sinceVersion: int(m, "sinceVersion", 0), fields: b.fields, groups: b.groups, data: b.data,
    };
    if (ids.has(msg.id)) fail(m, `template id ${msg.id} used twice`);
    ids.add(msg.id);
    if (msg.blockLength < b.end) fail(m, `message ${msg.name}: blockLength ${msg.blockLength} is less than its fields' ${b.end} bytes`);
    if (m.attrs.semanticType) msg.semanticType = m.attrs.semanticType;
    if (m.attrs.description) msg.description = m.attrs.description;
    messages.push(msg);
  }
  if (messages.length === 0) fail(root, "the schema has no <message>");
  return {
    package: root.attrs.package ?? "", id: int(root, "id", 0), version: int(root, "version", 0), semanticVersion: root.attrs.semanticVersion ?? "",
    description: root.attrs.description ?? "", littleEndian: byteOrder === "littleEndian", header, messages,
  };
}
