// The normalized ticks the SBE generator (./generate.ts) writes for a message, found by the FIX
// tags of its fields (the schema's field ids): any SBE schema of FIX market data (CME MDP 3.0,
// B3 UMDF, ...) gets them, a message without them one record of its own.
//
//   plan        found by                                 records
//   reset       a group whose MDEntryType(269) is 'J'    one TICK_SYSTEM, status 'J'; every RptSeq forgotten
//   definition  message semanticType 'd'                 one TICK_DIRECTORY: SecurityID(48), price
//                                                        MinPriceIncrement(969), price2 DisplayFactor(9787)
//                                                        (books: the depths of its MDFeedType(1022) GBX and
//                                                        GBI entries' MarketDepth(264), mdpBookDefinition)
//   status      message semanticType 'f'                 one TICK_STATUS: status SecurityTradingStatus(326),
//                                                        flags HaltReason(327)
//   snapshot    message semanticType 'W'                 per entry: TICK_LEVEL (book entry types) or TICK_ADD
//                                                        (entries with OrderID(37)), else TICK_OTHER
//   orders      entries with OrderID(37)                 TICK_ADD / MODIFY / DELETE by MDUpdateAction(279)
//   trades      entries with AggressorSide(5797)         TICK_TRADE; order entries (37, LastQty(32)):
//                                                        TICK_EXECUTE, instrument by NumberOfOrders
//   levels      entries with MDPriceLevel(1023)          TICK_LEVEL; order entries (37, ReferenceID(9633)):
//                                                        TICK_ADD / MODIFY / DELETE by OrderUpdateAction(37708)
//   stats       other entries with SecurityID(48)        TICK_OTHER
//   message     anything else                            one TICK_OTHER
//
// Record fields (assembly/records.ts): instrument SecurityID, exchangeTs TransactTime(60) (else
// the packet's SendingTime), price MDEntryPx(270) as its decimal mantissa with priceScale its
// scale, quantity MDEntrySize(271) / MDDisplayQty(37706) / LastQty(32), quantity2
// NumberOfOrders(346), side 'B' / 'S' (bid / offer, implied ones too; a trade's aggressor) or
// the entry type's char, status MDPriceLevel(1023), flags MDUpdateAction(279) with 0x80 for an
// implied level, matchId RptSeq(83) for levels and statistics, MDOrderPriority(37707) for
// orders, MDTradeEntryID(37711) for trades, orderId OrderID(37). Null values read as 0.
//
// With the mdp3 book hooks (assembly/book/mdp3.ts) the plans also call the books: definitions
// mdpBookDefinition (the instrument's market depths), levels and
// snapshots mdpBookLevel, orders mdpBookOrder, the reset mdpBookReset, snapshots their
// begin/end, and every message that called one mdpBookMessageEnd. Entries whose RptSeq the
// instrument already passed (older than its snapshot) are recorded but not applied.

import type { SbeMessage, SbeGroup, SbeField } from "./schema.js";
import { asType, load, nullLiteral, scalarOf, constName, byTag, ident } from "./as-code.js";

export const TAG = {
  securityId: 48, px: 270, size: 271, rptSeq: 83, orders: 346, level: 1023, action: 279, entryType: 269, orderId: 37,
  priority: 37707, displayQty: 37706, referenceId: 9633, orderAction: 37708, aggressor: 5797, lastQty: 32, transactTime: 60,
  tradingStatus: 326, mdTradingStatus: 1682, minIncrement: 969, displayFactor: 9787, haltReason: 327, tradeEntryId: 37711,
  highLimit: 1149, lowLimit: 1148, noChunks: 37709, currentChunk: 37710, feedType: 1022, marketDepth: 264,
} as const;

export type Plan = "reset" | "definition" | "status" | "snapshot" | "orders" | "trades" | "levels" | "stats" | "message";

const J = 74;

