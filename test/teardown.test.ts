// The XDP program cannot outlive its owner: after SIGKILL, SIGTERM, SIGINT, an uncaught
// exception or a normal exit of a receiver process, the interface is as it was found and a
// kernel socket on the redirected port receives again.

import * as assert from "uvu/assert";
import { hasXdp, type VethPair, pairSuite } from "./helpers/netns.js";
import { runFixture, eventually } from "./helpers/child.js";
import { KernelUdp } from "./helpers/udp.js";

const PORT = 5000;
const [T, lab] = pairSuite("teardown of a receiver process");

async function kernelReceivesAgain(p: VethPair): Promise<void> {
  const k = KernelUdp.open(p.nsB, PORT);
  const s = KernelUdp.open(p.nsA);
  try {
    s.send(p.ipB, PORT, new Uint8Array([7]));
    assert.is((await k.receive(1, 2000)).length, 1, "kernel socket on the redirected port receives");
  } finally {
    k.close();
    s.close();
  }
}

const cases: Array<[string, (c: ReturnType<typeof runFixture>) => void, string, (r: { code: number | null; signal: string | null }) => void]> = [
  ["SIGKILL", (c) => c.proc.kill("SIGKILL"), "hold", (r) => assert.is(r.signal, "SIGKILL")],
  ["SIGTERM", (c) => c.proc.kill("SIGTERM"), "hold", (r) => assert.is(r.signal, "SIGTERM")],
  ["SIGINT", (c) => c.proc.kill("SIGINT"), "hold", (r) => assert.is(r.signal, "SIGINT")],
  ["an uncaught exception", () => {}, "throw", (r) => assert.is(r.code, 1)],
  ["a normal exit", () => {}, "exit", (r) => assert.is(r.code, 0)],
];

for (const [what, act, mode, exitCheck] of cases) {
  T(`leaves no XDP program after ${what}`, async () => {
    if (lab.skip) return;
    const c = runFixture(lab.pair.nsB, "receiver.ts", [lab.pair.ifB, String(PORT), mode]);
    await c.line(/^READY$/);
    assert.ok(hasXdp(lab.pair.nsB, lab.pair.ifB), "attached while the receiver runs");
    act(c);
    exitCheck(await c.exit());
    assert.ok(await eventually(() => !hasXdp(lab.pair.nsB, lab.pair.ifB)), `program still attached after ${what}`);
    await kernelReceivesAgain(lab.pair);
  });
}

T.run();
