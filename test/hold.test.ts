// The hold queue (assembly/parse/hold.ts, arbiter.ts) driven directly through a FeedParser: HOLD_ALL
// keeps every packet unparsed until holdRelease, which releases them in sequence order from the
// start sequence a snapshot sets; a full hold under HOLD_ALL drops (and counts) the oldest rather
// than parse early; and a released packet's bytes stay intact while its records are read.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as L from "../assembly/layout.js";
import { FeedParser } from "../src/feeds/parser.js";
import { itch50 } from "../src/feeds/feeds.js";
import { moldFrames } from "../src/itchgen/itch-writers.js";
import { parseAll } from "./helpers/wire.js";

const H = suite("hold queue");

function payloads(n: number) {
  const out = [...moldFrames({ seed: 4, symbols: 10, messages: 60 * n }, { session: "HOLDTEST01", endOfSession: false })].filter((p) => p.count > 0).slice(0, n);
  assert.is(out.length, n);
  return out;
}

function holdAll(p: FeedParser, on: boolean, startSeq = 0): void {
  const ps32 = new Uint32Array(p.memory.buffer, L.PSTATS_BASE, L.PSTATS_SIZE / 4);
  ps32[L.PS_HOLD_FLAGS / 4] = on ? L.HOLD_ALL : 0;
  if (startSeq) new BigUint64Array(p.memory.buffer, L.PSTATS_BASE, L.PSTATS_SIZE / 8)[L.PS_START_SEQ / 8] = BigInt(startSeq);
}

H("holds every packet unparsed, then releases them in sequence order from the start sequence, dropping what came before it", () => {
  const pk = payloads(40);
  const p = new FeedParser(itch50);
  holdAll(p, true);
  // Out of order, as two lines or a reordering network would bring them.
  const order = [...pk.slice(20), ...pk.slice(0, 20)].map((x) => x.payload);
  assert.is(parseAll(p, order, "payloads").length, 0, "nothing parsed while held");
  const start = pk[10].sequence + 3;
  new BigUint64Array(p.memory.buffer, L.PSTATS_BASE, L.PSTATS_SIZE / 8)[L.PS_START_SEQ / 8] = BigInt(start);
  p.x.clearRecords();
  p.x.holdRelease();
  const seqs = Array.from({ length: p.x.recordCount() }, (_, i) => p.ticks.at(i).seq);
  const last = pk[39].sequence + pk[39].count - 1;
  assert.equal(seqs, Array.from({ length: last - start + 1 }, (_, i) => start + i));
  const s = p.summary();
  assert.equal([s.gaps, s.duplicates], [0, start - 1]);
});

H("drops and counts the oldest held packet when the hold is full under HOLD_ALL, and parses nothing early", () => {
  const pk = payloads(L.HOLD_MAX + 20);
  const p = new FeedParser(itch50);
  holdAll(p, true, 1);
  assert.is(parseAll(p, pk.map((x) => x.payload), "payloads").length, 0);
  // At least the packets past HOLD_MAX; more when the held messages reach HOLD_MESSAGES_MAX first.
  const dropped = p.summary().heldDropped ?? 0;
  assert.ok(dropped >= 20, `dropped ${dropped}`);
  p.x.clearRecords();
  p.x.holdRelease();
  const s = p.summary();
  // The oldest dropped are one gap at the start; everything held after them is delivered.
  assert.equal([s.gaps, s.gapMessages], [1, pk.slice(0, dropped).reduce((a, x) => a + x.count, 0)]);
  assert.is(p.x.recordCount(), pk.slice(dropped).reduce((a, x) => a + x.count, 0));
});

H("keeps the bytes of every packet released in one go intact while its records are read", () => {
  const pk = payloads(300);
  const p = new FeedParser(itch50);
  holdAll(p, true, 1);
  parseAll(p, pk.map((x) => x.payload), "payloads");
  p.x.clearRecords();
  p.x.holdRelease();
  const n = p.x.recordCount();
  assert.is(n, pk.reduce((a, x) => a + x.count, 0));
  // Each record's message, read in place, is the message of that sequence in the packets sent.
  const want = new Map<number, string>();
  for (const x of pk) {
    let at = 20;
    for (let k = 0; k < x.count; k++) {
      const len = (x.payload[at] << 8) | x.payload[at + 1];
      want.set(x.sequence + k, Buffer.from(x.payload.subarray(at + 2, at + 2 + len)).toString("hex"));
      at += 2 + len;
    }
  }
  const u8 = new Uint8Array(p.memory.buffer);
  for (let i = 0; i < n; i++) {
    const t = p.ticks.at(i);
    assert.is(Buffer.from(u8.subarray(t.msgOffset, t.msgOffset + t.msgLength)).toString("hex"), want.get(t.seq), `message ${t.seq}`);
  }
});

H.run();
