// MoldUDP64 retransmission in one process, on loopback: a receiver (openFeed, kernel sockets)
// whose gaps are requested from a retransmission server, with the good server and hostile ones.
// Across namespaces and through AF_XDP: test/serve.test.ts.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import dgram from "node:dgram";
import { once } from "node:events";
import { openFeed, type FeedSource } from "../src/feeds/open.js";
import { itch50 } from "../src/feeds/feeds.js";
import { moldFrames, type MoldPacket } from "../src/itchgen/itch-writers.js";
import { MoldStore, RetransmissionServer } from "../src/recovery/server.js";
import { decodeRequest } from "../src/recovery/moldudp64.js";
import type { RecoveryStats, RetransmitOptions } from "../src/recovery/retransmitter.js";
import { dropsOf, type Drops } from "../src/cli/listen/drops.js";
import { receivingPath } from "../src/feeds/wrapped-source.js";
import type { KernelFeedReceiver } from "../src/feeds/kernel.js";
import * as L from "../assembly/layout.js";

const SESSION = "XDPFEED001";
const sessionBytes = Uint8Array.from(SESSION, (c) => c.charCodeAt(0));
let nextPort = 26700;

function packets(messages: number): MoldPacket[] {
  return [...moldFrames({ seed: 9, symbols: 20, messages }, { session: SESSION, endOfSession: false })].filter((p) => p.count > 0);
}

interface Run { seqs: number[]; s: ReturnType<FeedSource["summary"]> & { recovery: RecoveryStats }; drops: Drops }

// Sends the packets to a receiver on loopback, dropping those `lost` says, and polls it (letting the
// event loop turn, so that the server in this process answers) until `settleMs` after the last.
async function run(pk: MoldPacket[], lost: (i: number) => boolean, retransmit: Omit<RetransmitOptions, "host">, settleMs = 600,
  lostOnB?: (i: number) => boolean): Promise<Run> {
  const port = nextPort++;
  const portB = lostOnB ? nextPort++ : 0;
  const src = openFeed(itch50, {
    iface: "lo", ports: [port], lines: lostOnB ? [port, portB] : undefined, mode: "socket", retransmit: { host: "127.0.0.1", ...retransmit },
  });
  const tx = dgram.createSocket("udp4");
  const seqs: number[] = [];
  const drain = () => {
    for (let k = 0; k < 20; k++) {
      const n = src.poll(64);
      for (let i = 0; i < n; i++) seqs.push(src.ticks.at(i).seq);
    }
  };
  try {
    for (let i = 0; i < pk.length; i++) {
      if (!lost(i)) tx.send(pk[i].payload, port, "127.0.0.1");
      if (lostOnB && !lostOnB(i)) tx.send(pk[i].payload, portB, "127.0.0.1");
      if (i % 16 === 15) await new Promise((r) => setTimeout(r, 1));
      drain();
    }
    for (const end = Date.now() + settleMs; Date.now() < end;) {
      drain();
      await new Promise((r) => setTimeout(r, 1));
    }
    return { seqs, s: src.summary() as Run["s"], drops: dropsOf(src) };
  } finally {
    src.close();
    tx.close();
  }
}

// The messages of these packets, in a store of their session.
function storeOf(pk: MoldPacket[]): MoldStore {
  const store = new MoldStore(sessionBytes);
  for (const p of pk) store.addPacket(p.payload);
  return store;
}