export function planOf(m: SbeMessage): Plan {
  const constJ = (g: SbeGroup): boolean => {
    const t = byTag(g.fields, TAG.entryType)?.type;
    return !!t && "constant" in t && t.constant === String(J);
  };
  if (m.groups.some(constJ)) return "reset";
  if (m.semanticType === "d") return "definition";
  if (m.semanticType === "f") return "status";
  const g = m.groups[0];
  if (m.semanticType === "W" && g && byTag(m.fields, TAG.securityId)) return "snapshot";
  if (!g || !byTag(g.fields, TAG.securityId) && !byTag(g.fields, TAG.orderId)) return "message";
  if (byTag(g.fields, TAG.orderId) && byTag(g.fields, TAG.securityId)) return "orders";
  if (byTag(g.fields, TAG.aggressor)) return "trades";
  if (byTag(g.fields, TAG.level) && byTag(g.fields, TAG.entryType)) return "levels";
  return "stats";
}

/** Names of constants: the template's prefix (T46) and the field's (and group's) names. */
export const fieldConst = (m: SbeMessage, f: SbeField, g?: SbeGroup): string =>
  `T${m.id}_${g ? constName(g.name) + "_" : ""}${constName(f.name)}`;

export interface Ctx {
  m: SbeMessage;
  le: boolean;
  hooks: boolean;
}

// The price scale of a decimal field (its constant exponent), 0 for anything else.
function scaleOf(f: SbeField | undefined): number {
  return f && f.type.class === "decimal" && f.type.exponent !== null && f.type.exponent <= 0 ? -f.type.exponent : 0;
}

/**
 * An expression of the field's value at entry/block address `base` (null read as 0), in `ty`;
 * "0" when the field is missing. `block` names the variable holding the block's length on the
 * wire: a field added in a later version than its owner is read only when the block has it.
 */
function value(c: Ctx, f: SbeField | undefined, base: string, block: string, ty: string, g?: SbeGroup, ownerSince = 0): string {
  if (!f) return `<${ty}>0`;
  const t = f.type;
  if ((t.class === "primitive" || t.class === "enum") && t.presence === "constant") return `<${ty}>${t.constant ?? 0}`;
  const p = scalarOf(t);
  if (!p || p === "float" || p === "double") return `<${ty}>0`;
  let e = load(p, `${base} + ${fieldConst(c.m, f, g)}`, c.le);
  const nul = nullLiteral(t);
  if (nul !== undefined) e = `nonNull<${asType(p)}>(${e}, ${nul})`;
  e = `<${ty}>${e}`;
  if (f.sinceVersion > ownerSince) e = `(${block} >= ${fieldConst(c.m, f, g)} + ${f.size} ? ${e} : <${ty}>0)`;
  return e;
}

// Group header reads (already checked by the message's check function). Entries of a group with
// nested groups or var data are not evenly spaced: they are stepped with the group's skip function.
export const nested = (g: SbeGroup): boolean => g.groups.length > 0 || g.data.length > 0;
export const skipName = (m: SbeMessage, g: SbeGroup): string => `skip${ident(m.name)}_${ident(g.name)}`;

function groupHead(c: Ctx, g: SbeGroup, k: number): string[] {
  const d = g.dimension;
  return [
    `const bl${k} = ${load(d.blockLengthPrimitive, `at + ${d.blockLengthOffset}`, c.le)};`,
    `const n${k} = ${load(d.countPrimitive, `at + ${d.countOffset}`, c.le)};`,
    `const entries${k} = at + ${d.size};`,
    nested(g) ? `let next${k} = entries${k};` : `at = entries${k} + bl${k} * n${k};`,
  ];
}

// The loop over the group's entries, each at e<k>: evenly spaced ones stepped by the group's
// blockLength up to where the next group starts (`at`), the others by the skip function.
function entryLoop(c: Ctx, g: SbeGroup, k: number): string[] {
  return nested(g)
    ? [`for (let i: u32 = 0; i < n${k}; i++) {`, `  const e${k} = next${k};`, `  next${k} = ${skipName(c.m, g)}(e${k} + bl${k}, version);`]
    : [`for (let e${k} = entries${k}; e${k} < at; e${k} += bl${k}) {`];
}

// After the loop: where the next group starts.
const groupEnd = (g: SbeGroup, k: number): string => (nested(g) ? `at = next${k};` : "");

