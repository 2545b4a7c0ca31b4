// The cme-mdp3 decoder and its books together: generated MDP 3.0 sessions parsed through the
// shipped module with a book, which must end as the generator's own books (src/mdp3gen keeps each
// instrument's book as the actions it sends leave it), outright and implied, level by level.

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
]) {
  S(`a generated session (${o.instruments} instruments, ${o.packets} event packets${o.resetsAt ? ", snapshots and a channel reset" : ""}) leaves every book, outright and implied, as the generator's`, () => {
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
    assert.is(view.check(), "ok");
  });
}

S.run();
