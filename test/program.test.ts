// The XDP program on every frame shape it must parse, sent as raw frames through AF_XDP TX
// (send/flush) from one namespace to a receiver in the other.

import * as assert from "uvu/assert";
import { XdpSocket } from "../src/socket/socket.js";
import { inNetns } from "../bridge/netns.js";
import { XdpProgram, ipv6Bytes, registerSocket } from "../bridge/program.js";
import { fileURLToPath } from "node:url";
import { inetChecksum } from "../src/socket/frame.js";
import { type VethPair, pairSuite } from "./helpers/netns.js";

const PORT = 5000;
const [P, lab] = pairSuite("XDP program on each frame shape");

const macBytes = (m: string) => m.split(":").map((h) => parseInt(h, 16));
const u16 = (v: number) => [v >> 8, v & 0xff];

function udp(dport: number, payload: number[]): number[] {
  return [...u16(4000), ...u16(dport), ...u16(8 + payload.length), 0, 0, ...payload];
}

function ipv4(l4: number[], optionWords = 0): number[] {
  const ihl = 5 + optionWords;
  const h = [0x40 | ihl, 0, ...u16(ihl * 4 + l4.length), 0, 0, 0x40, 0, 64, 17, 0, 0, 198, 18, 0, 1, 198, 18, 0, 2];
  for (let i = 0; i < optionWords * 4; i++) h.push(1); // NOP options
  const c = inetChecksum(new Uint8Array(h), 0, h.length);
  h[10] = c >> 8;
  h[11] = c & 0xff;
  return [...h, ...l4];
}

function ipv6(l4: number[], hopByHop = false): number[] {
  const ext = hopByHop ? [17, 0, 1, 4, 0, 0, 0, 0] : []; // next header UDP, 8 bytes, PadN
  const body = [...ext, ...l4];
  return [0x60, 0, 0, 0, ...u16(body.length), hopByHop ? 0 : 17, 64, ...ipv6Bytes("fd00::1"), ...ipv6Bytes("fd00::2"), ...body];
}

function eth(p: VethPair, tags: Array<[number, number]>, type: number, l3: number[]): Uint8Array {
  const vlan = tags.flatMap(([tpid, vid]) => [...u16(tpid), ...u16(vid)]);
  return new Uint8Array([...macBytes(p.macB), ...macBytes(p.macA), ...vlan, ...u16(type), ...l3]);
}

P("redirects IPv4 with options, 802.1Q, QinQ, IPv6 and IPv6 extension headers; passes the rest; counts truncated frames", () => {
  if (lab.skip) return;
  const payload = (k: number) => Array.from({ length: 24 }, (_, i) => (k * 17 + i) & 0xff);
  const redirected = [
    eth(lab.pair, [], 0x0800, ipv4(udp(PORT, payload(1)))),
    eth(lab.pair, [], 0x0800, ipv4(udp(PORT, payload(2)), 3)),
    eth(lab.pair, [[0x8100, 100]], 0x0800, ipv4(udp(PORT, payload(3)))),
    eth(lab.pair, [[0x88a8, 200], [0x8100, 100]], 0x0800, ipv4(udp(PORT, payload(4)))),
    eth(lab.pair, [], 0x86dd, ipv6(udp(PORT, payload(5)))),
    eth(lab.pair, [], 0x86dd, ipv6(udp(PORT, payload(6)), true)),
    eth(lab.pair, [[0x8100, 7]], 0x86dd, ipv6(udp(PORT, payload(7)))),
  ];
  const passed = [
    eth(lab.pair, [], 0x0800, ipv4(udp(PORT + 1, payload(8)))),
    eth(lab.pair, [], 0x86dd, ipv6(udp(PORT + 1, payload(9)))),
  ];
  const full = eth(lab.pair, [], 0x0800, ipv4(udp(PORT, payload(10))));
  const truncated = [full.slice(0, 14 + 20 + 4), full.slice(0, 14 + 10)];
  const rx = inNetns(lab.pair.nsB, () => XdpSocket.open({ iface: lab.pair.ifB, ports: [PORT] }));
  const tx = inNetns(lab.pair.nsA, () => XdpSocket.open({ iface: lab.pair.ifA, program: false }));
  try {
    for (const f of [...redirected, ...passed, ...truncated]) assert.ok(tx.send(f));
    const end = Date.now() + 3000;
    const got: Uint8Array[] = [];
    while ((tx.inFlight > 0 || got.length < redirected.length) && Date.now() < end) {
      tx.flush();
      const b = rx.receive(64);
      for (let i = 0; i < b.length; i++) got.push(b.frame(i).slice());
    }
    assert.is(tx.stats().tx.completed, BigInt(redirected.length + passed.length + truncated.length));
    assert.equal(got.map((f) => [...f]), redirected.map((f) => [...f]), "exactly the feed frames, byte for byte, in order");
    const c = rx.stats().program!;
    assert.is(c.redirected, BigInt(redirected.length));
    assert.is(c.tooShort, BigInt(truncated.length));
    assert.ok(c.passed >= BigInt(passed.length + truncated.length));
    assert.is(c.noSocket, 0n);
  } finally {
    rx.close();
    tx.close();
  }
});

