// GLIMPSE 5.0 end to end on 127.0.0.1: a late start at several points of a generated session
// (track messages 1..k, serve the snapshot, load it through loadSnapshot into a compiled parser
// with an order book, parse k+1..end) ends with the book of a parser that saw the whole session,
// level for level, and with the reference book's orders in the same time priority. Then the
// loader's failures: rejected logins, a server that closes mid-snapshot or ends the session
// without End of Snapshot, missed heartbeats, a load slower than its timeout, a bad End of
// Snapshot, a caller that throws. Every server and connection is closed, passing or failing.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { Socket } from "node:net";
import * as L from "../assembly/layout.js";
import { FeedParser, type InputChunk } from "../src/feeds/parser.js";
import { itch50 } from "../src/feeds/feeds.js";
import { enableBook, Side, type BookView } from "../src/book/book.js";
import { encode, type ItchMessage } from "../src/itchgen/itch-encode.js";
import { SnapshotTracker, GlimpseServer, loadSnapshot, endOfSnapshot, type SnapshotResult } from "../src/glimpse/index.js";
import { SoupError, packet, emptyPacket, loginAcceptedPacket, SEQUENCED_DATA, SERVER_HEARTBEAT, END_OF_SESSION } from "../src/soup/index.js";
import { ReferenceL3 } from "./oracle/reference-book.js";
import { rawServer, within, sleep } from "./helpers/tcp.js";
import { sessionChunk } from "./helpers/wire.js";

const SESSION = { seed: 31, symbols: 30, messages: 40_000 };
const CAPS = { maxOrders: 1 << 16, maxLevels: 1 << 15, maxInstruments: 64 };
const REF_CAPS = { ...CAPS };
const noop = (): void => {};

/** Messages first..count-1 of a chunk (0-based), as a chunk. */
const tail = (c: ReturnType<typeof sessionChunk>, first: number): InputChunk =>
  ({ data: c.data, count: c.count - first, offsets: c.offsets.subarray(first), lengths: c.lengths.subarray(first) });

function applyChunk(ref: ReferenceL3, c: InputChunk): void {
  for (let i = 0; i < c.count; i++) ref.apply(c.data, c.offsets[i], c.lengths[i]);
}

/** Everything BookView shows of instrument 0 .. maxInstruments - 1, as one string per instrument. */
function bookState(book: BookView): string[] {
  const out: string[] = [`orders ${book.orderCount()} levels ${book.levelCount()} check ${book.check()}`];
  for (let inst = 0; inst < CAPS.maxInstruments; inst++) {
    const b = book.bbo(inst);
    let s = `${inst}: ${b.bidPx}x${b.bidQty}/${b.bidOrders}/${b.bidLevels} ${b.askPx}x${b.askQty}/${b.askOrders}/${b.askLevels} f${b.flags}`;
    for (const side of [Side.BID, Side.ASK]) {
      const d = book.depth(inst, side, L.BOOK_DEPTH_MAX);
      for (let i = 0; i < d.count; i++) s += ` ${d.price[i]}:${d.shares[i]}:${d.orders[i]}`;
      s += " |";
    }
    out.push(s);
  }
  return out;
}

const refOrders = (r: ReferenceL3) => [...r.orders].map(([ref, o]) => `${ref} ${o.inst} ${o.side} ${o.price} ${o.shares}`);

const addOrder = (ref: number) =>
  encode({ type: "A", stockLocate: 1, trackingNumber: 0, timestamp: 1n, orderRef: BigInt(ref), side: "B", shares: 100, stock: "ABC", price: 10000 } as ItchMessage);

const directory = (locate: number) => encode({
  type: "R", stockLocate: locate, trackingNumber: 0, timestamp: 1n, stock: `S${locate}`, marketCategory: "Q", financialStatusIndicator: "N", roundLotSize: 100,
  roundLotsOnly: "N", issueClassification: "C", issueSubType: "Z", authenticity: "P", shortSaleThresholdIndicator: "N", ipoFlag: "N",
  luldReferencePriceTier: "1", etpFlag: "N", etpLeverageFactor: 0, inverseIndicator: "N",
} as ItchMessage);

const G = suite("late start through a GLIMPSE snapshot");

const session = sessionChunk(SESSION);
const whole = (() => {
  const p = new FeedParser(itch50);
  const book = enableBook(p, CAPS);
  p.parse(session, "messages", noop, 1);
  const ref = new ReferenceL3(REF_CAPS);
  applyChunk(ref, session);
  return { state: bookState(book), orders: refOrders(ref), counters: book.counters() };
})();

/** The book and the reference's orders after messages 1..k. */
function cutState(k: number): { state: string[]; orders: string[] } {
  const p = new FeedParser(itch50);
  const book = enableBook(p, CAPS);
  const first: InputChunk = { data: session.data, count: k, offsets: session.offsets, lengths: session.lengths };
  if (k > 0) p.parse(first, "messages", noop, 1);
  const ref = new ReferenceL3(REF_CAPS);
  applyChunk(ref, first);
  return { state: bookState(book), orders: refOrders(ref) };
}

