// The kernel-socket fallback: KernelFeedReceiver (the compiled parser fed by recvmmsg from kernel
// UDP sockets) on loopback, and openFeed choosing between AF_XDP and kernel sockets, falling back when XDP is
// refused, and holding multicast group memberships in both modes (inside namespaces, as root).
//
// This file is also its own child process: with XDPFEED_KERNEL_CHILD set (JSON, ChildArgs) it
// opens a feed with openFeed, prints OPEN, RESULT and CLOSED lines, and runs no tests. All
// traffic stays on loopback or inside the namespaces the tests create; every loop is bounded.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { execFileSync, spawn } from "node:child_process";
import { KernelFeedReceiver } from "../src/feeds/kernel.js";
import { openFeed, XdpFeedSource, type FeedSource } from "../src/feeds/open.js";
import { FeedParser } from "../src/feeds/parser.js";
import { itch50 } from "../src/feeds/feeds.js";
import { XdpSocket } from "../src/socket/socket.js";
import { moldFrames, moldPackets, itchFileChunks } from "../src/itchgen/itch-writers.js";
import { XdpError } from "../bridge/errors.js";
import { inNetns } from "../bridge/netns.js";
import { hasXdp, pairSuite } from "./helpers/netns.js";
import { runFixture, type Child } from "./helpers/child.js";
import { sessionReference } from "./helpers/wire.js";
import { KernelUdp } from "./helpers/udp.js";

interface ChildArgs {
  mode: "auto" | "xdp" | "socket";
  iface: string;
  port: number;
  group?: string;
  /** Messages to receive before reporting. */
  expect: number;
  timeoutMs: number;
  /** How long to stay alive after close() (for the parent to look at the interface). */
  holdMs: number;
  denyAfXdp?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(1);
  }
  return true;
}

interface Sink {
  json: string[];
  seqs: number[];
  lastReceiveTs: number;
}

const newSink = (): Sink => ({ json: [], seqs: [], lastReceiveTs: 0 });

/** Polls until nothing is left (bounded), keeping each record's message as JSON. */
function drain(src: Pick<FeedSource, "poll" | "ticks" | "message">, sink: Sink, max = 64): number {
  let total = 0;
  for (let guard = 0; guard < 100_000; guard++) {
    const n = src.poll(max);
    if (n === 0) break;
    for (let i = 0; i < n; i++) {
      const t = src.ticks.at(i);
      sink.seqs.push(t.seq);
      sink.lastReceiveTs = t.receiveTs;
      sink.json.push(JSON.stringify(src.message.at(t.msgOffset, t.msgLength).toJSON()));
    }
    total += n;
  }
  return total;
}

const reference = sessionReference;

const digest = (json: string[]): string => {
  const h = createHash("sha256");
  for (const j of json) h.update(j + "\n");
  return h.digest("hex");
};

const seq1toN = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

/** The first MoldUDP64 datagram of a small session. */
const firstPacket = (): Uint8Array => moldPackets({ seed: 1, symbols: 2, messages: 200 }).next().value as Uint8Array;

// ---- the child process ----

async function child(a: ChildArgs): Promise<void> {
  if (a.denyAfXdp) (await import("./fixtures/seccomp.js")).denyAfXdp();
  let src: FeedSource;
  try {
    src = openFeed(itch50, { iface: a.iface, ports: [a.port], group: a.group, mode: a.mode });
  } catch (e) {
    const err = e as XdpError;
    console.log("ERROR " + JSON.stringify({ code: err.code ?? "UNKNOWN", message: err.message }));
    process.exit(3);
  }
  console.log("OPEN " + JSON.stringify({ mode: src.mode, modeReason: src.modeReason }));
  const sink = newSink();
  const end = Date.now() + a.timeoutMs;
  while (sink.json.length < a.expect && Date.now() < end) {
    if (drain(src, sink) === 0) await src.wait(50);
  }
  const s = src.summary();
  const inOrder = sink.seqs.every((q, i) => q === i + 1);
  const stats = src instanceof KernelFeedReceiver ? src.stats() : undefined;
  console.log("RESULT " + JSON.stringify({ messages: sink.json.length, inOrder, digest: digest(sink.json), gaps: s.gaps, duplicates: s.duplicates, stats }));
  src.close();
  console.log("CLOSED");
  await sleep(a.holdMs);
}

const CHILD = process.env.XDPFEED_KERNEL_CHILD;
if (CHILD) await child(JSON.parse(CHILD) as ChildArgs);
else tests();

