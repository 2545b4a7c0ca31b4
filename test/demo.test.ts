// The README's demo command, run as a user would, its summary checked.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { skipUnlessRoot } from "./helpers/netns.js";

const cli = fileURLToPath(new URL("../src/xdpfeed.mjs", import.meta.url));
const D = suite("xdpfeed demo");
const skip = skipUnlessRoot("xdpfeed demo");

D("sends, receives and verifies every frame over AF_XDP, then removes the namespaces", () => {
  if (skip) return;
  const out = execFileSync(process.execPath, [cli, "demo", "--count", "200000", "--rate", "200000", "--json"], { encoding: "utf8", timeout: 90_000 });
  const s = JSON.parse(out);
  assert.is(s.sent.sent, 200000);
  assert.is(s.receiver.mode.attach, "native");
  assert.is(s.receiver.verify.bad, 0);
  // Every frame is either received intact or counted as dropped by the kernel.
  assert.is(s.received.frames + s.receiver.xdp.rx_dropped, 200000);
  assert.is(s.receiver.verify.ok, s.received.frames);
  // How many the receiver keeps up with depends on the load of the machine; most, always.
  assert.ok(s.received.frames >= 100000, `received ${s.received.frames}`);
  assert.is(s.receiver.program.redirected, 200000);
  assert.ok(s.cleanedUp);
  const ns = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
  assert.not.match(ns, s.lab.senderNs);
  assert.not.match(ns, s.lab.receiverNs);
});

D("prints every option with its default in --help", () => {
  const out = execFileSync(process.execPath, [cli, "demo", "--help"], { encoding: "utf8" });
  for (const opt of ["--count", "--payload", "--rate", "--port", "--json"]) assert.match(out, opt);
  assert.match(out, "(default 1000000)");
});

D("rejects a bad option value with exit status 2 and a one-line error", () => {
  const r = spawnSync(process.execPath, [cli, "demo", "--count", "ten"], { encoding: "utf8" });
  assert.is(r.status, 2);
  assert.is(r.stderr.trim(), "xdpfeed: --count expects an integer >= 1, got 'ten' (see xdpfeed --help)");
});

D.run();
