// `xdpfeed codegen sbe`: from an SBE message schema (./schema.ts), three files:
//
//   NAME.as.ts        a feed module with the ABI of the shipped ones (assembly/parse/feed-abi.ts):
//                     the SBE packet framing (assembly/parse/sbe-packet.ts), a switch on the
//                     template id, one function per message reading its fields in place at
//                     named offset constants, records written with beginRecord (the ticks of
//                     ./ticks.ts); compiled by `xdpfeed build-feed`
//   NAME-schema.ts    the resolved schema, for the full-message view and decode --json
//                     (MessageView, ./codec.ts)
//   NAME-encoder.ts   an encoder per message, for tests and synthetic streams
//
// Evolution: a root block longer than the schema's is read at the header's blockLength (the
// extra bytes skipped); fields of a later version than the message's are read only when the
// block has them (absent otherwise); entries are stepped over by their group's blockLength. A
// template id the schema does not know is counted (unknownType) and skipped by its size.

import { basename } from "node:path";
import type { SbeSchema, SbeMessage, SbeGroup, SbeField } from "./schema.js";
import { load, walkCode, constName, ident } from "./as-code.js";
import { planOf, planCode, recordsPerEntry, fieldConst, nested, skipName, type Plan } from "./ticks.js";
import { PRIMITIVE_SIZE } from "./schema.js";

export interface GenerateOptions {
  /** Module name: NAME.as.ts, NAME-schema.ts, NAME-encoder.ts. */
  name: string;
  /** The schema file's name, for the header comments. */
  source: string;
  /** Call the CME MDP 3.0 books (assembly/book/mdp3.ts) from the ticks. */
  mdp3Book?: boolean;
  /** Where the generated TypeScript imports the SBE codec from (default "xdpfeed/sbe"). */
  importFrom?: string;
}

export interface GeneratedFiles {
  module: string;
  schema: string;
  encoder: string;
}

const HOOKS = ["mdpBookLevel", "mdpBookOrder", "mdpBookReset", "mdpBookSnapshotBegin", "mdpBookSnapshotEnd", "mdpBookMessageEnd", "mdpBookDefinition"];

// The end of the fields every version of the owner has (they are read unconditionally).
function minBlock(fields: SbeField[], since: number): number {
  return fields.filter((f) => f.size > 0 && f.sinceVersion <= since).reduce((a, f) => Math.max(a, f.offset + f.size), 0);
}

const groupConst = (m: SbeMessage, path: SbeGroup[]): string => `T${m.id}_${path.map((g) => constName(g.name)).join("_")}`;

function constants(m: SbeMessage, plan: Plan): string[] {
  const out = [
    `// ${m.name} (template ${m.id}${m.sinceVersion ? `, since version ${m.sinceVersion}` : ""}${m.semanticType ? `, MsgType ${m.semanticType}` : ""}): ticks "${plan}"`,
    `const TEMPLATE_${m.id}: u32 = ${m.id};`,
    `const T${m.id}_BLOCK_LENGTH: u32 = ${m.blockLength};`,
    `const T${m.id}_MIN_BLOCK: u32 = ${minBlock(m.fields, m.sinceVersion)};`,
  ];
  const fieldLines = (fields: SbeField[], g?: SbeGroup, path: SbeGroup[] = []): string[] => fields.filter((f) => f.size > 0).map((f) =>
    `const ${path.length > 1 ? `${groupConst(m, path)}_${constName(f.name)}` : fieldConst(m, f, g)}: u32 = ${f.offset}; // ${f.typeName}${f.sinceVersion ? `, since version ${f.sinceVersion}` : ""}`);
  out.push(...fieldLines(m.fields));
  const groups = (gs: SbeGroup[], path: SbeGroup[]): void => {
    for (const g of gs) {
      const p = [...path, g];
      const min = Math.max(minBlock(g.fields, Math.max(g.sinceVersion, m.sinceVersion)), recordsPerEntry(m, plan, g) ? 1 : 0);
      out.push(`const ${groupConst(m, p)}_BLOCK_LENGTH: u32 = ${g.blockLength}; // ${g.name}, ${g.dimension.typeName}`,
        `const ${groupConst(m, p)}_MIN_ENTRY: u32 = ${min};`, ...fieldLines(g.fields, g, p));
      groups(g.groups, p);
    }
  };
  groups(m.groups, []);
  return out;
}

