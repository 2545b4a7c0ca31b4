// The XDP program on every frame shape it must parse, sent as raw frames through AF_XDP TX
// (send/flush) from one namespace to a receiver in the other.

import * as assert from "uvu/assert";
import { XdpSocket } from "../src/socket/socket.js";
import { inNetns } from "../bridge/netns.js";
import { ipv6Bytes, registerSocket } from "../bridge/program.js";
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
