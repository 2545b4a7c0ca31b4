// The GLIMPSE snapshot state: the order table against a Map, the tracker's open orders against
// the reference order book over generated sessions (arrival order included), the snapshot's
// message sequence, End of Snapshot's layout, the book's rules for odd messages, and apply()
// allocating nothing per message once warm.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { getHeapStatistics } from "node:v8";
import { PerformanceObserver, constants } from "node:perf_hooks";
import { OrderTable, SnapshotTracker, snapshotMessages, endOfSnapshot, readEndOfSnapshot, END_OF_SNAPSHOT_LENGTH } from "../src/glimpse/index.js";
import { SoupError } from "../src/soup/index.js";
import { encode, type ItchMessage } from "../src/itchgen/itch-encode.js";
import { Rng } from "../src/itchgen/rng.js";
import { ReferenceL3 } from "./oracle/reference-book.js";
import { sessionChunk } from "./helpers/wire.js";

const CAPS = { maxOrders: 1 << 22, maxLevels: 1 << 20, maxInstruments: 65536 };

/** A session's messages in one buffer: views without a view per message. */
function ordersOf(t: SnapshotTracker): string[] {
  const o = t.orders;
  const out: string[] = [];
  for (let s = o.head; s >= 0; s = o.next[s]) {
    const ref = (BigInt(o.refHi[s]) << 32n) | BigInt(o.refLo[s]);
    out.push(`${ref} ${o.locate[s]} ${o.side[s] === 0x42 ? 0 : 1} ${o.price[s]} ${o.shares[s]}`);
  }
  return out;
}

function refOrders(r: ReferenceL3): string[] {
  return [...r.orders].map(([ref, o]) => `${ref} ${o.inst} ${o.side} ${o.price} ${o.shares}`);
}

const hdr = (type: string, locate = 1) => ({ type, stockLocate: locate, trackingNumber: 0, timestamp: 1000n });
const add = (ref: number, side = "B", shares = 100, price = 1000, locate = 1) =>
  encode({ ...hdr("A", locate), orderRef: BigInt(ref), side, shares, stock: "ABC", price } as ItchMessage);

const T = suite("OrderTable");

T("finds, inserts and removes like a Map through growth, and keeps arrival order", () => {
  const rng = new Rng(7);
  const t = new OrderTable(16);
  const model = new Map<string, number>();
  for (let i = 0; i < 60_000; i++) {
    const hi = rng.int(3) === 0 ? rng.int(4) : 0;
    const lo = rng.int(5000);
    const key = `${hi}:${lo}`;
    if (rng.int(3) > 0) {
      const s = t.insert(hi, lo);
      assert.is(s >= 0, !model.has(key), `insert ${key}`);
      if (s >= 0) {
        t.shares[s] = i;
        model.set(key, i);
      }
    } else {
      const s = t.find(hi, lo);
      assert.is(s >= 0, model.has(key), `find ${key}`);
      if (s >= 0) {
        assert.is(t.shares[s], model.get(key));
        t.remove(s);
        model.delete(key);
      }
    }
  }
  assert.is(t.size, model.size);
  const order: string[] = [];
  for (let s = t.head; s >= 0; s = t.next[s]) order.push(`${t.refHi[s]}:${t.refLo[s]}`);
  assert.equal(order, [...model.keys()], "arrival order: the Map's insertion order");
  assert.ok(t.capacity >= model.size && t.capacity < 4 * 5000 * 4);
});

const K = suite("SnapshotTracker");

K("its open orders are the reference book's, in arrival order, at several points of a session", () => {
  const s = sessionChunk({ seed: 21, symbols: 40, messages: 40_000 });
  const t = new SnapshotTracker({ initialOrders: 64 });
  const r = new ReferenceL3(CAPS);
  for (let i = 0; i < s.count; i++) {
    t.apply(s.data, s.offsets[i], s.lengths[i]);
    r.apply(s.data, s.offsets[i], s.lengths[i]);
    if (i % 9973 === 0 || i === s.count - 1) {
      assert.equal(ordersOf(t), refOrders(r), `after message ${i + 1}`);
      assert.is(t.sequence, BigInt(i + 1));
    }
  }
  assert.is(t.skipped, 0);
});

K("a snapshot is the last System Event, the directory, each stock's state, the open orders, then End of Snapshot", () => {
  const s = sessionChunk({ seed: 5, symbols: 12, messages: 12_000 });
  const t = new SnapshotTracker();
  for (let i = 0; i < 8000; i++) t.apply(s.data, s.offsets[i], s.lengths[i]);
  const snap = t.snapshot();
  const msgs = [...snapshotMessages(snap)];
  assert.is(msgs.length, snap.messages);
  const types = msgs.map((m) => String.fromCharCode(m[0])).join("");
  assert.match(types, /^SR{12}[HYhNL]+A+G$/);
  assert.is(types.split("A").length - 1, t.openOrders);
  assert.is(snap.orders, t.openOrders);
  const last = msgs.at(-1)!;
  assert.is(readEndOfSnapshot(last, 0, last.length), 8000n);
  assert.is(snap.sequence, 8000n);
  // Stock locates ascend through the directory, and the system event is the last one applied.
  const locates = msgs.filter((m) => m[0] === 0x52).map((m) => (m[1] << 8) | m[2]);
  assert.equal(locates, locates.slice().sort((a, b) => a - b));
});

