// The ITCH 5.0 session generator: the schema against the specification's table, the encoder at
// the extremes of every field, the PRNG, the session's book consistency, and the writers' output
// parsed back byte by byte.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import {
  encode,
  encodeInto,
  HEADER_LENGTH,
  ITCH50,
  ITCH_TYPES,
  MAX_MESSAGE_LENGTH,
  type FieldSpec,
  type ItchMessage,
  type ItchType,
} from "../src/itchgen/itch-encode.js";
import { Rng } from "../src/itchgen/rng.js";
import { ReferenceL3 } from "./oracle/reference-book.js";
import { FeedParser, type InputChunk } from "../src/feeds/parser.js";
import { itch50 } from "../src/feeds/feeds.js";
import { enableBook } from "../src/book/book.js";
import {
  forEachMessage,
  generateSession,
  minSessionMessages,
  sessionMessages,
  type SessionOptions,
  type SessionSummary,
} from "../src/itchgen/itch-session.js";
import {
  MOLD_END_OF_SESSION,
  moldFrames,
  moldPackets,
  writeItchFile,
  writePcap,
  type MoldPacket,
  type PcapOptions,
} from "../src/itchgen/itch-writers.js";

// ---- helpers ----

/** sha256 of the session { seed: 1, symbols: 10, messages: 5000 }: any change to the generator's output changes it. */
const GOLDEN_5000 = "9b684141c3aefb4ec21eecdc0fa0e361475cfe71e34ed134cf864554a6559d06";
/** sha256 of { seed: 3, symbols: 200, messages: 300,000 }, taken before the realistic profile existed. */
const GOLDEN_UNIFORM_300K = "3a44886567b09f0f61e38bfb1a20dee52bf9ba5954c7517642f81c31d3bc9995";

/** The specification's table, transcribed independently of the source: "name kind" with c=char, a=alpha, p4/p8=price. */
const SPEC: Record<string, [number, string]> = {
  S: [12, "eventCode c1"],
  R: [39, "stock a8, marketCategory c1, financialStatusIndicator c1, roundLotSize u4, roundLotsOnly c1, issueClassification c1, issueSubType a2, authenticity c1, shortSaleThresholdIndicator c1, ipoFlag c1, luldReferencePriceTier c1, etpFlag c1, etpLeverageFactor u4, inverseIndicator c1"],
  H: [25, "stock a8, tradingState c1, reserved c1, reason a4"],
  Y: [20, "stock a8, regShoAction c1"],
  L: [26, "mpid a4, stock a8, primaryMarketMaker c1, marketMakerMode c1, marketParticipantState c1"],
  V: [35, "level1 p8, level2 p8, level3 p8"],
  W: [12, "breachedLevel c1"],
  K: [28, "stock a8, ipoQuotationReleaseTime u4, ipoQuotationReleaseQualifier c1, ipoPrice p4"],
  J: [35, "stock a8, auctionCollarReferencePrice p4, upperAuctionCollarPrice p4, lowerAuctionCollarPrice p4, auctionCollarExtension u4"],
  h: [21, "stock a8, marketCode c1, operationalHaltAction c1"],
  A: [36, "orderRef u8, side c1, shares u4, stock a8, price p4"],
  F: [40, "orderRef u8, side c1, shares u4, stock a8, price p4, attribution a4"],
  E: [31, "orderRef u8, executedShares u4, matchNumber u8"],
  C: [36, "orderRef u8, executedShares u4, matchNumber u8, printable c1, executionPrice p4"],
  X: [23, "orderRef u8, cancelledShares u4"],
  D: [19, "orderRef u8"],
  U: [35, "originalOrderRef u8, newOrderRef u8, shares u4, price p4"],
  P: [44, "orderRef u8, side c1, shares u4, stock a8, price p4, matchNumber u8"],
  Q: [40, "shares u8, stock a8, crossPrice p4, matchNumber u8, crossType c1"],
  B: [19, "matchNumber u8"],
  I: [50, "pairedShares u8, imbalanceShares u8, imbalanceDirection c1, stock a8, farPrice p4, nearPrice p4, currentReferencePrice p4, crossType c1, priceVariationIndicator c1"],
  N: [20, "stock a8, interestFlag c1"],
  O: [48, "stock a8, openEligibilityStatus c1, minimumAllowablePrice p4, maximumAllowablePrice p4, nearExecutionPrice p4, nearExecutionTime u8, lowerPriceRangeCollar p4, upperPriceRangeCollar p4"],
};

/** A field of the independent table: [name, kind, size, price]. */
function specFields(t: string): [string, FieldSpec["kind"], number, number | undefined][] {
  return SPEC[t][1].split(", ").map((item) => {
    const [name, k] = item.split(" ");
    if (k[0] === "c") return [name, "char", 1, undefined];
    if (k[0] === "a") return [name, "alpha", Number(k.slice(1)), undefined];
    if (k === "p4") return [name, "u4", 4, 4];
    if (k === "p8") return [name, "u8", 8, 8];
    return [name, k as FieldSpec["kind"], Number(k.slice(1)), undefined];
  });
}

type Decoded = Record<string, string | number | bigint> & { type: ItchType };

/** Reads a message with the schema (the way a decoder built on ITCH50 would). */
function decode(b: Uint8Array, off: number, len: number): Decoded {
  const spec = ITCH50[String.fromCharCode(b[off]) as ItchType];
  assert.ok(spec, `unknown type byte ${b[off]} at ${off}`);
  assert.is(len, spec.length, `length of '${spec.type}'`);
  const dv = new DataView(b.buffer, b.byteOffset + off, len);
  const m: Record<string, string | number | bigint> = {};
  for (const f of spec.fields) {
    switch (f.kind) {
      case "char": m[f.name] = String.fromCharCode(dv.getUint8(f.offset)); break;
      case "alpha": m[f.name] = String.fromCharCode(...b.subarray(off + f.offset, off + f.offset + f.size)).trimEnd(); break;
      case "u2": m[f.name] = dv.getUint16(f.offset); break;
      case "u4": m[f.name] = dv.getUint32(f.offset); break;
      case "u6": m[f.name] = (BigInt(dv.getUint16(f.offset)) << 32n) | BigInt(dv.getUint32(f.offset + 2)); break;
      case "u8": m[f.name] = dv.getBigUint64(f.offset); break;
    }
  }
  return m as Decoded;
}

