// `xdpfeed demo`: a generated ITCH session replayed as MoldUDP64 through AF_XDP TX in one network
// namespace, received through AF_XDP in another by a worker thread that parses it in wasm and
// runs the example VWAP strategy; prints messages, gaps, drops, wire-to-strategy latency
// percentiles and the mode, then removes everything it created. Without root the same pipeline
// runs through kernel UDP sockets on loopback, and says so.
//
// The latency is measured as bench/latency/ measures it: per packet, from a monotonic clock
// read just before the packet is sent to the same clock read when the strategy gets the
// packet's first message, counted only after a warm-up (the packets of the first half second of
// the session, at most a fifth of it: V8 compiles the receive path meanwhile). The sender puts
// the send time at the packet's first sequence number in memory shared with the receiving
// thread; the packet's other messages (~43 a packet) carry none and are not counted again.

import dgram from "node:dgram";
import { once } from "node:events";
import type { Worker } from "node:worker_threads";
import { createPair, destroyPair, receiverHasXdp, type VethPair } from "../../lab/veth.js";
import { XdpSocket } from "../../socket/socket.js";
import { udpFrame } from "../../socket/frame.js";
import { moldFrames } from "../../itchgen/itch-writers.js";
import { startWorker, sibling } from "../../strategy/worker.js";
import { inNetns } from "../../../bridge/netns.js";
import type { FeedDemoWorkerData } from "./market-worker.js";
import type { ParserSummary } from "../../feeds/summary.js";
import { MARKET_DEMO } from "./defaults.js";
import { Rng } from "../../itchgen/rng.js";
import type { RecoveryStats } from "../../recovery/retransmitter.js";
import type { RetransmitWorkerData } from "./retransmit-worker.js";

export interface FeedDemoOptions {
  messages: number;
  symbols: number;
  seed: number;
  /** Messages per second the sender paces itself to. */
  rate: number;
  port: number;
  json: boolean;
  strategy?: string;
  /** Share of packets the sender drops at random (seeded): the receiver requests them from a retransmission server. */
  loss?: number;
  log: (line: string) => void;
}

export const FEED_DEMO_DEFAULTS: FeedDemoOptions = { ...MARKET_DEMO, json: false, log: console.log };

export interface FeedDemoSummary {
  mode: string;
  modeReason: string;
  sent: { messages: number; packets: number; seconds: number };
  received: { messages: number; seconds: number };
  parser: ParserSummary;
  drops: number;
  /** Per packet, µs: samples = packets after the warm-up that reached the strategy. */
  latencyUs: { p50: number; p90: number; p99: number; p999: number; max: number; samples: number; warmupPackets: number };
  vwap: string;
  books: { orders: number; levels: number; instrumentsQuoted: number; sample: string[] };
  /** With loss: packets the sender dropped, and what retransmission did (ParserSummary.recovery). */
  loss?: { dropped: number; recovery: RecoveryStats };
  cleanedUp: boolean;
}

type Send = (frame: Uint8Array, payload: Uint8Array) => void | Promise<void>;

/** Half a second of the session (at most a fifth of it) is warm-up: its packets are not measured. */
export const WARMUP_SECONDS = 0.5;

const SESSION = "XDPFEEDDEM";

