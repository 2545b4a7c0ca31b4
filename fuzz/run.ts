// Checking a batch: it runs twice, in two fresh parsers, with zeros after every entry in the
// first run and other bytes (0xff, or random) in the second. Any difference in the records, the
// summary, the book or what was thrown is a read out of bounds; anything thrown is a failure of
// its own; the counters of the first run must satisfy the accounting identities. A failing batch
// is shrunk to a small one failing the same way: the fewest entries, each as short as it goes.

import { Rng } from "../src/itchgen/rng.js";
import { checkAccounting } from "./accounting.js";
import { runGuarded, newParser, type ParserFactory, type RunResult } from "./guarded.js";
import type { Batch } from "./batch.js";

export interface Finding {
  kind: "outOfBounds" | "threw" | "identity";
  /** What failed: the kind, or the identity's name. */
  name: string;
  detail: string;
}

export interface CheckOptions {
  make?: ParserFactory;
  /** Identities not checked. */
  skip?: ReadonlySet<string>;
}

/** Length of the pattern the random guards repeat: a prime, so that it falls differently after each entry. */
const PATTERN = 4093;

/**
 * The second run's guard bytes, from a seed: all 0xff for one seed in four, else a random
 * pattern repeated, half of its bytes message type bytes of the feed, so that a stray read of a
 * type or a length changes what the parser does.
 */
export function otherGuard(seed: number, types: number[]): (region: Uint8Array) => void {
  return (region) => {
    if (seed % 4 === 0) {
      region.fill(0xff);
      return;
    }
    const rng = new Rng(seed);
    const n = Math.min(PATTERN, region.length);
    for (let i = 0; i < n; i++) {
      const r = rng.u32();
      region[i] = r & 1 ? types[(r >>> 1) % types.length] : r >>> 24;
    }
    for (let at = n; at < region.length; at *= 2) region.copyWithin(at, 0, Math.min(at, region.length - at));
  };
}

const zeros = (region: Uint8Array): void => {
  region.fill(0);
};

// Every scalar of a value by its path.
function flat(v: unknown, path = "", out = new Map<string, unknown>()): Map<string, unknown> {
  if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) flat(x, path ? `${path}.${k}` : k, out);
  else out.set(path, v);
  return out;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** What differs between two runs of one batch, or undefined. */
export function difference(a: RunResult, b: RunResult): string | undefined {
  const diffs: string[] = [];
  if (a.records !== b.records || !Buffer.from(a.bytes.buffer, a.bytes.byteOffset, a.bytes.length).equals(b.bytes)) {
    diffs.push(`records ${a.records} vs ${b.records}, ${a.bytes.length} vs ${b.bytes.length} bytes, first differing at byte ${firstDifference(a.bytes, b.bytes)}`);
  }
  const fa = flat({ summary: a.summary, book: a.book, error: a.error });
  const fb = flat({ summary: b.summary, book: b.book, error: b.error });
  for (const k of new Set([...fa.keys(), ...fb.keys()])) {
    if (fa.get(k) !== fb.get(k)) diffs.push(`${k} ${String(fa.get(k))} vs ${String(fb.get(k))}`);
  }
  return diffs.length ? `the bytes after the entries changed the result: ${diffs.join("; ")}` : undefined;
}

const typesOf = (batch: Batch): number[] => Object.keys(batch.feed.schema.messages).map((t) => t.charCodeAt(0));

/** Runs a batch twice, with zeros and with guard bytes from guardSeed (default the batch's), and returns what fails. */
export function checkBatch(batch: Batch, o: CheckOptions = {}, guardSeed = batch.guardSeed): Finding[] {
  const make = o.make ?? newParser;
  const a = runGuarded(batch, zeros, make);
  const b = runGuarded(batch, otherGuard(guardSeed, typesOf(batch)), make);
  const out: Finding[] = [];
  const diff = difference(a, b);
  if (diff) out.push({ kind: "outOfBounds", name: "outOfBounds", detail: diff });
  if (a.error) {
    out.push({ kind: "threw", name: "threw", detail: a.error });
    return out;
  }
  for (const v of checkAccounting({ batch, run: a }, o.skip)) out.push({ kind: "identity", name: v.identity, detail: v.violation });
  return out;
}