// An IPv6 header followed by extension headers: [type, hdrlen] each ((hdrlen + 1) * 8 bytes), then l4.
function ipv6Chain(l4: number[], exts: Array<[number, number]>, last = 17): number[] {
  const body: number[] = [];
  exts.forEach(([, hdrlen], i) => {
    const next = i + 1 < exts.length ? exts[i + 1][0] : last;
    body.push(next, hdrlen, ...new Array((hdrlen + 1) * 8 - 2).fill(0));
  });
  body.push(...l4);
  return [0x60, 0, 0, 0, ...u16(body.length), exts.length ? exts[0][0] : last, 64, ...ipv6Bytes("fd00::1"), ...ipv6Bytes("fd00::2"), ...body];
}

P("finds the UDP header after IPv4 options and IPv6 extension headers of every length, and counts a frame too short exactly when that header passes its end", () => {
  if (lab.skip) return;
  const payload = (k: number) => Array.from({ length: 16 }, (_, i) => (k * 31 + i) & 0xff);
  const bare = udp(PORT, []); // the UDP header alone, ending where the frame ends
  const v4 = (words: number, l4: number[]) => eth(lab.pair, [], 0x0800, ipv4(l4, words));
  const v6 = (exts: Array<[number, number]>, l4: number[], tags: Array<[number, number]> = []) => eth(lab.pair, tags, 0x86dd, ipv6Chain(l4, exts));
  const chain: Array<[number, number]> = [[0, 0], [60, 2], [43, 1], [60, 5]];
  const redirected = [
    ...Array.from({ length: 10 }, (_, w) => v4(w + 1, udp(PORT, payload(w)))), // ihl 6..15
    v4(10, bare),
    v6([[60, 0]], udp(PORT, payload(20))),
    v6([[0, 150]], udp(PORT, payload(21))), // 1,208 bytes (the longest, 2,048, would pass the MTU)
    v6(chain.slice(0, 2), udp(PORT, payload(22))),
    v6(chain, udp(PORT, payload(23))),
    v6(chain, bare),
    v6(chain.slice(0, 3), udp(PORT, payload(24)), [[0x88a8, 200], [0x8100, 100]]),
  ];
  const passed = [
    v4(4, udp(PORT + 1, payload(30))), // another port, after options
    v6(chain, udp(PORT + 1, payload(31))),
    v6([...chain, [0, 0]], udp(PORT, payload(32))), // a fifth extension header: the walk stops there
    eth(lab.pair, [], 0x86dd, ipv6Chain(udp(PORT, payload(33)), [[0, 1]], 6)), // TCP after the extension
  ];
  const cut = (f: Uint8Array, less: number) => f.slice(0, f.length - less);
  const truncated = [
    cut(v4(10, bare), 1), // one byte of the UDP header missing after 40 bytes of options
    cut(v4(3, bare), 8), // the frame ends where the options end
    cut(v6(chain, bare), 1),
    v6(chain, bare).slice(0, 14 + 40 + 8 + 1), // ends inside the second extension header's first two bytes
    v6([[0, 255]], bare).slice(0, 14 + 40 + 1000), // ends inside the longest extension header
  ];
  const rx = inNetns(lab.pair.nsB, () => XdpSocket.open({ iface: lab.pair.ifB, ports: [PORT] }));
  const tx = inNetns(lab.pair.nsA, () => XdpSocket.open({ iface: lab.pair.ifA, program: false }));
  try {
    const got: Uint8Array[] = [];
    const end = Date.now() + 3000;
    for (const f of [...redirected, ...passed, ...truncated]) assert.ok(tx.send(f));
    while ((tx.inFlight > 0 || got.length < redirected.length) && Date.now() < end) {
      tx.flush();
      const b = rx.receive(64);
      for (let i = 0; i < b.length; i++) got.push(b.frame(i).slice());
    }
    assert.equal(got.map((f) => [...f]), redirected.map((f) => [...f]), "exactly the feed frames, byte for byte, in order");
    const c = rx.stats().program!;
    assert.is(c.redirected, BigInt(redirected.length));
    assert.is(c.tooShort, BigInt(truncated.length));
    assert.ok(c.passed >= BigInt(passed.length + truncated.length));
  } finally {
    rx.close();
    tx.close();
  }
});

P("sends a queue's feed frames back to the kernel when no socket is registered for it", () => {
  if (lab.skip) return;
  const rx = inNetns(lab.pair.nsB, () => XdpSocket.open({ iface: lab.pair.ifB, ports: [PORT] }));
  const tx = inNetns(lab.pair.nsA, () => XdpSocket.open({ iface: lab.pair.ifA, program: false }));
  try {
    const before = rx.stats().program!;
    // Unregister queue 0's socket: the program falls back to XDP_PASS and counts it.
    registerSocket(rx.program!, rx.xsk.queue, -1);
    assert.ok(tx.send(eth(lab.pair, [], 0x0800, ipv4(udp(PORT, [1, 2, 3, 4, 5, 6, 7, 8])))));
    const end = Date.now() + 2000;
    while (rx.stats().program!.noSocket === before.noSocket && Date.now() < end) tx.flush();
    assert.is(rx.stats().program!.noSocket - before.noSocket, 1n);
    assert.is(rx.receive(64).length, 0);
  } finally {
    rx.close();
    tx.close();
  }
});