export async function feedDemo(o: FeedDemoOptions): Promise<FeedDemoSummary> {
  const root = process.getuid?.() === 0;
  const log = o.json ? () => {} : o.log;
  // sendTimes[seq]: the send time of the packet whose first message is seq (ns since clockBase,
  // CLOCK_MONOTONIC through process.hrtime(), which both threads read); 0 for every other seq.
  const sendTimes = new Float64Array(new SharedArrayBuffer(8 * (o.messages + 2)));
  const clockBase = process.hrtime();
  const monoNs = (): number => {
    const t = process.hrtime();
    return (t[0] - clockBase[0]) * 1e9 + (t[1] - clockBase[1]);
  };
  const control = new Int32Array(new SharedArrayBuffer(4));
  let pair: VethPair | undefined;
  let worker: Worker | undefined;
  let server: Worker | undefined;
  let tx: XdpSocket | undefined;
  let udp: dgram.Socket | undefined;
  try {
    let data: FeedDemoWorkerData;
    let send: Send;
    let ends = { srcMac: "", dstMac: "", srcIp: "127.0.0.1", dstIp: "127.0.0.1", srcPort: o.port, dstPort: o.port };
    if (root) {
      pair = createPair({ prefix: "xfd" });
      log(`xdpfeed demo: a generated ITCH 5.0 session over MoldUDP64, AF_XDP to AF_XDP across a veth pair`);
      log(`  sender    ${pair.nsA}  ${pair.ifA}  ${pair.ipA}`);
      log(`  receiver  ${pair.nsB}  ${pair.ifB}  ${pair.ipB}  UDP port ${o.port}`);
      data = { ns: pair.nsB, iface: pair.ifB, port: o.port, mode: "xdp", messages: o.messages, sendTimes: sendTimes.buffer as SharedArrayBuffer, clockBase, control: control.buffer as SharedArrayBuffer, strategyFile: o.strategy };
      const p = pair;
      ends = { srcMac: p.macA, dstMac: p.macB, srcIp: p.ipA, dstIp: p.ipB, srcPort: o.port, dstPort: o.port };
      tx = inNetns(p.nsA, () => XdpSocket.open({ iface: p.ifA, program: false }));
      const sock = tx;
      // Each packet leaves at once: batching TX would add its wait to the measured latency.
      send = (frame) => {
        while (!sock.send(frame)) sock.flush();
        sock.flush();
      };
    } else {
      log(`xdpfeed demo: not root, so no namespaces and no AF_XDP: the same pipeline through kernel UDP sockets on loopback`);
      data = { iface: "lo", port: o.port, mode: "socket", messages: o.messages, sendTimes: sendTimes.buffer as SharedArrayBuffer, clockBase, control: control.buffer as SharedArrayBuffer, strategyFile: o.strategy };
      udp = dgram.createSocket("udp4");
      const s = udp;
      let pending = 0;
      send = async (_frame, payload) => {
        pending++;
        s.send(payload, o.port, "127.0.0.1", () => pending--);
        if (pending > 64) while (pending > 8) await new Promise((r) => setImmediate(r));
      };
    }
    const loss = o.loss ?? 0;
    if (loss > 0) {
      // The exchange's retransmission server, on the sender's side.
      const rd: RetransmitWorkerData = { ns: pair?.nsA, seed: o.seed, symbols: o.symbols, messages: o.messages, session: SESSION };
      server = startWorker(sibling("retransmit-worker", import.meta.url), rd);
      const [m] = (await once(server, "message")) as [{ port: number }];
      data.retransmit = { host: pair ? pair.ipA : "127.0.0.1", port: m.port };
      log(`  loss      ${(loss * 100).toFixed(1)}% of packets dropped by the sender; gaps requested from ${data.retransmit.host}:${m.port}`);
    }
    worker = startWorker(sibling("market-worker", import.meta.url), data);
    const w = worker;
    const messages: Array<Record<string, unknown>> = [];
    const arrived = () => new Promise<void>((resolve, reject) => {
      w.once("message", (m) => { messages.push(m); resolve(); });
      w.once("error", reject);
    });
    await arrived();
    if (messages[0].error) throw new Error(`receiver: ${messages[0].error}`);
    log(`  mode      ${messages[0].modeReason}`);
    log(`  sending   ${o.messages.toLocaleString("en-US")} messages over ${o.symbols} symbols (seed ${o.seed}) at ${o.rate.toLocaleString("en-US")} messages/s`);
    const done = arrived();
    // Paced by messages: packet k leaves when the messages before it are due.
    const t0 = performance.now();
    let sentMessages = 0;
    let packets = 0;
    let warmupPackets = 0;
    let dropped = 0;
    const rng = new Rng(o.seed);
    const warmupMessages = Math.min(o.rate * WARMUP_SECONDS, o.messages / 5);
    for (const p of moldFrames({ seed: o.seed, symbols: o.symbols, messages: o.messages }, { session: SESSION, endOfSession: false })) {
      const due = t0 + (sentMessages / o.rate) * 1000;
      // Wait by yielding, never by blocking: queued socket sends and completions go out meanwhile.
      while (performance.now() < due) await new Promise((r) => (due - performance.now() > 2 ? setTimeout(r, 1) : setImmediate(r)));
      if (loss > 0 && rng.next() < loss) {
        // Lost on the wire: its messages come by retransmission, not measured.
        dropped++;
        sentMessages += p.count;
        continue;
      }
      const frame = root ? udpFrame(ends, p.payload) : p.payload;
      // Stamped just before the send, at the packet's first message only.
      if (sentMessages < warmupMessages) warmupPackets++;
      else sendTimes[Number(p.sequence)] = monoNs();
      await send(frame, p.payload);
      sentMessages += p.count;
      packets++;
    }
    if (tx) {
      const end = Date.now() + 5000;
      do tx.flush(); while (tx.inFlight > 0 && Date.now() < end);
    }
    const sentSeconds = (performance.now() - t0) / 1000;
    Atomics.store(control, 0, 1);
    await done;
    const r = messages[1] as unknown as Omit<FeedDemoSummary, "mode" | "modeReason" | "sent" | "received" | "cleanedUp"> & { records: number; seconds: number; summary: ParserSummary };
    const lat = { ...r.latencyUs, warmupPackets };
    const f = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 1 });
    log(`  sent      ${f(sentMessages)} messages in ${f(packets)} packets in ${sentSeconds.toFixed(2)} s`);
    log(`  received  ${f(r.records)} messages; gaps ${r.summary.gaps}, duplicates ${r.summary.duplicates}, rejected ${JSON.stringify(r.summary.rejected)}, drops ${r.drops}`);
    const rec = (r.summary as ParserSummary & { recovery?: RecoveryStats }).recovery;
    if (rec) {
      log(`  recovery  ${f(dropped)} packets lost: ${rec.gapsDetected} gaps detected, ${rec.gapsRecovered} recovered, ${rec.gapsUnrecoverable} unrecoverable; ` +
        `${f(rec.messagesRecovered)} messages recovered by ${rec.requestsSent} requests (${rec.requestsRetried} retried); ` +
        `detection to recovery p50 ${f(rec.recoveryUs.p50)} µs, max ${f(rec.recoveryUs.max)} µs`);
    }
    log(`  latency   wire to strategy per packet, µs: p50 ${f(lat.p50)}  p90 ${f(lat.p90)}  p99 ${f(lat.p99)}  p99.9 ${f(lat.p999)}  max ${f(lat.max)}`);
    log(`            (${f(lat.samples)} packets after ${f(warmupPackets)} of warm-up; from a packet's send to its first message in the strategy)`);
    const bk = (r as unknown as { books: { orders: number; levels: number; instrumentsQuoted: number; sample: string[] } }).books;
    log(`  books     ${f(bk.orders)} live orders on ${f(bk.levels)} price levels; ${bk.instrumentsQuoted} instruments quoted both sides, e.g.`);
    for (const line of bk.sample) log(`            ${line}`);
    log(`  strategy  VWAP, busiest instruments:\n${r.vwap.split("\n").slice(0, 3).map((l) => "            " + l).join("\n")}`);
    await worker.terminate();
    worker = undefined;
    tx?.close();
    tx = undefined;
    let cleanedUp = true;
    if (pair) {
      destroyPair(pair);
      cleanedUp = !receiverHasXdp(pair);
      log(`  cleanup   namespaces ${pair.nsA} and ${pair.nsB} removed`);
    }
    return {
      mode: messages[0].mode as string, modeReason: messages[0].modeReason as string,
      sent: { messages: sentMessages, packets, seconds: sentSeconds }, received: { messages: r.records, seconds: r.seconds },
      parser: r.summary, drops: r.drops, latencyUs: lat, vwap: r.vwap, books: (r as unknown as FeedDemoSummary).books,
      ...(rec ? { loss: { dropped, recovery: rec } } : {}), cleanedUp,
    };
  } finally {
    await worker?.terminate();
    await server?.terminate();
    tx?.close();
    if (udp) {
      udp.close();
      await once(udp, "close");
    }
    if (pair) destroyPair(pair);
  }
}