// A retransmission server answering from the packets on loopback, closed after `body`.
async function withServer(pk: MoldPacket[], body: (server: RetransmissionServer) => Promise<void>): Promise<void> {
  const server = await RetransmissionServer.listen(storeOf(pk), 0, "127.0.0.1");
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

// Packets the parser holds back (PS_HELD), read from its memory.
function heldPackets(src: FeedSource): number {
  const { memory } = (receivingPath(src) as KernelFeedReceiver).parser;
  return new Uint32Array(memory.buffer, L.PSTATS_BASE, L.PSTATS_SIZE / 4)[L.PS_HELD / 4];
}

const inOrder = (seqs: number[]) => seqs.every((s, i) => s === i + 1);
const inOrderBut = (seqs: number[]) => seqs.every((s, i) => i === 0 || s > seqs[i - 1]);

const R = suite("retransmission");

R("fills every gap of a stream losing 10% of its packets: every message once, in order", async () => {
  const pk = packets(20_000);
  await withServer(pk, async (server) => {
    // Every tenth packet lost, the first one among them: a receiver also fills what came before its first packet.
    const r = await run(pk, (i) => i % 10 === 0, { port: server.port });
    const total = pk.reduce((a, p) => a + p.count, 0);
    assert.is(r.seqs.length, total);
    assert.ok(inOrder(r.seqs), "in sequence order");
    const rec = r.s.recovery;
    assert.equal([r.s.gaps, r.s.gapMessages, rec.gapsUnrecoverable], [0, 0, 0]);
    assert.is(rec.gapsRecovered, rec.gapsDetected);
    assert.is(rec.messagesRecovered, pk.filter((_, i) => i % 10 === 0).reduce((a, p) => a + p.count, 0));
    assert.ok(rec.recoveryUs.count === rec.gapsRecovered && rec.recoveryUs.max > 0);
    assert.is(server.stats.answered, rec.requestsSent);
  });
});

R("splits a gap longer than requestMax into requests of at most requestMax messages", async () => {
  const pk = packets(5000);
  await withServer(pk, async (server) => {
    // Packets 10..29 lost: one gap of several hundred messages.
    const r = await run(pk, (i) => i >= 10 && i < 30, { port: server.port, requestMax: 100 });
    const lostMessages = pk.slice(10, 30).reduce((a, p) => a + p.count, 0);
    assert.ok(inOrder(r.seqs) && r.seqs.length === pk.reduce((a, p) => a + p.count, 0));
    assert.is(r.s.recovery.requestsSent, Math.ceil(lostMessages / 100));
    assert.is(server.stats.messages, lostMessages);
  });
});

R("with A/B lines, requests only what both lines lost", async () => {
  const pk = packets(10_000);
  await withServer(pk, async (server) => {
    // Line A loses every 10th packet, line B every 15th: both lose every 30th.
    const r = await run(pk, (i) => i % 10 === 3, { port: server.port }, 600, (i) => i % 15 === 3);
    const both = pk.filter((_, i) => i % 30 === 3);
    assert.ok(inOrder(r.seqs) && r.seqs.length === pk.reduce((a, p) => a + p.count, 0), "every message once, in order");
    assert.is(r.s.recovery.gapsRequested, both.length);
    assert.is(r.s.recovery.messagesRecovered, both.reduce((a, p) => a + p.count, 0));
    assert.is(r.s.gaps, 0);
  });
});

// A server that answers each request with what `answer` makes of it (nothing: an empty list); its
// `send` answers later.
async function hostile(answer: (seq: bigint, count: number, send: (ps: Uint8Array[]) => void) => Uint8Array[]): Promise<{ port: number; requests: () => number; close: () => Promise<void> }> {
  const s = dgram.createSocket("udp4");
  let requests = 0;
  let open = true;
  s.on("message", (m, from) => {
    requests++;
    const r = decodeRequest(m);
    const send = (ps: Uint8Array[]) => {
      if (open) for (const p of ps) s.send(p, from.port, from.address);
    };
    if (r) send(answer(r.seq, r.count, send));
  });
  s.bind(0, "127.0.0.1");
  await once(s, "listening");
  return { port: s.address().port, requests: () => requests, close: async () => { open = false; s.close(); await once(s, "close"); } };
}

R("gives a gap up after its retries when the server never answers, reports its exact range, and goes on", async () => {
  const pk = packets(3000);
  const srv = await hostile(() => []);
  try {
    const r = await run(pk, (i) => i === 20, { port: srv.port, requestTimeoutMs: 5, retries: 3 });
    const lostFrom = pk[20].sequence;
    const lostTo = lostFrom + pk[20].count;
    const rec = r.s.recovery;
    assert.is(srv.requests(), 4, "the request and 3 retries");
    assert.equal([rec.requestsSent, rec.requestsRetried, rec.gapsUnrecoverable], [4, 3, 1]);
    assert.equal(rec.lost, [{ from: lostFrom, to: lostTo, reason: "unanswered" }]);
    assert.equal([r.s.gaps, r.s.gapMessages], [1, pk[20].count]);
    // Everything else came, in order, with the gap where it was.
    const want = pk.flatMap((p, i) => (i === 20 ? [] : Array.from({ length: p.count }, (_, k) => p.sequence + k)));
    assert.equal(r.seqs, want);
  } finally {
    await srv.close();
  }
});

R("ignores answers for another session, outside the range asked, or whose count disagrees with its blocks", async () => {
  const pk = packets(3000);
  const real = storeOf(pk);
  let round = 0;
  const srv = await hostile((seq, count) => {
    const [good] = real.packets(Number(seq), count);
    round++;
    if (round === 1) {
      const other = good.slice();
      other.set(Uint8Array.from("OTHERSESS1", (c) => c.charCodeAt(0)));
      const outside = real.packets(Number(seq) + 500, 3)[0];
      const lying = good.slice();
      new DataView(lying.buffer).setUint16(18, count + 5);
      return [other, outside, lying];
    }
    return [good];
  });
  try {
    const r = await run(pk, (i) => i === 20, { port: srv.port, requestTimeoutMs: 5 });
    const rec = r.s.recovery;
    assert.equal(rec.ignored, { wrongSession: 1, outOfRange: 1, malformed: 1 });
    assert.equal([rec.gapsRecovered, rec.gapsUnrecoverable, r.s.gaps], [1, 0, 0]);
    assert.ok(inOrder(r.seqs) && r.seqs.length === pk.reduce((a, p) => a + p.count, 0));
  } finally {
    await srv.close();
  }
});

R("an idle flush right after a packet opening a gap was held declares nothing: the gap is still requested and filled", async () => {
  const pk = packets(600);
  await withServer(pk, async (server) => {
    const port = nextPort++;
    const src = openFeed(itch50, { iface: "lo", ports: [port], mode: "socket", retransmit: { host: "127.0.0.1", port: server.port } });
    const tx = dgram.createSocket("udp4");
    const seqs: number[] = [];
    const take = (n: number) => { for (let i = 0; i < n; i++) seqs.push(src.ticks.at(i).seq); };
    try {
      // Packet 0 lost: packet 1 opens a gap at the session's first sequence and is held.
      tx.send(pk[1].payload, port, "127.0.0.1");
      for (const end = Date.now() + 2000; heldPackets(src) === 0 && Date.now() < end;) {
        take(src.poll(1));
        if (heldPackets(src) === 0) await new Promise((r) => setTimeout(r, 1));
      }
      assert.is(heldPackets(src), 1, "the packet opening the gap is held");
      take(src.flush());
      assert.is(src.summary().gaps, 0, "the flush declared no gap");
      for (let i = 2; i < pk.length; i++) tx.send(pk[i].payload, port, "127.0.0.1");
      for (const end = Date.now() + 2000; seqs.length < pk.reduce((a, p) => a + p.count, 0) && Date.now() < end;) {
        take(src.poll(64));
        await new Promise((r) => setTimeout(r, 1));
      }
      const rec = (src.summary() as Run["s"]).recovery;
      assert.equal([rec.gapsRecovered, rec.gapsUnrecoverable, src.summary().gaps], [1, 0, 0], JSON.stringify(rec));
      assert.ok(inOrder(seqs) && seqs.length === pk.reduce((a, p) => a + p.count, 0), "every message once, in order");
    } finally {
      src.close();
      tx.close();
    }
  });
});

R("leaves the live stream in the socket's buffer while the hold is full: a late answer still fills the gap, and nothing is lost", async () => {
  const pk = packets(6000);
  const real = storeOf(pk);
  // Answers only after 300 ms: far later than holdMax messages take to arrive.
  const srv = await hostile((seq, count, send) => {
    const ps = real.packets(Number(seq), count);
    setTimeout(() => send(ps), 300);
    return [];
  });
  try {
    const r = await run(pk, (i) => i === 5, { port: srv.port, holdMax: 500, requestTimeoutMs: 1000 }, 800);
    const rec = r.s.recovery;
    assert.equal([rec.gapsRecovered, rec.gapsUnrecoverable, r.s.gaps, rec.requestsRetried], [1, 0, 0, 0], JSON.stringify(rec));
    assert.is(rec.messagesRecovered, pk[5].count);
    assert.ok(inOrder(r.seqs) && r.seqs.length === pk.reduce((a, p) => a + p.count, 0), "every message once, in order");
    assert.is(r.drops.total, 0, "the socket's buffer kept what the hold had no room for");
  } finally {
    await srv.close();
  }
});

R("declares only the gap whose answer is late when answers to later gaps fill the hold, with its exact range, and ignores its answer", async () => {
  const pk = packets(6000);
  const real = storeOf(pk);
  const first = pk[5].sequence;
  // The first gap's answer after 400 ms, the later gaps' after 100: by then the live packets held
  // behind the first fill most of the hold, and the answers overflow it.
  const srv = await hostile((seq, count, send) => {
    const ps = real.packets(Number(seq), count);
    setTimeout(() => send(ps), seq === BigInt(first) ? 400 : 100);
    return [];
  });
  try {
    // Packet 5 lost, then every other one: a gap behind each live packet held.
    const lost = (i: number) => i === 5 || (i > 6 && i < 100 && i % 2 === 1);
    const r = await run(pk, lost, { port: srv.port, holdMax: 2000, requestTimeoutMs: 1000 }, 800);
    const rec = r.s.recovery;
    assert.is(rec.gapsUnrecoverable, 1, JSON.stringify(rec));
    assert.equal(rec.lost, [{ from: first, to: first + pk[5].count, reason: "holdLimit" }]);
    assert.is(rec.gapsRecovered, rec.gapsDetected - 1, "every other gap recovered, and reported so");
    assert.equal([r.s.gaps, r.s.gapMessages], [1, pk[5].count]);
    const total = pk.reduce((a, p) => a + p.count, 0);
    assert.is(r.seqs.length, total - pk[5].count, "everything but the declared packet, nothing twice");
    assert.ok(inOrderBut(r.seqs), "in order around the declared gap");
    // The answer came after the gap was declared: no longer asked for, it is counted and ignored.
    assert.is(rec.ignored.outOfRange, 1);
  } finally {
    await srv.close();
  }
});

R.run();
