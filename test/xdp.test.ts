// The real kernel path: a receiver socket in one namespace, the generator's socket in the other,
// joined by a veth pair with native XDP on the receiving end.

import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { XdpSocket } from "../src/socket/socket.js";
import { sendTraffic } from "../src/socket/traffic.js";
import { genPayload } from "../src/socket/frame.js";
import { inNetns } from "../bridge/netns.js";
import { libc, SOL_SOCKET, SO_BUSY_POLL } from "../bridge/libc.js";
import * as L from "../assembly/layout.js";
import { hasXdp, type VethPair, pairSuite } from "./helpers/netns.js";
import { KernelUdp } from "./helpers/udp.js";

const PORT = 5000;
const OTHER_PORT = 5001;

function endpoints(p: VethPair) {
  return { srcMac: p.macA, dstMac: p.macB, srcIp: p.ipA, dstIp: p.ipB, srcPort: 4000, dstPort: PORT };
}

function pingFrom(p: VethPair, count: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const c = spawn("ip", ["netns", "exec", p.nsA, "ping", "-n", "-c", String(count), "-i", "0.2", "-W", "2", p.ipB], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    c.stdout.on("data", (d) => (out += d));
    c.stderr.on("data", (d) => (out += d));
    c.on("close", (code) => resolve({ code, out }));
  });
}

const [Rx, lab] = pairSuite("receive over a veth pair");

Rx("receives 100,000 generated frames byte for byte while ping and a kernel UDP port keep working", async () => {
  if (lab.skip) return;
  const COUNT = 100_000;
  const PAYLOAD = 64;
  const rx = inNetns(lab.pair.nsB, () => XdpSocket.open({ iface: lab.pair.ifB, ports: [PORT] }));
  const tx = inNetns(lab.pair.nsA, () => XdpSocket.open({ iface: lab.pair.ifA, program: false }));
  const kernelRx = KernelUdp.open(lab.pair.nsB, OTHER_PORT);
  const kernelTx = KernelUdp.open(lab.pair.nsA);
  try {
    assert.ok(hasXdp(lab.pair.nsB, lab.pair.ifB), "program attached");
    const ping = pingFrom(lab.pair, 4);
    const seen = new Uint8Array(COUNT);
    let received = 0;
    let bad = 0;
    let kernelSent = 0;
    const drain = () => {
      for (;;) {
        const b = rx.receive(256);
        if (b.length === 0) return;
        for (let i = 0; i < b.length; i++) {
          const f = b.frame(i);
          const seq = Number(new DataView(f.buffer, f.byteOffset + L.GEN_HEADERS, 8).getBigUint64(0, true));
          const want = genPayload(seq, PAYLOAD);
          let same = f.length === L.GEN_HEADERS + PAYLOAD && seq < COUNT;
          for (let k = 0; same && k < PAYLOAD; k++) same = f[L.GEN_HEADERS + k] === want[k];
          if (!same) bad++;
          else seen[seq]++;
          received++;
        }
      }
    };
    const r = sendTraffic(tx, {
      ...endpoints(lab.pair), count: COUNT, payloadLen: PAYLOAD, rate: 100_000, timeoutMs: 20_000,
      onBatch: (sent) => {
        // A kernel datagram to another port on the same interface every 5,000 frames.
        if (sent >= (kernelSent + 1) * 5000) {
          kernelTx.send(lab.pair.ipB, OTHER_PORT, new TextEncoder().encode(`kernel ${kernelSent++}`));
        }
        drain();
      },
    });
    const end = Date.now() + 3000;
    while (received < COUNT && Date.now() < end) drain();
    assert.is(r.sent, COUNT);
    assert.is(bad, 0, "payloads differ");
    assert.is(received, COUNT);
    assert.ok(seen.every((c) => c === 1), "every sequence number exactly once");
    const kernel = await kernelRx.receive(kernelSent, 3000);
    assert.ok(kernelSent >= 19, `kernel datagrams sent: ${kernelSent}`);
    assert.is(kernel.length, kernelSent, "kernel UDP socket on another port got every datagram");
    const pr = await ping;
    assert.is(pr.code, 0, pr.out);
    assert.match(pr.out, /4 received/);
    const st = rx.stats();
    assert.is(st.mode.attach, "native");
    assert.is(st.mode.bind, "copy", "veth has no zero-copy: copy mode is the fallback");
    assert.is(st.rx.frames, BigInt(COUNT));
    assert.is(st.program!.redirected, BigInt(COUNT));
    assert.ok(st.program!.passed >= BigInt(kernelSent + 4), "kernel traffic passed by the program");
    assert.is(st.xdp.rx_dropped, 0n);
  } finally {
    rx.close();
    tx.close();
    kernelRx.close();
    kernelTx.close();
  }
});