// Side for the records and the books from an MDEntryType char in `t`.
const SIDE_CODE = "(t == 0x30 || t == 0x45 ? 0x42 : t == 0x31 || t == 0x46 ? 0x53 : t)";
const BOOK_SIDE = "(t == 0x31 || t == 0x46 ? 1 : 0)";
const IS_BOOK = "(t == 0x30 || t == 0x31 || t == 0x45 || t == 0x46)";
const IMPLIED = "(t == 0x45 || t == 0x46)";
// The same from sbe.ts's tables (entrySide, levelKind, impliedFlag) when the group's MDEntryType
// is read from the wire as one byte (a char or uint8, as in CME's schemas); a constant one folds.
const byteType = (g: SbeGroup): boolean => {
  const t = byTag(g.fields, TAG.entryType)?.type;
  return !!t && (t.class === "primitive" || t.class === "enum") && t.presence !== "constant" && (t.primitive === "char" || t.primitive === "uint8");
};
const sideCode = (g: SbeGroup): string => (byteType(g) ? "entrySide(t)" : SIDE_CODE);
const impliedFlag = (g: SbeGroup): string => (byteType(g) ? "impliedFlag(t)" : `(${IMPLIED} ? 0x80 : 0)`);
const levelKind = (g: SbeGroup): string => (byteType(g) ? "levelKind(t)" : `(${IS_BOOK} ? TICK_LEVEL : t == ${J} ? TICK_SYSTEM : TICK_OTHER)`);
const ORDER_KIND = (a: string): string => `(${a} == 0 ? TICK_ADD : ${a} == 1 ? TICK_MODIFY : ${a} == 2 ? TICK_DELETE : TICK_OTHER)`;

// A price at the books' scale 9 from a decimal of scale s.
const to9 = (expr: string, s: number): string => (s === 9 ? expr : s < 9 ? `${expr} * ${10 ** (9 - s)}` : `${expr} / ${10 ** (s - 9)}`);