function collect(opts: SessionOptions): { bytes: Uint8Array; summary: SessionSummary } {
  const parts: Uint8Array[] = [];
  const it = generateSession(opts);
  for (;;) {
    const r = it.next();
    if (r.done) return { bytes: Buffer.concat(parts), summary: r.value };
    parts.push(r.value.slice());
  }
}

function sha256(b: Uint8Array): string {
  return createHash("sha256").update(b).digest("hex");
}

/** Messages of a framed stream (u2 length + message) as [offset, length] pairs. */
function framed(b: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  forEachMessage(b, (_, off, len) => out.push([off, len]));
  return out;
}

function tmp(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "itchgen-"));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

function ipChecksumOk(b: Uint8Array, start: number, end: number): boolean {
  let sum = 0;
  for (let i = start; i < end; i += 2) sum += (b[i] << 8) | (i + 1 < end ? b[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

/**
 * Decodes a whole session with the schema and checks that it is a consistent day: the directory
 * first, adds on listed symbols with strictly increasing references, executions, cancels, deletes
 * and replaces of live orders only, shares that exist, increasing matches and timestamps, breaks of
 * earlier executions, the system events in order, and a summary that counts what was sent.
 */
function assertConsistentDay(o: SessionOptions & { symbols: number }, minLive: number): void {
  const { symbols, messages } = o;
  const { bytes, summary } = collect(o);
  const msgs = framed(bytes);
  assert.is(msgs.length, messages);
  assert.is(summary.messages, messages);

  const live = new Map<bigint, { shares: number; locate: number; side: string; price: number }>();
  const matches = new Set<bigint>();
  const breakable = new Set<bigint>();
  const broken = new Set<bigint>();
  const symbolOf = new Map<number, string>();
  const state = new Map<number, string>(); // trading state by locate: H's tradingState
  const opHalted = new Set<number>();
  const counts: Record<string, number> = {};
  const systemEvents: string[] = [];
  let lastRef = 0n, lastMatch = 0n, lastTs = -1n, flowStarted = false;
  const has = (m: Decoded, k: string) => k in m;

  for (const [off, len] of msgs) {
    const m = decode(bytes, off, len);
    counts[m.type] = (counts[m.type] ?? 0) + 1;
    // the fast writers agree with the checked encoder, field for field
    const again = encode(m as unknown as ItchMessage);
    assert.ok(Buffer.from(again).equals(bytes.subarray(off, off + len)), `re-encoding '${m.type}' at ${off}`);
    const ts = m.timestamp as bigint;
    assert.ok(ts >= lastTs, `timestamps non-decreasing at ${off}`);
    assert.ok(ts < 86_400n * 1_000_000_000n);
    lastTs = ts;
    const locate = m.stockLocate as number;
    if (has(m, "stock")) {
      if (m.type === "R") {
        assert.is(locate, symbolOf.size + 1, "stock locates 1..N in directory order");
        assert.not.ok([...symbolOf.values()].includes(m.stock as string), "unique symbols");
        if (symbolOf.size) assert.ok(symbolOf.get(symbolOf.size)! < (m.stock as string), "directory in alphabetical order");
        symbolOf.set(locate, m.stock as string);
      } else {
        assert.is(m.stock, symbolOf.get(locate), `stock of '${m.type}' matches its locate`);
      }
    }
    const trading = () => state.get(locate) === "T" && !opHalted.has(locate);
    const newRef = (ref: bigint) => {
      assert.ok(ref > lastRef, `order refs strictly increasing (${ref} after ${lastRef})`);
      lastRef = ref;
    };
    const newMatch = (match: bigint, canBreak: boolean) => {
      assert.ok(match > lastMatch, `match numbers strictly increasing`);
      lastMatch = match;
      matches.add(match);
      if (canBreak) breakable.add(match);
    };
    const order = (ref: bigint) => {
      const o = live.get(ref);
      assert.ok(o, `'${m.type}' references live order ${ref}`);
      assert.is(o!.locate, locate, `'${m.type}' locate is its order's`);
      return o!;
    };
    switch (m.type) {
      case "S": systemEvents.push(m.eventCode as string); break;
      case "H": state.set(locate, m.tradingState as string); break;
      case "h": if (m.operationalHaltAction === "H") opHalted.add(locate); else opHalted.delete(locate); break;
      case "A":
      case "F": {
        flowStarted = true;
        assert.ok(state.get(locate) === "T" || state.get(locate) === "H", "adds on a listed, traded symbol");
        newRef(m.orderRef as bigint);
        assert.ok(m.side === "B" || m.side === "S");
        assert.ok((m.shares as number) > 0 && (m.price as number) > 0);
        live.set(m.orderRef as bigint, { shares: m.shares as number, locate, side: m.side as string, price: m.price as number });
        break;
      }
      case "E":
      case "C": {
        const o = order(m.orderRef as bigint);
        const n = m.executedShares as number;
        assert.ok(n > 0 && n <= o.shares, `executed ${n} of ${o.shares}`);
        assert.ok(trading(), "no execution while halted");
        newMatch(m.matchNumber as bigint, true);
        o.shares -= n;
        if (o.shares === 0) live.delete(m.orderRef as bigint);
        break;
      }
      case "X": {
        const o = order(m.orderRef as bigint);
        const n = m.cancelledShares as number;
        assert.ok(n > 0 && n < o.shares, `a partial cancel of ${n} of ${o.shares}`);
        o.shares -= n;
        break;
      }
      case "D": order(m.orderRef as bigint); live.delete(m.orderRef as bigint); break;
      case "U": {
        const o = order(m.originalOrderRef as bigint);
        newRef(m.newOrderRef as bigint);
        assert.ok((m.shares as number) > 0 && (m.price as number) > 0);
        live.delete(m.originalOrderRef as bigint);
        live.set(m.newOrderRef as bigint, { ...o, shares: m.shares as number, price: m.price as number });
        break;
      }
      case "P": assert.ok(trading(), "no trade while halted"); newMatch(m.matchNumber as bigint, true); break;
      case "Q": newMatch(m.matchNumber as bigint, false); break;
      case "B": {
        const match = m.matchNumber as bigint;
        assert.ok(breakable.has(match), `broken trade ${match} references an earlier execution`);
        assert.not.ok(broken.has(match), `trade ${match} broken once`);
        broken.add(match);
        break;
      }
      case "R": case "Y": assert.not.ok(flowStarted, "directory before the order flow"); break;
    }
  }
  assert.equal(systemEvents, ["O", "S", "Q", "M", "E", "C"]);
  assert.is(ITCH50.S.code, bytes[msgs[0][0]]);
  assert.is(decode(bytes, ...msgs[0]).eventCode, "O");
  assert.is(decode(bytes, ...msgs[msgs.length - 1]).eventCode, "C");
  assert.is(symbolOf.size, symbols);
  assert.equal([...symbolOf.values()], [...summary.symbols]);
  for (let l = 1; l <= symbols; l++) assert.is(state.get(l), "T", `symbol ${l} trading at the end`);
  assert.is(live.size, summary.liveOrders);
  assert.is(lastRef, BigInt(summary.lastOrderRef));
  assert.is(lastMatch, BigInt(summary.lastMatchNumber));
  for (const t of ITCH_TYPES) assert.is(counts[t] ?? 0, summary.counts[t], `count of '${t}'`);
  assert.ok(live.size > minLive, `the book is not empty: ${live.size} orders`);
}

// ---- schema ----

const Schema = suite("ITCH50 schema");

Schema("has the 23 ITCH 5.0 types, with the specification's names, lengths, fields and price scales", () => {
  assert.equal([...ITCH_TYPES].sort(), Object.keys(SPEC).sort());
  for (const t of ITCH_TYPES) {
    const s = ITCH50[t];
    assert.is(s.type, t);
    assert.is(s.code, t.charCodeAt(0));
    assert.is(s.length, SPEC[t][0], `${t} length`);
    const got = s.fields.slice(4).map((f) => [f.name, f.kind, f.size, f.price]);
    assert.equal(got, specFields(t), `${t} fields`);
  }
});

Schema("starts every type with the common header: type@0, stockLocate@1, trackingNumber@3, timestamp@5 (6 bytes)", () => {
  for (const t of ITCH_TYPES) {
    const h = ITCH50[t].fields.slice(0, 4).map((f) => [f.name, f.kind, f.offset, f.size]);
    assert.equal(h, [["type", "char", 0, 1], ["stockLocate", "u2", 1, 2], ["trackingNumber", "u2", 3, 2], ["timestamp", "u6", 5, 6]], t);
    assert.is(ITCH50[t].fields[4].offset, HEADER_LENGTH, `${t} first field at 11`);
  }
});

Schema("tiles each message exactly: contiguous offsets whose sizes sum to the length", () => {
  for (const t of ITCH_TYPES) {
    let at = 0;
    for (const f of ITCH50[t].fields) {
      assert.is(f.offset, at, `${t}.${f.name} offset`);
      at += f.size;
    }
    assert.is(at, ITCH50[t].length, `${t} sum of sizes`);
  }
  assert.is(MAX_MESSAGE_LENGTH, 50);
});

Schema("is frozen", () => {
  assert.ok(Object.isFrozen(ITCH50) && Object.isFrozen(ITCH50.A) && Object.isFrozen(ITCH50.A.fields) && Object.isFrozen(ITCH50.A.fields[5]));
});

Schema.run();

// ---- encoder ----

const Enc = suite("ITCH encoder");

type Variant = "zero" | "max" | "distinct";

/** A message of type t whose every field holds the variant's value (distinct: a different value per field, u8 above 2^53). */
function sample(t: ItchType, v: Variant): ItchMessage {
  const m: Record<string, unknown> = {};
  ITCH50[t].fields.forEach((f, k) => {
    if (f.name === "type") return void (m.type = t);
    switch (f.kind) {
      case "char": m[f.name] = v === "zero" ? " " : v === "max" ? "~" : String.fromCharCode(0x41 + k); break;
      case "alpha": m[f.name] = v === "zero" ? "" : v === "max" ? "~".repeat(f.size) : String.fromCharCode(0x61 + k).repeat(f.size - 1); break;
      case "u2": m[f.name] = v === "zero" ? 0 : v === "max" ? 0xffff : 0x0100 + k; break;
      case "u4": m[f.name] = v === "zero" ? 0 : v === "max" ? 0xffffffff : 0x80402000 + k; break;
      case "u6": m[f.name] = v === "zero" ? 0n : v === "max" ? (1n << 48n) - 1n : (1n << 47n) + 0x1234_5678n + BigInt(k); break;
      case "u8": m[f.name] = v === "zero" ? 0n : v === "max" ? (1n << 64n) - 1n : (1n << 53n) + 1n + (BigInt(k) << 56n); break;
    }
  });
  return m as unknown as ItchMessage;
}

Enc("puts every field of every type at its offset, with zeros, the max of each width and u8 values above 2^53", () => {
  for (const t of ITCH_TYPES) {
    for (const v of ["zero", "max", "distinct"] as Variant[]) {
      const msg = sample(t, v) as unknown as Record<string, unknown>;
      const b = encode(msg as unknown as ItchMessage);
      assert.is(b.length, SPEC[t][0], `${t} ${v} length`);
      const dv = new DataView(b.buffer);
      for (const f of ITCH50[t].fields) {
        const want = msg[f.name];
        const where = `${t}.${f.name} (${v}) @${f.offset}`;
        switch (f.kind) {
          case "char": assert.is(b[f.offset], (want as string).charCodeAt(0), where); break;
          case "alpha": assert.is(Buffer.from(b.subarray(f.offset, f.offset + f.size)).toString("latin1"), (want as string).padEnd(f.size, " "), where); break;
          case "u2": assert.is(dv.getUint16(f.offset), want, where); break;
          case "u4": assert.is(dv.getUint32(f.offset), want, where); break;
          case "u6": assert.is((BigInt(dv.getUint16(f.offset)) << 32n) | BigInt(dv.getUint32(f.offset + 2)), want, where); break;
          case "u8": assert.is(dv.getBigUint64(f.offset), want, where); break;
        }
      }
      const alpha = new Set(ITCH50[t].fields.filter((f) => f.kind === "alpha").map((f) => f.name));
      assert.equal(decode(b, 0, b.length), Object.fromEntries(Object.entries(msg).map(([k, x]) => [k, alpha.has(k) ? (x as string).trimEnd() : x])));
    }
  }
});

Enc("writes a known Add Order byte for byte", () => {
  const b = encode({ type: "A", stockLocate: 0x0102, trackingNumber: 0x0304, timestamp: 0x0506_0708_090an, orderRef: 0x0b0c_0d0e_0f10_1112n, side: "B", shares: 0x13141516, stock: "AAPL", price: 0x1718191a });
  assert.is(
    Buffer.from(b).toString("hex"),
    "41" + "0102" + "0304" + "05060708090a" + "0b0c0d0e0f101112" + "42" + "13141516" + "4141504c20202020" + "1718191a",
  );
});

Enc("encodeInto writes at the offset and touches nothing else", () => {
  const out = new Uint8Array(100).fill(0xee);
  const n = encodeInto(sample("D", "max"), out, 7);
  assert.is(n, 19);
  assert.ok(out.subarray(0, 7).every((x) => x === 0xee) && out.subarray(26).every((x) => x === 0xee));
  assert.is(out[7], 0x44);
  const sub = out.subarray(30, 60);
  encodeInto(sample("B", "distinct"), sub, 1);
  assert.is(out[31], 0x42);
  assert.throws(() => encodeInto(sample("D", "zero"), out, 90), /do not fit/);
});

Enc("rejects out-of-range values, wrong types, missing and unknown fields", () => {
  const bad = (patch: Record<string, unknown>, re: RegExp) =>
    assert.throws(() => encode({ ...(sample("P", "distinct") as object), ...patch } as unknown as ItchMessage), re);
  bad({ shares: 2 ** 32 }, /shares/);
  bad({ shares: -1 }, /shares/);
  bad({ shares: 1.5 }, /shares/);
  bad({ stockLocate: 65536 }, /stockLocate/);
  bad({ timestamp: 1n << 48n }, /timestamp/);
  bad({ matchNumber: 1n << 64n }, /matchNumber/);
  bad({ matchNumber: -1n }, /matchNumber/);
  bad({ matchNumber: "1" }, /matchNumber/);
  bad({ side: "BS" }, /side/);
  bad({ side: "" }, /side/);
  bad({ stock: "TOOLONGXX" }, /stock/);
  bad({ stock: "É" }, /stock/);
  bad({ extra: 1 }, /unknown fields \[extra\]/);
  const missing = { ...(sample("P", "distinct") as object) } as Record<string, unknown>;
  delete missing.price;
  assert.throws(() => encode(missing as unknown as ItchMessage), /missing fields \[price\]/);
  assert.throws(() => encode({ type: "Z" } as unknown as ItchMessage), /not an ITCH 5.0 message type/);
  assert.throws(() => encode({ type: "toString" } as unknown as ItchMessage), /not an ITCH 5.0 message type/);
  // numbers are taken for u8 fields when they are safe integers
  const b = encode({ ...(sample("B", "zero") as object), matchNumber: 2 ** 53 - 1 } as unknown as ItchMessage);
  assert.is(new DataView(b.buffer).getBigUint64(11), 2n ** 53n - 1n);
});

Enc.run();

// ---- PRNG ----

const R = suite("seeded PRNG");

R("is xoshiro128**: the reference outputs from state (1, 2, 3, 4)", () => {
  const r = Rng.fromState(1, 2, 3, 4);
  assert.equal([0, 1, 2, 3, 4, 5].map(() => r.u32()), [11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
});

R("gives the same stream for a seed on every run, and different streams for different seeds", () => {
  const a = new Rng(42);
  assert.equal([0, 1, 2, 3, 4].map(() => a.u32()), [660444221, 3652823732, 77672526, 910233633, 2297337756]);
  const draw = (s: number) => { const r = new Rng(s); return Array.from({ length: 8 }, () => r.u32()); };
  assert.equal(draw(7), draw(7));
  assert.not.equal(draw(7), draw(8));
  assert.not.equal(draw(2 ** 40), draw(2 ** 40 + 2 ** 33), "high bits of the seed count");
});

R("draws floats in [0, 1) and integers in range", () => {
  const r = new Rng(1);
  const seen = new Set<number>();
  for (let i = 0; i < 10000; i++) {
    const x = r.next();
    assert.ok(x >= 0 && x < 1);
    const k = r.int(7);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 7);
    seen.add(k);
    const j = r.range(-3, 3);
    assert.ok(j >= -3 && j <= 3);
  }
  assert.is(seen.size, 7);
});

R.run();

// ---- session ----

const S = suite("ITCH session generator");

S("is deterministic: same seed, same bytes (whatever the chunk size); another seed, other bytes", () => {
  const o = { seed: 11, symbols: 40, messages: 50_000 };
  const a = collect(o);
  const b = collect({ ...o, chunkBytes: 4096 });
  const c = collect({ ...o, seed: 12 });
  assert.is(a.bytes.length, a.summary.bytes);
  assert.ok(Buffer.from(a.bytes).equals(b.bytes));
  assert.not.ok(Buffer.from(a.bytes).equals(c.bytes));
  assert.equal(a.summary, b.summary);
});

S("gives the same bytes on every platform and version (golden hash; update only when the generator changes on purpose)", () => {
  const { bytes } = collect({ seed: 1, symbols: 10, messages: 5000 });
  assert.is(sha256(bytes), GOLDEN_5000);
});

S("yields views into one reused buffer by default, and fresh buffers with reuseBuffer: false", () => {
  const o = { seed: 3, symbols: 20, messages: 20_000, chunkBytes: 8192 };
  const shared = [...generateSession(o)];
  assert.ok(shared.length > 10);
  assert.ok(shared.every((c) => c.buffer === shared[0].buffer));
  const fresh = [...generateSession({ ...o, reuseBuffer: false })];
  assert.is(new Set(fresh.map((c) => c.buffer)).size, fresh.length);
  assert.ok(Buffer.concat(fresh).equals(collect(o).bytes));
});

S("keeps a consistent book over 200k messages: live orders only, shares that exist, increasing refs, matches and timestamps", () => {
  assertConsistentDay({ seed: 2024, symbols: 120, messages: 200_000 }, 1000);
});

S("has every message type in sessions of 10,000 messages", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    for (const symbols of [1, 100]) {
      const { bytes, summary } = collect({ seed, symbols, messages: 10_000 });
      const seen = new Set<string>();
      for (const [off] of framed(bytes)) seen.add(String.fromCharCode(bytes[off]));
      assert.equal([...seen].sort(), [...ITCH_TYPES].sort(), `seed ${seed}, ${symbols} symbols`);
      assert.ok(ITCH_TYPES.every((t) => summary.counts[t] > 0));
    }
  }
  // and at the smallest size allowed
  const { summary } = collect({ seed: 9, symbols: 30, messages: minSessionMessages(30) });
  assert.ok(ITCH_TYPES.every((t) => summary.counts[t] > 0), JSON.stringify(summary.counts));
});

S("yields single messages through sessionMessages", () => {
  const o = { seed: 5, symbols: 5, messages: 3000 };
  const parts: Uint8Array[] = [];
  let n = 0;
  for (const m of sessionMessages(o)) {
    assert.is(m.length, ITCH50[String.fromCharCode(m[0]) as ItchType].length);
    const p = new Uint8Array(2 + m.length);
    new DataView(p.buffer).setUint16(0, m.length);
    p.set(m, 2);
    parts.push(p);
    n++;
  }
  assert.is(n, 3000);
  assert.ok(Buffer.concat(parts).equals(collect(o).bytes));
});

S("rejects impossible options", () => {
  const first = (o: SessionOptions) => () => generateSession(o);
  assert.throws(first({ seed: 1, symbols: 0, messages: 10_000 }), /symbols/);
  assert.throws(first({ seed: 1, symbols: 65536, messages: 1e7 }), /symbols/);
  assert.throws(first({ seed: 1, symbols: 100, messages: minSessionMessages(100) - 1 }), /messages must be/);
  assert.throws(first({ seed: 1, symbols: 10, messages: 10_000, chunkBytes: 100 }), /chunkBytes/);
  assert.throws(first({ seed: NaN, symbols: 10, messages: 10_000 }), /seed/);
});

S("never crosses or locks a book: after every message each symbol's best bid is below its best offer", () => {
  const symbols = 60;
  const messages = 150_000;
  const { bytes } = collect({ seed: 77, symbols, messages });
  const ref = new ReferenceL3({ maxOrders: 1 << 20, maxLevels: 1 << 18, maxInstruments: symbols + 1 });
  let both = 0;
  for (const [off, len] of framed(bytes)) {
    const res = ref.apply(bytes, off, len);
    if (res.instrument < 0) continue;
    const b = ref.current(res.instrument);
    if (b.bidPx > 0 && b.askPx > 0) {
      both++;
      if (b.bidPx >= b.askPx) assert.unreachable(`crossed or locked at ${off} ('${String.fromCharCode(bytes[off])}'): instrument ${res.instrument} ${b.bidPx} / ${b.askPx}`);
    }
  }
  assert.ok(both > messages / 2, `two-sided after ${both} of ${messages} messages`);
  const c = ref.counters;
  assert.is(c.unknownOrder + c.duplicateOrder + c.invalid + c.oversized, 0, JSON.stringify(c));
});

S.run();

// ---- the realistic day ----

const Day = suite("realistic ITCH day");

const FLOW_TYPES = new Set(["A", "F", "E", "C", "X", "D", "U", "P"]);
const NS_MIN = 60_000_000_000n;

/** A big-endian u8 field as a number (exact up to 2^53). */
function u64At(b: Uint8Array, at: number): number {
  const hi = ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
  const lo = ((b[at + 4] << 24) | (b[at + 5] << 16) | (b[at + 6] << 8) | b[at + 7]) >>> 0;
  return hi * 4294967296 + lo;
}

/** Runs a session, calling fn for every message (chunks are reused: fn must not keep them). */
function scan(o: SessionOptions, fn: (b: Uint8Array, off: number, len: number) => void): SessionSummary {
  const it = generateSession(o);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
    forEachMessage(r.value, fn);
  }
}

Day("gives the same bytes for a seed whatever the chunk size, and other bytes for another seed", () => {
  const o: SessionOptions = { seed: 5, messages: 200_000, profile: "realistic" };
  const a = collect(o);
  const b = collect({ ...o, chunkBytes: 4096 });
  const c = collect({ ...o, seed: 6 });
  assert.ok(Buffer.from(a.bytes).equals(b.bytes));
  assert.not.ok(Buffer.from(a.bytes).equals(c.bytes));
  assert.equal(a.summary, b.summary);
  assert.is(a.summary.messages, 200_000);
  assert.is(a.summary.symbols.length, 8000, "8,000 symbols by default");
  assert.is(collect({ ...o, symbols: 300 }).summary.symbols.length, 300, "the symbols option still counts");
});

Day("keeps a consistent book: the schema decoder's checks of the uniform day hold", () => {
  assertConsistentDay({ seed: 2024, symbols: 400, messages: 300_000, profile: "realistic" }, 1000);
});

Day("never crosses or locks a book, per the reference book", () => {
  const symbols = 500;
  const { bytes } = collect({ seed: 77, symbols, messages: 200_000, profile: "realistic" });
  const ref = new ReferenceL3({ maxOrders: 1 << 20, maxLevels: 1 << 18, maxInstruments: symbols + 1 });
  for (const [off, len] of framed(bytes)) {
    const res = ref.apply(bytes, off, len);
    if (res.instrument < 0) continue;
    const b = ref.current(res.instrument);
    if (b.bidPx > 0 && b.askPx > 0 && b.bidPx >= b.askPx) assert.unreachable(`crossed or locked at ${off}: ${b.bidPx} / ${b.askPx}`);
  }
  const c = ref.counters;
  assert.is(c.unknownOrder + c.duplicateOrder + c.invalid + c.oversized, 0, JSON.stringify(c));
});

Day("sends a real day's mix: adds 42-46%, deletes 39-44%, replaces 8-10%, executions 2-3%, cancels 1-1.6%, trades 0.3-0.8%, NOII 0.8-2%", () => {
  const { counts, messages } = collect({ seed: 9, messages: 1_000_000, profile: "realistic" }).summary;
  const pct = (...t: ItchType[]) => (100 * t.reduce((a, x) => a + counts[x], 0)) / messages;
  const within = (what: string, v: number, lo: number, hi: number) => assert.ok(v >= lo && v <= hi, `${what}: ${v.toFixed(2)}% not in ${lo}..${hi}%`);
  within("A+F", pct("A", "F"), 42, 46);
  within("D", pct("D"), 39, 44);
  within("U", pct("U"), 8, 10);
  within("E+C", pct("E", "C"), 2, 3);
  within("X", pct("X"), 1, 1.6);
  within("P", pct("P"), 0.3, 0.8);
  within("I", pct("I"), 0.8, 2);
  within("F of the adds", (100 * counts.F) / (counts.A + counts.F), 0.7, 1.6);
  assert.ok(ITCH_TYPES.every((t) => counts[t] > 0), "every type appears");
});

Day("concentrates the flow on a few names: the top 1% of symbols carry more than 30% of the flow messages", () => {
  const symbols = 8000;
  const perLocate = new Float64Array(symbols + 1);
  let flow = 0;
  scan({ seed: 4, symbols, messages: 1_000_000, profile: "realistic" }, (b, off) => {
    if (!FLOW_TYPES.has(String.fromCharCode(b[off]))) return;
    perLocate[(b[off + 1] << 8) | b[off + 2]]++;
    flow++;
  });
  const sorted = [...perLocate.subarray(1)].sort((x, y) => y - x);
  const top = sorted.slice(0, symbols / 100).reduce((a, x) => a + x, 0);
  assert.ok(top / flow > 0.3, `top 1%: ${((100 * top) / flow).toFixed(1)}% of ${flow} flow messages`);
  assert.ok(sorted[0] / flow > 0.04, `the busiest name: ${((100 * sorted[0]) / flow).toFixed(1)}%`);
  assert.ok(sorted[symbols / 2] / flow < 0.0005, "the median name is quiet");
});

Day("gives new orders strictly increasing references with irregular gaps, past 10^8 in a 5 M-message day", () => {
  const A_REF = ITCH50.A.fields.find((f) => f.name === "orderRef")!.offset;
  const U_NEW = ITCH50.U.fields.find((f) => f.name === "newOrderRef")!.offset;
  let last = 0, n = 0, ones = 0, big = 0, maxGap = 0;
  const summary = scan({ seed: 1, messages: 5_000_000, profile: "realistic" }, (b, off) => {
    const t = b[off];
    const ref = t === 0x41 || t === 0x46 ? u64At(b, off + A_REF) : t === 0x55 ? u64At(b, off + U_NEW) : -1;
    if (ref < 0) return;
    const gap = ref - last;
    if (!(gap > 0)) assert.unreachable(`reference ${ref} after ${last}`);
    if (gap === 1) ones++;
    if (gap >= 10_000) big++;
    if (gap > maxGap) maxGap = gap;
    last = ref;
    n++;
  });
  assert.is(last, summary.lastOrderRef);
  assert.ok(last > 1e8, `last reference ${last}`);
  assert.ok(last < 1e9, `last reference ${last}`);
  assert.ok(ones / n > 0.2, `gaps of 1: ${ones} of ${n}`);
  assert.ok(big / n > 0.001, `gaps of 10,000 or more: ${big} of ${n}`);
  assert.ok(maxGap > 100_000, `largest gap ${maxGap}`);
});

Day("opens and closes with a cross of every symbol, NOII in the imbalance periods before them", () => {
  const symbols = 1000;
  const I_CROSS = ITCH50.I.fields.find((f) => f.name === "crossType")!.offset;
  const Q_CROSS = ITCH50.Q.fields.find((f) => f.name === "crossType")!.offset;
  const open = 570n * NS_MIN, close = 960n * NS_MIN;
  const crosses: Record<string, number> = {};
  let inWindows = 0, noii = 0;
  scan({ seed: 8, symbols, messages: 400_000, profile: "realistic" }, (b, off, len) => {
    const ts = decode(b, off, len).timestamp as bigint;
    if (b[off] === 0x51) {
      const c = String.fromCharCode(b[off + Q_CROSS]);
      crosses[c] = (crosses[c] ?? 0) + 1;
      if (c === "O") assert.ok(ts >= open && ts < open + NS_MIN, "the opening cross at 09:30");
      if (c === "C") assert.ok(ts >= close && ts < close + NS_MIN, "the closing cross at 16:00");
    } else if (b[off] === 0x49) {
      noii++;
      const c = String.fromCharCode(b[off + I_CROSS]);
      if ((c === "O" && ts >= open - 2n * NS_MIN && ts < open) || (c === "C" && ts >= close - 10n * NS_MIN && ts < close)) inWindows++;
    }
  });
  assert.is(crosses.O, symbols);
  assert.is(crosses.C, symbols);
  assert.ok(noii > 2000 && inWindows / noii > 0.99, `${inWindows} of ${noii} NOII in 09:28-09:30 ('O') or 15:50-16:00 ('C')`);
});

Day("decodes with the project's parser without a rejection, into a wasm book that stays consistent", () => {
  const symbols = 8000;
  const p = new FeedParser(itch50);
  const book = enableBook(p, { maxOrders: 1 << 18, maxLevels: 1 << 17, maxInstruments: symbols + 1 });
  let records = 0, chunks = 0;
  const it = generateSession({ seed: 3, messages: 2_000_000, profile: "realistic" });
  for (let r = it.next(); !r.done; r = it.next()) {
    const offsets: number[] = [];
    const lengths: number[] = [];
    forEachMessage(r.value, (_b, off, len) => {
      offsets.push(off);
      lengths.push(len);
    });
    const chunk: InputChunk = { data: r.value, count: offsets.length, offsets, lengths };
    records += p.parse(chunk, "messages", () => {});
    if (++chunks % 16 === 0) assert.is(book.check(), "ok", `after chunk ${chunks}`);
  }
  const s = p.summary();
  assert.is(records, 2_000_000);
  assert.is(s.messages, 2_000_000);
  assert.equal(s.rejected, {});
  assert.is(book.check(), "ok");
  const c = book.counters();
  assert.is(c.unknownOrder + c.ordersFull + c.levelsFull + c.duplicateOrder + c.invalid + c.oversized + c.badInstrument + c.wrongLocate, 0, JSON.stringify(c));
});

Day("stays within maxLiveOrders whatever the length, and reports its peak", () => {
  const s = collect({ seed: 2, symbols: 200, messages: 400_000, maxLiveOrders: 5000, profile: "realistic" }).summary;
  assert.ok(s.peakLiveOrders <= 5000 && s.peakLiveOrders > 2000, `peak ${s.peakLiveOrders}`);
  assert.ok(s.liveOrders <= s.peakLiveOrders);
});

Day("leaves the uniform profile as it was: no profile and profile \"uniform\" give the bytes hashed before the realistic one existed", () => {
  const o = { seed: 3, symbols: 200, messages: 300_000, chunkBytes: 4096 };
  assert.is(sha256(collect(o).bytes), GOLDEN_UNIFORM_300K);
  assert.is(sha256(collect({ ...o, profile: "uniform" }).bytes), GOLDEN_UNIFORM_300K);
  assert.is(sha256(collect({ seed: 1, symbols: 10, messages: 5000, profile: "uniform" }).bytes), GOLDEN_5000);
});

Day("rejects an unknown profile", () => {
  assert.throws(() => generateSession({ seed: 1, messages: 100_000, profile: "busy" as "uniform" }), /profile/);
});

Day.run();

// ---- binary ITCH file ----

const Bin = suite("binary ITCH file writer");

Bin("writes each message behind its u2 big-endian length, and it reads back message by message", async () => {
  const t = tmp();
  try {
    const o = { seed: 21, symbols: 30, messages: 20_000 };
    const path = join(t.dir, "day.itch");
    const sum = await writeItchFile(path, o);
    const file = readFileSync(path);
    assert.is(sum.messages, 20_000);
    assert.is(sum.bytes, file.length);
    assert.is(sum.session?.messages, 20_000);
    const ref = [...sessionMessages(o)].map((m) => Buffer.from(m));
    let p = 0, k = 0;
    while (p < file.length) {
      const len = file.readUInt16BE(p);
      const type = String.fromCharCode(file[p + 2]) as ItchType;
      assert.is(len, ITCH50[type].length, `message ${k} length`);
      assert.ok(file.subarray(p + 2, p + 2 + len).equals(ref[k]), `message ${k}`);
      decode(file, p + 2, len);
      p += 2 + len;
      k++;
    }
    assert.is(p, file.length);
    assert.is(k, 20_000);
  } finally {
    t.done();
  }
});

Bin("gzips when the name ends with .gz, and takes a caller's chunks", async () => {
  const t = tmp();
  try {
    const o = { seed: 22, symbols: 10, messages: 8000 };
    await writeItchFile(join(t.dir, "a.itch"), o);
    await writeItchFile(join(t.dir, "a.itch.gz"), o);
    // a caller's chunks in a reused buffer are copied, not kept
    await writeItchFile(join(t.dir, "b.itch"), generateSession({ ...o, chunkBytes: 4096 }));
    const plain = readFileSync(join(t.dir, "a.itch"));
    const gz = readFileSync(join(t.dir, "a.itch.gz"));
    assert.is(gz[0], 0x1f);
    assert.is(gz[1], 0x8b);
    assert.ok(gunzipSync(gz).equals(plain));
    assert.ok(readFileSync(join(t.dir, "b.itch")).equals(plain));
  } finally {
    t.done();
  }
});

Bin.run();

// ---- MoldUDP64 ----

const Mold = suite("MoldUDP64 packetizer");

function moldHeader(p: Uint8Array): { session: string; seq: number; count: number } {
  const dv = new DataView(p.buffer, p.byteOffset, p.length);
  return { session: Buffer.from(p.subarray(0, 10)).toString("latin1"), seq: Number(dv.getBigUint64(10)), count: dv.getUint16(18) };
}

/** Checks a packet sequence against the session's messages; returns the data packets. */
function checkMold(packets: MoldPacket[], messages: Buffer[], o: { maxPayload: number; session: string; first: number; maxMessages?: number }) {
  let next = o.first, k = 0, lastTime = -1;
  for (let i = 0; i < packets.length; i++) {
    const { payload, sequence, count, timeNs } = packets[i];
    const h = moldHeader(payload);
    assert.is(h.session, o.session.padEnd(10, " "));
    assert.is(h.seq, sequence);
    assert.is(h.count, count);
    assert.ok(timeNs >= lastTime, "send times non-decreasing");
    lastTime = timeNs;
    assert.ok(payload.length <= o.maxPayload, `packet ${i} of ${payload.length} bytes`);
    if (i === packets.length - 1) {
      assert.is(count, MOLD_END_OF_SESSION, "ends with end of session");
      assert.is(payload.length, 20);
      assert.is(sequence, next);
      continue;
    }
    assert.is(sequence, next, `packet ${i}: consecutive sequence numbers`);
    if (count === 0) {
      assert.is(payload.length, 20, "a heartbeat has no blocks");
      continue;
    }
    let p = 20, n = 0;
    while (p < payload.length) {
      const len = (payload[p] << 8) | payload[p + 1];
      assert.ok(Buffer.from(payload.subarray(p + 2, p + 2 + len)).equals(messages[k]), `message ${k}`);
      p += 2 + len;
      n++;
      k++;
    }
    assert.is(p, payload.length);
    assert.is(n, count, "count matches the blocks");
    if (o.maxMessages) assert.ok(count <= o.maxMessages);
    next += count;
  }
  assert.is(k, messages.length, "every message once, in order");
}

Mold("packs as many messages as fit in maxPayload, numbered consecutively, then ends the session", () => {
  const o = { seed: 31, symbols: 25, messages: 30_000 };
  const messages = [...sessionMessages(o)].map((m) => Buffer.from(m));
  for (const maxPayload of [72, 512, 1400, 9000]) {
    const packets = [...moldFrames(o, { maxPayload, session: "S1", firstSequence: 1000 })];
    checkMold(packets, messages, { maxPayload, session: "S1", first: 1000 });
    // packed: the next message would not have fit
    for (let i = 0; i + 2 < packets.length; i++) {
      const next = packets[i + 1].payload;
      assert.ok(packets[i].payload.length + 2 + ((next[20] << 8) | next[21]) > maxPayload, `packet ${i} was not full`);
    }
  }
  const payloads = [...moldPackets(o)];
  assert.ok(payloads.every((p) => p instanceof Uint8Array && p.length <= 1400));
  assert.is(moldHeader(payloads[0]).seq, 1);
  assert.is(moldHeader(payloads[0]).session, "XDPFEED001");
});

Mold("sends heartbeats on idle gaps, honours maxMessages, and keeps the sequence", () => {
  const o = { seed: 32, symbols: 10, messages: 12_000 };
  const messages = [...sessionMessages(o)].map((m) => Buffer.from(m));
  const it = moldFrames(o, { heartbeatNs: 1e9, maxMessages: 7 });
  const packets: MoldPacket[] = [];
  let r;
  while (!(r = it.next()).done) packets.push(r.value);
  checkMold(packets, messages, { maxPayload: 1400, session: "XDPFEED001", first: 1, maxMessages: 7 });
  const hb = packets.filter((p) => p.count === 0);
  assert.ok(hb.length > 3000, "an hour of heartbeats between 03:00 and 04:00");
  assert.is(r.value.heartbeats, hb.length);
  assert.is(r.value.messages, 12_000);
  assert.is(r.value.nextSequence, 12_001);
  // no two packets further apart than the heartbeat interval
  for (let i = 1; i < packets.length; i++) assert.ok(packets[i].timeNs - packets[i - 1].timeNs <= 1e9, `gap before packet ${i}`);
});

Mold.run();

// ---- pcap ----

const Pcap = suite("pcap writer");

async function checkPcap(o: PcapOptions, gz: boolean) {
  const t = tmp();
  try {
    const src = { seed: 41, symbols: 20, messages: 15_000 };
    const path = join(t.dir, gz ? "feed.pcap.gz" : "feed.pcap");
    const sum = await writePcap(path, src, o);
    let file = readFileSync(path);
    if (gz) file = gunzipSync(file);
    assert.is(sum.bytes, file.length);
    const messages = [...sessionMessages(src)].map((m) => Buffer.from(m));

    assert.is(file.readUInt32LE(0), 0xa1b2c3d4, "microsecond magic");
    assert.is(file.readUInt16LE(4), 2);
    assert.is(file.readUInt16LE(6), 4);
    assert.is(file.readUInt32LE(20), 1, "linktype Ethernet");
    const vlan = o.vlan === undefined ? undefined : typeof o.vlan === "number" ? { id: o.vlan, pcp: 0 } : { pcp: 0, ...o.vlan };
    const l2 = vlan ? 18 : 14;
    const packets: MoldPacket[] = [];
    let p = 24, lastUs = 0, frames = 0;
    while (p < file.length) {
      const sec = file.readUInt32LE(p), usec = file.readUInt32LE(p + 4), incl = file.readUInt32LE(p + 8), orig = file.readUInt32LE(p + 12);
      assert.is(incl, orig);
      assert.ok(usec < 1e6);
      const us = sec * 1e6 + usec;
      assert.ok(us >= lastUs, "record times non-decreasing");
      lastUs = us;
      const f = file.subarray(p + 16, p + 16 + incl);
      // Ethernet [802.1Q]
      assert.is(f.subarray(6, 12).toString("hex"), (o.srcMac ?? "02:00:00:00:00:01").replace(/:/g, ""));
      assert.is(f.subarray(0, 6).toString("hex"), (o.dstMac ?? "01:00:5e:36:0c:6f").replace(/:/g, ""));
      if (vlan) {
        assert.is(f.readUInt16BE(12), 0x8100);
        assert.is(f.readUInt16BE(14), (vlan.pcp << 13) | vlan.id);
      }
      assert.is(f.readUInt16BE(l2 - 2), 0x0800);
      // IPv4
      const ip = f.subarray(l2);
      assert.is(ip[0], 0x45);
      assert.is(ip.readUInt16BE(2), ip.length, "IPv4 total length");
      assert.is(ip[9], 17);
      assert.ok(ipChecksumOk(ip, 0, 20), `IPv4 header checksum of frame ${frames}`);
      assert.is([...ip.subarray(12, 16)].join("."), o.srcIp ?? "198.18.0.1");
      assert.is([...ip.subarray(16, 20)].join("."), o.dstIp ?? "233.54.12.111");
      // UDP
      const udp = ip.subarray(20);
      assert.is(udp.readUInt16BE(0), o.srcPort ?? 26400);
      assert.is(udp.readUInt16BE(2), o.dstPort ?? 26400);
      assert.is(udp.readUInt16BE(4), udp.length, "UDP length");
      if (o.udpChecksum === false) assert.is(udp.readUInt16BE(6), 0);
      else {
        const pseudo = Buffer.concat([ip.subarray(12, 20), Buffer.from([0, 17, udp.length >> 8, udp.length & 0xff]), udp]);
        assert.ok(ipChecksumOk(pseudo, 0, pseudo.length), `UDP checksum of frame ${frames}`);
      }
      const payload = udp.subarray(8);
      const h = moldHeader(payload);
      packets.push({ payload, sequence: h.seq, count: h.count, timeNs: us * 1000 });
      p += 16 + incl;
      frames++;
    }
    assert.is(p, file.length);
    assert.is(frames, sum.packets);
    checkMold(packets, messages, { maxPayload: o.maxPayload ?? 1400, session: o.session ?? "XDPFEED001", first: o.firstSequence ?? 1 });
    assert.is(sum.messages, 15_000);
    // the first frame is sent at the first message's time (03:00 on the session day)
    const first = file.readUInt32LE(24) - (o.midnight ?? 1704171600);
    assert.ok(first >= 3 * 3600 && first < 3 * 3600 + 2, `first frame at ${first} s after midnight`);
  } finally {
    t.done();
  }
}

Pcap("writes Ethernet/IPv4/UDP frames that parse back: checksums, lengths, consecutive MoldUDP64 sequences, counts", async () => {
  await checkPcap({}, false);
});

Pcap("with an 802.1Q tag, custom addresses and session, heartbeats, no UDP checksum, gzipped", async () => {
  await checkPcap(
    {
      vlan: { id: 321, pcp: 5 },
      srcMac: "0a:0b:0c:0d:0e:0f",
      dstMac: "02:00:00:00:00:99",
      srcIp: "198.18.1.2",
      dstIp: "198.18.3.4",
      srcPort: 40000,
      dstPort: 30001,
      session: "DAY0000042",
      maxPayload: 600,
      firstSequence: 77,
      heartbeatNs: 5e9,
      udpChecksum: false,
      midnight: 1_700_000_000,
    },
    true,
  );
});

Pcap("rejects bad addresses and sizes", async () => {
  const src = { seed: 1, symbols: 2, messages: 5000 };
  assert.throws(() => [...moldFrames(src, { maxPayload: 71 })], /maxPayload/);
  assert.throws(() => [...moldFrames(src, { session: "ELEVENCHARS" })], /session/);
  const t = tmp();
  try {
    for (const bad of [{ srcIp: "1.2.3" }, { dstMac: "01:02:03" }, { vlan: 4096 }, { dstPort: 70000 }] as PcapOptions[]) {
      let err: unknown;
      await writePcap(join(t.dir, "x.pcap"), src, bad).catch((e) => (err = e));
      assert.instance(err, RangeError, JSON.stringify(bad));
    }
  } finally {
    t.done();
  }
});

Pcap.run();
