// The README's demo command, run as a user would, its summary checked.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { skipUnlessRoot } from "./helpers/netns.js";
import { installedPackage } from "./helpers/package.js";

const cli = fileURLToPath(new URL("../src/xdpfeed.mjs", import.meta.url));
const D = suite("xdpfeed demo");
const skip = skipUnlessRoot("xdpfeed demo");

D("replays a generated ITCH session AF_XDP to AF_XDP, parses and trades on every message, removes the namespaces", () => {
  if (skip) return;
  const out = execFileSync(process.execPath, [cli, "demo", "--messages", "100000", "--json"], { encoding: "utf8", timeout: 90_000 });
  const s = JSON.parse(out);
  assert.equal([s.mode, s.sent.messages, s.received.messages, s.parser.gaps, s.parser.duplicates], ["xdp", 100000, 100000, 0, 0]);
  assert.equal(s.parser.rejected, {});
  // Latency per packet after the warm-up, not per message: one sample for each packet sent after
  // the warm-up (the ~43 messages of a packet share its send time and count once).
  assert.ok(s.latencyUs.warmupPackets > 0 && s.latencyUs.warmupPackets < s.sent.packets / 2, JSON.stringify(s.latencyUs));
  assert.is(s.latencyUs.samples, s.sent.packets - s.latencyUs.warmupPackets);
  assert.ok(s.sent.packets < s.sent.messages / 10, `${s.sent.packets} packets for ${s.sent.messages} messages`);
  assert.ok(s.latencyUs.p50 > 0 && s.latencyUs.p50 <= s.latencyUs.p99 && s.latencyUs.p99 <= s.latencyUs.max);
  assert.match(s.vwap, /instrument\s+\d+\s+volume\s+\d+\s+vwap \d+\.\d{4}/);
  assert.ok(s.cleanedUp);
  const ns = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
  assert.not.match(ns, /^xfd/m);
});

D("--loss: the packets the sender drops are requested from a retransmission server and recovered, every message once", () => {
  if (skip) return;
  const out = execFileSync(process.execPath, [cli, "demo", "--messages", "60000", "--loss", "0.02", "--json"], { encoding: "utf8", timeout: 90_000 });
  const s = JSON.parse(out);
  assert.equal([s.sent.messages, s.received.messages, s.parser.gaps], [60000, 60000, 0]);
  const rec = s.loss.recovery;
  // A request retried after its timeout (a loaded machine) may be answered twice: the later answer's
  // messages are dropped as duplicates, counted. Without a retry there is no second copy to drop.
  assert.ok(s.parser.duplicates === 0 || rec.requestsRetried > 0, `${s.parser.duplicates} duplicates, ${JSON.stringify(rec)}`);
  assert.ok(s.loss.dropped > 0, JSON.stringify(s.loss));
  assert.ok(rec.gapsDetected > 0 && rec.gapsRecovered === rec.gapsDetected && rec.gapsUnrecoverable === 0, JSON.stringify(rec));
  assert.ok(s.cleanedUp);
});

D("without root, the installed package runs the same pipeline through kernel sockets on loopback, and says so", () => {
  if (skip) return;
  // As a user who installed xdpfeed: the compiled CLI of the packed tarball, run as nobody.
  const pkg = installedPackage();
  const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", process.execPath, pkg.bin, "demo", "--messages", "50000", "--port", "26455"],
    { encoding: "utf8", timeout: 90_000, cwd: pkg.project });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, "not root, so no namespaces and no AF_XDP: the same pipeline through kernel UDP sockets on loopback");
  assert.match(r.stdout, "received  50,000 messages; gaps 0, duplicates 0");
  assert.match(r.stdout, /latency\s+wire to strategy per packet, µs: p50/);
});

D("--raw: sends, receives and verifies every generator frame over AF_XDP, then removes the namespaces", () => {
  if (skip) return;
  const out = execFileSync(process.execPath, [cli, "demo", "--raw", "--count", "200000", "--rate", "200000", "--json"], { encoding: "utf8", timeout: 90_000 });
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
  for (const opt of ["--messages", "--symbols", "--seed", "--rate", "--port", "--strategy", "--loss", "--raw", "--count", "--payload", "--json"]) assert.match(out, opt);
  assert.match(out, "(default 300000)");
});

D("rejects a bad option value with exit status 2 and a one-line error", () => {
  const r = spawnSync(process.execPath, [cli, "demo", "--messages", "ten"], { encoding: "utf8" });
  assert.is(r.status, 2);
  assert.is(r.stderr.trim(), "xdpfeed: --messages expects an integer >= 1, got 'ten' (see xdpfeed --help)");
});

D.run();