/** The body of the message's function after its check: records (and book calls). */
export function planCode(c: Ctx, plan: Plan): string[] {
  const m = c.m;
  const root = (tag: number): SbeField | undefined => byTag(m.fields, tag);
  const rv = (tag: number, ty: string): string => value(c, root(tag), "root", "block", ty, undefined, m.sinceVersion);
  const tt = root(TAG.transactTime);
  // The exchange time of its records: TransactTime, else (absent or 0) the packet's SendingTime.
  const out: string[] = tt ? [`const transactTime = ${rv(TAG.transactTime, "u64")};`, "const ts = transactTime != 0 ? transactTime : sbeSendingTime;"] : ["const ts = sbeSendingTime;"];
  const ts = "ts";
  const rec = (kind: string, inst: string, scale: number | string): string[] => [
    `const r = sbeRecord(m, len, seq, TEMPLATE_${m.id}, ${kind}, ${ts}, <u32>${inst}, ${scale});`,
    "if (r == 0) return;",
  ];
  const g0 = m.groups[0];
  const g1 = m.groups[1];
  const ev = (g: SbeGroup, k: number, tag: number, ty: string, e = `e${k}`): string => value(c, byTag(g.fields, tag), e, `bl${k}`, ty, g, g.sinceVersion);
  const groupGuard = (g: SbeGroup): string => (g.sinceVersion > m.sinceVersion ? `if (version >= ${g.sinceVersion}) ` : "");

  switch (plan) {
    case "message":
    case "definition":
    case "status": {
      const kind = plan === "definition" ? "TICK_DIRECTORY" : plan === "status" ? "TICK_STATUS" : "TICK_OTHER";
      const inc = root(TAG.minIncrement);
      out.push("{", ...rec(kind, root(TAG.securityId) ? rv(TAG.securityId, "i32") : "0", scaleOf(inc)).map((l) => "  " + l));
      if (plan === "definition") {
        out.push(`  setU64(r, R_PRICE, ${rv(TAG.minIncrement, "u64")});`, `  setU64(r, R_PRICE2, ${rv(TAG.displayFactor, "u64")});`);
        if (root(TAG.mdTradingStatus)) out.push(`  setU8(r, R_STATUS, ${rv(TAG.mdTradingStatus, "u32")});`);
      }
      if (plan === "status") out.push(`  setU8(r, R_STATUS, ${rv(TAG.tradingStatus, "u32")});`, `  setU8(r, R_FLAGS, ${rv(TAG.haltReason, "u32")});`);
      out.push("}");
      if (plan === "definition" && c.hooks) out.push(...depthCode(c));
      return out;
    }
    case "reset":
      out.push("{", ...rec("TICK_SYSTEM", "0", 0).map((l) => "  " + l), `  setU8(r, R_STATUS, ${J});`, "}", "rptClear();");
      if (c.hooks) out.push("if (book) {", "  mdpBookReset();", "  mdpBookMessageEnd();", "}");
      return out;
    case "snapshot": {
      const orders = !!byTag(g0.fields, TAG.orderId);
      const s = scaleOf(byTag(g0.fields, TAG.px));
      out.push(`const secId = ${rv(TAG.securityId, "i32")};`, `const rpt = ${rv(TAG.rptSeq, "u32")};`);
      const chunks = root(TAG.noChunks) && root(TAG.currentChunk);
      out.push(chunks ? `const chunk = ${rv(TAG.currentChunk, "u32")};` : "", chunks ? `const last = chunk >= ${rv(TAG.noChunks, "u32")};` : "");
      if (root(TAG.rptSeq)) out.push("rptSet(secId, rpt);");
      if (c.hooks) out.push(`if (book${chunks ? " && chunk <= 1" : ""}) mdpBookSnapshotBegin(secId, rpt);`);
      out.push("let at = root + block;", ...groupHead(c, g0, 0), ...entryLoop(c, g0, 0),
        `  const t = ${ev(g0, 0, TAG.entryType, "u32")};`, `  const price = ${ev(g0, 0, TAG.px, "i64")};`,
        `  const qty = ${ev(g0, 0, orders ? TAG.displayQty : TAG.size, "i64")};`);
      if (orders) {
        out.push(`  const orderId = ${ev(g0, 0, TAG.orderId, "u64")};`, `  const priority = ${ev(g0, 0, TAG.priority, "u64")};`,
          ...rec(`(${IS_BOOK} ? TICK_ADD : TICK_OTHER)`, "secId", s).map((l) => "  " + l),
          `  setOrder(r, orderId, ${sideCode(g0)}, <u64>qty, price);`, "  setU64(r, R_MATCH_ID, priority);");
        if (c.hooks) out.push(`  if (book && ${IS_BOOK}) mdpBookOrder(secId, ${BOOK_SIDE}, 0, orderId, priority, ${to9("price", s)}, qty);`);
      } else {
        out.push(`  const orders = ${ev(g0, 0, TAG.orders, "i32")};`, `  const level = ${ev(g0, 0, TAG.level, "u32")};`,
          ...rec(`(${IS_BOOK} ? TICK_LEVEL : TICK_OTHER)`, "secId", s).map((l) => "  " + l),
          "  setU64(r, R_PRICE, <u64>price);", "  setU64(r, R_QUANTITY, <u64>qty);", "  setU64(r, R_QUANTITY2, <u64>orders);",
          `  setU8(r, R_SIDE, ${sideCode(g0)});`, "  setU8(r, R_STATUS, level);", `  setU8(r, R_FLAGS, ${impliedFlag(g0)});`, "  setU64(r, R_MATCH_ID, rpt);");
        if (c.hooks) out.push(`  if (book && ${IS_BOOK}) mdpBookLevel(secId, ${BOOK_SIDE}, 0, level, ${to9("price", s)}, qty, orders, ${IMPLIED});`);
      }
      out.push("}");
      // A snapshot of no entries is still a message: its record.
      out.push("if (!sbeWrote()) {", ...rec("TICK_OTHER", "secId", s).map((l) => "  " + l), "}");
      if (c.hooks) out.push(`if (book) {`, `  ${chunks ? "if (last) " : ""}mdpBookSnapshotEnd(secId);`, "  mdpBookMessageEnd();", "}");
      return out.filter((l) => l !== "");
    }
    case "orders": {
      const s = scaleOf(byTag(g0.fields, TAG.px));
      out.push("let at = root + block;", ...groupHead(c, g0, 0), ...entryLoop(c, g0, 0),
        `  const secId = ${ev(g0, 0, TAG.securityId, "i32")};`, `  const t = ${ev(g0, 0, TAG.entryType, "u32")};`,
        `  const action = ${ev(g0, 0, TAG.action, "u32")};`,
        ...rec(ORDER_KIND("action"), "secId", s).map((l) => "  " + l),
        // The rest read where they are written (not held across the record's start).
        `  const orderId = ${ev(g0, 0, TAG.orderId, "u64")};`, `  const priority = ${ev(g0, 0, TAG.priority, "u64")};`,
        `  const price = ${ev(g0, 0, TAG.px, "i64")};`, `  const qty = ${ev(g0, 0, TAG.displayQty, "i64")};`,
        `  setOrder(r, orderId, ${sideCode(g0)}, <u64>qty, price);`, "  setU64(r, R_MATCH_ID, priority);", "  setU8(r, R_FLAGS, action);");
      if (c.hooks) out.push(`  if (book && ${IS_BOOK}) mdpBookOrder(secId, ${BOOK_SIDE}, action, orderId, priority, ${to9("price", s)}, qty);`);
      out.push("}", "if (!sbeWrote()) {", ...rec("TICK_OTHER", "0", s).map((l) => "  " + l), "}");
      if (c.hooks) out.push("if (book) mdpBookMessageEnd();");
      return out;
    }
    case "trades":
    case "levels":
    case "stats": {
      const s = scaleOf(byTag(g0.fields, TAG.px) ?? byTag(g0.fields, TAG.highLimit));
      const levels = plan === "levels";
      const pxTag = byTag(g0.fields, TAG.px) ? TAG.px : TAG.highLimit;
      const rptSeq = !!byTag(g0.fields, TAG.rptSeq);
      out.push("let at = root + block;", ...groupHead(c, g0, 0));
      // The entries of a message are mostly one instrument's: its RptSeq slot looked up once.
      if (rptSeq) out.push("// The RptSeq slot of instrument rptSec (rptSlot) while its entries follow; 0: look it up.", "let rptSec: i32 = 0;", "let rptAt: u32 = 0;");
      out.push(...entryLoop(c, g0, 0),
        `  const secId = ${ev(g0, 0, TAG.securityId, "i32")};`, `  const rpt = ${ev(g0, 0, TAG.rptSeq, "u32")};`,
        ...(rptSeq ? ["  if (rptAt == 0 || secId != rptSec) {", "    rptSec = secId;", "    rptAt = rptSlot(secId);", "  }", "  const fresh = rptCheckAt(rptAt, rpt);"] : ["  const fresh = true;"]),
        `  const t = ${ev(g0, 0, TAG.entryType, "u32")};`);
      // The other fields are read after the record is started, where they are written (not held
      // across the RptSeq check and the record's start).
      const fields = [`  const action = ${ev(g0, 0, TAG.action, "u32")};`, `  const price = ${ev(g0, 0, pxTag, "i64")};`,
        `  const qty = ${ev(g0, 0, TAG.size, "i64")};`, `  const orders = ${ev(g0, 0, TAG.orders, "i32")};`];
      if (plan === "trades") {
        out.push(...rec("TICK_TRADE", "secId", s).map((l) => "  " + l), ...fields, `  const aggressor = ${ev(g0, 0, TAG.aggressor, "u32")};`,
          "  setU64(r, R_PRICE, <u64>price);", "  setU64(r, R_QUANTITY, <u64>qty);", "  setU64(r, R_QUANTITY2, <u64>orders);",
          "  setU8(r, R_SIDE, aggressor == 1 ? 0x42 : aggressor == 2 ? 0x53 : 0);", "  setU8(r, R_FLAGS, action);",
          `  setU64(r, R_MATCH_ID, ${ev(g0, 0, TAG.tradeEntryId, "u64")});`);
      } else {
        out.push(...rec(levels ? levelKind(g0) : "TICK_OTHER", "secId", s).map((l) => "  " + l),
          ...fields, `  const level = ${ev(g0, 0, TAG.level, "u32")};`,
          "  setU64(r, R_PRICE, <u64>price);", "  setU64(r, R_QUANTITY, <u64>qty);", "  setU64(r, R_QUANTITY2, <u64>orders);",
          `  setU8(r, R_SIDE, ${levels ? sideCode(g0) : "t"});`, "  setU8(r, R_STATUS, level);", `  setU8(r, R_FLAGS, action | ${impliedFlag(g0)});`,
          "  setU64(r, R_MATCH_ID, rpt);");
        if (plan === "stats" && byTag(g0.fields, TAG.lowLimit)) out.push(`  setU64(r, R_PRICE2, <u64>${ev(g0, 0, TAG.lowLimit, "i64")});`);
        if (levels) {
          out.push(`  if (t == ${J}) {`, "    rptClear();", rptSeq ? "    rptAt = 0;" : "", c.hooks ? "    if (book) mdpBookReset();" : "", "  }");
          if (c.hooks) out.push(`  else if (book && fresh && ${IS_BOOK}) mdpBookLevel(secId, ${BOOK_SIDE}, action, level, ${to9("price", s)}, qty, orders, ${IMPLIED});`);
        }
      }
      out.push("}", groupEnd(g0, 0));
      // The order entries of a book (ReferenceID into the entries above) or of a trade summary;
      // they index the entries above, which must be evenly spaced.
      if (g1 && byTag(g1.fields, TAG.orderId) && !nested(g0)) {
        const refd = !!byTag(g1.fields, TAG.referenceId);
        out.push(`${groupGuard(g1)}{`, ...groupHead(c, g1, 1).map((l) => "  " + l));
        if (plan === "trades") out.push("  let k: u32 = 0;", `  let left: i32 = n0 > 0 ? ${ev(g0, 0, TAG.orders, "i32", "entries0")} : 0;`);
        const orderId = `    const orderId = ${ev(g1, 1, TAG.orderId, "u64")};`;
        out.push(...entryLoop(c, g1, 1).map((l) => "  " + l));
        if (plan === "trades") {
          out.push("    // The trade this order took part in: each trade entry lists NumberOfOrders of them.",
            "    while (left <= 0 && k + 1 < n0) {", "      k++;", `      left = ${ev(g0, 0, TAG.orders, "i32", "(entries0 + k * bl0)")};`, "    }",
            "    left--;", `    const secId = n0 > 0 ? ${ev(g0, 0, TAG.securityId, "i32", "(entries0 + k * bl0)")} : 0;`,
            ...rec("TICK_EXECUTE", "secId", s).map((l) => "    " + l), orderId,
            "    setU64(r, R_ORDER_ID, orderId);", `    setU64(r, R_QUANTITY, <u64>${ev(g1, 1, TAG.lastQty, "i64")});`);
        } else if (refd) {
          out.push(`    const ref = ${ev(g1, 1, TAG.referenceId, "u32")};`, `    const action = ${ev(g1, 1, TAG.orderAction, "u32")};`,
            "    // The entry it refers to (1-based), for the instrument, price and side.",
            "    const known = ref >= 1 && ref <= n0;", "    const x = entries0 + (known ? ref - 1 : 0) * bl0;",
            `    const secId = known ? ${ev(g0, 0, TAG.securityId, "i32", "x")} : 0;`, `    const price = known ? ${ev(g0, 0, TAG.px, "i64", "x")} : 0;`,
            `    const t = known ? ${ev(g0, 0, TAG.entryType, "u32", "x")} : 0;`,
            ...rec(ORDER_KIND("action"), "secId", s).map((l) => "    " + l),
            orderId, `    const priority = ${ev(g1, 1, TAG.priority, "u64")};`, `    const qty = ${ev(g1, 1, TAG.displayQty, "i64")};`,
            `    setOrder(r, orderId, ${sideCode(g0)}, <u64>qty, price);`, "    setU64(r, R_MATCH_ID, priority);", "    setU8(r, R_FLAGS, action);");
          if (c.hooks) out.push(`    if (book && known && ${IS_BOOK}) mdpBookOrder(secId, ${BOOK_SIDE}, action, orderId, priority, ${to9("price", s)}, qty);`);
        }
        out.push("  }", "}");
      }
      out.push("if (!sbeWrote()) {", ...rec("TICK_OTHER", "0", s).map((l) => "  " + l), "}");
      if (c.hooks && plan === "levels") out.push("if (book) mdpBookMessageEnd();");
      return out.filter((l) => l !== "");
    }
  }
}