function messageCode(s: SbeSchema, m: SbeMessage, plan: Plan, hooks: boolean): string[] {
  const paths = new Map<SbeGroup, SbeGroup[]>();
  const walk = (gs: SbeGroup[], path: SbeGroup[]): void => gs.forEach((g) => {
    paths.set(g, [...path, g]);
    walk(g.groups, [...path, g]);
  });
  walk(m.groups, []);
  const fn = ident(m.name);
  const out: string[] = [];
  const hasParts = m.groups.length > 0 || m.data.length > 0;
  if (hasParts) {
    out.push(`// ${m.name}'s groups and var data fit the message, and their entries are long enough.`,
      `@inline function check${fn}(at: u32, end: u32, version: u32): bool {`,
      ...walkCode(m.groups, m.data, s.littleEndian, "  ", (g) => `${groupConst(m, paths.get(g)!)}_MIN_ENTRY`),
      "  return true;", "}", "");
  }
  // A top-level group whose entries hold groups or var data: its entries are stepped over by this.
  for (const g of m.groups.filter(nested)) {
    out.push(`// Past the groups and var data of one ${g.name} entry that start at \`at\` (checked already).`,
      `function ${skipName(m, g)}(at: u32, version: u32): u32 {`, ...skipCode(g.groups, g.data, s.littleEndian, "  "), "  return at;", "}", "");
  }
  // The messages of entries (incremental refreshes, snapshots: a channel's traffic) are inlined
  // into the framing's loop; the others (definitions, status, administrative) are called.
  const inline = plan === "levels" || plan === "orders" || plan === "trades" || plan === "stats" || plan === "snapshot";
  out.push(`${inline ? "@inline " : ""}function on${fn}(m: u32, len: u32, seq: u64, version: u32, block: u32, book: bool): void {`,
    "  const root = m + HEADER_SIZE;",
    `  if (block < T${m.id}_MIN_BLOCK || block > len - HEADER_SIZE) {`, "    reject(REJ_BAD_LENGTH);", "    return;", "  }");
  if (hasParts) out.push(`  if (!check${fn}(root + block, m + len, version)) return;`);
  out.push(...planCode({ m, le: s.littleEndian, hooks }, plan).map((l) => "  " + l), "}", "");
  return out;
}

// Statements stepping `at` over groups and var data already checked (skip functions).
function skipCode(groups: SbeGroup[], data: SbeSchema["messages"][number]["data"], le: boolean, indent: string, depth = 0): string[] {
  const out: string[] = [];
  for (const g of groups) {
    const d = g.dimension;
    out.push(g.sinceVersion > 0 ? `if (version >= ${g.sinceVersion}) {` : "{", `  const bl = ${load(d.blockLengthPrimitive, `at + ${d.blockLengthOffset}`, le)};`, `  const n = ${load(d.countPrimitive, `at + ${d.countOffset}`, le)};`, `  at += ${d.size};`);
    if (nested(g)) out.push(`  for (let i${depth}: u32 = 0; i${depth} < n; i${depth}++) {`, "    at += bl;", ...skipCode(g.groups, g.data, le, "    ", depth + 1), "  }");
    else out.push("  at += bl * n;");
    out.push("}");
  }
  for (const v of data) out.push(`${v.sinceVersion > 0 ? `if (version >= ${v.sinceVersion}) ` : ""}at += ${PRIMITIVE_SIZE[v.lengthPrimitive]} + ${load(v.lengthPrimitive, "at", le)};`);
  return out.map((l) => indent + l);
}

