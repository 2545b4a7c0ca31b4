// The SBE generator on schemas other than the shipped one: test schemas of every type class
// (nested groups, var data, groupSize8Byte, two versions of one message), a big-endian schema
// with a 12-byte header, and CME's MDP 3.0 version 5 schema. Each generated module is compiled
// (test/helpers/sbe.ts caches it) and fed packets from its generated encoder: the parser checks
// every group and var data, writes its records, and the full-message view reads back what was
// encoded; longer blocks, older versions and unknown templates are handled as SBE says. Also
// the generated files' shape, the codegen command and the generator's own speed.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FeedParser } from "../src/feeds/parser.js";
import { encodeMessage, type SbeObject } from "../src/sbe/codec.js";
import { sbePacket } from "../src/sbe/packet.js";
import { readSbeSchema } from "../src/sbe/schema.js";
import { generate } from "../src/sbe/generate.js";
import { generatedFeed, parsePayloads, extremeValues, withoutConstants } from "./helpers/sbe.js";

const fixture = (f: string): string => fileURLToPath(new URL(`./fixtures/sbe/${f}`, import.meta.url));
const CME = fileURLToPath(new URL("../../shared/data/cme", import.meta.url));
// CME's schemas (shared/data/cme, beside the checkout): the test that reads them skips without them.
const haveCme = existsSync(join(CME, "mdp3-v5.xml"));
const cli = fileURLToPath(new URL("../src/xdpfeed.mjs", import.meta.url));
const T0 = 5n;

const G = suite("SBE generator");

G("writes a module that reads like the hand-written ones: named offsets, one function per message, a switch on the template id", () => {
  const s = readSbeSchema(readFileSync(fixture("every-type.xml"), "utf8"));
  const { module, schema, encoder } = generate(s, { name: "every", source: "every-type.xml" });
  assert.match(module, "const T3_ENTRIES_PX: u32 = 0; // OptPrice9");
  assert.match(module, "const T3_ORDERS_ORDER_ID: u32 = 0; // uint64");
  for (const m of s.messages) assert.match(module, `case TEMPLATE_${m.id}: on${m.name}(m, len, seq, version, block, book); break;`);
  assert.match(module, "function checkBook(at: u32, end: u32, version: u32): bool {");
  assert.match(module, 'export * from "../parse/feed-abi";');
  assert.not.match(module, "mdpBook", "no book hooks unless asked");
  assert.match(schema, 'import { sbeFeedSchema, type SbeSchema } from "xdpfeed/sbe";');
  assert.match(encoder, "export function encodeBook(values: SbeObject = {}, o: EncodeOptions = {}): Uint8Array {");
});