Rx("after close() the interface has no XDP program and a kernel socket on the port receives again", async () => {
  if (lab.skip) return;
  const rx = inNetns(lab.pair.nsB, () => XdpSocket.open({ iface: lab.pair.ifB, ports: [PORT] }));
  assert.ok(hasXdp(lab.pair.nsB, lab.pair.ifB));
  rx.close();
  assert.not.ok(hasXdp(lab.pair.nsB, lab.pair.ifB), "program detached");
  rx.close(); // idempotent
  assert.throws(() => rx.receive(), /receive\(\) on a closed socket/);
  const k = KernelUdp.open(lab.pair.nsB, PORT);
  const s = KernelUdp.open(lab.pair.nsA);
  try {
    s.send(lab.pair.ipB, PORT, new Uint8Array([1, 2, 3]));
    const got = await k.receive(1, 2000);
    assert.equal(got.map((d) => [...d]), [[1, 2, 3]]);
  } finally {
    k.close();
    s.close();
  }
});

Rx("redirects only the configured destination address when one is given", () => {
  if (lab.skip) return;
  const rx = inNetns(lab.pair.nsB, () => XdpSocket.open({ iface: lab.pair.ifB, ports: [PORT], dst: "198.51.100.7" }));
  const tx = inNetns(lab.pair.nsA, () => XdpSocket.open({ iface: lab.pair.ifA, program: false }));
  try {
    sendTraffic(tx, { ...endpoints(lab.pair), count: 100, timeoutMs: 5000 });
    sendTraffic(tx, { ...endpoints(lab.pair), dstIp: "198.51.100.7", count: 50, firstSeq: 1000, timeoutMs: 5000 });
    let got = 0;
    const end = Date.now() + 2000;
    while (got < 50 && Date.now() < end) got += rx.run(1000);
    const st = rx.stats();
    assert.is(got, 50);
    assert.is(st.program!.redirected, 50n);
    assert.ok(st.program!.passed >= 100n, "frames to the interface's own address went to the kernel");
  } finally {
    rx.close();
    tx.close();
  }
});

Rx("applies busy polling when asked and reports it", () => {
  if (lab.skip) return;
  const rx = inNetns(lab.pair.nsB, () => XdpSocket.open({ iface: lab.pair.ifB, ports: [PORT], busyPoll: { usecs: 30, budget: 16 } }));
  try {
    assert.equal(rx.stats().mode.busyPoll, { requested: true, applied: true });
    const v = new Int32Array(1);
    assert.is(libc.getsockopt(rx.xsk.fd, SOL_SOCKET, SO_BUSY_POLL, v, new Uint32Array([4])), 0);
    assert.is(v[0], 30);
  } finally {
    rx.close();
  }
});

Rx("falls back to generic XDP on a device without native XDP and reports it", () => {
  if (lab.skip) return;
  lab.pair.exec(lab.pair.nsB, ["ip", "link", "add", "mv0", "link", lab.pair.ifB, "type", "macvlan", "mode", "bridge"]);
  lab.pair.exec(lab.pair.nsB, ["ip", "link", "set", "mv0", "up"]);
  try {
    const rx = inNetns(lab.pair.nsB, () => XdpSocket.open({ iface: "mv0", ports: [PORT] }));
    try {
      assert.is(rx.stats().mode.attach, "generic");
      assert.match(lab.pair.exec(lab.pair.nsB, ["ip", "link", "show", "mv0"]), /xdpgeneric/);
    } finally {
      rx.close();
    }
    assert.not.ok(hasXdp(lab.pair.nsB, "mv0"));
  } finally {
    lab.pair.exec(lab.pair.nsB, ["ip", "link", "del", "mv0"]);
  }
});

Rx.run();