/** The feed module's source. */
export function generateModule(s: SbeSchema, o: GenerateOptions): string {
  const hooks = o.mdp3Book === true;
  const le = s.littleEndian;
  const plans = new Map(s.messages.map((m) => [m, planOf(m)]));
  // The fewest bytes a record can take: a message (size, header) or an entry of a group whose
  // entries each write one (at least its MIN_ENTRY bytes).
  let minRecordBytes = 2 + s.header.size;
  for (const m of s.messages) {
    for (const g of m.groups) {
      if (recordsPerEntry(m, plans.get(m)!, g)) minRecordBytes = Math.min(minRecordBytes, Math.max(1, minBlock(g.fields, Math.max(g.sinceVersion, m.sinceVersion))));
    }
  }
  const h = s.header;
  const lines: string[] = [
    `// Feed module "${o.name}": generated by \`xdpfeed codegen sbe\` from ${basename(o.source)} (package "${s.package}", schema id ${s.id},`,
    `// version ${s.version}${s.description ? `, "${s.description}"` : ""}, ${le ? "little" : "big"}-endian). Do not edit: change the schema or the generator`,
    "// (src/sbe/generate.ts) and generate again.",
    "//",
    "// Framing: assembly/parse/sbe-packet.ts. Each message: the SBE header, the root block read at the",
    "// header's blockLength (longer than known: the extra bytes skipped; shorter: the fields it lacks",
    "// read as absent), then groups and var data, all checked against the message's end before any",
    "// record is written. Ticks: src/sbe/ticks.ts" + (hooks ? "; the books: assembly/book/mdp3.ts." : "."),
    "",
    'import { REJ_UNKNOWN_TYPE, REJ_BAD_LENGTH } from "../layout";',
    "import {",
    "  TICK_OTHER, TICK_ADD, TICK_MODIFY, TICK_DELETE, TICK_EXECUTE, TICK_TRADE, TICK_LEVEL, TICK_STATUS, TICK_SYSTEM, TICK_DIRECTORY,",
    "  R_PRICE, R_PRICE2, R_QUANTITY, R_QUANTITY2, R_MATCH_ID, R_ORDER_ID, R_SIDE, R_STATUS, R_FLAGS,",
    '} from "../records";',
    'import { be16, be32, be64 } from "../parse/bytes";',
    'import { reject } from "../parse/stats";',
    'import { setOrder, setU64, setU8 } from "../parse/record";',
    'import { sbeRecord, sbeMessageStart, sbeMessageEnd, sbeWrote, nonNull, entrySide, levelKind, impliedFlag } from "../parse/sbe";',
    'import { sbePacket, sbePeek, sbeSendingTime } from "../parse/sbe-packet";',
    'import { rptSlot, rptCheckAt, rptSet, rptClear } from "../parse/rptseq";',
    'import { registerFeed } from "../parse/feed-registry";',
    'import { tableMessages, tablePayloads } from "../parse/driver";',
  ];
  if (hooks) lines.push('import { bookOn } from "../book/instruments";', `import { ${HOOKS.join(", ")} } from "../book/mdp3";`);
  lines.push("", 'export * from "../abi";', 'export * from "../parse/feed-abi";', 'export * from "../book/abi";');
  // The MDP 3.0 books' own functions (their layout, queries and checks): attachBook lays them out
  // when a module exports mdpBookInit.
  if (hooks) lines.push('export * from "../book/mdp3";');
  lines.push("",
    `// Message header (${h.size} bytes).`,
    `const HEADER_SIZE: u32 = ${h.size};`,
    `const HEADER_BLOCK_LENGTH: u32 = ${h.blockLength.offset};`,
    `const HEADER_TEMPLATE_ID: u32 = ${h.templateId.offset};`,
    `const HEADER_VERSION: u32 = ${h.version.offset};`,
    `// The fewest bytes of a packet that write one record: the framing's room check (driver.ts).`,
    `const MIN_RECORD_BYTES: u32 = ${minRecordBytes};`,
    "");
  for (const m of s.messages) lines.push(...constants(m, plans.get(m)!), "");
  for (const m of s.messages) lines.push(...messageCode(s, m, plans.get(m)!, hooks));
  lines.push(
    "// Inlined into the framing's loop (and the bare-message loop): no call per message but the",
    "// message's own function. `book` is a constant of each instantiation.",
    "@inline function onMessage(m: u32, len: u32, seq: u64, book: bool): void {",
    "  sbeMessageStart();",
    "  if (len < HEADER_SIZE) {",
    "    reject(REJ_BAD_LENGTH);",
    "    return;",
    "  }",
    `  const block = ${load(h.blockLength.primitive, "m + HEADER_BLOCK_LENGTH", le)};`,
    `  const version = ${load(h.version.primitive, "m + HEADER_VERSION", le)};`,
    `  const template = ${load(h.templateId.primitive, "m + HEADER_TEMPLATE_ID", le)};`,
    "  switch (template) {",
    ...s.messages.map((m) => `    case TEMPLATE_${m.id}: on${ident(m.name)}(m, len, seq, version, block, book); break;`),
    "    default: reject(REJ_UNKNOWN_TYPE);",
    "  }",
    "  sbeMessageEnd(template);",
    "}",
    "",
    "// The smallest length of each template (header and the root block all its versions have), 0 if unknown.",
    "function messageLength(template: u32): u32 {",
    "  switch (template) {",
    ...s.messages.map((m) => `    case TEMPLATE_${m.id}: return HEADER_SIZE + T${m.id}_MIN_BLOCK;`),
    "    default: return 0;",
    "  }",
    "}",
    "",
    "class Handler {",
    "  @inline onMessage(m: u32, len: u32, seq: u64): void {",
    "    onMessage(m, len, seq, false);",
    "  }",
    "}",
    "const handler = new Handler();",
    "",
  );
  if (hooks) {
    lines.push("class BookHandler {", "  @inline onMessage(m: u32, len: u32, seq: u64): void {", "    onMessage(m, len, seq, true);", "  }", "}",
      "const bookHandler = new BookHandler();", "",
      "class Framing {", "  @inline onPayload(p: u32, len: u32): void {",
      "    if (bookOn()) sbePacket<BookHandler>(p, len, bookHandler);", "    else sbePacket<Handler>(p, len, handler);", "  }", "}");
  } else {
    lines.push("class Framing {", "  @inline onPayload(p: u32, len: u32): void {", "    sbePacket<Handler>(p, len, handler);", "  }", "}");
  }
  lines.push("const framing = new Framing();", "",
    "function onPayload(p: u32, len: u32): void {", "  framing.onPayload(p, len);", "}", "",
    "function onPayloads(first: u32, n: u32, line: u32): u32 {",
    "  return tablePayloads<Framing>(first, n, line, MIN_RECORD_BYTES, framing, onPayload, sbePeek);", "}", "",
    "function onMessages(first: u32, n: u32, firstSeq: u64, perEntry: u32): u32 {",
    hooks ? "  return bookOn() ? tableMessages<BookHandler>(first, n, firstSeq, perEntry, bookHandler)\n    : tableMessages<Handler>(first, n, firstSeq, perEntry, handler);"
      : "  return tableMessages<Handler>(first, n, firstSeq, perEntry, handler);",
    "}", "",
    "registerFeed(onPayload, onPayloads, onMessages, messageLength, MIN_RECORD_BYTES, sbePeek);", "");
  return lines.join("\n");
}

