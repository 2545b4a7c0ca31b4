// The counters must account for every input: identities between a parser's counters (its
// summary) and what it was given, checked after every batch. Each identity is one entry of
// IDENTITIES: a name, the claim in a sentence, when it applies and what breaks it.

import type { ParserSummary } from "../src/feeds/parser.js";
import type { Batch } from "./batch.js";
import type { RunResult } from "./guarded.js";
import { MIN_FRAME_HEADERS, FRAMINGS } from "./fields.js";

/** A batch and what its run gave. */
export interface Observation {
  batch: Batch;
  run: RunResult;
}

export interface Identity {
  name: string;
  claim: string;
  applies(o: Observation): boolean;
  /** What breaks the identity, or undefined when it holds. */
  violation(o: Observation): string | undefined;
}

/** Rejections of a whole frame, before its session header is read. */
export const FRAME_REASONS = ["frameTooShort", "notIp", "notUdp", "ipFragment", "badIpLength", "otherPort"];
/** Rejections of a whole session packet. */
export const PACKET_REASONS = ["sessionHeaderTooShort", "otherProtocol", "truncated", "oversized"];
/** Rejections of one message for its body. */
export const BODY_REASONS = ["unknownType", "badLength", "zeroLength"];

const sum = (r: Record<string, number>, keys: string[]): number => keys.reduce((a, k) => a + (r[k] ?? 0), 0);
const total = (r: Record<string, number>): number => Object.values(r).reduce((a, v) => a + v, 0);
const packets = (o: Observation): boolean => o.batch.mode === "frames" || o.batch.mode === "payloads";

/**
 * Message blocks the batch's inputs can hold at most: every block takes two bytes at least, after
 * the headers of its frame and session packet (one message per bare-message entry).
 */
export function physicalMessages(b: Batch): number {
  const header = FRAMINGS[b.feed.framing].header;
  const before = b.mode === "frames" ? MIN_FRAME_HEADERS + header : b.mode === "payloads" ? header : 0;
  if (b.mode === "messages") return b.entries.length;
  return b.entries.reduce((a, e) => a + Math.max(0, Math.floor((e.length - before) / 2)), 0);
}

// Every number in a summary with its path.
function numbers(v: unknown, path: string, out: Array<[string, unknown]>): Array<[string, unknown]> {
  if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) numbers(x, path ? `${path}.${k}` : k, out);
  else if (typeof v === "number" || typeof v === "bigint" || typeof v === "string") out.push([path, v]);
  return out;
}

function compare(what: string, got: number, want: number): string | undefined {
  return got === want ? undefined : `${what}: ${got} != ${want}`;
}

