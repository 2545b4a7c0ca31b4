// SBE schemas and messages in TypeScript: the XML reader, the schema resolved into offsets and
// type classes (CME MDP 3.0 versions 9 and 5, and test schemas of every class), and the codec
// behind the generated encoders and the full-message view: each type class at zero, its maximum
// and null, groups of every dimension, nested, var data, big-endian, schema evolution.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseXml, XmlError } from "../src/sbe/xml.js";
import { readSbeSchema, SbeSchemaError, type SbeSchema } from "../src/sbe/schema.js";
import { decodeMessage, encodeMessage, SbeDecodeError, type SbeObject } from "../src/sbe/codec.js";
import { sbePacket, sbePacketMessages } from "../src/sbe/packet.js";

const CME = fileURLToPath(new URL("../../shared/data/cme", import.meta.url));
// CME's schemas (shared/data/cme, beside the checkout): the tests that read them skip without them.
const haveCme = existsSync(`${CME}/mdp3-v9.xml`) && existsSync(`${CME}/mdp3-v5.xml`);
const fixture = (f: string): string => readFileSync(new URL(`./fixtures/sbe/${f}`, import.meta.url), "utf8");
const EVERY = readSbeSchema(fixture("every-type.xml"), "every-type.xml");
const BIG = readSbeSchema(fixture("big-endian.xml"), "big-endian.xml");
const roundTrip = (s: SbeSchema, t: number, v: SbeObject): SbeObject => {
  const b = encodeMessage(s, t, v);
  return decodeMessage(s, b, 0, b.length);
};

const X = suite("SBE XML reader");

X("reads elements, attributes, text, comments, CDATA and entities", () => {
  const r = parseXml(`<?xml version="1.0"?>\n<!-- c --><a x="1 &lt; 2" y='&#65;&#x42;'><b>t &amp; u<![CDATA[<raw>]]></b><!-- d --><c/></a>`);
  assert.is(r.name, "a");
  assert.equal(r.attrs, { x: "1 < 2", y: "AB" });
  assert.is(r.children[0].text, "t & u<raw>");
  assert.is(r.children[1].name, "c");
  assert.is(r.children[1].line, 2);
});

X("strips namespace prefixes from element and attribute names", () => {
  const r = parseXml(`<ns2:messageSchema xmlns:ns2="u" ns2:id="3"><ns2:message/></ns2:messageSchema>`);
  assert.is(r.name, "messageSchema");
  assert.is(r.attrs.id, "3");
  assert.is(r.children[0].name, "message");
});

X("names the line and column of a mismatched end tag, an unclosed element and a bad entity", () => {
  assert.throws(() => parseXml("<a>\n  <b></c></a>", "s.xml"), (e: Error) => e instanceof XmlError && e.message.startsWith("s.xml:2:6: </c> closes <b>"));
  assert.throws(() => parseXml("<a>\n<b>", "s.xml"), (e: Error) => /s\.xml:2:1: element <b> not closed/.test(e.message));
  assert.throws(() => parseXml(`<a x="&nope;"/>`, "s.xml"), (e: Error) => /unknown entity &nope;/.test(e.message));
  assert.throws(() => parseXml(`<a/><b/>`, "s.xml"), (e: Error) => /content after the root element/.test(e.message));
});

const S = suite("SBE schema");

S("resolves CME MDP 3.0 version 9: 29 templates, header, dimensions and the offsets of Book46", () => {
  if (!haveCme) return console.log(`# skipped: no CME schemas at ${CME}`);
  const s = readSbeSchema(readFileSync(`${CME}/mdp3-v9.xml`, "utf8"), "mdp3-v9.xml");
  assert.is(s.messages.length, 29);
  assert.is(s.version, 9);
  assert.ok(s.littleEndian);
  assert.equal(s.header.templateId, { offset: 2, primitive: "uint16" });
  const m = s.messages.find((x) => x.id === 46)!;
  assert.is(m.blockLength, 11);
  const [entries, orders] = m.groups;
  assert.is(entries.blockLength, 32);
  assert.equal(entries.fields.map((f) => [f.name, f.offset, f.size]), [
    ["MDEntryPx", 0, 8], ["MDEntrySize", 8, 4], ["SecurityID", 12, 4], ["RptSeq", 16, 4], ["NumberOfOrders", 20, 4], ["MDPriceLevel", 24, 1], ["MDUpdateAction", 25, 1], ["MDEntryType", 26, 1],
  ]);
  assert.equal(orders.dimension, { typeName: "groupSize8Byte", size: 8, blockLengthOffset: 0, blockLengthPrimitive: "uint16", countOffset: 7, countPrimitive: "uint8" });
  const px = entries.fields[0].type;
  assert.equal(px.class === "decimal" && [px.exponent, px.presence], [-9, "optional"]);
});

