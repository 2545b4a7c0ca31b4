// The feed demo's receiver thread: a feed source (AF_XDP in a namespace, or kernel sockets on
// loopback), the example VWAP strategy, and the wire-to-strategy latency of every packet after
// the warm-up: the sender puts each such packet's send time (ns of the monotonic clock since
// clockBase) in shared memory at the packet's first sequence number, and the strategy's onTick
// reads the same clock when that message reaches it (market.ts says more).

import { parentPort, workerData } from "node:worker_threads";
import { openFeed, type FeedSource } from "../../feeds/open.js";
import { dropsOf } from "../listen/drops.js";
import { itch50 } from "../../feeds/feeds.js";
import { inNetns } from "../../../bridge/netns.js";
import { runStrategy } from "../../strategy/runner.js";
import { bookHook } from "../../strategy/book-hook.js";
import { vwapStrategy } from "../../../examples/vwap.js";
import type { Strategy } from "../../strategy/strategy.js";

export interface FeedDemoWorkerData {
  ns?: string;
  iface: string;
  port: number;
  mode: "xdp" | "socket";
  messages: number;
  /**
   * Float64Array over it: sendTimes[seq] = send time of the packet whose first message is seq, in
   * ns since clockBase; 0 for the packet's other messages and for warm-up packets.
   */
  sendTimes: SharedArrayBuffer;
  /** process.hrtime() in the sending thread when the demo started: the clocks' common origin. */
  clockBase: [number, number];
  /** Int32Array: [0] set to 1 by the main thread when the sender is done. */
  control: SharedArrayBuffer;
  strategyFile?: string;
  /** Fill gaps from this retransmission server (the demo's --loss). */
  retransmit?: { host: string; port: number };
}

const d = workerData as FeedDemoWorkerData;
const port = parentPort!;
const sendTimes = new Float64Array(d.sendTimes);
const control = new Int32Array(d.control);

let src: FeedSource;
try {
  const open = () => openFeed(itch50, { iface: d.iface, ports: [d.port], mode: d.mode, book: { maxOrders: 1 << 18, maxLevels: 1 << 16, maxInstruments: 4096 }, retransmit: d.retransmit });
  src = d.ns ? inNetns(d.ns, open) : open();
} catch (e) {
  port.postMessage({ error: (e as Error).message });
  process.exit(1);
}

// Latencies in µs, one per measured packet, kept in a preallocated array. The clock is
// process.hrtime() destructured at once: once optimized it allocates nothing (bench/latency/hist.mjs).
const latency = new Float64Array(d.messages);
let measured = 0;
const [B0, B1] = d.clockBase;
const vwap = vwapStrategy();
const meter: Strategy = {
  onTick(t) {
    const sent = sendTimes[t.seq];
    if (sent > 0 && measured < latency.length) {
      const h = process.hrtime();
      latency[measured++] = ((h[0] - B0) * 1e9 + (h[1] - B1) - sent) / 1000;
    }
  },
};
let user: Strategy | undefined;
if (d.strategyFile) {
  const { loadStrategy } = await import("../../strategy/load.js");
  user = await loadStrategy(d.strategyFile);
}
const strategy: Strategy = {
  onTick(t, ctx) {
    meter.onTick!(t, ctx);
    user?.onTick?.(t, ctx);
  },
  onTrade(t, ctx) {
    vwap.onTrade!(t, ctx);
    user?.onTrade?.(t, ctx);
  },
  onOrder: user?.onOrder, onStatus: user?.onStatus, onGap: user?.onGap, onBook: user?.onBook,
  onBbo(b, ctx) {
    vwap.onBbo!(b, ctx);
    user?.onBbo?.(b, ctx);
  },
};
port.postMessage({ ready: true, mode: src.mode, modeReason: src.modeReason });

const ac = new AbortController();
// The sender's done flag, checked between batches: then a short grace for the last frames.
const watch = setInterval(() => {
  if (Atomics.load(control, 0) === 1) {
    clearInterval(watch);
    setTimeout(() => ac.abort(), 500);
  }
}, 20);
const run = await runStrategy(strategy, src, { mode: "busy", count: d.messages, signal: ac.signal, book: src.book && bookHook(src.book) });
const book = src.book!;
const top = [...Array(4096).keys()].map((i) => ({ i, b: { ...book.bbo(i) } })).filter((x) => x.b.bidPx > 0 && x.b.askPx > 0);
const books = { orders: book.orderCount(), levels: book.levelCount(), instrumentsQuoted: top.length, counters: book.counters(),
  sample: top.slice(0, 3).map((x) => `instrument ${x.i}: ${x.b.bidQty} @ ${(x.b.bidPx / 1e4).toFixed(4)} / ${x.b.askQty} @ ${(x.b.askPx / 1e4).toFixed(4)}`) };
clearInterval(watch);
const summary = src.summary();
const drops = dropsOf(src).total;
src.close();
const lat = latency.subarray(0, measured).sort();
const pct = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] : 0);
port.postMessage({
  done: true, records: run.records, seconds: run.seconds, summary, drops,
  latencyUs: { p50: pct(50), p90: pct(90), p99: pct(99), p999: pct(99.9), max: lat.length ? lat[lat.length - 1] : 0, samples: lat.length },
  vwap: vwap.report(),
  books,
});
