// The fuzzing harness (fuzz/) on a budget: 50,000 mutated inputs per parser and mode, each batch
// run twice with different guard bytes after every entry, the counters checked against the
// accounting identities; and the harness itself, shown to catch a planted read out of bounds,
// a planted miscount and a throw. Long runs: npm run fuzz (README, Tests).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as L from "../assembly/layout.js";
import * as R from "../assembly/records.js";
import { FeedParser } from "../src/feeds/parser.js";
import { itch50, iexTops, iexDeep, cmeMdp3, type Feed } from "../src/feeds/feeds.js";
import { Rng } from "../src/itchgen/rng.js";
import { loadCorpus, type Corpus } from "../fuzz/corpus.js";
import { MODES, makeBatch, batchOf, type Batch, type Mode } from "../fuzz/batch.js";
import { runMode } from "../fuzz/campaign.js";
import { checkBatch, subBatch, type Finding } from "../fuzz/run.js";
import type { ParserFactory } from "../fuzz/guarded.js";
import { frameOf, mold, encodeBySchema } from "./helpers/wire.js";
import { ITCH50_SCHEMA } from "../src/feeds/itch50-schema.js";

// Failures of the current parsers, known and not yet fixed: reported apart, not failing the
// suite. Remove an entry once the parsers are fixed, and the suite checks it again.
//
// Accounting identities (fuzz/accounting.ts) the counters do not satisfy yet.
const PENDING_IDENTITIES: string[] = [];
// Other failures, each by what fails, where, and the inputs causing it: a batch failing that way
// is pending when, without those inputs (and with the same guard bytes), it no longer does.
const PENDING_FAILURES: Array<{ name: "outOfBounds" | "threw"; modes: Mode[]; inputs: string; is: (entry: Uint8Array) => boolean }> = [];

const COUNT = 50_000;
const SEED = 1;
const skip = new Set(PENDING_IDENTITIES);

function pending(batch: Batch, f: Finding): boolean {
  return PENDING_FAILURES.some((p) => p.name === f.name && p.modes.includes(batch.mode) && batch.entries.some(p.is) &&
    !checkBatch(subBatch(batch, batch.entries.flatMap((e, k) => (p.is(e) ? [] : [k]))), { skip }).some((x) => x.name === f.name));
}

const corpora = new Map<Feed, Promise<Corpus>>();
const corpusOf = (feed: Feed): Promise<Corpus> => {
  if (!corpora.has(feed)) corpora.set(feed, loadCorpus(feed, { seed: SEED }));
  return corpora.get(feed)!;
};

const F = suite("fuzz harness");

const INPUTS: Record<Mode, string> = { frames: "frames", payloads: "UDP payloads", messages: "bare messages", prefixed: "runs of prefixed messages" };

for (const feed of [itch50, iexTops, iexDeep, cmeMdp3]) {
  for (const mode of MODES) {
    F(`${feed.name}: ${COUNT.toLocaleString("en")} mutated ${INPUTS[mode]} are read only within themselves, throw nothing, and keep the counters' identities`, async () => {
      const r = runMode(await corpusOf(feed), mode, { count: COUNT, seed: SEED, skip, pending });
      assert.is(r.inputs, COUNT);
      const failed = Object.entries(r.failures).map(([k, f]) => `${k} in ${f.batches} batches, first at input ${f.first.input}: ${f.first.detail} ` +
        `[${f.first.entries.map((e) => (e.length > 240 ? `${e.slice(0, 240)}... (${e.length / 2} bytes)` : e)).join(" ")}]`);
      assert.equal(failed, [], failed.join("\n"));
    });
  }
}

const itchFrame = (): Uint8Array => {
  const m = (ref: number) => encodeBySchema(ITCH50_SCHEMA, "A", { stockLocate: 3, orderRef: ref, side: "B", shares: 10, stock: "ABC", price: 100 });
  return frameOf(mold("SESSION001", 1, [m(1), m(2), m(3)]));
};

// A parser that reads the byte after the last entry it is given, as a faulty one would.
const peeking = (effect: (p: FeedParser, byte: number) => void): ParserFactory => (feed, opts) => {
  const p = new FeedParser(feed, opts);
  const parsePlaced = p.parsePlaced.bind(p);
  p.parsePlaced = (count, offsets, lengths, kind, onRecords, ...rest) => {
    const after = p.input[offsets[count - 1] + lengths[count - 1]];
    return parsePlaced(count, offsets, lengths, kind, (n) => {
      effect(p, after);
      onRecords(n);
    }, ...rest);
  };
  return p;
};

F("a parser whose counters depend on a byte after its entry is reported as reading out of bounds", () => {
  const make = peeking((p, byte) => byte !== 0 && p.rejectOutside("peeked"));
  const found = checkBatch(batchOf(itch50, "frames", [itchFrame()]), { make, skip });
  assert.equal(found.map((f) => f.name), ["outOfBounds"]);
  assert.match(found[0].detail, "summary.rejected.peeked");
});

F("a parser whose records depend on a byte after its entry is reported as reading out of bounds", () => {
  const make = peeking((p, byte) => {
    new Uint8Array(p.memory.buffer)[L.RECORDS_BASE + R.R_FLAGS] = byte;
  });
  const found = checkBatch(batchOf(itch50, "frames", [itchFrame()]), { make, skip });
  assert.equal(found.map((f) => f.name), ["outOfBounds"]);
  assert.match(found[0].detail, "records");
});

F("a campaign shrinks a planted read out of bounds to one input and names it", async () => {
  const make = peeking((p, byte) => byte !== 0 && p.rejectOutside("peeked"));
  const r = runMode(await corpusOf(itch50), "payloads", { count: 300, seed: SEED, skip, make });
  const oob = r.failures.outOfBounds;
  assert.ok(oob, JSON.stringify(r.failures));
  assert.is(oob.first.entries.length, 1);
  assert.is(oob.first.seed, SEED);
});

F("a frame counted under no reason breaks the identity that every frame is counted once", () => {
  const make: ParserFactory = (feed, opts) => {
    const p = new FeedParser(feed, opts);
    const summary = p.summary.bind(p);
    p.summary = () => ({ ...summary(), frames: summary().frames + 1 });
    return p;
  };
  const found = checkBatch(batchOf(itch50, "frames", [itchFrame()]), { make });
  assert.equal(found.map((f) => f.name), ["everyFrameOnce"]);
});

F("a parser that throws is reported with what it threw", () => {
  const make: ParserFactory = (feed, opts) => {
    const p = new FeedParser(feed, opts);
    p.parsePlaced = () => {
      throw new Error("planted");
    };
    return p;
  };
  const found = checkBatch(batchOf(itch50, "messages", [new Uint8Array(12)]), { make });
  assert.equal(found.map((f) => [f.name, f.detail]), [["threw", "Error: planted"]]);
});

F("a seed gives the same batches every time", async () => {
  const corpus = await corpusOf(iexDeep);
  const draw = () => makeBatch(corpus, "frames", 0, { size: 64, lines: true, book: false, snaplen: false }, new Rng(42));
  const [a, b] = [draw(), draw()];
  assert.equal(a.entries, b.entries);
  assert.equal([a.lines, a.firstSeq, a.guardSeed], [b.lines, b.firstSeq, b.guardSeed]);
});

F.run();
