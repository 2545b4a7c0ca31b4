// The parsers wired into the in-wasm RX loop: a generated ITCH session sent as MoldUDP64 frames
// through AF_XDP TX in one namespace, parsed on the RX ring in the other, message for message
// equal to decoding the same session from a file; and the records' receive timestamps, taken by
// the XDP program at the driver.

import * as assert from "uvu/assert";
import { XdpSocket } from "../src/socket/socket.js";
import { FeedReceiver } from "../src/feeds/receiver.js";
import { itch50 } from "../src/feeds/feeds.js";
import { udpFrame } from "../src/socket/frame.js";
import { moldPackets } from "../src/itchgen/itch-writers.js";
import { inNetns } from "../bridge/netns.js";
import { pairSuite } from "./helpers/netns.js";
import { sessionReference } from "./helpers/wire.js";
import { XdpProgram } from "../bridge/program.js";
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type { VethPair } from "./helpers/netns.js";

const PORT = 26400;
const SESSION = { seed: 11, symbols: 40, messages: 50_000 };
const [R, lab] = pairSuite("feed parser on the RX ring");

const reference = () => sessionReference(SESSION);

R("parses every message of a session sent over AF_XDP, in order, equal to the file decode", () => {
  if (lab.skip) return;
  const { pair } = lab;
  const rx = inNetns(pair.nsB, () => FeedReceiver.open(itch50, { iface: pair.ifB, ports: [PORT] }));
  const tx = inNetns(pair.nsA, () => XdpSocket.open({ iface: pair.ifA, program: false }));
  const got: string[] = [];
  const seqs: number[] = [];
  let lastReceiveTs = 0;
  const drain = () => {
    for (let n = rx.poll(64); n > 0; n = rx.poll(64)) {
      for (let i = 0; i < n; i++) {
        const t = rx.ticks.at(i);
        seqs.push(t.seq);
        lastReceiveTs = t.receiveTs;
        got.push(JSON.stringify(rx.message.at(t.msgOffset, t.msgLength).toJSON()));
      }
    }
  };
  try {
    const ends = { srcMac: pair.macA, dstMac: pair.macB, srcIp: pair.ipA, dstIp: pair.ipB, srcPort: 40000, dstPort: PORT };
    let sent = 0;
    for (const payload of moldPackets(SESSION, { session: "XDPFEED011" })) {
      while (!tx.send(udpFrame(ends, payload))) {
        tx.flush();
        drain();
      }
      if (++sent % 32 === 0) {
        tx.flush();
        drain();
      }
    }
    const end = Date.now() + 5000;
    while ((tx.inFlight > 0 || got.length < SESSION.messages) && Date.now() < end) {
      tx.flush();
      drain();
    }
    const s = rx.summary();
    assert.is(got.length, SESSION.messages);
    assert.equal(seqs, Array.from({ length: SESSION.messages }, (_, i) => i + 1));
    assert.equal([s.gaps, s.duplicates, s.resets], [0, 0, 0]);
    assert.equal(s.rejected, {});
    assert.ok(Math.abs(lastReceiveTs - Date.now() * 1e6) < 60e9, "receive timestamps are wall-clock ns");
    assert.equal(got, reference());
  } finally {
    rx.close();
    tx.close();
  }
});

R.run();

// Receive timestamps: the XDP program stamps each frame at the driver hook; poll() reads no clock.
const [T, tlab] = pairSuite("receive timestamps from the driver");

// An XDP object of an earlier xdpfeed (bpf/xdpfeed.bpf.o as of 718f25b, before receive metadata):
// one program, which redirects without stamping.
const NO_META_OBJECT = fileURLToPath(new URL("./fixtures/xdpfeed-nometa.bpf.o", import.meta.url));