// "GBX" (the outright book) and "GBI" (the implied book), MDFeedType's three chars as a
// little-endian load of them yields.
const GBX = 0x584247;
const GBI = 0x494247;

// A definition's market depths for the books: the MarketDepth(264) of its NoMDFeedTypes entries
// whose MDFeedType(1022) is GBX (outright) or GBI (implied), 0 for one it does not list or whose
// depth is not above 0 (the book's default then: mdpBookDefinition). The groups before the feed
// types' are stepped over (checked already by the message's check function).
function depthCode(c: Ctx): string[] {
  const m = c.m;
  const k = m.groups.findIndex((g) => {
    const ft = byTag(g.fields, TAG.feedType);
    return !!byTag(g.fields, TAG.marketDepth) && ft?.type.class === "chars" && ft.type.presence !== "constant" && ft.type.length >= 3;
  });
  if (k < 0) return [];
  const g = m.groups[k];
  const ft = fieldConst(m, byTag(g.fields, TAG.feedType)!, g);
  const out: string[] = [
    "// The books' depths: MarketDepth of the GBX (outright) and GBI (implied) feed types, 0 when not given.",
    "if (book) {",
    "  let at = root + block;",
  ];
  const guard = (x: SbeGroup): string => (x.sinceVersion > m.sinceVersion ? `if (version >= ${x.sinceVersion}) ` : "");
  for (const x of m.groups.slice(0, k)) {
    const d = x.dimension;
    const bl = load(d.blockLengthPrimitive, `at + ${d.blockLengthOffset}`, c.le);
    const n = load(d.countPrimitive, `at + ${d.countOffset}`, c.le);
    if (nested(x)) {
      out.push(`  ${guard(x)}{`, `    // ${x.name}: stepped over`, `    const bl = ${bl};`, `    const n = ${n};`, `    at += ${d.size};`,
        `    for (let i: u32 = 0; i < n; i++) at = ${skipName(m, x)}(at + bl, version);`, "  }");
    } else {
      out.push(`  ${guard(x)}at += ${d.size} + ${bl} * ${n}; // ${x.name}`);
    }
  }
  out.push("  let depth: u32 = 0;", "  let implied: u32 = 0;", `  ${guard(g)}{ // ${g.name}`, ...groupHead(c, g, 1).filter((l) => !l.startsWith("at =") && !l.startsWith("let next")).map((l) => "    " + l),
    "    for (let i: u32 = 0; i < n1; i++) {", `      const e1 = entries1 + i * bl1;`,
    `      const feed = <u32>load<u16>(e1 + ${ft}) | (<u32>load<u8>(e1 + ${ft} + 2) << 16);`,
    `      const d = ${value(c, byTag(g.fields, TAG.marketDepth), "e1", "bl1", "i32", g, g.sinceVersion)};`,
    `      if (d > 0 && feed == 0x${GBX.toString(16)}) depth = <u32>d; // GBX`, `      else if (d > 0 && feed == 0x${GBI.toString(16)}) implied = <u32>d; // GBI`,
    "    }", "  }", `  mdpBookDefinition(${value(c, byTag(m.fields, TAG.securityId), "root", "block", "i32", undefined, m.sinceVersion)}, depth, implied);`,
    "  mdpBookMessageEnd();", "}");
  return out;
}

/** Whether the plan writes one record per entry of the group (its entries must not be empty). */
export function recordsPerEntry(m: SbeMessage, plan: Plan, g: SbeGroup): boolean {
  if (plan === "snapshot" || plan === "orders" || plan === "trades" || plan === "levels" || plan === "stats") {
    return g === m.groups[0] || (g === m.groups[1] && !!byTag(g.fields, TAG.orderId) && !nested(m.groups[0]) && plan !== "snapshot" && plan !== "orders");
  }
  return false;
}
