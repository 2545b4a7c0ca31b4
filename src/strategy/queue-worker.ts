// One receive queue's thread for runQueues(): its own socket on the queue (sharing the
// interface's XDP program), the parser, and the strategy, all in this thread.
import { parentPort, workerData } from "node:worker_threads";
import { FeedReceiver } from "../feeds/receiver.js";
import { FEEDS } from "../feeds/feeds.js";
import { inNetns } from "../../bridge/netns.js";
import { loadStrategy } from "./load.js";
import { runStrategy } from "./runner.js";
import type { QueueWorkerData } from "./queues.js";

const d = workerData as QueueWorkerData;
const port = parentPort!;
const stop = new Int32Array(d.stop);
let rx: FeedReceiver;
try {
  const open = () => FeedReceiver.open(FEEDS[d.format], { iface: d.iface, queue: d.queue, program: d.program, ports: d.ports });
  rx = d.ns ? inNetns(d.ns, open) : open();
} catch (e) {
  port.postMessage({ error: (e as Error).message });
  process.exit(1);
}
const strategy = await loadStrategy(d.strategy);
port.postMessage({ ready: true });
const ac = new AbortController();
const watch = setInterval(() => Atomics.load(stop, 0) === 1 && ac.abort(), 20);
const run = await runStrategy(strategy, rx, { mode: d.mode, count: d.count, durationMs: d.durationMs, signal: ac.signal });
clearInterval(watch);
const summary = rx.summary();
rx.close();
port.postMessage({ done: true, queue: d.queue, run, summary, result: (strategy as { result?: () => unknown }).result?.() });