G("the whole session leaves a book worth comparing", () => {
  assert.ok(whole.counters.updates > 10_000 && whole.counters.unknownOrder === 0, JSON.stringify(whole.counters));
  assert.ok(whole.orders.length > 1000, `${whole.orders.length} orders open at the end`);
});

for (const k of [0, 1, 150, 2_000, 17_321, 30_000, SESSION.messages - 1, SESSION.messages]) {
  G(`from a snapshot after message ${k}, then the live messages after it, the book equals the whole session's`, async () => {
    const tracker = new SnapshotTracker();
    for (let i = 0; i < k; i++) tracker.apply(session.data, session.offsets[i], session.lengths[i]);
    const server = await GlimpseServer.listen({ tracker, users: { user1: "secret" } });
    try {
      const parser = new FeedParser(itch50);
      const book = enableBook(parser, CAPS);
      const ref = new ReferenceL3(REF_CAPS);
      let batches = 0;
      const snap: SnapshotResult = await within(loadSnapshot({ host: server.host, port: server.port, user: "user1", password: "secret" }, (chunk) => {
        batches++;
        parser.parse(chunk, "messages", noop);
        applyChunk(ref, chunk);
      }), 5000, "snapshot");
      assert.equal([snap.sequence, snap.session], [BigInt(k), "GLIMPSE"]);
      assert.is(snap.messages, tracker.snapshot().messages - 1, "every snapshot message but End of Snapshot reached the caller");
      assert.ok(batches >= 1 || snap.messages === 0);
      // At the switch to live: the book of a parser that saw messages 1..k, orders in the same priority.
      const atCut = cutState(k);
      const loaded = bookState(book);
      if (loaded.join("\n") !== atCut.state.join("\n")) assert.equal(loaded, atCut.state, "the book at the switch to live");
      if (refOrders(ref).join() !== atCut.orders.join()) assert.equal(refOrders(ref), atCut.orders, "open orders at the switch to live");
      // The live feed from the message after the snapshot's sequence number.
      parser.parse(tail(session, Number(snap.sequence)), "messages", noop, Number(snap.sequence) + 1);
      applyChunk(ref, tail(session, Number(snap.sequence)));
      const state = bookState(book);
      if (state.join("\n") !== whole.state.join("\n")) assert.equal(state, whole.state, "the book");
      const orders = refOrders(ref);
      if (orders.join() !== whole.orders.join()) assert.equal(orders, whole.orders, "open orders in time priority");
      assert.is(book.counters().unknownOrder, 0, "no live message referred to an order the snapshot lacked");
      assert.is(server.snapshots, 1);
    } finally {
      await server.close();
    }
  });
}

G("a snapshot of a large book (over 100,000 open orders) loads through the parser in a bounded time", async () => {
  // 200 stocks and 120,000 adds, one message buffer rewritten in place for each.
  const tracker = new SnapshotTracker();
  for (let l = 1; l <= 200; l++) tracker.apply(directory(l));
  const m = addOrder(0);
  const dv = new DataView(m.buffer);
  for (let i = 1; i <= 120_000; i++) {
    dv.setUint16(1, 1 + (i % 200));
    dv.setBigUint64(11, BigInt(i));
    m[19] = i % 2 ? 0x42 : 0x53;
    dv.setUint32(32, (i % 2 ? 90_000 - (i % 50) * 100 : 110_000 + (i % 50) * 100));
    tracker.apply(m);
  }
  assert.is(tracker.openOrders, 120_000);
  const server = await GlimpseServer.listen({ tracker, users: { u: "p" } });
  try {
    const parser = new FeedParser(itch50);
    const book = enableBook(parser, { maxOrders: 1 << 19, maxLevels: 1 << 17, maxInstruments: 256 });
    const t0 = performance.now();
    const snap = await within(loadSnapshot({ host: server.host, port: server.port, user: "u", password: "p" }, (c) => parser.parse(c, "messages", noop)), 10_000, "large snapshot");
    const ms = performance.now() - t0;
    assert.is(book.orderCount(), tracker.openOrders, JSON.stringify(book.counters()));
    assert.is(snap.sequence, 120_200n);
    console.log(`    ${snap.messages} snapshot messages (${tracker.openOrders} orders) loaded in ${ms.toFixed(0)} ms`);
  } finally {
    await server.close();
  }
});

const F = suite("loadSnapshot's failures");

/** A scripted snapshot server: after the login request, `then` writes what it likes. */
async function scripted(then: (s: Socket) => void | Promise<void>, o: { timeoutMs?: number; heartbeatTimeoutMs?: number; onMessages?: (c: InputChunk) => void } = {}) {
  const server = await rawServer(async (s) => {
    await new Promise((r) => s.once("data", r));
    await then(s);
  });
  let received = 0;
  try {
    const result = await within(loadSnapshot({ host: "127.0.0.1", port: server.port, user: "u", password: "p", heartbeatTimeoutMs: 300, timeoutMs: 2000, ...o }, (c) => {
      received += c.count;
      o.onMessages?.(c);
    }).then((r) => r, (e: SoupError) => e), 4000, "load");
    return { result, received, server };
  } finally {
    await server.close();
  }
}