/** The batch with only the entries at `keep` (in order), or with entry i replaced. */
export function subBatch(batch: Batch, keep: number[], replace?: { i: number; bytes: Uint8Array }): Batch {
  const entry = (i: number): Uint8Array => (replace && replace.i === i ? replace.bytes : batch.entries[i]);
  return {
    ...batch,
    entries: keep.map(entry),
    inputs: keep.map((i) => batch.inputs[i]),
    lineOf: batch.lineOf && keep.map((i) => batch.lineOf![i]),
    snaplen: batch.snaplen && { ...batch.snaplen, declared: keep.map((i) => batch.snaplen!.declared[i]) },
  };
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, k) => a + k);
// Entries and bytes of a batch, for telling whether shrinking still gains.
const size = (b: Batch): number => b.entries.reduce((a, e) => a + e.length + 1, 0);

/** Guard seeds tried on a batch to tell whether it fails: a stray read shows only when it meets bytes that matter. */
export const GUARD_TRIES = 8;

/**
 * The guard seed (of the batch's and the next GUARD_TRIES - 1 for a read out of bounds) with which
 * the batch fails with `name`, or undefined; `budget` counts the checks made.
 */
export function failingGuard(batch: Batch, name: string, o: CheckOptions = {}, budget = { left: Infinity }): number | undefined {
  if (batch.entries.length === 0) return undefined;
  const tries = name === "outOfBounds" ? GUARD_TRIES : 1;
  for (let k = 0; k < tries && budget.left-- > 0; k++) {
    if (checkBatch(batch, o, batch.guardSeed + k).some((f) => f.name === name)) return batch.guardSeed + k;
  }
  return undefined;
}

/**
 * A smaller batch that fails with the same name: the shortest failing prefix, then without the
 * entries not needed and with each entry cut as short as it still fails (a snaplen batch stays
 * contiguous and uncut: only leading entries go). At most `checks` checks.
 */
export function shrink(batch: Batch, name: string, o: CheckOptions = {}, checks = 3000): Batch {
  const budget = { left: checks };
  // The batch with the guard seed it fails with, or undefined.
  const failing = (b: Batch): Batch | undefined => {
    const g = failingGuard(b, name, o, budget);
    return g === undefined ? undefined : { ...b, guardSeed: g };
  };
  const n = batch.entries.length;
  // The shortest failing prefix: doubling, then bisection between the last passing and the first failing length.
  let hi = 1;
  while (hi < n && !failing(subBatch(batch, range(0, hi)))) hi = Math.min(n, hi * 2);
  let lo = hi >>> 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (failing(subBatch(batch, range(0, mid)))) hi = mid;
    else lo = mid;
  }
  const first = failing(subBatch(batch, range(0, hi)));
  if (!first) return batch;
  let cur: Batch = first;
  const keep = (b: Batch, drop: number): number[] => range(0, b.entries.length).filter((k) => k !== drop);
  if (batch.snaplen) {
    // Contiguous: only leading entries go.
    for (let next: Batch | undefined; cur.entries.length > 1 && (next = failing(subBatch(cur, keep(cur, 0))));) cur = next;
    return cur;
  }
  // Without each entry not needed, last first; then each entry as short as it still fails; again
  // while that helps (an entry cut short may no longer be needed).
  const min = batch.mode === "prefixed" ? 2 : 0;
  for (let round = 0, before = Infinity; round < 3 && size(cur) < before; round++) {
    before = size(cur);
    for (let i = cur.entries.length - 1; i >= 0 && cur.entries.length > 1; i--) cur = failing(subBatch(cur, keep(cur, i))) ?? cur;
    for (let i = 0; i < cur.entries.length; i++) {
      for (let cut = cur.entries[i].length >>> 1; cut >= 1; cut >>>= 1) {
        for (let next: Batch | undefined; cur.entries[i].length - cut >= min &&
          (next = failing(subBatch(cur, range(0, cur.entries.length), { i, bytes: cur.entries[i].subarray(0, cur.entries[i].length - cut) })));) cur = next;
      }
    }
  }
  return cur;
}
