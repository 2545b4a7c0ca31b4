// The demo's receiver thread: an XdpSocket in the receiving namespace, verifying every frame in
// wasm, reporting progress once a second, until it has `count` frames or is told to stop.

import { parentPort, workerData } from "node:worker_threads";
import { XdpSocket } from "../../socket/socket.js";
import { inNetns } from "../../../bridge/netns.js";

export interface DemoWorkerData {
  ns: string;
  iface: string;
  port: number;
  count: number;
  /** Int32Array over a SharedArrayBuffer: the main thread stores 1 to stop. */
  stop: SharedArrayBuffer;
}

const d = workerData as DemoWorkerData;
const stop = new Int32Array(d.stop);
const port = parentPort!;
let sock: XdpSocket;
try {
  sock = inNetns(d.ns, () => XdpSocket.open({ iface: d.iface, ports: [d.port] }));
} catch (e) {
  port.postMessage({ error: (e as Error).message });
  process.exit(1);
}
port.postMessage({ ready: true, mode: sock.stats().mode });
let got = 0;
let first = 0n;
let last = 0n;
let tick = process.hrtime.bigint() + 1_000_000_000n;
while (got < d.count && Atomics.load(stop, 0) === 0) {
  const n = sock.run(Math.min(d.count - got, 4096));
  const now = process.hrtime.bigint();
  if (n > 0) {
    if (got === 0) first = now;
    got += n;
    last = now;
  }
  if (now >= tick) {
    port.postMessage({ progress: got, t: got === 0 ? 0 : Number(now - first) / 1e9 });
    tick = now + 1_000_000_000n;
  }
}
const s = sock.stats();
sock.close();
port.postMessage({ done: true, frames: got, seconds: Number(last - first) / 1e9, stats: s });
