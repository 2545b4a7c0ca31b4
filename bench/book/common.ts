// Shared by the book benchmark's parent (bench/book.ts) and its wasm case (./child.ts): what a
// case prints, and the checksum over BBO events that the wasm book and the C reference book
// (./c_book_main.c, which hashes its events the same way) must agree on.

import { readFileSync } from "node:fs";
import { FNV_BASIS, FNV_PRIME } from "../decode/common.js";
import { RECORDS_BASE } from "../../assembly/layout.js";
import { RECORD_SIZE, R_SEQ } from "../../assembly/records.js";
import { BE_RECORD, BE_INSTRUMENT, BE_BID_PX, BE_BID_QTY, BE_ASK_PX, BE_ASK_QTY, BE_FLAGS, BOOK_EVENT_SIZE, EV_BBO } from "../../assembly/book/events.js";

/**
 * The wasm cases: decode only, with the book (BBO events), with depth events too, with the book
 * and records on demand (records only for the messages book events name: what a consumer of book
 * events alone gets with `records: "book"`); and the C book.
 */
export const MODES = ["decode", "book", "depth", "events", "c"] as const;
export type Mode = (typeof MODES)[number];

/** The book's counters that both books keep (the wasm book's BookCounters minus depth and lost events). */
export const SHARED_COUNTERS = [
  "updates", "bboChanges", "unknownOrder", "ordersFull", "levelsFull", "duplicateOrder", "badInstrument", "oversized",
  "invalid", "wrongLocate",
] as const;

/** What every case prints (one JSON line on stdout). */
export interface BookCaseResult {
  impl: "wasm" | "c";
  mode: Mode;
  /** Messages per pass. */
  messages: number;
  /** The timed pass (the second, with a fresh book) and the first. */
  seconds: number;
  warmSeconds: number;
  nsPerMessage: number;
  /** The timed pass's CPU time (user and system) per message: what other work on the machine took from the wall clock left out. */
  cpuNsPerMessage?: number;
  /** BBO events of the first pass and their checksum (EventHash; none with decode only). */
  events: number;
  eventChecksum: string;
  /** Orders and levels on the book at the end. */
  orders: number;
  levels: number;
  /** The case's peak resident memory (KiB): peakRssKiB() below, the same in C (bench/decode/native.h). */
  maxRssKiB: number;
  counters: Record<string, number>;
  /** The wasm book's order table at the end (BookView.orderTable()). */
  orderTable?: { pages: number; hashed: number; hashEntries: number; bytes: number };
}

/**
 * FNV-1a over the BBO events (flag EV_BBO) of a run, in order: per event the words of its message
 * index (from the start of the input), instrument, then the low and high halves of bidPx, bidQty,
 * askPx and askQty. Depth-only events are left out, so that a book with depth events on hashes
 * the same as one without.
 */
export class EventHash {
  hash = FNV_BASIS;
  events = 0;

  /**
   * Events [0, n) at wasm address `base` of `words` (a u32 view of the memory); a record's
   * message index is its sequence number (low word) less `seq0`.
   */
  add(words: Uint32Array, base: number, n: number, seq0: number): void {
    let h = this.hash;
    for (let k = 0; k < n; k++) {
      const w = (base + k * BOOK_EVENT_SIZE) >>> 2;
      if ((words[w + (BE_FLAGS >>> 2)] & EV_BBO) === 0) continue;
      const seq = words[(RECORDS_BASE + words[w + (BE_RECORD >>> 2)] * RECORD_SIZE + R_SEQ) >>> 2];
      h = Math.imul(h ^ ((seq - seq0) >>> 0), FNV_PRIME);
      h = Math.imul(h ^ words[w + (BE_INSTRUMENT >>> 2)], FNV_PRIME);
      for (const off of [BE_BID_PX, BE_BID_QTY, BE_ASK_PX, BE_ASK_QTY]) {
        h = Math.imul(h ^ words[w + (off >>> 2)], FNV_PRIME);
        h = Math.imul(h ^ words[w + (off >>> 2) + 1], FNV_PRIME);
      }
      this.events++;
    }
    this.hash = h;
  }
}

/**
 * This process's peak resident memory in KiB: VmHWM of /proc/self/status (this image's own
 * high-water mark), else process.resourceUsage().maxRSS. The latter (getrusage's ru_maxrss) is
 * kept across execve, so a child would report its parent's size at the fork when it stays below.
 */
export function peakRssKiB(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]);
  } catch {
    // not Linux: the fallback
  }
  return process.resourceUsage().maxRSS;
}