S("resolves CME MDP 3.0 version 5: 17 templates, the older ones' blocks 2 bytes shorter", () => {
  if (!haveCme) return console.log(`# skipped: no CME schemas at ${CME}`);
  const s = readSbeSchema(readFileSync(`${CME}/mdp3-v5.xml`, "utf8"), "mdp3-v5.xml");
  assert.is(s.messages.length, 17);
  assert.equal(s.messages.filter((m) => [27, 29, 41].includes(m.id)).map((m) => m.blockLength), [214, 193, 211]);
});

S("resolves every type class of a test schema", () => {
  const m = EVERY.messages.find((x) => x.id === 2)!;
  const cls = Object.fromEntries(m.fields.map((f) => [f.name, `${f.type.class}${"presence" in f.type ? ":" + f.type.presence : ""}/${f.size}`]));
  assert.equal(cls, {
    symbol: "chars:required/8", optInt: "primitive:optional/4", optByte: "primitive:optional/1", optDouble: "primitive:optional/8", venue: "chars:constant/0",
    lot: "primitive:constant/0", side: "enum:required/1", action: "enum:required/1", fixedAction: "enum:constant/0", flags: "set/2", price: "decimal:required/8",
    limit: "decimal:optional/8", ratio: "decimal:required/5", stamp: "composite/13", levels: "array/12",
  });
  const book = EVERY.messages.find((x) => x.id === 3)!;
  assert.is(book.groups[0].groups[0].data[0].name, "note");
  assert.equal(book.data.map((d) => [d.name, d.lengthPrimitive, d.encoding]), [["text", "uint8", "UTF-8"], ["blob", "uint16", ""]]);
});

