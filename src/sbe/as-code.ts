// Pieces of AssemblyScript the SBE generator (./generate.ts) writes: identifiers, constants,
// loads of a primitive in the schema's byte order, and the walk that checks a message's groups and
// var data against its end before anything of it is delivered.

import type { Primitive, SbeField, SbeGroup, SbeData, FieldType } from "./schema.js";
import { PRIMITIVE_SIZE } from "./schema.js";

/** An identifier from a schema name (letters, digits, '_'). */
export const ident = (s: string): string => s.replace(/[^A-Za-z0-9_]/g, "_").replace(/^(\d)/, "_$1");

/** UPPER_SNAKE of a schema name, for constants: MDEntryPx -> MD_ENTRY_PX. */
export const constName = (s: string): string =>
  ident(s).replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2").toUpperCase();

/** The AS type a load of the primitive yields. */
export function asType(p: Primitive): string {
  switch (p) {
    case "int8": case "int16": case "int32": return "i32";
    case "int64": return "i64";
    case "uint64": return "u64";
    case "float": return "f32";
    case "double": return "f64";
    default: return "u32";
  }
}

/** An expression loading primitive p at address expression `a`. */
export function load(p: Primitive, a: string, le: boolean): string {
  switch (p) {
    case "char":
    case "uint8": return `<u32>load<u8>(${a})`;
    case "int8": return `<i32>load<i8>(${a})`;
    case "uint16": return le ? `<u32>load<u16>(${a})` : `be16(${a})`;
    case "int16": return le ? `<i32>load<i16>(${a})` : `<i32><i16>be16(${a})`;
    case "uint32": return le ? `load<u32>(${a})` : `be32(${a})`;
    case "int32": return le ? `load<i32>(${a})` : `<i32>be32(${a})`;
    case "uint64": return le ? `load<u64>(${a})` : `be64(${a})`;
    case "int64": return le ? `load<i64>(${a})` : `<i64>be64(${a})`;
    case "float": return le ? `load<f32>(${a})` : `reinterpret<f32>(be32(${a}))`;
    case "double": return le ? `load<f64>(${a})` : `reinterpret<f64>(be64(${a}))`;
  }
}

/** The primitive a field is read as for a tick (mantissa of a decimal, encoding of an enum). */
export function scalarOf(t: FieldType): Primitive | undefined {
  switch (t.class) {
    case "primitive": return t.primitive;
    case "enum": return t.primitive;
    case "set": return t.primitive;
    case "decimal": return t.mantissa;
    default: return undefined;
  }
}

/** A literal of the field's null value in the AS type of its load, or undefined if it has none. */
export function nullLiteral(t: FieldType): string | undefined {
  if (t.class === "primitive" || t.class === "enum" || t.class === "decimal") {
    // An enum's null is one of its raw values to report, not a zero (0 is a value: New, Bid...).
    if (t.presence !== "optional" || t.class === "enum") return undefined;
    const p = t.class === "decimal" ? t.mantissa : t.primitive;
    if (p === "float" || p === "double") return undefined;
    const v = BigInt(t.nullValue);
    const bits = PRIMITIVE_SIZE[p] * 8;
    const ty = asType(p);
    // The value as the load yields it: unsigned loads zero-extend, signed ones sign-extend.
    const signed = p.startsWith("int");
    const x = signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
    if (ty === "i64" && x === -(2n ** 63n)) return "i64.MIN_VALUE";
    return `<${ty}>${x < 0n ? `(${x})` : x}`;
  }
  return undefined;
}

/**
 * Statements checking that the groups and var data starting at `at` fit before `end`, nested
 * groups included, and that each group's entries are at least minEntry(g) long; otherwise the
 * message's length is wrong for what it declares: counted as REJ_BAD_LENGTH (a rejection of the
 * message's body, as the framings and A/B arbitration count them), and the check returns false.
 * Leaves `at` at the end of the message's known parts. `version` is the message's version.
 */
export function walkCode(groups: SbeGroup[], data: SbeData[], le: boolean, indent: string, minEntry: (g: SbeGroup) => string, depth = 0): string[] {
  const out: string[] = [];
  for (const g of groups) {
    const d = g.dimension;
    const bl = `bl${depth}`;
    const n = `n${depth}`;
    const guard = g.sinceVersion > 0 ? `if (version >= ${g.sinceVersion}) ` : "";
    const body: string[] = [
      `// ${g.name}: ${d.typeName} (${d.size} bytes), entries of ${g.blockLength} bytes`,
      `if (at + ${d.size} > end) { reject(REJ_BAD_LENGTH); return false; }`,
      `const ${bl} = ${load(d.blockLengthPrimitive, `at + ${d.blockLengthOffset}`, le)};`,
      `const ${n} = ${load(d.countPrimitive, `at + ${d.countOffset}`, le)};`,
      `at += ${d.size};`,
      `if (${bl} < ${minEntry(g)}) { reject(REJ_BAD_LENGTH); return false; }`,
    ];
    if (g.groups.length === 0 && g.data.length === 0) {
      body.push(`if (<u64>${bl} * ${n} > <u64>(end - at)) { reject(REJ_BAD_LENGTH); return false; }`, `at += ${bl} * ${n};`);
    } else {
      body.push(`for (let i${depth}: u32 = 0; i${depth} < ${n}; i${depth}++) {`,
        `  if (at + ${bl} > end) { reject(REJ_BAD_LENGTH); return false; }`, `  at += ${bl};`,
        ...walkCode(g.groups, g.data, le, "  ", minEntry, depth + 1), "}");
    }
    if (guard) out.push(`${guard}{`, ...body.map((l) => "  " + l), "}");
    else out.push(`{`, ...body.map((l) => "  " + l), "}");
  }
  for (const v of data) {
    const s = PRIMITIVE_SIZE[v.lengthPrimitive];
    const guard = v.sinceVersion > 0 ? `if (version >= ${v.sinceVersion}) ` : "";
    out.push(`${guard}{`,
      `  // ${v.name}: ${v.lengthPrimitive} length, then the bytes`,
      `  if (at + ${s} > end) { reject(REJ_BAD_LENGTH); return false; }`,
      `  const vl = ${load(v.lengthPrimitive, "at", le)};`,
      `  at += ${s};`,
      `  if (<u64>vl > <u64>(end - at)${v.maxLength !== undefined ? ` || vl > ${v.maxLength}` : ""}) { reject(REJ_BAD_LENGTH); return false; }`,
      `  at += vl;`,
      "}");
  }
  return out.map((l) => indent + l);
}

/** Field by FIX tag (the schema's field id), or undefined. */
export const byTag = (fields: SbeField[], tag: number): SbeField | undefined => fields.find((f) => f.id === tag);