const login = () => loginAcceptedPacket("GLIMPSE", 1);
const seq = (m: Uint8Array) => packet(SEQUENCED_DATA, m);

F("a login rejected says which reason, for a bad password and for a session the server does not have", async () => {
  const server = await GlimpseServer.listen({ tracker: new SnapshotTracker(), users: { u: "p" } });
  try {
    const o = { host: server.host, port: server.port, user: "u", password: "wrong" };
    const a = (await loadSnapshot(o, noop).catch((e) => e)) as SoupError;
    assert.equal([a.code, a.reason], ["EREJECTED", "A"]);
    assert.match(a.message, /not authorized/);
    const s = (await loadSnapshot({ ...o, password: "p", session: "NOPE" }, noop).catch((e) => e)) as SoupError;
    assert.equal([s.code, s.reason], ["EREJECTED", "S"]);
  } finally {
    await server.close();
  }
});

F("a server that closes mid-snapshot is ECLOSED, with the messages before it handed over", async () => {
  const { result, received } = await scripted((s) => {
    s.end(Buffer.concat([login(), seq(addOrder(1)), seq(addOrder(2)), seq(addOrder(3)).subarray(0, 10)]));
  });
  assert.equal([(result as SoupError).code, received], ["ECLOSED", 2]);
  assert.match((result as SoupError).message, /closed mid-snapshot after 2 messages; the snapshot is incomplete, load it again/);
});

F("a session that ends without End of Snapshot is ECLOSED", async () => {
  const { result } = await scripted((s) => void s.write(Buffer.concat([login(), seq(addOrder(1)), emptyPacket(END_OF_SESSION)])));
  assert.match((result as SoupError).message, /ended the session after 1 snapshot messages without an End of Snapshot/);
});

F("a server that stops sending, heartbeats included, is EHEARTBEAT after heartbeatTimeoutMs", async () => {
  const t0 = performance.now();
  const { result, received } = await scripted((s) => void s.write(Buffer.concat([login(), seq(addOrder(1))])));
  assert.equal([(result as SoupError).code, received], ["EHEARTBEAT", 1]);
  assert.ok(performance.now() - t0 < 1500);
});

F("a snapshot that does not end within timeoutMs is ETIMEOUT, heartbeats or not", async () => {
  const { result } = await scripted(async (s) => {
    s.write(login());
    for (let i = 0; i < 20 && !s.destroyed; i++) {
      s.write(Buffer.concat([seq(addOrder(i + 1)), emptyPacket(SERVER_HEARTBEAT)]));
      await sleep(50);
    }
  }, { timeoutMs: 400 });
  assert.is((result as SoupError).code, "ETIMEOUT");
  assert.match((result as SoupError).message, /did not end within 400 ms \(\d+ messages so far\)/);
});

F("an End of Snapshot that is not one is EFIELD; one that is resolves with its number", async () => {
  const bad = endOfSnapshot(5n);
  bad[20] = 0x78;
  assert.is(((await scripted((s) => void s.write(Buffer.concat([login(), seq(bad)])))).result as SoupError).code, "EFIELD");
  const good = await scripted((s) => void s.write(Buffer.concat([login(), seq(addOrder(1)), seq(endOfSnapshot(77n)), seq(addOrder(2))])));
  assert.equal(good.result, { sequence: 77n, messages: 1, session: "GLIMPSE" });
  assert.is(good.received, 1, "nothing after End of Snapshot");
});

F("an exception from onMessages ends the load with it and closes the connection", async () => {
  const boom = new Error("parser full");
  const { result, server } = await scripted((s) => void s.write(Buffer.concat([login(), seq(addOrder(1))])), { onMessages: () => { throw boom; } });
  assert.is(result, boom);
  await sleep(20);
  assert.ok(server.sockets.every((s) => s.destroyed || s.readableEnded), "connection closed");
});

F("nothing listening is ECONNECT", async () => {
  const server = await rawServer(() => {});
  const port = server.port;
  await server.close();
  const e = (await within(loadSnapshot({ host: "127.0.0.1", port, user: "u", password: "p" }, noop).catch((x) => x), 2000, "connect")) as SoupError;
  assert.is(e.code, "ECONNECT");
});

F("the loader logs out after End of Snapshot, and the server counts no error", async () => {
  const server = await GlimpseServer.listen({ tracker: new SnapshotTracker(), users: { u: "p" }, heartbeatMs: 50 });
  try {
    const r = await loadSnapshot({ host: server.host, port: server.port, user: "u", password: "p" }, noop);
    assert.equal([r.sequence, r.messages], [0n, 0]);
    await within((async () => { while (server.soup.connections > 0) await sleep(5); })(), 2000, "connection closed");
    assert.equal(server.stats.clientErrors, {});
  } finally {
    await server.close();
  }
});

G.run();
F.run();