function tests(): void {
  // ---- KernelFeedReceiver on loopback (no privileges needed) ----

  const LOOP_SESSION = { seed: 21, symbols: 30, messages: 20_000 };
  const K = suite("KernelFeedReceiver");

  const sendTo = (tx: Socket, payload: Uint8Array, port: number): Promise<void> =>
    new Promise((resolve, reject) => tx.send(payload, port, "127.0.0.1", (e) => (e ? reject(e) : resolve())));

  K("receives a session's MoldUDP64 datagrams on loopback: every message once, in order, equal to the file decode", async () => {
    const rx = KernelFeedReceiver.open(itch50, { ports: [0] });
    const tx = createSocket("udp4");
    const sink = newSink();
    try {
      const port = rx.ports[0];
      assert.ok(port > 0, "port 0 resolved to the bound port");
      assert.is(rx.mode, "socket");
      let sent = 0;
      let burst: Promise<void>[] = [];
      // Bursts of 32, each received (the event loop turns while we await) and parsed before the next.
      for (const p of moldPackets(LOOP_SESSION, { session: "KERNEL0001" })) {
        burst.push(sendTo(tx, p, port));
        sent++;
        if (burst.length === 32) {
          await Promise.all(burst);
          burst = [];
          await until(() => rx.stats().datagrams >= sent, 2000);
          drain(rx, sink);
        }
      }
      await Promise.all(burst);
      assert.ok(await until(() => rx.stats().datagrams >= sent, 3000), `all ${sent} datagrams arrive`);
      drain(rx, sink);
      const st = rx.stats();
      const s = rx.summary();
      assert.is(st.datagrams, sent);
      assert.is(st.dropped, 0);
      assert.is(st.kernelDrops, 0);
      assert.is(st.pending, 0);
      assert.is(st.parsed, sent);
      assert.is(s.frames, sent);
      assert.is(sink.json.length, LOOP_SESSION.messages);
      assert.equal(sink.seqs, seq1toN(LOOP_SESSION.messages));
      assert.equal([s.gaps, s.duplicates, s.resets], [0, 0, 0]);
      assert.equal(s.rejected, {});
      assert.ok(Math.abs(sink.lastReceiveTs - Date.now() * 1e6) < 60e9, "receive timestamps are wall-clock ns");
      assert.equal(sink.json, reference(LOOP_SESSION));
    } finally {
      tx.close();
      rx.close();
    }
  });

  K("poll(max) parses at most max datagrams and leaves the rest for the next poll", async () => {
    const rx = KernelFeedReceiver.open(itch50, { ports: [0] });
    const tx = createSocket("udp4");
    try {
      const frames = [...moldFrames({ seed: 3, symbols: 5, messages: 400 }, { session: "KERNEL0002", endOfSession: false })].slice(0, 5);
      for (const f of frames) await sendTo(tx, f.payload, rx.ports[0]);
      assert.ok(await until(() => rx.pending === 5, 2000));
      const n = rx.poll(2);
      assert.is(n, frames[0].count + frames[1].count, "records of the first two datagrams");
      assert.is(rx.summary().frames, 2);
      assert.is(rx.pending, 3);
      assert.is(rx.ticks.at(0).seq, 1);
      assert.is(rx.ticks.at(n - 1).seq, frames[0].count + frames[1].count);
      assert.is(rx.poll(64), frames[2].count + frames[3].count + frames[4].count);
      assert.is(rx.ticks.at(0).seq, frames[2].sequence, "the next poll starts where the last stopped");
      assert.is(rx.pending, 0);
      assert.is(rx.poll(64), 0);
    } finally {
      tx.close();
      rx.close();
    }
  });

  K("holds datagrams the slots cannot take in the socket's buffer, where the kernel counts what it drops, and the parser reports the gap they leave", async () => {
    // Two slots and a socket buffer of a few datagrams: ten datagrams sent with no poll. The
    // kernel keeps what its buffer takes, drops the rest and counts them (SO_MEMINFO).
    const rx = KernelFeedReceiver.open(itch50, { ports: [0], maxDatagrams: 2, maxDatagramBytes: 2048, socketBufferBytes: 4096 });
    const tx = createSocket("udp4");
    try {
      const frames = [...moldFrames({ seed: 4, symbols: 10, messages: 2000 }, { session: "KERNEL0003", endOfSession: false })].slice(0, 11);
      assert.ok(frames.every((f) => f.payload.length > 1000), "datagrams of over 1000 bytes: a few fit the socket buffer");
      for (const f of frames.slice(0, 10)) await sendTo(tx, f.payload, rx.ports[0]);
      const sink = newSink();
      assert.ok(await until(() => {
        drain(rx, sink);
        return rx.stats().datagrams + (rx.stats().kernelDrops ?? 0) === 10;
      }, 2000), "every datagram received or counted by the kernel");
      const st = rx.stats();
      const kept = st.datagrams;
      assert.ok(kept > 2 && kept < 10, `kept ${kept}: more than the two slots, fewer than sent`);
      assert.is(st.kernelDrops, 10 - kept);
      assert.equal([st.dropped, st.pending, st.parsed], [0, 0, kept]);
      assert.is(st.bytes, frames.slice(0, kept).reduce((a, f) => a + f.payload.length, 0));
      const keptMessages = frames.slice(0, kept).reduce((a, f) => a + f.count, 0);
      assert.equal(sink.seqs, seq1toN(keptMessages));
      assert.is(rx.summary().gaps, 0);
      // The next datagram after the dropped ones: the parser sees the hole.
      await sendTo(tx, frames[10].payload, rx.ports[0]);
      assert.ok(rx.wait(2000));
      drain(rx, sink);
      const s = rx.summary();
      assert.is(s.gaps, 1);
      assert.is(s.gapMessages, frames.slice(kept, 10).reduce((a, f) => a + f.count, 0));
      assert.is(sink.seqs[sink.seqs.length - 1], Number(frames[10].sequence) + frames[10].count - 1);
    } finally {
      tx.close();
      rx.close();
    }
  });

  K("leaves what the slots cannot take in the socket's buffer, losing nothing", async () => {
    const rx = KernelFeedReceiver.open(itch50, { ports: [0], maxDatagrams: 3 });
    const tx = createSocket("udp4");
    try {
      const frames = [...moldFrames({ seed: 5, symbols: 5, messages: 400 }, { session: "KERNEL0009", endOfSession: false })].slice(0, 5);
      for (const f of frames) await sendTo(tx, f.payload, rx.ports[0]);
      assert.ok(await until(() => rx.pending === 3, 2000), "three slots filled");
      assert.equal([rx.stats().datagrams, rx.stats().dropped, rx.stats().maxDatagrams], [3, 0, 3]);
      const sink = newSink();
      drain(rx, sink);
      assert.equal([rx.stats().datagrams, rx.stats().parsed, rx.stats().dropped, rx.stats().kernelDrops], [5, 5, 0, 0]);
      assert.equal(sink.seqs, seq1toN(frames.reduce((a, f) => a + f.count, 0)));
    } finally {
      tx.close();
      rx.close();
    }
  });

  K("discards and counts a datagram longer than maxDatagramBytes (the kernel truncates it), and the parser reports the gap it leaves", async () => {
    const rx = KernelFeedReceiver.open(itch50, { ports: [0], maxDatagramBytes: 600 });
    const tx = createSocket("udp4");
    try {
      const frames = [...moldFrames({ seed: 6, symbols: 5, messages: 400 }, { session: "KERNEL0010", endOfSession: false, maxPayload: 500 })].slice(0, 3);
      const long = new Uint8Array(700);
      long.set(frames[1].payload);
      await sendTo(tx, frames[0].payload, rx.ports[0]);
      await sendTo(tx, long, rx.ports[0]);
      await sendTo(tx, frames[2].payload, rx.ports[0]);
      const sink = newSink();
      assert.ok(await until(() => (drain(rx, sink), rx.stats().datagrams === 3), 2000));
      const st = rx.stats();
      assert.equal([st.dropped, st.droppedBytes, st.parsed, st.pending, st.bytes], [1, 700, 2, 0, frames[0].payload.length + 700 + frames[2].payload.length]);
      const s = rx.summary();
      assert.equal([s.frames, s.gaps, s.gapMessages], [2, 1, frames[1].count]);
      const first = Number(frames[2].sequence);
      assert.equal(sink.seqs, [...seq1toN(frames[0].count), ...Array.from({ length: frames[2].count }, (_, i) => first + i)]);
    } finally {
      tx.close();
      rx.close();
    }
  });

  K("keeps datagrams whole and in order as its slots are reused", async () => {
    const SESSION = { seed: 8, symbols: 12, messages: 6000 };
    // Two slots, polled one datagram at a time with one or two held: each slot is received
    // into again and again.
    const rx = KernelFeedReceiver.open(itch50, { ports: [0], bufferBytes: 5000, maxDatagramBytes: 2048 });
    const tx = createSocket("udp4");
    const sink = newSink();
    try {
      assert.equal([rx.stats().maxDatagrams, rx.stats().bufferBytes], [2, 4096]);
      let sent = 0;
      for (const p of moldPackets(SESSION, { session: "KERNEL0004" })) {
        await sendTo(tx, p, rx.ports[0]);
        sent++;
        assert.ok(await until(() => rx.stats().datagrams === sent, 2000));
        if (rx.pending >= 2) {
          const n = rx.poll(1);
          for (let i = 0; i < n; i++) {
            const t = rx.ticks.at(i);
            sink.seqs.push(t.seq);
            sink.json.push(JSON.stringify(rx.message.at(t.msgOffset, t.msgLength).toJSON()));
          }
        }
      }
      drain(rx, sink, 1);
      assert.ok(sent > 100);
      assert.is(rx.stats().dropped, 0);
      assert.equal(sink.seqs, seq1toN(SESSION.messages));
      assert.equal(sink.json, reference(SESSION));
    } finally {
      tx.close();
      rx.close();
    }
  });

  K("stamps each record with its datagram's kernel receive time (wall clock, ns)", async () => {
    const rx = KernelFeedReceiver.open(itch50, { ports: [0] });
    const tx = createSocket("udp4");
    try {
      const frames = [...moldFrames({ seed: 7, symbols: 5, messages: 400 }, { session: "KERNEL0011", endOfSession: false })].slice(0, 2);
      const t0 = Date.now() * 1e6;
      await sendTo(tx, frames[0].payload, rx.ports[0]);
      await sleep(50);
      await sendTo(tx, frames[1].payload, rx.ports[0]);
      assert.ok(await until(() => rx.pending === 2, 2000));
      const t1 = Date.now() * 1e6;
      // Both datagrams in one poll: each record carries its own datagram's time, not the poll's.
      const n = rx.poll();
      assert.is(n, frames[0].count + frames[1].count);
      const ts = Array.from({ length: n }, (_, i) => rx.ticks.at(i).receiveTs);
      const a = ts[0];
      const b = ts[n - 1];
      assert.ok(ts.slice(0, frames[0].count).every((t) => t === a) && ts.slice(frames[0].count).every((t) => t === b), "one time per datagram");
      assert.ok(a >= t0 - 2e6 && b <= t1 + 2e6, `within the sends: ${a - t0} ns after the first, ${t1 - b} ns before the end`);
      assert.ok(b - a >= 45e6 && b - a < 1e9, `the second 50 ms after the first: ${(b - a) / 1e6} ms`);
    } finally {
      tx.close();
      rx.close();
    }
  });

  K("wait() blocks until datagrams are ready: true at once when some are, false on timeout and when closed", async () => {
    const rx = KernelFeedReceiver.open(itch50, { ports: [0] });
    const tx = createSocket("udp4");
    try {
      const t0 = Date.now();
      assert.is(rx.wait(40), false);
      assert.ok(Date.now() - t0 >= 35, "waited about the timeout");
      // Another process sends one datagram 200 ms from now, while this thread is blocked in wait().
      const sender = spawn(process.execPath, ["-e",
        `setTimeout(() => { const s = require("node:dgram").createSocket("udp4"); s.send(Buffer.from(process.argv[1], "hex"), ${rx.ports[0]}, "127.0.0.1", () => s.close()); }, 200)`,
        Buffer.from(firstPacket()).toString("hex")], { stdio: "ignore" });
      const exited = new Promise((r) => sender.on("exit", r));
      const t1 = Date.now();
      assert.is(rx.wait(10_000), true);
      assert.ok(Date.now() - t1 < 5000, `woken by the datagram after ${Date.now() - t1} ms, not the timeout`);
      await exited;
      assert.is(rx.wait(0), true, "still ready");
      assert.is(rx.pending, 1);
      assert.is(rx.wait(5000), true, "a datagram received and not parsed: at once");
      assert.ok(rx.poll() > 0);
      assert.is(rx.wait(0), false, "nothing left");
      await sendTo(tx, firstPacket(), rx.ports[0]);
      rx.close();
      assert.is(rx.wait(10), false, "closed");
      assert.is(rx.poll(), 0, "poll after close");
    } finally {
      tx.close();
      rx.close();
    }
  });

  K("receives on several ports in arrival order (kernel receive time), and close() gives the ports back", async () => {
    // Eight slots per socket: each poll takes a few from each, and the one that may hold older
    // datagrams than the other delivered stops the batch at its newest.
    const rx = KernelFeedReceiver.open(itch50, { ports: [0, 0], maxDatagrams: 16, maxDatagramBytes: 2048 });
    const tx = createSocket("udp4");
    const sink = newSink();
    const ports = [...rx.ports];
    try {
      assert.is(ports.length, 2);
      assert.is.not(ports[0], ports[1]);
      // Two datagrams to the first port, one to the second, and so on, all sent before any poll:
      // the order across sockets is the kernel's.
      let sent = 0;
      const sends: Promise<void>[] = [];
      for (const p of moldPackets({ seed: 9, symbols: 5, messages: 6000 }, { session: "KERNEL0005" })) {
        sends.push(sendTo(tx, p, ports[sent % 3 === 2 ? 1 : 0]));
        sent++;
      }
      await Promise.all(sends);
      assert.ok(sent > 100, `${sent} datagrams`);
      assert.ok(await until(() => (drain(rx, sink), rx.stats().datagrams === sent), 3000));
      assert.equal(sink.seqs, seq1toN(6000));
      assert.equal([rx.summary().gaps, rx.summary().duplicates, rx.stats().kernelDrops], [0, 0, 0]);
    } finally {
      tx.close();
      rx.close();
    }
    const again = KernelFeedReceiver.open(itch50, { ports });
    assert.equal(again.ports, ports);
    again.close();
  });

  K("A/B lines: a session sent on both ports is delivered once, in order", async () => {
    const probe = KernelFeedReceiver.open(itch50, { ports: [0, 0] });
    const lines = [probe.ports[0], probe.ports[1]] as [number, number];
    probe.close();
    const rx = KernelFeedReceiver.open(itch50, { ports: [], lines });
    const tx = createSocket("udp4");
    const sink = newSink();
    try {
      let sent = 0;
      for (const p of moldPackets({ seed: 10, symbols: 5, messages: 2000 }, { session: "KERNEL0006", endOfSession: false })) {
        await sendTo(tx, p, lines[0]);
        await sendTo(tx, p, lines[1]);
        sent += 2;
        assert.ok(await until(() => rx.stats().datagrams === sent, 2000));
        drain(rx, sink);
      }
      assert.equal(sink.seqs, seq1toN(2000));
      const s = rx.summary();
      assert.is(s.gaps, 0);
      assert.ok(s.lines, "per-line counters");
      assert.equal(s.lines!.map((l) => l.port), lines);
      assert.equal(s.lines!.map((l) => l.received), [2000, 2000]);
    } finally {
      tx.close();
      rx.close();
    }
  });

  K.run();

  // ---- openFeed: options and socket mode (no privileges needed) ----

  const O = suite("openFeed");

  O("mode 'socket' opens kernel sockets, says it was requested, and delivers", async () => {
    const src = openFeed(itch50, { iface: "lo", ports: [0], mode: "socket" });
    const tx = createSocket("udp4");
    try {
      assert.instance(src, KernelFeedReceiver);
      assert.is(src.mode, "socket");
      assert.is(src.modeReason, "socket: mode 'socket' requested");
      await sendTo(tx, firstPacket(), (src as KernelFeedReceiver).ports[0]);
      assert.ok(await src.wait(2000));
      assert.ok(src.poll() > 0);
      assert.is(src.ticks.at(0).seq, 1);
    } finally {
      tx.close();
      src.close();
    }
  });

  O("rejects bad options with ECONFIG (and an unknown interface with ENODEV) before opening anything", () => {
    const code = (fn: () => unknown): string => {
      try {
        fn();
      } catch (e) {
        assert.instance(e, XdpError);
        return `${(e as XdpError).code}: ${(e as XdpError).message}`;
      }
      return "no error";
    };
    assert.match(code(() => openFeed(itch50, { iface: "lo", ports: [], mode: "socket" })), "ECONFIG: no UDP port to receive");
    assert.match(code(() => openFeed(itch50, { iface: "lo", ports: [1], group: "10.1.2.3" })), "ECONFIG: group 10.1.2.3 is not an IPv4 multicast address");
    assert.match(code(() => openFeed(itch50, { iface: "lo", ports: [1], mode: "fast" as "auto" })), "ECONFIG: invalid mode 'fast'");
    assert.match(code(() => openFeed(itch50, { iface: "nosuchif0", ports: [1], mode: "socket" })), "ENODEV: if_nametoindex(nosuchif0) failed: no network interface named 'nosuchif0'");
    assert.match(code(() => KernelFeedReceiver.open(itch50, { ports: [70000] })), "ECONFIG: invalid UDP port 70000");
    assert.match(code(() => KernelFeedReceiver.open(itch50, { ports: [0], bufferBytes: 0 })), "ECONFIG: bufferBytes must be a positive integer");
  });

  O("a port in use is named, with the fix", () => {
    const a = KernelFeedReceiver.open(itch50, { ports: [0] });
    try {
      const e = (() => {
        try {
          KernelFeedReceiver.open(itch50, { ports: a.ports });
        } catch (err) {
          return err as XdpError;
        }
      })();
      assert.ok(e, "the second bind fails");
      assert.match(e!.message, `bind(0.0.0.0:${a.ports[0]}) failed with EADDRINUSE: another socket has UDP port ${a.ports[0]}`);
    } finally {
      a.close();
    }
  });

  O.run();

  // ---- openFeed auto: falling back when XDP is refused, and not when it must not (root) ----

  const PORT = 26470;
  const [A, labA] = pairSuite("openFeed auto fallback");
  const SMALL = { seed: 31, symbols: 10, messages: 3000 };
  const smallRef = () => reference(SMALL);

  /** Runs this file as a child in nsB and sends SMALL to 127.0.0.1:PORT inside nsB once it is open. */
  async function fallbackChild(opts: Parameters<typeof runFixture>[3], extra: Partial<ChildArgs> = {}): Promise<{ open: { mode: string; modeReason: string }; result: Record<string, unknown>; c: Child }> {
    const args: ChildArgs = { mode: "auto", iface: "lo", port: PORT, expect: SMALL.messages, timeoutMs: 10_000, holdMs: 0, ...extra };
    const c = runFixture(labA.pair.nsB, "../kernel.test.ts", [], { ...opts, env: { ...opts?.env, XDPFEED_KERNEL_CHILD: JSON.stringify(args) } });
    const open = JSON.parse((await c.line(/^OPEN /)).slice(5));
    const tx = KernelUdp.open(labA.pair.nsB);
    try {
      let i = 0;
      for (const p of moldPackets(SMALL, { session: "KERNEL0007" })) {
        tx.send("127.0.0.1", PORT, p);
        if (++i % 8 === 0) await sleep(2);
      }
    } finally {
      tx.close();
    }
    const result = JSON.parse((await c.line(/^RESULT /)).slice(7));
    const r = await c.exit();
    assert.is(r.code, 0, `child exit; stderr: ${c.err()}`);
    return { open, result, c };
  }

  function assertReceivedSmall(result: Record<string, unknown>): void {
    assert.is(result.messages, SMALL.messages);
    assert.ok(result.inOrder);
    assert.is(result.gaps, 0);
    assert.is(result.digest, digest(smallRef()));
  }

  const NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"];

  A("without privileges, auto runs on kernel sockets and says why (EPERM, capabilities)", async () => {
    if (labA.skip) return console.log("# skipped: needs root to run a child as nobody");
    const { open, result } = await fallbackChild({ prefix: NOBODY, readable: true });
    assert.is(open.mode, "socket");
    assert.match(open.modeReason, /^socket: auto fell back from AF_XDP \(EPERM\): /);
    assert.match(open.modeReason, "need CAP_NET_ADMIN, CAP_BPF and CAP_NET_RAW");
    assertReceivedSmall(result);
    assert.not.ok(hasXdp(labA.pair.nsB, "lo"));
  });

  A("without privileges, mode 'xdp' fails with the XDP error instead", async () => {
    if (labA.skip) return;
    const args: ChildArgs = { mode: "xdp", iface: "lo", port: PORT, expect: 1, timeoutMs: 1000, holdMs: 0 };
    const c = runFixture(labA.pair.nsB, "../kernel.test.ts", [], { prefix: NOBODY, readable: true, env: { XDPFEED_KERNEL_CHILD: JSON.stringify(args) } });
    const r = await c.exit();
    assert.is(r.code, 3, `stdout: ${c.out()} stderr: ${c.err()}`);
    const e = JSON.parse(c.out().trim().replace(/^ERROR /, ""));
    assert.is(e.code, "EPERM");
  });

  A("libxdp missing: auto falls back, naming ENOLIB and the package", async () => {
    if (labA.skip) return;
    const { open, result } = await fallbackChild({ env: { XDPFEED_LIBXDP: "/nonexistent/libxdp.so.1" } });
    assert.is(open.mode, "socket");
    assert.match(open.modeReason, /^socket: auto fell back from AF_XDP \(ENOLIB\): .*libxdp1/);
    assertReceivedSmall(result);
  });

  A("a kernel without AF_XDP: auto falls back (EAFNOSUPPORT) and leaves no XDP program behind", async () => {
    if (labA.skip) return;
    const { open, result } = await fallbackChild({}, { denyAfXdp: true });
    assert.is(open.mode, "socket");
    assert.match(open.modeReason, /^socket: auto fell back from AF_XDP \(EAFNOSUPPORT\): .*CONFIG_XDP_SOCKETS/);
    assertReceivedSmall(result);
    assert.not.ok(hasXdp(labA.pair.nsB, "lo"));
  });

  A("with privileges, auto runs on AF_XDP and says so", () => {
    if (labA.skip) return;
    const { pair } = labA;
    const src = inNetns(pair.nsB, () => openFeed(itch50, { iface: pair.ifB, ports: [PORT] }));
    try {
      assert.is(src.mode, "xdp");
      assert.instance(src, XdpFeedSource);
      assert.match(src.modeReason, new RegExp(`^xdp: auto, XDP available; AF_XDP on ${pair.ifB} queue 0 \\((native|generic) XDP, (zero-copy|copy) bind\\)$`));
      assert.ok(hasXdp(pair.nsB, pair.ifB));
    } finally {
      src.close();
    }
    assert.not.ok(hasXdp(pair.nsB, pair.ifB));
  });

  A("EBUSY (the interface's XDP is taken) fails instead of falling back", () => {
    if (labA.skip) return;
    const { pair } = labA;
    const holder = inNetns(pair.nsB, () => XdpSocket.open({ iface: pair.ifB, ports: [PORT] }));
    try {
      let err: unknown;
      try {
        inNetns(pair.nsB, () => openFeed(itch50, { iface: pair.ifB, ports: [PORT + 1], mode: "auto" })).close();
      } catch (e) {
        err = e;
      }
      assert.instance(err, XdpError);
      assert.is((err as XdpError).code, "EBUSY");
      // Nothing was left bound on the port by the failed attempt.
      inNetns(pair.nsB, () => KernelFeedReceiver.open(itch50, { ports: [PORT + 1] })).close();
    } finally {
      holder.close();
    }
  });

  A.run();

  // ---- multicast in both modes, inside the namespaces (root) ----

  const MPORT = 26480;
  const GROUP = "239.77.0.1";
  const OTHER_GROUP = "239.77.0.2";
  const MC_SESSION = { seed: 41, symbols: 20, messages: 5000 };
  const [M, labM] = pairSuite("openFeed multicast");

  M.before(() => {
    if (labM.skip) return;
    // The sender in nsA sends multicast out of its veth end.
    execFileSync("ip", ["-n", labM.pair.nsA, "route", "add", "224.0.0.0/4", "dev", labM.pair.ifA]);
  });

  const groups = (): string => execFileSync("ip", ["-n", labM.pair.nsB, "maddr", "show", "dev", labM.pair.ifB], { encoding: "utf8" });
  const joined = (): boolean => new RegExp(`\\binet\\s+${GROUP.replace(/\./g, "\\.")}\\b`).test(groups());

  /** Sends MC_SESSION to GROUP:MPORT from nsA, in bursts of 8; between bursts, onBurst (awaited). */
  async function sendSession(onBurst: () => void | Promise<void>): Promise<number> {
    const tx = KernelUdp.open(labM.pair.nsA);
    let sent = 0;
    try {
      for (const p of moldPackets(MC_SESSION, { session: "KERNEL0008" })) {
        tx.send(GROUP, MPORT, p);
        if (++sent % 8 === 0) await onBurst();
      }
    } finally {
      tx.close();
    }
    return sent;
  }

  M("XDP mode joins the group on the interface for its life and receives the group's datagrams", async () => {
    if (labM.skip) return;
    const { pair } = labM;
    assert.not.ok(joined());
    const src = inNetns(pair.nsB, () => openFeed(itch50, { iface: pair.ifB, ports: [MPORT], group: GROUP, mode: "xdp" }));
    const sink = newSink();
    try {
      assert.is(src.mode, "xdp");
      assert.match(src.modeReason, `xdp: mode 'xdp' requested; AF_XDP on ${pair.ifB} queue 0`);
      assert.match(src.modeReason, `group ${GROUP}`);
      assert.ok(joined(), `ip maddr lists ${GROUP} while the receiver runs:\n${groups()}`);
      // Another group on the same port: the XDP program's dst filter leaves it to the kernel.
      const other = KernelUdp.open(pair.nsA);
      for (let i = 0; i < 3; i++) other.send(OTHER_GROUP, MPORT, new Uint8Array(64));
      other.close();
      const sent = await sendSession(async () => {
        await src.wait(20);
        drain(src, sink);
      });
      const end = Date.now() + 5000;
      while (sink.json.length < MC_SESSION.messages && Date.now() < end) {
        if (drain(src, sink) === 0) await src.wait(20);
      }
      const s = src.summary();
      assert.is(s.frames, sent, "the session's datagrams, not the other group's");
      assert.equal(sink.seqs, seq1toN(MC_SESSION.messages));
      assert.equal([s.gaps, s.duplicates], [0, 0]);
      assert.equal(sink.json, reference(MC_SESSION));
    } finally {
      src.close();
    }
    assert.not.ok(joined(), `ip maddr no longer lists ${GROUP} after close():\n${groups()}`);
    assert.not.ok(hasXdp(pair.nsB, pair.ifB));
  });

  M("socket mode (a child process in the namespace, without libxdp/libbpf) joins the group, receives it, and leaves on close()", async () => {
    if (labM.skip) return;
    const { pair } = labM;
    const args: ChildArgs = { mode: "socket", iface: pair.ifB, port: MPORT, group: GROUP, expect: MC_SESSION.messages, timeoutMs: 15_000, holdMs: 3000 };
    // Without libxdp and libbpf: socket mode must not need them.
    const env = { XDPFEED_KERNEL_CHILD: JSON.stringify(args), XDPFEED_LIBXDP: "/nonexistent/libxdp.so.1", XDPFEED_LIBBPF: "/nonexistent/libbpf.so.1" };
    const c = runFixture(pair.nsB, "../kernel.test.ts", [], { env });
    try {
      const open = JSON.parse((await c.line(/^OPEN /)).slice(5));
      assert.equal(open, { mode: "socket", modeReason: "socket: mode 'socket' requested" });
      assert.ok(joined(), `ip maddr lists ${GROUP} while the receiver runs:\n${groups()}`);
      assert.not.ok(hasXdp(pair.nsB, pair.ifB), "socket mode attaches no XDP program");
      await sendSession(async () => {
        await sleep(2);
      });
      const result = JSON.parse((await c.line(/^RESULT /)).slice(7));
      assert.is(result.messages, MC_SESSION.messages);
      assert.ok(result.inOrder);
      assert.equal([result.gaps, result.duplicates], [0, 0]);
      assert.is(result.stats.dropped, 0);
      assert.is(result.digest, digest(reference(MC_SESSION)));
      await c.line(/^CLOSED/);
      assert.not.ok(joined(), `ip maddr no longer lists ${GROUP} after close() (the child is still running):\n${groups()}`);
      assert.is((await c.exit()).code, 0);
    } finally {
      c.proc.kill("SIGKILL");
    }
  });

  M("socket mode opened under inNetns binds and joins inside that namespace", async () => {
    if (labM.skip) return;
    const { pair } = labM;
    const src = inNetns(pair.nsB, () => openFeed(itch50, { iface: pair.ifB, ports: [MPORT], group: GROUP, mode: "socket" }));
    const sink = newSink();
    try {
      assert.ok(joined(), `ip maddr lists ${GROUP}:\n${groups()}`);
      await sendSession(async () => {
        await src.wait(20);
        drain(src, sink);
      });
      const end = Date.now() + 5000;
      while (sink.json.length < MC_SESSION.messages && Date.now() < end) {
        if (drain(src, sink) === 0) await src.wait(20);
      }
      assert.equal(sink.seqs, seq1toN(MC_SESSION.messages));
      assert.is((src as KernelFeedReceiver).stats().dropped, 0);
    } finally {
      src.close();
    }
    assert.not.ok(joined());
  });

  M.run();
}
