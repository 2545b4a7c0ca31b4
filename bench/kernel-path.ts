// One-way latency of the kernel path, frame by frame: a UDP frame sent through an AF_XDP socket in
// namespace A crosses the veth pair, the XDP program in namespace B redirects it to an AF_XDP
// socket, and receive() finds it in the RX ring. Sender and receiver run in this one thread, one
// frame in flight at a time, so no scheduling or clock between threads enters the figure: the time
// from just before send() to the frame seen by receive() is the kernel's path (copy-mode AF_XDP TX,
// veth, native XDP, the copy into the UMEM) plus one poll.
//
//   node --import tsx bench/kernel-path.ts [--frames 1000] [--gaps 0.01,1,20] [--payload 600]   (root)
//   npm run bench:kernel-path
//
// --gaps: idle time between frames in ms (spinning, so this thread keeps its CPU); prints a table
// per gap (percentiles of the whole trip and of send() + flush(), the sendto that carries the frame
// through the kernel) and writes bench/results/kernel-path.json. Every wait is bounded; the namespaces
// go away in a finally.

import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createPair, destroyPair } from "../src/lab/veth.js";
import { XdpSocket } from "../src/socket/socket.js";
import { inNetns } from "../bridge/netns.js";
import { udpFrame } from "../src/socket/frame.js";

const { values: o } = parseArgs({
  options: {
    frames: { type: "string", default: "1000" },
    gaps: { type: "string", default: "0.01,1,20" },
    payload: { type: "string", default: "600" },
  },
});
const frames = Number(o.frames);
const gaps = o.gaps!.split(",").map(Number);
const payload = Number(o.payload);
if (!(frames >= 10 && frames <= 1e6) || gaps.some((g) => !(g >= 0 && g <= 1000)) || !(payload >= 0 && payload <= 1400)) {
  process.stderr.write("usage: kernel-path.ts [--frames 10..1000000] [--gaps MS,...] [--payload 0..1400]\n");
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  process.stderr.write("kernel-path.ts needs root (network namespaces, XDP, AF_XDP)\n");
  process.exit(2);
}

const PORT = 26500;
const pct = (xs: Float64Array, q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const spinUntil = (t: number) => {
  while (performance.now() < t);
};

interface Row { gapMs: number; frames: number; lost: number; tripUs: Record<string, number>; sendUs: Record<string, number> }
const rows: Row[] = [];
const pair = createPair({ prefix: "xlt" });
try {
  const rx = inNetns(pair.nsB, () => XdpSocket.open({ iface: pair.ifB, ports: [PORT] }));
  const tx = inNetns(pair.nsA, () => XdpSocket.open({ iface: pair.ifA, program: false }));
  const frame = udpFrame({ srcMac: pair.macA, dstMac: pair.macB, srcIp: pair.ipA, dstIp: pair.ipB, srcPort: PORT, dstPort: PORT }, new Uint8Array(payload));
  for (const gap of gaps) {
    const trip = new Float64Array(frames);
    const send = new Float64Array(frames);
    let n = 0;
    let lost = 0;
    for (let i = 0; i < frames; i++) {
      const t0 = performance.now();
      for (const end = t0 + 100; !tx.send(frame) && performance.now() < end;) tx.flush();
      tx.flush();
      const t1 = performance.now();
      // A frame not seen within 100 ms is counted lost (the ring is drained before the next).
      let got = 0;
      for (const end = t1 + 100; got === 0 && performance.now() < end;) got = rx.receive(64).length;
      const t2 = performance.now();
      if (got === 0) lost++;
      else {
        trip[n] = (t2 - t0) * 1000;
        send[n++] = (t1 - t0) * 1000;
      }
      while (rx.receive(64).length > 0);
      spinUntil(performance.now() + gap);
    }
    const t = trip.subarray(0, n).sort();
    const s = send.subarray(0, n).sort();
    const stats = (xs: Float64Array) => ({ p50: pct(xs, 0.5), p90: pct(xs, 0.9), p99: pct(xs, 0.99), max: xs[xs.length - 1] ?? 0 });
    rows.push({ gapMs: gap, frames: n, lost, tripUs: stats(t), sendUs: stats(s) });
  }
  rx.close();
  tx.close();
} finally {
  destroyPair(pair);
}

const f = (x: number) => x.toFixed(1);
console.log(`AF_XDP one-way latency over veth, one frame in flight, ${payload}-byte UDP payload, ${frames} frames per gap`);
console.log("| gap between frames | frames | lost | trip p50 µs | p90 | p99 | max | send()+flush() p50 µs | p90 |");
console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(`| ${r.gapMs} ms | ${r.frames} | ${r.lost} | ${f(r.tripUs.p50)} | ${f(r.tripUs.p90)} | ${f(r.tripUs.p99)} | ${f(r.tripUs.max)} | ${f(r.sendUs.p50)} | ${f(r.sendUs.p90)} |`);
}
const dir = fileURLToPath(new URL("results", import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}/kernel-path.json`, JSON.stringify({ date: new Date().toISOString(), payload, frames, rows }, null, 2) + "\n");
