// A/B line arbitration: two UDP ports carrying the same MoldUDP64 sequence space, each losing
// different packets, merged into one stream: first arrival wins, copies are dropped, and a gap is
// declared only for what both lines lost.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { FeedParser } from "../src/feeds/parser.js";
import { itch50 } from "../src/feeds/feeds.js";
import { udpFrame } from "../src/socket/frame.js";
import { moldFrames } from "../src/itchgen/itch-writers.js";
import { Rng } from "../src/itchgen/rng.js";
import { ENDS, mold, encodeBySchema, arbitrateFrames } from "./helpers/wire.js";
import { ITCH50_SCHEMA } from "../src/feeds/itch50-schema.js";
import * as L from "../assembly/layout.js";

const A = 26400;
const B = 26401;
const SESSION = { seed: 5, symbols: 30, messages: 60_000 };

interface Packet { frameA: Uint8Array; frameB: Uint8Array; seq: number; count: number }

function packets(): Packet[] {
  const out: Packet[] = [];
  for (const p of moldFrames(SESSION, { session: "XDPFEEDAB1", endOfSession: false })) {
    out.push({ frameA: udpFrame({ ...ENDS, dstPort: A }, p.payload), frameB: udpFrame({ ...ENDS, dstPort: B }, p.payload), seq: Number(p.sequence), count: p.count });
  }
  return out;
}

const arbitrate = (order: Uint8Array[]) => arbitrateFrames(itch50, [A, B], order);

const Arb = suite("A/B arbitration");

Arb("two lines each missing a different random 5% deliver every message once, in order", () => {
  const pk = packets();
  const rng = new Rng(2024);
  const lostA = new Set<number>();
  const lostB = new Set<number>();
  for (let i = 0; i < pk.length; i++) {
    const r = rng.next();
    if (r < 0.05) lostA.add(i);
    else if (r < 0.1) lostB.add(i);
  }
  assert.ok(lostA.size > 20 && lostB.size > 20, `losses ${lostA.size} ${lostB.size}`);
  // Line B runs three packets behind line A.
  const order: Uint8Array[] = [];
  for (let i = 0; i < pk.length + 3; i++) {
    if (i < pk.length && !lostA.has(i)) order.push(pk[i].frameA);
    const j = i - 3;
    if (j >= 0 && !lostB.has(j)) order.push(pk[j].frameB);
  }
  const { seqs, s } = arbitrate(order);
  assert.is(seqs.length, SESSION.messages);
  assert.ok(seqs.every((q, i) => q === i + 1), "every sequence once, in order");
  assert.equal([s.gaps, s.messages, s.resets], [0, SESSION.messages, 0]);
  const count = (lost: Set<number>) => [...lost].reduce((a, i) => a + pk[i].count, 0);
  const [la, lb] = s.lines!;
  assert.equal([la.port, lb.port], [A, B]);
  assert.is(la.received, SESSION.messages - count(lostA));
  assert.is(lb.received, SESSION.messages - count(lostB));
  assert.is(la.missing, count(lostA));
  assert.is(lb.missing, count(lostB));
  assert.is(la.won + la.late, la.received);
  assert.is(lb.won + lb.late, lb.received);
  assert.is(la.won + lb.won, SESSION.messages, "each message won exactly once");
  assert.is(lb.won, count(lostA), "B wins exactly what A lost (B is behind otherwise)");
  assert.is(s.duplicates, la.late + lb.late, "the later copies are dropped");
});

Arb("a packet missing on both lines is a reported gap, declared once both lines passed it", () => {
  const pk = packets();
  const both = 40;
  const order: Uint8Array[] = [];
  for (let i = 0; i < pk.length; i++) {
    if (i === both) continue;
    order.push(pk[i].frameA, pk[i].frameB);
  }
  const { seqs, s } = arbitrate(order);
  assert.equal([s.gaps, s.gapMessages], [1, pk[both].count]);
  assert.is(seqs.length, SESSION.messages - pk[both].count);
  assert.ok(seqs.every((q, i) => i === 0 || q > seqs[i - 1]), "still in order");
  assert.is(seqs.indexOf(pk[both].seq), -1);
});

