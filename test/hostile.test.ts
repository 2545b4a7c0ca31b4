// Hostile input for every compiled parser: truncated frames at every length, random bytes,
// mutated valid packets, non-UDP frames. Each is counted under a reason, nothing traps, and
// nothing is read past the end of a frame: the results do not depend on the bytes after it.
// The fuzzing harness's pieces (fuzz/) place the frames between guard bytes and mutate them;
// test/fuzz.test.ts runs the harness itself.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as L from "../assembly/layout.js";
import { FeedParser } from "../src/feeds/parser.js";
import { itch50, iexTops, iexDeep, type Feed } from "../src/feeds/feeds.js";
import { ITCH50_SCHEMA } from "../src/feeds/itch50-schema.js";
import { Rng } from "../src/itchgen/rng.js";
import { encodeBySchema, parseAll, mold, iextp, frameOf } from "./helpers/wire.js";
import { batchOf } from "../fuzz/batch.js";
import { runGuarded } from "../fuzz/guarded.js";
import { difference } from "../fuzz/run.js";
import { mutate, junk, type Target } from "../fuzz/mutate.js";
import { FRAMINGS } from "../fuzz/fields.js";
import { FRAME_REASONS, PACKET_REASONS } from "../fuzz/accounting.js";

function validFrame(feed: Feed): Uint8Array {
  if (feed === itch50) {
    const m = (ref: number) => encodeBySchema(ITCH50_SCHEMA, "A", { stockLocate: 3, orderRef: ref, side: "B", shares: 10, stock: "ABC", price: 100 });
    return frameOf(mold("SESSION001", 1, [m(1), m(2), m(3)]));
  }
  const s = (c: string) => encodeBySchema(feed.schema, "S", { systemEvent: c, timestamp: 5n });
  const t = encodeBySchema(feed.schema, "T", { symbol: "ABC", size: 1, price: 10n, tradeId: 1n });
  return frameOf(iextp(feed === iexTops ? 0x8003 : 0x8004, 1, 1, [s("O"), t, s("S")]));
}

const FEEDS = [itch50, iexTops, iexDeep];
const JUMBO = 9018;
const H = suite("hostile input");

for (const feed of FEEDS) {
  H(`${feed.name}: every truncation of a valid frame gives the same result whatever follows it`, () => {
    const f = validFrame(feed);
    for (let len = 0; len <= f.length; len++) {
      const batch = batchOf(feed, "frames", [f.subarray(0, len)]);
      const [zeros, ...others] = [0x00, 0xff, 0x41].map((guard) => runGuarded(batch, (region) => region.fill(guard)));
      for (const other of others) assert.is(difference(zeros, other), undefined, `length ${len}`);
    }
  });

  H(`${feed.name}: counts every one of 20,000 random and mutated frames, and never throws`, () => {
    const rng = new Rng(0x5eed + feed.name.length);
    const p = new FeedParser(feed);
    const base = validFrame(feed);
    const t: Target = { shape: "frame", framing: FRAMINGS[feed.framing], types: Object.keys(feed.schema.messages).map((c) => c.charCodeAt(0)), partner: () => base };
    // Random bytes (some behind valid Ethernet/IPv4/UDP headers, so the session layers see
    // garbage too) and mutated valid frames, one of each in turn, none longer than a jumbo frame.
    const frames = Array.from({ length: 20_000 }, (_, i) => (i % 2 === 0 ? junk(t, base, rng) : mutate(base, t, rng).bytes.subarray(0, JUMBO)));
    parseAll(p, frames, "frames");
    const s = p.summary();
    assert.is(s.frames, frames.length, "every frame offered to the parser");
    // Each frame is a packet or rejected under exactly one frame- or session-level reason.
    const rejected = [...FRAME_REASONS, ...PACKET_REASONS].reduce((a, k) => a + (s.rejected[k] ?? 0), 0);
    assert.is(s.packets + rejected, frames.length, `frames unaccounted for: ${JSON.stringify(s)}`);
  });

  H(`${feed.name}: counts ARP, TCP and IPv6 TCP frames under their reasons`, () => {
    const f = validFrame(feed);
    const arp = f.slice(0, 60);
    arp[12] = 0x08; arp[13] = 0x06;
    const tcp = f.slice();
    tcp[23] = 6;
    const v6 = new Uint8Array(14 + 40 + 20);
    v6.set(f.subarray(0, 12));
    v6[12] = 0x86; v6[13] = 0xdd; v6[14] = 0x60; v6[19] = 20; v6[20] = 6;
    const frag = f.slice();
    frag[20] = 0x20; // more fragments
    const p = new FeedParser(feed);
    parseAll(p, [arp, tcp, v6, frag], "frames");
    assert.equal(p.summary().rejected, { notIp: 1, notUdp: 2, ipFragment: 1 });
  });
}

H("a packet of maximal messages never overfills the record region: the batch resumes", () => {
  const p = new FeedParser(itch50);
  const m = encodeBySchema(ITCH50_SCHEMA, "S", { eventCode: "O" });
  // 100 payloads of 100 12-byte messages: 10,000 records, several record batches.
  const payloads = Array.from({ length: 200 }, (_, i) => mold("SESSION001", 1 + i * 100, Array.from({ length: 100 }, () => m)));
  let batches = 0;
  let records = 0;
  const data = new Uint8Array(payloads.reduce((a, x) => a + x.length, 0));
  const offsets: number[] = [];
  let at = 0;
  for (const x of payloads) { offsets.push(at); data.set(x, at); at += x.length; }
  p.parse({ data, count: payloads.length, offsets, lengths: payloads.map((x) => x.length) }, "payloads", (n) => {
    batches++;
    records += n;
    assert.ok(n <= L.RECORD_MAX);
  });
  assert.is(records, 20_000);
  assert.ok(batches >= 2, `batches: ${batches}`);
  assert.equal([p.summary().gaps, p.summary().duplicates], [0, 0]);
});

H.run();