/** NAME-schema.ts: the resolved schema as a module. */
export function generateSchemaModule(s: SbeSchema, o: GenerateOptions): string {
  const from = o.importFrom ?? "xdpfeed/sbe";
  const id = `${ident(o.name).toUpperCase()}_SBE`;
  return [
    `// The message schema of feed "${o.name}", generated by \`xdpfeed codegen sbe\` from ${basename(o.source)}: every`,
    "// message, field, group and var data resolved to offsets and type classes (src/sbe/schema.ts), for",
    "// the full-message view (MessageView, decode --json) and the encoder. Do not edit: generate again.",
    "",
    `import { sbeFeedSchema, type SbeSchema } from "${from}";`,
    "",
    `export const ${id}: SbeSchema = ${JSON.stringify(s)};`,
    "",
    `/** The schema as a feed's (Feed.schema, feedFromModule): messages keyed by template id. */`,
    `export const ${ident(o.name).toUpperCase()}_SCHEMA = sbeFeedSchema("${o.name}", ${id});`,
    "",
  ].join("\n");
}

/** NAME-encoder.ts: one encoder per message and the packet around them. */
export function generateEncoder(s: SbeSchema, o: GenerateOptions): string {
  const from = o.importFrom ?? "xdpfeed/sbe";
  const id = `${ident(o.name).toUpperCase()}_SBE`;
  const base = basename(o.name);
  const lines = [
    `// Encoders of feed "${o.name}", generated by \`xdpfeed codegen sbe\` from ${basename(o.source)}: one function per`,
    "// message, from a plain object in the shape decode --json prints (src/sbe/codec.ts), and sbePacket",
    "// for the packet around messages. For tests and synthetic streams. Do not edit: generate again.",
    "",
    `import { encodeMessage, type SbeObject, type EncodeOptions } from "${from}";`,
    `import { ${id} } from "./${base}-schema.js";`,
    "",
    `export { sbePacket } from "${from}";`,
    "",
  ];
  for (const m of s.messages) {
    const fields = m.fields.filter((f) => f.size > 0).map((f) => f.name);
    const groups = m.groups.map((g) => `${g.name}[]`);
    lines.push(`/** ${m.name} (template ${m.id}): ${[...fields, ...groups, ...m.data.map((d) => d.name)].join(", ") || "no fields"}. */`,
      `export function encode${ident(m.name)}(values: SbeObject = {}, o: EncodeOptions = {}): Uint8Array {`,
      `  return encodeMessage(${id}, ${m.id}, values, o);`, "}", "");
  }
  lines.push(`/** Encodes any message of the schema by template id or name. */`,
    `export function encode(template: number | string, values: SbeObject = {}, o: EncodeOptions = {}): Uint8Array {`,
    `  return encodeMessage(${id}, template, values, o);`, "}", "");
  return lines.join("\n");
}

export function generate(s: SbeSchema, o: GenerateOptions): GeneratedFiles {
  return { module: generateModule(s, o), schema: generateSchemaModule(s, o), encoder: generateEncoder(s, o) };
}

