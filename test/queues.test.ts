// Several queues: one socket per queue, each used from its own worker_thread, all sharing the
// one XDP program of the interface (a socket per slot of its XSKMAP).

import * as assert from "uvu/assert";
import type { Worker } from "node:worker_threads";
import { XdpProgram } from "../bridge/program.js";
import { XdpSocket } from "../src/socket/socket.js";
import { sendTraffic } from "../src/socket/traffic.js";
import { inNetns } from "../bridge/netns.js";
import * as L from "../assembly/layout.js";
import { hasXdp, pairSuite } from "./helpers/netns.js";
import { tsWorker, fixture } from "./helpers/child.js";
import { runQueues } from "../src/strategy/queues.js";
import { udpFrame } from "../src/socket/frame.js";
import { moldPackets } from "../src/itchgen/itch-writers.js";
import { summarizeSession } from "../src/itchgen/itch-session.js";

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
        const r = sendTraffic(tx, { srcMac: lab.pair.macA, dstMac: lab.pair.macB, srcIp: lab.pair.ipA, dstIp: lab.pair.ipB, srcPort: 4000, dstPort: PORT,
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

Q("runQueues runs a strategy module in one thread per queue, each on its own queue's feed", async () => {
  if (lab.skip) return;
  const { pair } = lab;
  const SESSION = { seed: 9, symbols: 20, messages: 20_000 };
  const results = await runQueues({
    ns: pair.nsB, iface: pair.ifB, ports: [PORT], format: "itch50", queues: [0, 1], strategy: fixture("count-strategy.ts"),
    mode: "interrupt", count: SESSION.messages, durationMs: 30_000,
    onReady: () => {
      for (const queue of [0, 1]) {
        const tx = inNetns(pair.nsA, () => XdpSocket.open({ iface: pair.ifA, queue, program: false }));
        try {
          const ends = { srcMac: pair.macA, dstMac: pair.macB, srcIp: pair.ipA, dstIp: pair.ipB, srcPort: 40000, dstPort: PORT };
          let n = 0;
          for (const payload of moldPackets({ ...SESSION, seed: SESSION.seed + queue }, { session: `QUEUE${queue}TEST` })) {
            while (!tx.send(udpFrame(ends, payload))) tx.flush();
            if (++n % 8 === 0) tx.flush();
          }
          const end = Date.now() + 5000;
          do tx.flush(); while (tx.inFlight > 0 && Date.now() < end);
        } finally {
          tx.close();
        }
      }
    },
  });
  assert.equal(results.map((r) => r.queue), [0, 1]);
  for (const r of results) {
    assert.equal(r.result, { ticks: SESSION.messages, inOrder: true, lastSeq: SESSION.messages }, `queue ${r.queue}`);
    assert.equal([r.summary.gaps, r.summary.messages, r.run.reason], [0, SESSION.messages, "count"]);
    assert.equal(r.summary.byType, summarizeSession({ ...SESSION, seed: SESSION.seed + r.queue }).counts, `queue ${r.queue} parsed its own session`);
  }
  assert.not.ok(hasXdp(pair.nsB, pair.ifB), "the shared program is detached afterwards");
});

Q.run();
