// Failing inputs on disk: NAME.bin holds a failing batch's entries one after another, NAME.json
// what is needed to run it again (feed, mode, the length and input number of each entry, lines,
// book, first sequence number, guard seed) and what failed. `npm run fuzz -- --replay NAME.json`
// runs it again.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FEEDS } from "../src/feeds/feeds.js";
import type { Batch } from "./batch.js";
import type { Finding } from "./run.js";

// The batch as JSON: its entries' bytes are in the .bin, the feed by name.
type CrashFile = Omit<Batch, "feed" | "entries"> & {
  feed: string;
  seed: number;
  /** The input where it fails (the last entry's). */
  input: number;
  failure: Finding;
  lengths: number[];
};

/** Writes a failing batch as DIR/FEED-MODE-SEED-INPUT-NAME.bin and .json; returns the .json's path. */
export function writeCrash(dir: string, b: Batch, failure: Finding, seed: number): string {
  mkdirSync(dir, { recursive: true });
  const input = b.inputs[b.inputs.length - 1];
  const base = join(dir, `${b.feed.name}-${b.mode}-${seed}-${input}-${failure.name}`);
  const data = new Uint8Array(b.entries.reduce((a, e) => a + e.length, 0));
  let at = 0;
  for (const e of b.entries) {
    data.set(e, at);
    at += e.length;
  }
  writeFileSync(`${base}.bin`, data);
  const { feed: _feed, entries: _entries, ...rest } = b;
  const meta: CrashFile = { ...rest, feed: b.feed.name, seed, input, failure, lengths: b.entries.map((e) => e.length) };
  writeFileSync(`${base}.json`, JSON.stringify(meta, null, 1) + "\n");
  return `${base}.json`;
}

/** The batch a crash file describes (its .json; the .bin beside it) and the failure it recorded. */
export function readCrash(jsonPath: string): { batch: Batch; failure: Finding; seed: number } {
  const m = JSON.parse(readFileSync(jsonPath, "utf8")) as CrashFile;
  const feed = FEEDS[m.feed];
  if (!feed) throw new Error(`${jsonPath}: unknown feed ${m.feed}`);
  const data = new Uint8Array(readFileSync(jsonPath.replace(/\.json$/, ".bin")));
  const entries: Uint8Array[] = [];
  let at = 0;
  for (const n of m.lengths) {
    entries.push(data.subarray(at, at + n));
    at += n;
  }
  const { feed: _name, seed, input: _input, failure, lengths: _lengths, ...rest } = m;
  return { batch: { ...rest, feed, entries }, failure, seed };
}