export const IDENTITIES: Identity[] = [
  {
    name: "everyFrameOnce",
    claim: "each frame (each payload) is counted once: as a packet, or under exactly one frame- or packet-level reason",
    applies: packets,
    violation({ batch, run: { summary: s } }) {
      const reasons = batch.mode === "frames" ? [...FRAME_REASONS, ...PACKET_REASONS] : PACKET_REASONS;
      return compare(`frames ${s.frames} vs packets ${s.packets} + rejected ${JSON.stringify(s.rejected)}`, s.frames, s.packets + sum(s.rejected, reasons));
    },
  },
  {
    name: "messagesByType",
    claim: "the messages are the sum of the messages by type",
    applies: () => true,
    violation: ({ run: { summary: s } }) => compare("messages vs the sum by type", s.messages, total(s.byType)),
  },
  {
    name: "recordsAreMessages",
    claim: "the records delivered are the messages counted (an SBE feed's: one per group entry, at least one per message)",
    applies: () => true,
    violation: ({ batch, run }) => batch.feed.schema.sbe
      ? (run.records < run.summary.messages ? `records delivered ${run.records} < messages ${run.summary.messages}` : undefined)
      : compare("records delivered vs messages", run.records, run.summary.messages),
  },
  {
    name: "everyBareMessageOnce",
    claim: "each bare message is a message or one rejection for its body",
    applies: (o) => o.batch.mode === "messages",
    violation: ({ batch, run: { summary: s } }) =>
      compare("bare messages vs messages + body rejections", batch.entries.length, s.messages + sum(s.rejected, BODY_REASONS)),
  },
  {
    name: "wonIsTaken",
    claim: "the lines' won messages are the fresh messages taken: delivered, or rejected for their body",
    applies: (o) => o.batch.lines !== undefined,
    violation: ({ run: { summary: s } }) =>
      compare(`lines won ${JSON.stringify(s.lines)} vs messages + body rejections`, lineSum(s, "won"), s.messages + sum(s.rejected, BODY_REASONS)),
  },
  {
    name: "lateIsDuplicate",
    claim: "the lines' late messages are the duplicates",
    applies: (o) => o.batch.lines !== undefined,
    violation: ({ run: { summary: s } }) => compare(`lines late ${JSON.stringify(s.lines)} vs duplicates`, lineSum(s, "late"), s.duplicates),
  },
  {
    name: "physicalBound",
    claim: "no message counter exceeds the messages the inputs can physically hold",
    applies: () => true,
    violation({ batch, run: { summary: s } }) {
      const max = physicalMessages(batch);
      const counted: Array<[string, number]> = [
        ["messages + duplicates + body rejections", s.messages + s.duplicates + sum(s.rejected, BODY_REASONS)],
        ["lines received", lineSum(s, "received")],
        ["lines won + late", lineSum(s, "won") + lineSum(s, "late")],
      ];
      const over = counted.filter(([, v]) => v > max);
      return over.length ? `${over.map(([k, v]) => `${k} ${v}`).join(", ")} > ${max} messages held` : undefined;
    },
  },
  {
    name: "safeIntegers",
    claim: "every counter is exact: a safe integer, or an exact decimal string",
    applies: () => true,
    violation({ run: { summary: s } }) {
      // A session's name is text; every other value is a count or a sequence number.
      const bad = numbers(s, "", []).filter(([k, v]) => !/^sessions\.\d+\.session$/.test(k) &&
        !(typeof v === "number" ? Number.isSafeInteger(v) : typeof v === "bigint" || /^\d+$/.test(v as string)));
      return bad.length ? bad.map(([k, v]) => `${k} ${v}`).join(", ") : undefined;
    },
  },
  {
    name: "truncationMakesNoGap",
    claim: "frames of a contiguous stream cut short make no gap; the messages they lose are counted apart",
    applies: (o) => o.batch.snaplen !== undefined,
    violation({ batch, run: { summary: s } }) {
      if (s.gaps !== 0 || s.gapMessages !== 0) return `gaps ${s.gaps}, gapMessages ${s.gapMessages} in a contiguous stream cut to ${batch.snaplen!.bytes} bytes`;
      // An SBE packet is one sequence number: what a cut loses is counted in packets, not messages.
      if (batch.feed.schema.sbe) return undefined;
      const lost = (s as ParserSummary & { truncatedMessages?: number }).truncatedMessages;
      if (lost === undefined) return undefined;
      return compare("messages + truncatedMessages + body rejections vs messages declared", s.messages + lost + sum(s.rejected, BODY_REASONS),
        batch.snaplen!.declared.reduce((a, n) => a + n, 0));
    },
  },
  {
    name: "bookIntact",
    claim: "the order book's invariants hold",
    applies: (o) => o.run.book !== undefined,
    violation: ({ run }) => (run.book!.check === "ok" ? undefined : `book check: ${run.book!.check}`),
  },
];

function lineSum(s: ParserSummary, k: "received" | "won" | "late"): number {
  return (s.lines ?? []).reduce((a, l) => a + l[k], 0);
}

/** The identities a batch's run breaks (those named in `skip` left out), each with what breaks it. */
export function checkAccounting(o: Observation, skip: ReadonlySet<string> = new Set()): Array<{ identity: string; violation: string }> {
  const out: Array<{ identity: string; violation: string }> = [];
  for (const id of IDENTITIES) {
    if (skip.has(id.name) || !id.applies(o)) continue;
    const v = id.violation(o);
    if (v !== undefined) out.push({ identity: id.name, violation: v });
  }
  return out;
}