G("xdpfeed codegen sbe writes the three files and names a schema's error by line and column", () => {
  const dir = mkdtempSync(join(tmpdir(), "xdpfeed-codegen-"));
  try {
    const ok = spawnSync(process.execPath, [cli, "codegen", "sbe", fixture("big-endian.xml"), "--name", "big", "-o", dir], { encoding: "utf8" });
    assert.is(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout.trim().split("\n"), ["big.as.ts", "big-schema.ts", "big-encoder.ts"].map((f) => join(dir, f)));
    for (const f of ["big.as.ts", "big-schema.ts", "big-encoder.ts"]) assert.ok(existsSync(join(dir, f)));
    const badFile = join(dir, "bad.xml");
    writeFileSync(badFile, readFileSync(fixture("big-endian.xml"), "utf8").replace('type="Price4"/>', 'type="Price5"/>'));
    const bad = spawnSync(process.execPath, [cli, "codegen", "sbe", badFile, "--name", "x", "-o", dir], { encoding: "utf8" });
    assert.is(bad.status, 2);
    assert.match(bad.stderr, /bad\.xml:32:\d+: field px has unknown type 'Price5'/);
    const kind = spawnSync(process.execPath, [cli, "codegen", "proto", fixture("big-endian.xml"), "--name", "x"], { encoding: "utf8" });
    assert.is(kind.status, 2);
    assert.match(kind.stderr, "codegen knows one kind of schema, sbe, not 'proto'");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

G("generates a 100-message schema in well under a second", () => {
  const base = readFileSync(fixture("every-type.xml"), "utf8");
  const book = base.slice(base.indexOf('<sbe:message name="Book"'), base.indexOf("</sbe:message>", base.indexOf('<sbe:message name="Book"')) + 14);
  const many = Array.from({ length: 100 }, (_, i) => book.replace('name="Book" id="3"', `name="Book${i}" id="${100 + i}"`)).join("\n");
  const xml = base.replace(/<sbe:message name="Primitives"[\s\S]*<\/sbe:messageSchema>/, `${many}\n</sbe:messageSchema>`);
  const t0 = performance.now();
  const s = readSbeSchema(xml);
  const files = generate(s, { name: "many", source: "many.xml" });
  const ms = performance.now() - t0;
  assert.is(s.messages.length, 100);
  console.log(`  generator: 100 messages, ${files.module.split("\n").length} lines of module, ${ms.toFixed(1)} ms`);
});

const W = suite("SBE generated modules compiled");

W("every type class, a nested group with var data, var data of both widths and groupSize8Byte read back through the parser", async () => {
  const { feed, schema } = await generatedFeed(fixture("every-type.xml"), "every");
  const p = new FeedParser(feed);
  const classes = { symbol: "ZZ", optInt: null, optByte: 7, optDouble: null, side: "Buy", action: "Delete", flags: ["Auction"], price: -5, limit: null,
    ratio: { mantissa: 3, exponent: -1 }, stamp: { date: { year: 1, month: 2, day: 3 }, nanos: "18446744073709551615", zone: "UTC" }, levels: [1, 2, 3] };
  const book = { transactTime: 42, entries: [1, 2, 3].map((k) => ({ px: k * 10, size: null, securityId: k, side: "Sell", fills: Array.from({ length: k }, (_, j) => ({ qty: j, note: "ab".repeat(j) })) })),
    orders: [{ orderId: 1 }, { orderId: 2 }], text: "t", blob: "0102" };
  const prim = extremeValues(schema.messages[0].fields, [], "max", 0);
  const r = parsePayloads(p, [sbePacket(1, T0, [encodeMessage(schema, 1, prim), encodeMessage(schema, 2, classes), encodeMessage(schema, 3, book)])]);
  assert.equal(p.summary().rejected, {});
  assert.equal(r.messages[0], { template: "Primitives", templateId: 1, version: 2, ...prim });
  assert.equal(r.messages[1], { template: "Classes", templateId: 2, version: 2, ...classes, venue: "XTST", lot: 100, fixedAction: "Change" });
  assert.equal(r.messages[2], { template: "Book", templateId: 3, version: 2, ...book });
  // Book's entries carry SecurityID and MDEntryPx tags: a tick each, priced at scale 9.
  assert.equal(r.ticks.slice(2).map((t) => [t.kind, t.instrument, t.price, t.priceScale, t.exchangeTs]), [["other", 1, 10, 9, 42], ["other", 2, 20, 9, 42], ["other", 3, 30, 9, 42]]);
});

W("a nested group or var data running past the message is counted, and the message delivers nothing", async () => {
  const { feed, schema } = await generatedFeed(fixture("every-type.xml"), "every");
  const good = encodeMessage(schema, 3, { entries: [{ px: 1, securityId: 1, fills: [{ qty: 1, note: "x" }] }], text: "abc" });
  const fillCount = good.slice();
  // entries header at 8 + 12: groupSize (3); the entry (24); then fills' groupSizeEncoding count at +2.
  new DataView(fillCount.buffer).setUint16(8 + 12 + 3 + 24 + 2, 50, true);
  const note = good.slice();
  note[8 + 12 + 3 + 24 + 4 + 4] = 200; // the note's uint8 length
  const text = good.slice();
  text[good.length - 2 - 1 - 3 - 1] = 250; // the text's uint8 length (before "abc" and blob's 2-byte length)
  const p = new FeedParser(feed);
  const r = parsePayloads(p, [sbePacket(1, T0, [fillCount]), sbePacket(2, T0, [note]), sbePacket(3, T0, [text]), sbePacket(4, T0, [good])]);
  assert.equal(p.summary().rejected, { badLength: 3 });
  assert.is(r.messages.length, 1);
});

W("two versions of one message: a longer block is read and its extra bytes skipped, an older one reports the newer field absent", async () => {
  const { feed, schema } = await generatedFeed(fixture("every-type.xml"), "every");
  const p = new FeedParser(feed);
  const longer = encodeMessage(schema, 4, { securityId: 8, bid: 100, ask: 101 }, { blockLength: 64 });
  const older = encodeMessage(schema, 4, { securityId: 9, bid: 200 }, { version: 1 });
  const unknown = encodeMessage(schema, 4, { securityId: 10 });
  new DataView(unknown.buffer).setUint16(2, 4444, true);
  const r = parsePayloads(p, [sbePacket(1, T0, [longer, older, unknown, encodeMessage(schema, 4, { securityId: 11, bid: 1, ask: 2 })])]);
  assert.equal(p.summary().rejected, { unknownType: 1 });
  assert.equal(r.messages, [
    { template: "Quote", templateId: 4, version: 2, securityId: 8, bid: 100, ask: 101 },
    { template: "Quote", templateId: 4, version: 1, securityId: 9, bid: 200 },
    { template: "Quote", templateId: 4, version: 2, securityId: 11, bid: 1, ask: 2 },
  ]);
  assert.equal(r.ticks.map((t) => t.instrument), [8, 9, 11], "the instrument of each, after the unknown one skipped by its size");
});

W("big-endian: a 12-byte header with a 32-bit template id, levels read in network order", async () => {
  const { feed, schema } = await generatedFeed(fixture("big-endian.xml"), "big");
  const p = new FeedParser(feed);
  const v = { transactTime: 77, levels: [{ securityId: 70000, px: -12345, size: "9007199254740993", level: 2, entryType: "1", delta: -3, ratio: 0.25 }, { securityId: 1, px: 5, size: 1, level: 1, entryType: "0", delta: 0, ratio: 0 }], text: "big" };
  const r = parsePayloads(p, [sbePacket(1, T0, [encodeMessage(schema, 300, v)])]);
  assert.equal(p.summary().rejected, {});
  assert.equal(r.messages[0], { template: "Level", templateId: 300, version: 0, ...v });
  assert.equal(r.ticks.map((t) => [t.kind, t.instrument, t.price, t.priceScale, t.quantity, t.status, t.side, t.exchangeTs]), [
    ["level", 70000, -12345, 4, 9007199254740993, 2, "S", 77], ["level", 1, 5, 4, 1, 1, "B", 77],
  ]);
});

W("CME MDP 3.0 version 5: every template's encoder at zero, maximum and null read back through its generated parser", async () => {
  if (!haveCme) return console.log(`# skipped: no CME schemas at ${CME}`);
  const { feed, schema } = await generatedFeed(join(CME, "mdp3-v5.xml"), "cme_mdp3_v5", { mdp3Book: true });
  for (const x of ["zero", "max", "null"] as const) {
    for (const entries of [0, 1, 3]) {
      const p = new FeedParser(feed);
      const values: SbeObject[] = schema.messages.map((m) => extremeValues(m.fields, m.groups, x, entries));
      const r = parsePayloads(p, schema.messages.map((m, i) => sbePacket(i + 1, T0, [encodeMessage(schema, m.id, values[i])])));
      assert.equal(p.summary().rejected, {}, `${x}, ${entries}`);
      r.messages.forEach((got, i) => {
        const m = schema.messages[i];
        assert.equal(withoutConstants(got, m.fields, m.groups), { template: m.name, templateId: m.id, version: schema.version, ...values[i] }, `${m.name} ${x} ${entries}`);
      });
    }
  }
});

G.run();
W.run();
