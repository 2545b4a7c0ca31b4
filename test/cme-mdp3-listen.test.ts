// End to end in namespaces: `xdpfeed replay` of a generated CME MDP 3.0 capture from one
// namespace into `xdpfeed listen --format cme-mdp3 --json` in the other prints exactly what
// `xdpfeed decode --json` prints for the capture (each message once, whole), through AF_XDP and
// through kernel sockets.

import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startProcess as start, until } from "./helpers/child.js";
import { frameOf, pcapOf } from "./helpers/wire.js";
import { pairSuite, hasXdp } from "./helpers/netns.js";
import { parsePayloads } from "./helpers/sbe.js";
import { mdp3Session } from "../src/mdp3gen/index.js";
import { FeedParser } from "../src/feeds/parser.js";
import { cmeMdp3 } from "../src/feeds/feeds.js";

const cli = fileURLToPath(new URL("../src/xdpfeed.mjs", import.meta.url));
const PORT = 26410;
const dir = mkdtempSync(join(tmpdir(), "xdpfeed-mdp3-listen-"));
const file = join(dir, "mdp3.pcap");
const packets = [...mdp3Session({ seed: 41, instruments: 30, packets: 3000, snapshotsAfter: [500], resetsAt: [2000] })].map((p) => p.bytes);
// What listen --count counts: records (a tick per group entry).
const parsed = parsePayloads(new FeedParser(cmeMdp3), packets);

const [L, lab] = pairSuite("cme-mdp3 replay into listen");
L.before(() => writeFileSync(file, pcapOf(packets.map(frameOf))));
L.after(() => rmSync(dir, { recursive: true, force: true }));

for (const mode of ["xdp", "socket"] as const) {
  L(`listen --json in ${mode} mode prints exactly what decode --json prints for the replayed capture`, async () => {
    if (lab.skip) return;
    const { pair } = lab;
    const want = spawnSync(process.execPath, [cli, "decode", "--format", "cme-mdp3", "--input", file, "--json"], { encoding: "utf8", maxBuffer: 1 << 28 });
    assert.is(want.status, 0, want.stderr);
    assert.is(want.stdout.split("\n").length - 1, parsed.messages.length, "decode prints each message once");
    const listener = start(["ip", "netns", "exec", pair.nsB, process.execPath, cli, "listen", "--iface", pair.ifB, "--port", String(PORT),
      "--format", "cme-mdp3", "--mode", mode, "--json", "--count", String(parsed.ticks.length), "--duration", "60"]);
    await until(() => listener.err().includes("xdpfeed listen:"), 90_000, `listen to start: ${listener.err()}`);
    if (mode === "xdp") assert.ok(hasXdp(pair.nsB, pair.ifB), "XDP program attached while listening");
    const via = mode === "xdp" ? ["--via", "xdp", "--iface", pair.ifA, "--dst-mac", pair.macB] : ["--via", "socket"];
    const sender = start(["ip", "netns", "exec", pair.nsA, process.execPath, cli, "replay", "--input", file, "--port", String(PORT),
      "--dst", pair.ipB, "--rate", "10000", ...via]);
    assert.is(await sender.exit, 0, sender.err());
    assert.is(await listener.exit, 0, listener.err());
    assert.is(listener.out(), want.stdout);
    const report = JSON.parse(listener.err().trim().split("\n").pop()!);
    assert.equal([report.mode, report.messages, report.gaps, report.duplicates, report.stopped], [mode, parsed.messages.length, 0, 0, "count"]);
    assert.not.ok(hasXdp(pair.nsB, pair.ifB), "listen detached everything on the way out");
  });
}

L.run();
