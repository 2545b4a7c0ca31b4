// End to end in namespaces: `xdpfeed replay` of a generated ITCH file from one namespace into
// `xdpfeed listen --json` in the other gives exactly `xdpfeed decode --json` of the same file,
// through AF_XDP and through kernel sockets.

import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { startProcess as start, until, type Proc } from "./helpers/child.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileSync } from "node:fs";
import { writeItchFile } from "../src/itchgen/itch-writers.js";
import { ITCH50_SCHEMA } from "../src/feeds/itch50-schema.js";
import { encodeBySchema, mold, frameOf, pcapOf } from "./helpers/wire.js";
import { pairSuite, hasXdp } from "./helpers/netns.js";

const cli = fileURLToPath(new URL("../src/xdpfeed.mjs", import.meta.url));
const SESSION = { seed: 31, symbols: 25, messages: 30_000 };
const PORT = 26400;
const dir = mkdtempSync(join(tmpdir(), "xdpfeed-listen-"));
const file = join(dir, "session.itch");

const [L, lab] = pairSuite("replay into listen");
L.before(async () => {
  await writeItchFile(file, SESSION);
});
L.after(() => rmSync(dir, { recursive: true, force: true }));

for (const mode of ["xdp", "socket"] as const) {
  L(`listen --json in ${mode} mode prints exactly what decode --json prints for the replayed file`, async () => {
    if (lab.skip) return;
    const { pair } = lab;
    const want = spawnSync(process.execPath, [cli, "decode", "--format", "itch50", "--input", file, "--json"], { encoding: "utf8", maxBuffer: 1 << 28 });
    assert.is(want.status, 0, want.stderr);
    // The socket run also carries a strategy that follows the book: listen must give it one.
    const strategy = mode === "socket" ? ["--strategy", fileURLToPath(new URL("fixtures/book-strategy.ts", import.meta.url))] : [];
    const listener = start(["ip", "netns", "exec", pair.nsB, process.execPath, cli, "listen", "--iface", pair.ifB, "--port", String(PORT),
      "--format", "itch50", "--mode", mode, "--json", "--count", String(SESSION.messages), "--duration", "60", ...strategy]);
    await until(() => listener.err().includes("xdpfeed listen:"), 20_000, `listen to start: ${listener.err()}`);
    assert.match(listener.err(), mode === "xdp" ? "xdp" : "socket");
    if (mode === "xdp") assert.ok(hasXdp(pair.nsB, pair.ifB), "XDP program attached while listening");
    const via = mode === "xdp"
      ? ["--via", "xdp", "--iface", pair.ifA, "--dst-mac", pair.macB]
      : ["--via", "socket"];
    const sender = start(["ip", "netns", "exec", pair.nsA, process.execPath, cli, "replay", "--input", file, "--port", String(PORT),
      "--dst", pair.ipB, "--rate", "20000", ...via]);
    assert.is(await sender.exit, 0, sender.err());
    assert.is(await listener.exit, 0, listener.err());
    assert.is(listener.out(), want.stdout);
    const report = JSON.parse(listener.err().trim().split("\n").pop()!);
    assert.equal([report.mode, report.messages, report.gaps, report.duplicates, report.stopped], [mode, SESSION.messages, 0, 0, "count"]);
    assert.not.ok(hasXdp(pair.nsB, pair.ifB), "listen detached everything on the way out");
    if (mode === "socket") {
      const line = listener.err().split("\n").find((l) => l.startsWith('{"bookStrategy"'));
      assert.ok(line, `the strategy's report: ${listener.err()}`);
      const r = JSON.parse(line!).bookStrategy;
      assert.ok(r.bbo > 1000 && r.book > 100 && r.ordered, JSON.stringify(r));
    }
  });
}

L("listen --latency reports receive minus exchange time as a histogram for every message, and warns about the clocks", async () => {
  if (lab.skip) return;
  const { pair } = lab;
  const listener = start(["ip", "netns", "exec", pair.nsB, process.execPath, cli, "listen", "--iface", pair.ifB, "--port", String(PORT + 1),
    "--format", "itch50", "--mode", "socket", "--latency", "--count", String(SESSION.messages), "--duration", "60"]);
  await until(() => listener.err().includes("xdpfeed listen: itch50"), 20_000, `listen to start: ${listener.err()}`);
  const sender = start(["ip", "netns", "exec", pair.nsA, process.execPath, cli, "replay", "--input", file, "--port", String(PORT + 1),
    "--dst", pair.ipB, "--rate", "20000", "--via", "socket"]);
  assert.is(await sender.exit, 0, sender.err());
  assert.is(await listener.exit, 0, listener.err());
  assert.match(listener.err(), "synchronised to the exchange's (PTP)");
  const report = JSON.parse(listener.out().trim().split("\n").pop()!);
  assert.is(report.messages, SESSION.messages);
  const l = report.latency;
  // Every generated message carries a timestamp: each one is either a sample or counted apart.
  assert.is(l.samples + l.negative, SESSION.messages, JSON.stringify(report));
  if (l.samples > 0) assert.ok(l.p50 <= l.p99 && l.p99 <= l.max && l.p50 > 0, JSON.stringify(l));
});

L("listen counts the frames the ring dropped while a strategy stalled, in its JSON status lines and its final summary", async () => {
  if (lab.skip) return;
  const { pair } = lab;
  // 6,000 single-message packets, sent at full speed while the strategy stalls: more than the ring holds.
  const SENT = 6000;
  const msg = (ref: number) => encodeBySchema(ITCH50_SCHEMA, "D", { stockLocate: 1, orderRef: ref });
  const burst = join(dir, "burst.pcap");
  writeFileSync(burst, pcapOf(Array.from({ length: SENT }, (_, i) => frameOf(mold("BURST00001", i + 1, [msg(i + 1)])))));
  const listener = start(["ip", "netns", "exec", pair.nsB, process.execPath, cli, "listen", "--iface", pair.ifB, "--port", String(PORT + 2),
    "--format", "itch50", "--mode", "xdp", "--duration", "5", "--stats-interval", "1", "--json",
    "--strategy", fileURLToPath(new URL("fixtures/stall-strategy.ts", import.meta.url))]);
  await until(() => listener.err().includes("xdpfeed listen: itch50"), 20_000, `listen to start: ${listener.err()}`);
  const sender = start(["ip", "netns", "exec", pair.nsA, process.execPath, cli, "replay", "--input", burst, "--port", String(PORT + 2),
    "--dst", pair.ipB, "--via", "xdp", "--iface", pair.ifA, "--dst-mac", pair.macB]);
  assert.is(await sender.exit, 0, sender.err());
  assert.is(await listener.exit, 0, listener.err());
  const lines = listener.err().trim().split("\n").filter((l) => l.startsWith("{"));
  const report = JSON.parse(lines.pop()!);
  const status = lines.filter((l) => l.startsWith('{"status"')).map((l) => JSON.parse(l).status);
  assert.ok(status.length >= 2, `a JSON status line a second: ${listener.err()}`);
  assert.ok(report.drops.total > 0, JSON.stringify(report));
  // Every packet sent was parsed or dropped on the ring; the loss at the end opened no gap.
  assert.is(report.packets + report.drops.total, SENT, JSON.stringify(report));
  assert.is(report.drops.total, report.drops.rxDropped + report.drops.rxRingFull);
  assert.is(status[status.length - 1].drops.total, report.drops.total);
});

L.run();
