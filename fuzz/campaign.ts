// A fuzzing campaign: for each feed and mode, `count` inputs in batches drawn from the feed's
// corpus, each batch checked (run.ts). Every batch has its own generator, seeded from the
// campaign's seed, the feed, the mode and the batch's number, so a seed gives the same inputs
// every time. The configurations rotate from batch to batch: A/B lines on and off (frames and
// payloads), the order book on and off, and in frames mode one batch in eight is a snaplen
// batch. The first failure of each kind in a feed and mode is shrunk, kept as an example and,
// given a directory, written there (crashes.ts); later ones are counted.

import type { Feed } from "../src/feeds/feeds.js";
import { Rng } from "../src/itchgen/rng.js";
import { loadCorpus, type Corpus, type CorpusOptions } from "./corpus.js";
import { makeBatch, type Mode, type Batch } from "./batch.js";
import { checkBatch, shrink, type CheckOptions, type Finding } from "./run.js";
import { writeCrash } from "./crashes.js";

export interface CampaignOptions extends CheckOptions {
  /** Inputs per feed and mode. */
  count: number;
  seed: number;
  /** A/B lines in batches of frames and payloads: the settings rotated through (default both). */
  lines?: boolean[];
  /** The order book: the settings rotated through (default both). */
  book?: boolean[];
  /** Most inputs in a batch (default 128). */
  batchSize?: number;
  /** Where to write the first failing input of each kind (default: nowhere). */
  crashDir?: string;
  /** Failures known and not yet fixed: counted apart (ModeReport.pending), neither shrunk nor failing. */
  pending?: (batch: Batch, f: Finding) => boolean;
  /** Called after every batch. */
  onProgress?: (p: { feed: string; mode: Mode; inputs: number; count: number; failures: number }) => void;
}

export interface FailureReport {
  kind: Finding["kind"];
  /** Batches failing this way. */
  batches: number;
  /** The first, shrunk: the input where it fails, what fails, and the failing inputs in hex. */
  first: { seed: number; input: number; detail: string; lines?: [number, number]; book: boolean; entries: string[]; file?: string };
}

export interface ModeReport {
  feed: string;
  mode: Mode;
  inputs: number;
  batches: number;
  ms: number;
  failures: Record<string, FailureReport>;
  /** Batches failing in a way known as pending, by name. */
  pending: Record<string, number>;
}

/** A 53-bit seed for one batch, from the campaign's seed and the batch's coordinates. */
export function batchSeed(seed: number, ...parts: number[]): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.floor(seed / 4294967296);
  let l = 0x27d4eb2f;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0xcc9e2d51) ^ (h >>> 15);
    l = Math.imul(l ^ h, 0x1b873593) + 0xe6546b64;
  }
  return ((h >>> 0) % 0x200000) * 4294967296 + (l >>> 0);
}

const MODE_NUMBER: Record<Mode, number> = { frames: 1, payloads: 2, messages: 3, prefixed: 4 };

/** The configuration of batch b: lines and book rotated, a snaplen batch every eighth in frames mode. */
function config(mode: Mode, b: number, o: CampaignOptions) {
  const lines = o.lines ?? [false, true];
  const book = o.book ?? [false, true];
  const snaplen = mode === "frames" && b % 8 === 7;
  return { lines: !snaplen && lines[b % lines.length], book: book[Math.floor(b / lines.length) % book.length], snaplen };
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString("hex");

/** Runs count inputs of one mode through a feed's parser, from its corpus. */
export function runMode(corpus: Corpus, mode: Mode, o: CampaignOptions): ModeReport {
  const feed = corpus.feed;
  const t0 = performance.now();
  const size = o.batchSize ?? 128;
  const report: ModeReport = { feed: feed.name, mode, inputs: 0, batches: 0, ms: 0, failures: {}, pending: {} };
  let failures = 0;
  for (let b = 0; report.inputs < o.count; b++) {
    const rng = new Rng(batchSeed(o.seed, feedNumber(feed), MODE_NUMBER[mode], b));
    const want = Math.min(o.count - report.inputs, rng.int(2) === 0 ? size : rng.range(1, size));
    const batch = makeBatch(corpus, mode, report.inputs, { size: want, ...config(mode, b, o) }, rng);
    report.inputs += batch.entries.length;
    report.batches++;
    for (const f of checkBatch(batch, o)) {
      if (o.pending?.(batch, f)) {
        report.pending[f.name] = (report.pending[f.name] ?? 0) + 1;
        continue;
      }
      failures++;
      const known = report.failures[f.name];
      if (known) known.batches++;
      else report.failures[f.name] = firstFailure(batch, f, o);
    }
    o.onProgress?.({ feed: feed.name, mode, inputs: report.inputs, count: o.count, failures });
  }
  report.ms = Math.round(performance.now() - t0);
  return report;
}

function firstFailure(batch: Batch, f: Finding, o: CampaignOptions): FailureReport {
  const small = shrink(batch, f.name, o);
  const again = checkBatch(small, o).find((x) => x.name === f.name) ?? f;
  const input = small.inputs[small.inputs.length - 1];
  const file = o.crashDir ? writeCrash(o.crashDir, small, again, o.seed) : undefined;
  return {
    kind: f.kind, batches: 1,
    first: { seed: o.seed, input, detail: again.detail, lines: small.lines, book: small.book, entries: small.entries.map(hex), file },
  };
}

function feedNumber(feed: Feed): number {
  let h = 0;
  for (let i = 0; i < feed.name.length; i++) h = Math.imul(h ^ feed.name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Runs every mode of every feed; notes say which seed inputs were left out. */
export async function campaign(feeds: Feed[], modes: Mode[], o: CampaignOptions & { corpus?: Partial<CorpusOptions> }): Promise<{ reports: ModeReport[]; notes: string[] }> {
  const reports: ModeReport[] = [];
  const notes: string[] = [];
  for (const feed of feeds) {
    const corpus = await loadCorpus(feed, { seed: o.seed, ...o.corpus });
    notes.push(...corpus.notes);
    for (const mode of modes) reports.push(runMode(corpus, mode, o));
  }
  return { reports, notes };
}