S("names the line and column of what is wrong in a schema", () => {
  const bad = fixture("every-type.xml").replace(`type="OptInt32"/>`, `type="NoSuchType"/>`);
  assert.throws(() => readSbeSchema(bad, "x.xml"), (e: Error) => e instanceof SbeSchemaError && /^x\.xml:\d+:\d+: field optInt has unknown type 'NoSuchType'/.test(e.message));
  assert.throws(() => readSbeSchema("<types/>", "y.xml"), (e: Error) => /y\.xml:1:1: root element is <types>/.test(e.message));
  const short = fixture("every-type.xml").replace(`blockLength="24"`, `blockLength="10"`);
  assert.throws(() => readSbeSchema(short, "z.xml"), (e: Error) => /group entries: blockLength 10 is less than its fields' 17 bytes/.test(e.message));
});

const C = suite("SBE codec");

C("every primitive at zero and at its extremes", () => {
  const zero = { c: "\u0000", i8: 0, u8: 0, i16: 0, u16: 0, i32: 0, u32: 0, i64: 0, u64: 0, f32: 0, f64: 0 };
  assert.equal(roundTrip(EVERY, 1, zero), { template: "Primitives", templateId: 1, version: 2, ...zero });
  const max = { c: "~", i8: 127, u8: 255, i16: 32767, u16: 65535, i32: 2147483647, u32: 4294967295, i64: "9223372036854775807", u64: "18446744073709551615", f32: 1.5, f64: -2.25e300 };
  assert.equal(roundTrip(EVERY, 1, max), { template: "Primitives", templateId: 1, version: 2, ...max });
  const min = { i8: -128, i16: -32768, i32: -2147483648, i64: "-9223372036854775808" };
  assert.equal(roundTrip(EVERY, 1, min), { template: "Primitives", templateId: 1, version: 2, c: "\u0000", u8: 0, u16: 0, u32: 0, u64: 0, f32: 0, f64: 0, ...min });
});

C("optional fields at null, constants, trimmed char arrays, enums, sets, composites, decimals and arrays", () => {
  const v = {
    symbol: "ESZ6", optInt: null, optByte: null, optDouble: null, side: "Sell", action: "Delete", flags: ["Open", "Last"], price: "-1234500000000",
    limit: null, ratio: { mantissa: -25, exponent: -2 }, stamp: { date: { year: 2026, month: 12, day: 3 }, nanos: 5, zone: "Local" }, levels: [1, 4294967295, 0],
  };
  assert.equal(roundTrip(EVERY, 2, v), { template: "Classes", templateId: 2, version: 2, ...v, price: -1234500000000, venue: "XTST", lot: 100, fixedAction: "Change" });
  const b = encodeMessage(EVERY, 2, { symbol: "AB", optInt: 0, optByte: 254 });
  const d = decodeMessage(EVERY, b, 0, b.length);
  assert.equal([d.symbol, d.optInt, d.optByte], ["AB", 0, 254]);
  // The symbol is NUL-padded on the wire, and spaces before the padding are trimmed too.
  assert.equal([...b.subarray(8, 16)], [65, 66, 0, 0, 0, 0, 0, 0]);
  const raw = encodeMessage(EVERY, 2, { symbol: "CD  " });
  assert.is(decodeMessage(EVERY, raw, 0, raw.length).symbol, "CD");
});

C("groups with 0, 1 and many entries, a nested group, var data and a groupSize8Byte dimension", () => {
  const entry = (i: number): SbeObject => ({ px: i === 1 ? null : i * 1000, size: i, securityId: 7 + i, side: i % 2 ? "Buy" : "Sell", fills: Array.from({ length: i }, (_, k) => ({ qty: k, note: `n${k}é` })) });
  for (const n of [0, 1, 2, 40]) {
    const v = { transactTime: 99, entries: Array.from({ length: n }, (_, i) => entry(i)), orders: Array.from({ length: n }, (_, i) => ({ orderId: i })), text: "héllo", blob: "00ff10" };
    assert.equal(roundTrip(EVERY, 3, v), { template: "Book", templateId: 3, version: 2, ...v }, `${n} entries`);
  }
  // groupSize8Byte: blockLength at 0, numInGroup at 7 (bytes 2-6 padding).
  const b = encodeMessage(EVERY, 3, { orders: [{ orderId: 1 }, { orderId: 2 }] });
  const at = 8 + 12 + 3;
  assert.equal([...b.subarray(at, at + 8)], [8, 0, 0, 0, 0, 0, 0, 2]);
});

C("big-endian: fields, group dimensions and var data lengths in network order", () => {
  const v = { transactTime: 1, levels: [{ securityId: 258, px: -5, size: 3, level: 1, entryType: "1", delta: -2, ratio: 0.5 }], text: "hi" };
  const b = encodeMessage(BIG, 300, v);
  assert.equal([...b.subarray(0, 12)], [0, 8, 0, 0, 0, 0, 1, 44, 0, 0, 0, 9], "header: blockLength 8, version 0, template 300, schema 9");
  assert.equal([...b.subarray(20, 24)], [0, 28, 0, 1], "group: blockLength 28, one entry");
  assert.equal([...b.subarray(24, 28)], [0, 0, 1, 2], "securityId 258");
  assert.equal(decodeMessage(BIG, b, 0, b.length), { template: "Level", templateId: 300, version: 0, ...v });
});

C("a root block longer than known is read, its extra bytes skipped; an older version's newer fields are absent", () => {
  const longer = encodeMessage(EVERY, 4, { securityId: 5, bid: 10, ask: 11 }, { blockLength: 40 });
  assert.is(longer.length, 8 + 40);
  assert.equal(decodeMessage(EVERY, longer, 0, longer.length), { template: "Quote", templateId: 4, version: 2, securityId: 5, bid: 10, ask: 11 });
  const older = encodeMessage(EVERY, 4, { securityId: 5, bid: 10, ask: 11 }, { version: 1 });
  assert.is(older.length, 8 + 12, "version 1's block ends before ask");
  assert.equal(decodeMessage(EVERY, older, 0, older.length), { template: "Quote", templateId: 4, version: 1, securityId: 5, bid: 10 });
});

C("an unknown template is reported, not misread; overruns throw", () => {
  const b = encodeMessage(EVERY, 4, {});
  b[2] = 200;
  assert.equal(decodeMessage(EVERY, b, 0, b.length), { templateId: 200, version: 2, blockLength: 20, unknown: true });
  const g = encodeMessage(EVERY, 3, { entries: [{ px: 1 }] });
  assert.throws(() => decodeMessage(EVERY, g, 0, g.length - 1), (e: Error) => e instanceof SbeDecodeError);
  g[8 + 12 + 2] = 9; // 9 entries declared, one there
  assert.throws(() => decodeMessage(EVERY, g, 0, g.length), (e: Error) => /entries of 24 bytes run past the message/.test(e.message));
  assert.throws(() => decodeMessage(EVERY, g, 0, 5), (e: Error) => /shorter than the 8-byte SBE header/.test(e.message));
});

C("the encoder refuses values that do not fit their field", () => {
  assert.throws(() => encodeMessage(EVERY, 2, { symbol: "TOOLONGSYM" }), (e: Error) => /longer than its 8 characters/.test(e.message));
  assert.throws(() => encodeMessage(EVERY, 2, { side: "Up" }), (e: Error) => /'Up' is not a value of its enum \(Buy, Sell\)/.test(e.message));
  assert.throws(() => encodeMessage(EVERY, 2, { flags: ["Nope"] }), (e: Error) => /'Nope' is not a choice of its set/.test(e.message));
});

C("the SBE packet: MsgSeqNum, SendingTime, then messages each after its size counting its two bytes", () => {
  const a = encodeMessage(EVERY, 4, { securityId: 1 });
  const p = sbePacket(7, 123n, [a, a]);
  assert.is(new DataView(p.buffer).getUint16(12, true), a.length + 2);
  const r = sbePacketMessages(p);
  assert.equal([r.seq, r.sendingTime, r.messages.length, r.messages[1].length], [7, 123n, 2, a.length]);
});

X.run();
S.run();
C.run();
