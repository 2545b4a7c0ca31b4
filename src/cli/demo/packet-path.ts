// `xdpfeed demo`: two namespaces joined by a veth pair; the generator sends UDP frames through
// AF_XDP TX in one, the receiver (a worker thread) takes them through AF_XDP in the other and
// verifies each in wasm; prints frames/s and the stats, then removes everything it created.

import type { Worker } from "node:worker_threads";
import { createPair, destroyPair, receiverHasXdp, type VethPair } from "../../lab/veth.js";
import { XdpSocket, type SocketStats } from "../../socket/socket.js";
import { sendTraffic, type TrafficResult } from "../../socket/traffic.js";
import { startWorker, sibling } from "../../strategy/worker.js";
import { inNetns } from "../../../bridge/netns.js";
import type { DemoWorkerData } from "./packet-path-worker.js";
import { PACKET_PATH_DEMO } from "./defaults.js";

export interface DemoOptions {
  count: number;
  payloadLen: number;
  rate: number | "max";
  port: number;
  json: boolean;
  log: (line: string) => void;
}

export const DEMO_DEFAULTS: DemoOptions = { ...PACKET_PATH_DEMO, json: false, log: console.log };

export interface DemoSummary {
  lab: { senderNs: string; receiverNs: string; senderIf: string; receiverIf: string; port: number };
  sent: TrafficResult;
  received: { frames: number; seconds: number; framesPerSecond: number };
  receiver: SocketStats;
  cleanedUp: boolean;
}

const fmt = (n: number | bigint): string => Number(n).toLocaleString("en-US", { maximumFractionDigits: 0 });

function onWorker(w: Worker) {
  const messages: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  w.on("message", (m) => {
    messages.push(m);
    waiters.splice(0).forEach((f) => f());
  });
  let failed: Error | undefined;
  w.on("error", (e) => {
    failed = e;
    waiters.splice(0).forEach((f) => f());
  });
  return async (key: string, timeoutMs: number, each?: (m: Record<string, unknown>) => void): Promise<Record<string, unknown>> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      while (messages.length) {
        const m = messages.shift()!;
        if (m.error) throw new Error(`receiver: ${m.error}`);
        if (key in m) return m;
        each?.(m);
      }
      if (failed) throw failed;
      if (Date.now() > end) throw new Error(`receiver did not report '${key}' within ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
  };
}

export async function demo(o: DemoOptions): Promise<DemoSummary> {
  if (process.getuid?.() !== 0) {
    throw new Error("the demo creates network namespaces and attaches XDP: run it as root");
  }
  const log = o.json ? () => {} : o.log;
  const pair: VethPair = createPair({ prefix: "xfd" });
  let worker: Worker | undefined;
  try {
    log(`xdpfeed demo: AF_XDP over a veth pair between two network namespaces`);
    log(`  sender    ${pair.nsA}  ${pair.ifA}  ${pair.ipA}`);
    log(`  receiver  ${pair.nsB}  ${pair.ifB}  ${pair.ipB}  UDP port ${o.port}`);
    const stop = new SharedArrayBuffer(4);
    const data: DemoWorkerData = { ns: pair.nsB, iface: pair.ifB, port: o.port, count: o.count, stop };
    worker = startWorker(sibling("packet-path-worker", import.meta.url), data);
    const next = onWorker(worker);
    const ready = await next("ready", 20_000);
    const mode = ready.mode as SocketStats["mode"];
    log(`  modes     ${mode.attach} XDP, ${mode.bind} mode${mode.bind === "copy" ? " (veth has no zero-copy)" : ""}`);
    const tx = inNetns(pair.nsA, () => XdpSocket.open({ iface: pair.ifA, program: false }));
    let sent: TrafficResult;
    try {
      log(`  sending   ${fmt(o.count)} frames of ${o.payloadLen}-byte payload, rate ${o.rate === "max" ? "max" : fmt(o.rate) + "/s"}`);
      sent = sendTraffic(tx, {
        srcMac: pair.macA, dstMac: pair.macB, srcIp: pair.ipA, dstIp: pair.ipB, srcPort: 4000, dstPort: o.port,
        count: o.count, payloadLen: o.payloadLen, rate: o.rate, timeoutMs: 60_000,
      });
    } finally {
      tx.close();
    }
    // Whatever the receiver has not seen a second after the last completion is lost.
    const grace = setTimeout(() => Atomics.store(new Int32Array(stop), 0, 1), 1000);
    // Progress lines are the receiver's own, once a second, stamped with its clock.
    const done = await next("done", 120_000, (m) => {
      if (typeof m.progress === "number") log(`  t=${(m.t as number).toFixed(1)}s     ${fmt(m.progress)} frames received`);
    });
    clearTimeout(grace);
    const frames = done.frames as number;
    const seconds = done.seconds as number;
    const stats = done.stats as SocketStats;
    const received = { frames, seconds, framesPerSecond: seconds > 0 ? frames / seconds : 0 };
    log(`  sent      ${fmt(sent.sent)} frames in ${sent.seconds.toFixed(2)} s (${fmt(sent.framesPerSecond)} frames/s)`);
    log(`  received  ${fmt(frames)} frames in ${seconds.toFixed(2)} s (${fmt(received.framesPerSecond)} frames/s)`);
    log(`  verified  ok ${fmt(stats.verify.ok)}, bad ${fmt(stats.verify.bad)}, missing ${fmt(stats.verify.missing)}, lost ${fmt(sent.sent - frames)}`);
    log(`  xdp       ${Object.entries(stats.xdp).map(([k, v]) => `${k} ${fmt(v)}`).join(", ")}`);
    log(`  program   redirected ${fmt(stats.program!.redirected)}, passed to the kernel ${fmt(stats.program!.passed)}`);
    await worker.terminate();
    worker = undefined;
    destroyPair(pair);
    const cleanedUp = !receiverHasXdp(pair);
    log(`  cleanup   namespaces ${pair.nsA} and ${pair.nsB} removed`);
    return {
      lab: { senderNs: pair.nsA, receiverNs: pair.nsB, senderIf: pair.ifA, receiverIf: pair.ifB, port: o.port },
      sent, received, receiver: stats, cleanedUp,
    };
  } finally {
    await worker?.terminate();
    destroyPair(pair);
  }
}