Arb("a line that goes quiet does not stall the other beyond the hold queue, and flush releases it", () => {
  const pk = packets().slice(0, L.HOLD_MAX + 200);
  assert.is(pk.length, L.HOLD_MAX + 200);
  // Line B sends only the first 10 packets; line A loses packet 50.
  const order: Uint8Array[] = [];
  for (let i = 0; i < pk.length; i++) {
    if (i !== 50) order.push(pk[i].frameA);
    if (i < 10) order.push(pk[i].frameB);
  }
  const { seqs, beforeFlush, s } = arbitrate(order);
  const total = pk.reduce((a, p) => a + p.count, 0);
  assert.is(seqs.length, total - pk[50].count, "everything A had was delivered");
  assert.equal([s.gaps, s.gapMessages], [1, pk[50].count]);
  // A full hold queue released the gap long before the end: at most HOLD_MAX packets waited.
  const lastHeld = pk.length - L.HOLD_MAX;
  assert.ok(seqs.slice(0, beforeFlush).includes(pk[lastHeld - 1].seq), "packets beyond the hold window were delivered without a flush");
  assert.ok(seqs.length - beforeFlush <= L.HOLD_MAX * Math.max(...pk.map((p) => p.count)));
});

Arb("a held packet's messages carry its own receive time, not that of the packet that released it", () => {
  const pk = packets().slice(0, 6);
  // A loses packet 2: its packets 3, 4 and 5 wait for B's copy of 2, which comes last.
  const order = [pk[0].frameA, pk[1].frameA, pk[3].frameA, pk[4].frameA, pk[5].frameA, pk[2].frameB];
  const arrival = [0, 1, 5, 2, 3, 4]; // packet k arrived as order[arrival[k]]
  const times = BigUint64Array.from(order, (_, i) => 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n);
  const p = new FeedParser(itch50, { lines: [A, B] });
  const got: Array<[number, bigint]> = [];
  const data = new Uint8Array(order.reduce((a, f) => a + f.length, 0));
  const offsets: number[] = [];
  let at = 0;
  for (const f of order) { offsets.push(at); data.set(f, at); at += f.length; }
  p.parse({ data, count: order.length, offsets, lengths: order.map((f) => f.length), timestampsNs: times }, "frames", (n) => {
    for (let i = 0; i < n; i++) got.push([p.ticks.at(i).seq, p.ticks.at(i).receiveTsBig]);
  });
  const want = pk.flatMap((k, j) => Array.from({ length: k.count }, (_, m): [number, bigint] => [k.seq + m, times[arrival[j]]]));
  assert.equal(got, want);
  assert.is(p.summary().gaps, 0);
});

Arb("frames to a port that is neither line are rejected", () => {
  const pk = packets();
  const other = udpFrame({ ...ENDS, dstPort: 9999 }, new Uint8Array(30));
  const { s } = arbitrate([pk[0].frameA, other]);
  assert.is(s.rejected.otherPort, 1);
});

Arb("line statistics count the messages a packet holds, not the count its header claims", () => {
  const msg = (ref: number) => encodeBySchema(ITCH50_SCHEMA, "D", { stockLocate: 1, orderRef: ref });
  // Line A: one packet claiming 0xFFFE messages while holding 1; line B: the real packets.
  const lying = udpFrame({ ...ENDS, dstPort: A }, mold("XDPFEEDAB1", 1, [msg(1)], 0xfffe));
  const real = [1, 2, 3].map((seq) => udpFrame({ ...ENDS, dstPort: B }, mold("XDPFEEDAB1", seq, [msg(seq)])));
  const r = arbitrate([lying, ...real]);
  assert.equal(r.seqs, [1, 2, 3]);
  const [a, b] = r.s.lines!;
  assert.equal([a.received, a.won, a.late], [1, 1, 0]);
  assert.equal([b.received, b.won, b.late], [3, 2, 1]);
  // Every message taken once, from one line: the lines' wins add up to what was delivered.
  assert.is(a.won + b.won, r.s.messages);
  assert.is(a.late + b.late, r.s.duplicates);
});

Arb("a line's missing count stops at 2^53 - 1 when its sequence jumps by 2^63", () => {
  const msg = (ref: number) => encodeBySchema(ITCH50_SCHEMA, "D", { stockLocate: 1, orderRef: ref });
  const onA = (seq: bigint, ref: number) => udpFrame({ ...ENDS, dstPort: A }, mold("XDPFEEDAB1", seq, [msg(ref)]));
  const r = arbitrate([onA(1n, 1), onA(2n ** 63n, 2), onA(2n ** 64n - 8n, 3)]);
  assert.is(r.s.lines![0].missing, Number.MAX_SAFE_INTEGER);
  assert.ok(Number.isSafeInteger(r.s.gapMessages));
});

Arb.run();
