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

/** What differs between two runs of one batch, or undefined. */
export function difference(a: RunResult, b: RunResult): string | undefined {
  const diffs: string[] = [];
  if (a.records !== b.records || a.digest !== b.digest) diffs.push(`records ${a.records} (digest ${a.digest}) vs ${b.records} (digest ${b.digest})`);
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

/** Guard seeds tried on a batch while shrinking a read out of bounds: whether a stray read shows depends on the bytes it meets. */
const SHRINK_GUARDS = 8;

/**
 * A smaller batch that fails with the same name: the shortest failing prefix, then without each
 * entry that is not needed (a snaplen batch stays contiguous: only leading entries go), then each
 * entry cut as short as it still fails. At most `budget` checks.
 */
export function shrink(batch: Batch, name: string, o: CheckOptions = {}, budget = 3000): Batch {
  let checks = 0;
  const guards = name === "outOfBounds" ? Array.from({ length: SHRINK_GUARDS }, (_, k) => batch.guardSeed + k) : [batch.guardSeed];
  // The batch with the guard seed it fails with, or undefined.
  const failing = (b: Batch): Batch | undefined => {
    if (b.entries.length === 0) return undefined;
    const g = guards.find((seed) => checks++ < budget && checkBatch(b, o, seed).some((f) => f.name === name));
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
  let cur = failing(subBatch(batch, range(0, hi)));
  if (!cur) return batch;
  const keep = (b: Batch, drop: number): number[] => range(0, b.entries.length).filter((k) => k !== drop);
  if (batch.snaplen) {
    // Contiguous: only leading entries go.
    for (let next; cur.entries.length > 1 && (next = failing(subBatch(cur, keep(cur, 0))));) cur = next;
    return cur;
  }
  // Without each entry not needed, last first.
  for (let i = cur.entries.length - 1; i >= 0 && cur.entries.length > 1; i--) cur = failing(subBatch(cur, keep(cur, i))) ?? cur;
  // Each entry as short as it still fails.
  const min = batch.mode === "prefixed" ? 2 : 0;
  for (let i = 0; i < cur.entries.length; i++) {
    for (let cut = cur.entries[i].length >>> 1; cut >= 1; cut >>>= 1) {
      for (let next; cur.entries[i].length - cut >= min &&
        (next = failing(subBatch(cur, range(0, cur.entries.length), { i, bytes: cur.entries[i].subarray(0, cur.entries[i].length - cut) })));) cur = next;
    }
  }
  return cur;
}
