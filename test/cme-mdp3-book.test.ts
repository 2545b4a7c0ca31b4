// The cme-mdp3 decoder and its books together: generated MDP 3.0 sessions parsed through the
// shipped module with a book, which must end as the generator's own books (src/mdp3gen keeps each
// instrument's book as the actions it sends leave it), outright and implied, level by level; each
// instrument's depths are those its definition gives (MarketDepth of GBX and GBI), by the book's rule.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { FeedParser } from "../src/feeds/parser.js";
import { cmeMdp3 } from "../src/feeds/feeds.js";
import { enableBook, Side } from "../src/book/book.js";
import { mdpBook } from "../src/book/mdp3.js";
import { mdp3Session, type Mdp3Book, type Mdp3Level, type Mdp3SessionOptions } from "../src/mdp3gen/index.js";

const S = suite("cme-mdp3 decoder with its book");

function run(o: Mdp3SessionOptions) {
  const p = new FeedParser(cmeMdp3);
  const view = enableBook(p, { maxInstruments: 256 });
  const mdp = mdpBook(view);
  const it = mdp3Session(o);
  const packets: Uint8Array[] = [];
  let r = it.next();
  for (; !r.done; r = it.next()) packets.push(r.value.bytes);
  const books = r.value as ReadonlyMap<number, Mdp3Book>;
  const data = new Uint8Array(packets.reduce((a, e) => a + e.length, 0));
  const offsets: number[] = [];
  let at = 0;
  for (const e of packets) {
    offsets.push(at);
    data.set(e, at);
    at += e.length;
  }
  let bbo = 0;
  p.parse({ data, count: packets.length, offsets, lengths: packets.map((e) => e.length) }, "payloads", () => {
    view.forEachEvent(() => bbo++);
  });
  return { p, view, mdp, books, bbo };
}

function levels(mdp: ReturnType<typeof mdpBook>, id: number, side: number, implied: boolean): Array<[bigint, number, number]> {
  const d = mdp.depth(id, side, 16, { implied });
  return Array.from({ length: d.count }, (_, i) => [BigInt(d.price[i]), d.shares[i], d.orders[i]]);
}

// CME sends no order count for implied levels (NumberOfOrders null): the book keeps 0 there.
const want = (ls: Mdp3Level[], implied = false): Array<[bigint, number, number]> => ls.map((l) => [l.price, l.qty, implied ? 0 : l.orders]);

for (const o of [
  { seed: 1, instruments: 30, packets: 3000 },
  { seed: 2, instruments: 12, packets: 2000, snapshotsAfter: [300, 900, 1500], resetsAt: [1200] },
  // Each instrument's depths from its definition: GBX and GBI given, deeper than the book keeps
  // (clamped to 16 and 4), one or both left out or not above 0 (the defaults, 10 and 2).
  { seed: 3, instruments: 14, packets: 3000, snapshotsAfter: [700, 1800], depths: [
    { depth: 5, implied: 1 }, { depth: 16, implied: 4 }, { depth: 20, implied: 9 }, {}, { depth: 3 }, { implied: 3 }, { depth: 0, implied: -1 },
  ] },
] as Mdp3SessionOptions[]) {
  S(`a generated session (${o.instruments} instruments, ${o.packets} event packets${o.resetsAt ? ", snapshots and a channel reset" : ""}${o.depths ? ", depths from the definitions" : ""}) leaves every book, outright and implied, as the generator's`, () => {
    const { p, view, mdp, books, bbo } = run(o);
    const s = p.summary();
    assert.is(s.gaps, 0);
    const c = mdp.counters();
    assert.is(c.levelRange + c.levelEmpty + c.invalid + c.instrumentsFull, 0, JSON.stringify(c));
    if (o.resetsAt) assert.equal([c.resets, c.snapshots], [o.resetsAt.length, o.snapshotsAfter!.length]);
    assert.ok(bbo > 100, `book events: ${bbo}`);
    let compared = 0;
    for (const [id, b] of books) {
      assert.equal(levels(mdp, id, Side.BID, false), want(b.bids), `${id} bids`);
      assert.equal(levels(mdp, id, Side.ASK, false), want(b.asks), `${id} asks`);
      assert.equal(levels(mdp, id, Side.BID, true), want(b.impliedBids, true), `${id} implied bids`);
      assert.equal(levels(mdp, id, Side.ASK, true), want(b.impliedAsks, true), `${id} implied asks`);
      compared += b.bids.length + b.asks.length;
    }
    assert.ok(compared > 50, `levels compared: ${compared}`);
    if (o.depths) {
      // The books reached the depths the definitions set: 5 and 3 outright, 1 and 3 implied, 16 and 4.
      const deepest = (id: number, implied: boolean): number => Math.max(levels(mdp, id, Side.BID, implied).length, levels(mdp, id, Side.ASK, implied).length);
      const most = (k: number, implied: boolean): number => Math.max(...[...books.keys()].filter((id) => (id - 1000) % 7 === k).map((id) => deepest(id, implied)));
      assert.ok(most(0, false) <= 5 && most(4, false) <= 3 && most(0, true) <= 1, "shallow definitions");
      assert.ok(most(1, false) > 10 || most(2, false) > 10, `deep definitions: ${most(1, false)}, ${most(2, false)}`);
    }
    assert.is(view.check(), "ok");
  });
}

S.run();