P.run();

// What the program leaves in front of each frame it redirects (bpf/xdpfeed.h): its receive
// timestamp, and which of the object's two programs is attached.
const [M, mlab] = pairSuite("XDP program receive metadata");

function frames(p: VethPair, n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, k) => eth(p, [], 0x0800, ipv4(udp(PORT, Array.from({ length: 32 }, (_, i) => (k + i) & 0xff)))));
}

/** Sends the frames from A and receives them on B's socket: [receiveTs of each, wall ns before sending, after receiving]. */
function exchange(rx: XdpSocket, tx: XdpSocket, sent: Uint8Array[]): [number[], number, number] {
  const from = Date.now() * 1e6;
  for (const f of sent) assert.ok(tx.send(f));
  const ts: number[] = [];
  const end = Date.now() + 3000;
  while ((tx.inFlight > 0 || ts.length < sent.length) && Date.now() < end) {
    tx.flush();
    const b = rx.receive(64);
    for (let i = 0; i < b.length; i++) ts.push(b.receiveTs(i));
  }
  assert.is(ts.length, sent.length);
  return [ts, from, Date.now() * 1e6];
}

function inWindow(ts: number[], from: number, to: number): void {
  // Date.now() steps by a millisecond; a double holds these ns to 256 ns.
  for (const t of ts) assert.ok(t >= from - 1e6 && t <= to + 1e6, `receive time ${t - from} ns after sending began`);
  assert.ok(ts.every((t, i) => i === 0 || t >= ts[i - 1]), "non-decreasing");
}

M("in native mode the device-bound program is attached and stamps every frame it redirects; veth gives no NIC timestamp", () => {
  if (mlab.skip) return;
  const rx = inNetns(mlab.pair.nsB, () => XdpSocket.open({ iface: mlab.pair.ifB, ports: [PORT] }));
  const tx = inNetns(mlab.pair.nsA, () => XdpSocket.open({ iface: mlab.pair.ifA, program: false }));
  try {
    const st = rx.stats();
    assert.equal([st.mode.attach, st.mode.timestamps, st.mode.timestampsReason], ["native", "driver+hw", undefined]);
    const [ts, from, to] = exchange(rx, tx, frames(mlab.pair, 20));
    inWindow(ts, from, to);
    const after = rx.stats();
    assert.equal(after.rx.timestamps, { driver: 20n, hw: 0n, poll: 0n });
    assert.equal([after.program!.redirected, after.program!.noMeta, after.program!.hwTimestamps], [20n, 0n, 0n]);
  } finally {
    rx.close();
    tx.close();
  }
});

M("in generic mode, or with hwTimestamps false, the unbound program is attached, says why, and stamps all the same", () => {
  if (mlab.skip) return;
  for (const [opts, reason] of [[{ attach: "generic" as const }, /generic XDP/], [{ hwTimestamps: false }, /hwTimestamps: false/]] as const) {
    const rx = inNetns(mlab.pair.nsB, () => XdpSocket.open({ iface: mlab.pair.ifB, ports: [PORT], ...opts }));
    const tx = inNetns(mlab.pair.nsA, () => XdpSocket.open({ iface: mlab.pair.ifA, program: false }));
    try {
      const st = rx.stats();
      assert.is(st.mode.timestamps, "driver");
      assert.match(st.mode.timestampsReason ?? "", reason);
      const [ts, from, to] = exchange(rx, tx, frames(mlab.pair, 10));
      inWindow(ts, from, to);
      assert.equal(rx.stats().rx.timestamps, { driver: 10n, hw: 0n, poll: 0n });
    } finally {
      rx.close();
      tx.close();
    }
  }
});

M("frames from a program that writes no metadata (an earlier xdpfeed's) are stamped by receive() with its own time", () => {
  if (mlab.skip) return;
  // bpf/xdpfeed.bpf.o as of 718f25b: one program, no metadata.
  const object = fileURLToPath(new URL("./fixtures/xdpfeed-nometa.bpf.o", import.meta.url));
  const program = inNetns(mlab.pair.nsB, () => XdpProgram.attach({ iface: mlab.pair.ifB, ports: [PORT], object }));
  const rx = inNetns(mlab.pair.nsB, () => XdpSocket.open({ iface: mlab.pair.ifB, program }));
  const tx = inNetns(mlab.pair.nsA, () => XdpSocket.open({ iface: mlab.pair.ifA, program: false }));
  try {
    assert.match(program.timestampsReason ?? "", /has no program xdpfeed_redirect_hw/);
    const [ts, from, to] = exchange(rx, tx, frames(mlab.pair, 10));
    inWindow(ts, from, to);
    assert.equal(rx.stats().rx.timestamps, { driver: 0n, hw: 0n, poll: 10n });
  } finally {
    rx.close();
    tx.close();
    program.close();
  }
});

M.run();