K("a snapshot is frozen: messages applied after it do not change it", () => {
  const t = new SnapshotTracker();
  t.apply(add(1));
  const snap = t.snapshot();
  const before = snap.chunks.map((c) => Array.from(c).join()).join("|");
  t.apply(add(2));
  t.apply(encode({ ...hdr("D"), orderRef: 1n } as ItchMessage));
  assert.is(snap.chunks.map((c) => Array.from(c).join()).join("|"), before);
  assert.equal([snap.orders, snap.sequence], [1, 1n]);
});

K("follows the book's rules: duplicates, bad sides, zero prices ignored; replace moves to the back; over-execution removes", () => {
  const t = new SnapshotTracker({ firstSequence: 100 });
  t.apply(add(1));
  t.apply(add(2, "S", 50, 2000));
  t.apply(add(1, "S", 7)); // duplicate reference
  t.apply(add(3, "X")); // no such side
  t.apply(add(4, "B", 10, 0)); // zero price
  t.apply(encode({ ...hdr("U", 9), originalOrderRef: 1n, newOrderRef: 5n, shares: 30, price: 1100 } as ItchMessage));
  t.apply(encode({ ...hdr("E", 2), orderRef: 2n, executedShares: 20, matchNumber: 1n } as ItchMessage));
  t.apply(encode({ ...hdr("X"), orderRef: 5n, cancelledShares: 31 } as ItchMessage)); // more than it has
  t.apply(add(6));
  t.apply(add(7).subarray(0, 30)); // cut short
  assert.equal(ordersOf(t), ["2 1 1 2000 30", "6 1 0 1000 100"]);
  assert.equal([t.skipped, t.sequence], [1, 109n]);
  t.apply(encode({ ...hdr("U"), originalOrderRef: 2n, newOrderRef: 8n, shares: 5, price: 1900 } as ItchMessage));
  assert.equal(ordersOf(t), ["6 1 0 1000 100", "8 1 1 1900 5"], "the replacement keeps side and stock, goes to the back");
  const a = [...snapshotMessages(t.snapshot())].find((m) => m[0] === 0x41 && m[18] === 8)!;
  assert.is(String.fromCharCode(...a.subarray(24, 32)), "ABC     ");
});

K("End of Snapshot is 'G' and a 20-digit sequence number, read with either padding", () => {
  const g = endOfSnapshot(123n);
  assert.is(g.length, END_OF_SNAPSHOT_LENGTH);
  assert.is(String.fromCharCode(...g), "G" + " ".repeat(17) + "123");
  const text = (s: string) => new TextEncoder().encode("G" + s);
  assert.is(readEndOfSnapshot(text("00000000000000000123"), 0, 21), 123n);
  assert.is(readEndOfSnapshot(text("123                 "), 0, 21), 123n);
  assert.is(readEndOfSnapshot(endOfSnapshot(10n ** 20n - 1n), 0, 21), 10n ** 20n - 1n);
  for (const bad of [text(" ".repeat(20)), text("12 3" + " ".repeat(16)), text("-1" + " ".repeat(18)), text("1")]) {
    try {
      readEndOfSnapshot(bad, 0, bad.length);
      assert.unreachable(String.fromCharCode(...bad));
    } catch (e) {
      assert.is((e as SoupError).code, "EFIELD");
    }
  }
});

K("apply() allocates nothing per message once warm", async () => {
  const s = sessionChunk({ seed: 9, symbols: 50, messages: 400_000 });
  const t = new SnapshotTracker({ initialOrders: 1 << 16 });
  const warm = 150_000;
  for (let i = 0; i < warm; i++) t.apply(s.data, s.offsets[i], s.lengths[i]);
  await new Promise((r) => setTimeout(r, 20));
  // Minor collections (scavenges) are what allocation in the young generation causes; a major
  // one may still be finishing the session's generation.
  const kinds: number[] = [];
  const obs = new PerformanceObserver((l) => {
    for (const e of l.getEntries()) kinds.push((e as { detail?: { kind: number } }).detail?.kind ?? 0);
  });
  obs.observe({ entryTypes: ["gc"] });
  const capacity = t.orders.capacity;
  const before = getHeapStatistics().used_heap_size;
  for (let i = warm; i < s.count; i++) t.apply(s.data, s.offsets[i], s.lengths[i]);
  const growth = getHeapStatistics().used_heap_size - before;
  await new Promise((r) => setTimeout(r, 20)); // collections are reported asynchronously
  obs.disconnect();
  assert.is(t.orders.capacity, capacity, "the table did not need to grow");
  assert.is(kinds.filter((k) => k === constants.NODE_PERFORMANCE_GC_MINOR).length, 0, "no scavenge while applying 250,000 messages");
  // 8 bytes a message would be 2 MB.
  if (kinds.length === 0) assert.ok(growth < 256 * 1024, `the heap grew ${growth} bytes over ${s.count - warm} messages`);
});

T.run();
K.run();
