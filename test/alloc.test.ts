// The receive path allocates nothing: poll, parse, book, dispatch and the views a strategy is
// handed, per packet and per empty poll, in AF_XDP and kernel-socket mode, busy and interrupt.
// A child (fixtures/alloc-receiver.ts) runs runStrategy as a user would over a veth pair (AF_XDP)
// or loopback (kernel sockets) inside namespaces this test creates; after a live warm-up the
// parent sends a bounded stream in bursts with idle spells between them (empty polls), and the
// child reports the collections in that window and the growth of V8's used heap across it.

import * as assert from "uvu/assert";
import { moldPackets } from "../src/itchgen/itch-writers.js";
import { YIELD_MS } from "../src/strategy/runner.js";
import { pairSuite } from "./helpers/netns.js";
import { runFixture } from "./helpers/child.js";
import { KernelUdp } from "./helpers/udp.js";

const SESSION = { seed: 11, symbols: 20, messages: 60_000 };
// Messages up to FROM are the live warm-up; the window runs from FROM to TO.
const FROM = 15_000;
const TO = 59_000;
// New-space growth allowed across the window: what the loop's yields to the event loop allocate
// (one every YIELD_MS; an immediate and what the event loop does around it: 1 KiB allowed),
// and a fixed 64 KiB for the stop of the run and the child's own timer. A receive path that
// allocated as little as 16 bytes a packet (~20,000 packets in the window) or per empty poll
// (millions when busy) would exceed it.
const slack = (windowMs: number) => 64 * 1024 + 1024 * Math.ceil(windowMs / YIELD_MS);

const [A, lab] = pairSuite("allocation on the receive path", { prefix: "xal" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Result { mode: string; reason: string; messages: number; windowMs: number; heapGrowth: number; collections: Array<{ kind: number; ms: number }>; bbos: number; warmup?: { records: number } }

async function measure(mode: "xdp" | "socket", run: "busy" | "interrupt", book: boolean): Promise<Result> {
  const { pair } = lab;
  const port = 26600 + (mode === "xdp" ? 0 : 10) + (run === "busy" ? 0 : 1) + (book ? 2 : 0);
  // AF_XDP: frames cross the veth pair to ifB; kernel sockets: loopback inside namespace B.
  const [iface, dst, senderNs] = mode === "xdp" ? [pair.ifB, pair.ipB, pair.nsA] : ["lo", "127.0.0.1", pair.nsB];
  const c = runFixture(pair.nsB, "alloc-receiver.ts", [mode, run, book ? "book" : "nobook", iface, String(port), String(FROM), String(TO)]);
  await c.line(/^READY$/, 60_000);
  const tx = KernelUdp.open(senderNs);
  let i = 0;
  // Small packets (two or three messages each): many packets for the messages.
  for (const p of moldPackets(SESSION, { session: "ALLOC00001", maxPayload: 120 })) {
    tx.send(dst, port, p);
    // Bursts of 16 packets; every 512 packets an idle spell of 30 ms: empty polls (busy) or
    // waits (interrupt) between the bursts.
    if (++i % 16 === 0) await sleep(i % 512 === 0 ? 30 : 1);
  }
  await c.exit(60_000);
  const line = c.out().split("\n").find((l) => l.startsWith("RESULT "));
  assert.ok(line, `no result; stderr: ${c.err()}`);
  return JSON.parse(line.slice(7)) as Result;
}

function assertNoAllocation(r: Result, what: string): void {
  assert.is(r.reason, "stopped", `${what}: the strategy saw the last message (${r.messages} parsed)`);
  assert.ok(r.windowMs > 500, `${what}: the window spans idle spells (${r.windowMs} ms)`);
  assert.equal(r.collections, [], `${what}: no collection in the window`);
  assert.ok(r.heapGrowth < slack(r.windowMs), `${what}: the new space grew ${r.heapGrowth} bytes across the ${Math.round(r.windowMs)} ms window`);
  assert.ok((r.warmup?.records ?? 0) > 0, `${what}: the run was warmed up before it reported ready`);
}

for (const mode of ["xdp", "socket"] as const) {
  for (const run of ["busy", "interrupt"] as const) {
    A(`${mode} mode, ${run} polling: nothing allocated per packet or per empty poll after warm-up`, async () => {
      if (lab.skip) return;
      const r = await measure(mode, run, false);
      assert.is(r.mode, mode);
      assertNoAllocation(r, `${mode}/${run}`);
    });
  }
  A(`${mode} mode with the order book and BBO events: nothing allocated either`, async () => {
    if (lab.skip) return;
    const r = await measure(mode, "busy", true);
    assertNoAllocation(r, `${mode}/book`);
    assert.ok(r.bbos > 0, "BBO events were dispatched");
  });
}

A.run();