function sender(pair: VethPair) {
  const tx = inNetns(pair.nsA, () => XdpSocket.open({ iface: pair.ifA, program: false }));
  const ends = { srcMac: pair.macA, dstMac: pair.macB, srcIp: pair.ipA, dstIp: pair.ipB, srcPort: 40000, dstPort: PORT };
  const frames = (session: typeof SESSION, name: string) => [...moldPackets(session, { session: name })].map((p) => udpFrame(ends, p));
  /** Sends the frames and waits until the kernel has taken them all. */
  const send = (frames: Uint8Array[]) => {
    for (const f of frames) while (!tx.send(f)) tx.flush();
    const end = Date.now() + 3000;
    while (tx.inFlight > 0 && Date.now() < end) tx.flush();
    assert.is(tx.inFlight, 0, "every frame sent");
  };
  return { tx, frames, send };
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Polls until nothing more comes; returns [receiveTs as bigint, seq] of every record. */
function drain(rx: FeedReceiver): Array<[bigint, number]> {
  const out: Array<[bigint, number]> = [];
  let idle = 0;
  while (idle < 1000) {
    const n = rx.poll(64);
    if (n === 0) idle++;
    for (let i = 0; i < n; i++) out.push([rx.ticks.at(i).receiveTsBig, rx.ticks.at(i).seq]);
  }
  return out;
}

const wallNs = () => BigInt(Date.now()) * 1_000_000n;

T("records carry the driver's time of arrival, not the poll's: polled 50 ms late they are 40 ms older than the poll", () => {
  if (tlab.skip) return;
  const { pair } = tlab;
  const rx = inNetns(pair.nsB, () => FeedReceiver.open(itch50, { iface: pair.ifB, ports: [PORT] }));
  const { tx, frames, send } = sender(pair);
  try {
    const session = { seed: 12, symbols: 10, messages: 3000 };
    const all = frames(session, "XDPFEED012");
    const sentFrom = wallNs();
    send(all);
    const sentBy = wallNs();
    sleep(50);
    const pollAt = wallNs();
    const got = drain(rx);
    assert.is(got.length, session.messages);
    assert.equal(got.map(([, seq]) => seq), Array.from({ length: session.messages }, (_, i) => i + 1));
    const ts = got.map(([t]) => t);
    // Date.now() has millisecond steps: a millisecond of slack each side.
    for (const t of ts) {
      assert.ok(t >= sentFrom - 1_000_000n && t <= sentBy + 1_000_000n, `stamped while sent: ${t - sentFrom} ns after the first send`);
      assert.ok(pollAt - t >= 40_000_000n, `stamped ${(pollAt - t) / 1_000_000n} ms before the poll`);
    }
    assert.ok(ts.every((t, i) => i === 0 || t >= ts[i - 1]), "non-decreasing from frame to frame");
    assert.ok(ts[ts.length - 1] > ts[0], "frames sent one after another are stamped apart");
    const st = rx.timestamps();
    assert.is(st.source, "driver");
    assert.equal([st.driver, st.poll], [BigInt(all.length), 0n]);
    assert.is(st.hw, 0n, "veth has no NIC timestamps");
    assert.is(st.program, "driver+hw", "the device-bound program: it would pass a NIC's timestamps on");
    const c = rx.socket.stats().program!;
    assert.equal([c.redirected, c.noMeta, c.hwTimestamps], [BigInt(all.length), 0n, 0n]);
    assert.ok(st.clockOffsetNs > 0n);
  } finally {
    rx.close();
    tx.close();
  }
});

T("poll() allocates nothing, empty or with frames", async () => {
  if (tlab.skip) return;
  const { pair } = tlab;
  const rx = inNetns(pair.nsB, () => FeedReceiver.open(itch50, { iface: pair.ifB, ports: [PORT] }));
  const { tx, frames, send } = sender(pair);
  const gcs: PerformanceEntry[] = [];
  const gc = new PerformanceObserver((l) => { gcs.push(...l.getEntries()); });
  gc.observe({ entryTypes: ["gc"] });
  // A collection on demand, so that the measured loop starts with an empty young generation.
  setFlagsFromString("--expose-gc");
  const collect = runInNewContext("gc") as () => void;
  const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === "new_space")!.space_used_size;
  const loop = (polls: number): number => {
    let records = 0;
    for (let i = 0; i < polls; i++) records += rx.poll(64);
    return records;
  };
  try {
    const session = { seed: 13, symbols: 10, messages: 20_000 };
    const all = frames(session, "XDPFEED013");
    const half = all.length >> 1;
    // Warm up both paths, so that what is measured is the optimized loop.
    loop(200_000);
    send(all.slice(0, half));
    let records = loop(200_000);
    send(all.slice(half));
    await new Promise((r) => setTimeout(r, 10));
    collect();
    const from = performance.now();
    const used = newSpace();
    records += loop(400_000);
    const grown = newSpace() - used;
    const to = performance.now();
    await new Promise((r) => setTimeout(r, 10));
    assert.is(records, session.messages, "the frames were parsed in the measured loop too");
    // A 16-byte allocation per poll would be 6.4 MB: a scavenge or more, and the growth.
    assert.equal(gcs.filter((e) => e.startTime >= from && e.startTime <= to).map((e) => e.name), [], "no garbage collection");
    assert.ok(grown >= 0 && grown < 256 * 1024, `young generation grew ${grown} bytes over 400,000 polls`);
  } finally {
    gc.disconnect();
    rx.close();
    tx.close();
  }
});

T("frames that come without metadata are stamped with the time of the poll that took them, and the source says so", () => {
  if (tlab.skip) return;
  const { pair } = tlab;
  // An earlier xdpfeed's program: no device-bound variant in it (loaded unbound), no metadata.
  const program = inNetns(pair.nsB, () => XdpProgram.attach({ iface: pair.ifB, ports: [PORT], object: NO_META_OBJECT }));
  const rx = inNetns(pair.nsB, () => FeedReceiver.open(itch50, { iface: pair.ifB, program }));
  const { tx, frames, send } = sender(pair);
  try {
    assert.is(program.timestamps, "driver");
    assert.match(program.timestampsReason ?? "", /xdpfeed_redirect_hw/);
    const session = { seed: 14, symbols: 10, messages: 2000 };
    const all = frames(session, "XDPFEED014");
    send(all);
    sleep(50);
    const pollFrom = wallNs();
    const got = drain(rx);
    const pollBy = wallNs();
    assert.is(got.length, session.messages);
    for (const [t] of got) assert.ok(t >= pollFrom - 1_000_000n && t <= pollBy + 1_000_000n, "the poll's time");
    const st = rx.timestamps();
    assert.is(st.source, "poll");
    assert.equal([st.driver, st.poll], [0n, BigInt(all.length)]);
    const c = rx.socket.stats().program!;
    assert.equal([c.redirected, c.noMeta], [BigInt(all.length), 0n], "an older program's counters: no NO_META slot, read as 0");
  } finally {
    rx.close();
    tx.close();
    program.close();
  }
});

T.run();
