// Several queues: one socket per queue, each used from its own worker_thread, all sharing the
// one XDP program of the interface (a socket per slot of its XSKMAP).

import * as assert from "uvu/assert";
import type { Worker } from "node:worker_threads";
import { XdpProgram } from "../bridge/program.js";
import { XdpSocket } from "../src/socket.js";
import { generate } from "../src/generator.js";
import { inNetns } from "../bridge/netns.js";
import * as L from "../assembly/layout.js";
import { hasXdp, pairSuite } from "./helpers/netns.js";
import { tsWorker } from "./helpers/child.js";

const PORT = 5000;
const COUNT = 20_000;
const [Q, lab] = pairSuite("one socket per queue in worker threads", { queues: 2 });

Q("each queue's frames reach the worker that owns that queue, verified", async () => {
  if (lab.skip) return;
  const program = inNetns(lab.pair.nsB, () => XdpProgram.attach({ iface: lab.pair.ifB, ports: [PORT] }));
  const workers: Worker[] = [];
  try {
    const results = [0, 1].map((queue) => {
      const w = tsWorker("queue-worker.ts", { ns: lab.pair.nsB, iface: lab.pair.ifB, queue, program: program.handle(), count: COUNT });
      workers.push(w);
      return new Promise<Record<string, number>[]>((resolve, reject) => {
        const msgs: Record<string, number>[] = [];
        w.on("message", (m) => msgs.push(m));
        w.on("error", reject);
        w.on("exit", () => resolve(msgs));
      });
    });
    // Wait for both sockets before sending.
    await new Promise<void>((resolve) => {
      let ready = 0;
      for (const w of workers) w.on("message", (m) => m.ready && ++ready === 2 && resolve());
    });
    // AF_XDP TX on queue q of one veth end arrives on RX queue q of the other.
    const payloads = [64, 100];
    for (const queue of [0, 1]) {
      const tx = inNetns(lab.pair.nsA, () => XdpSocket.open({ iface: lab.pair.ifA, queue, program: false }));
      try {
        const r = generate(tx, { srcMac: lab.pair.macA, dstMac: lab.pair.macB, srcIp: lab.pair.ipA, dstIp: lab.pair.ipB, srcPort: 4000, dstPort: PORT,
          count: COUNT, payloadLen: payloads[queue], rate: 100_000, timeoutMs: 10_000 });
        assert.is(r.sent, COUNT);
      } finally {
        tx.close();
      }
    }
    const done = (await Promise.all(results)).map((msgs) => msgs.find((m) => "frames" in m)!);
    for (const queue of [0, 1]) {
      const d = done[queue];
      assert.is(d.queue, queue);
      assert.is(d.frames, COUNT, `queue ${queue} frames`);
      assert.is(d.ok, COUNT);
      assert.is(d.bad, 0);
      assert.is(d.missing, 0);
      assert.is(d.bytes, COUNT * (L.GEN_HEADERS + payloads[queue]), `queue ${queue} got its own sender's frames`);
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    program.close();
  }
  assert.not.ok(hasXdp(lab.pair.nsB, lab.pair.ifB));
});

Q.run();
