// `xdpfeed serve` into `xdpfeed listen --retransmit` across two namespaces, through AF_XDP and
// through kernel sockets: the publisher drops 1% or 10% of its packets at random (seeded), the
// receiver requests them, and what it prints is exactly `decode --json` of the file, its book
// having changed exactly as a receiver's that lost nothing.

import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { startProcess as start, until, type Proc } from "./helpers/child.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeItchFile, itchInputChunks } from "../src/itchgen/itch-writers.js";
import { runStrategy, ReplaySource } from "../src/index.js";
import { bookHook } from "../src/strategy/book-hook.js";
import { itch50 } from "../src/feeds/feeds.js";
import { pairSuite, hasXdp } from "./helpers/netns.js";
import bboDigestStrategy from "./fixtures/bbo-digest-strategy.js";

const cli = fileURLToPath(new URL("../src/xdpfeed.mjs", import.meta.url));
const digestFixture = fileURLToPath(new URL("fixtures/bbo-digest-strategy.ts", import.meta.url));
const SESSION = { seed: 41, symbols: 25, messages: 30_000 };
const dir = mkdtempSync(join(tmpdir(), "xdpfeed-serve-"));
const file = join(dir, "session.itch");

let want = "";
let wantDigest = "";
const [S, lab] = pairSuite("serve with loss into listen with retransmission");
S.before(async () => {
  await writeItchFile(file, SESSION);
  const d = spawnSync(process.execPath, [cli, "decode", "--format", "itch50", "--input", file, "--json"], { encoding: "utf8", maxBuffer: 1 << 28 });
  want = d.stdout;
  // The book of a receiver that lost nothing: the same strategy over the whole session.
  const src = new ReplaySource(itch50, [...itchInputChunks(SESSION)].map((c) => ({ ...c, data: c.data.slice() })), "messages", { book: true });
  const s = bboDigestStrategy();
  await runStrategy({ onTick: s.onTick, onBbo: s.onBbo }, src, { book: bookHook(src.book!), warmup: false });
  wantDigest = JSON.stringify({ bboDigest: s.result() });
});
S.after(() => rmSync(dir, { recursive: true, force: true }));

let port = 26800;
for (const mode of ["xdp", "socket"] as const) {
  for (const loss of [0.01, 0.1]) {
    S(`${mode} mode, ${loss * 100}% of packets lost: every message once, in order, as decode prints it, and the same book`, async () => {
      if (lab.skip) return;
      const { pair } = lab;
      const feedPort = port++;
      const rport = port++;
      const listener = start(["ip", "netns", "exec", pair.nsB, process.execPath, cli, "listen", "--iface", pair.ifB, "--port", String(feedPort),
        "--format", "itch50", "--mode", mode, "--json", "--count", String(SESSION.messages), "--duration", "60",
        "--retransmit", `${pair.ipA}:${rport}`, "--strategy", digestFixture]);
      try {
        await until(() => listener.err().includes("xdpfeed listen:"), 20_000, `listen to start: ${listener.err()}`);
        if (mode === "xdp") assert.ok(hasXdp(pair.nsB, pair.ifB), "XDP program attached while listening");
        const server = start(["ip", "netns", "exec", pair.nsA, process.execPath, cli, "serve", "--input", file, "--port", String(feedPort),
          "--dst", pair.ipB, "--rate", "5000", "--loss", String(loss), "--seed", "7", "--retransmit-port", String(rport), "--linger", "3"]);
        assert.is(await listener.exit, 0, listener.err());
        server.child.kill("SIGTERM");
        await server.exit;
        const served = JSON.parse(server.err().trim().split("\n").pop()!);
        assert.ok(served.dropped > 0, `the publisher dropped packets: ${server.err()}`);
        const lines = listener.err().trim().split("\n");
        const report = JSON.parse(lines.pop()!);
        // The counts first: when a message is missing, they and the server's say where it went.
        assert.equal([report.messages, report.gaps, report.stopped], [SESSION.messages, 0, "count"],
          `listener: ${JSON.stringify({ ...report, byType: undefined })}\nserver: ${JSON.stringify(served)}`);
        assert.is(listener.out(), want, "listen --json prints exactly decode --json of the file");
        const rec = report.recovery;
        assert.ok(rec.gapsRecovered > 0 && rec.gapsRecovered === rec.gapsDetected && rec.gapsUnrecoverable === 0, JSON.stringify(rec));
        assert.ok(lines.includes(wantDigest), `the book changed as a lossless receiver's: ${lines.find((l) => l.includes("bboDigest"))} vs ${wantDigest}`);
      } finally {
        listener.child.kill("SIGKILL");
      }
      assert.not.ok(hasXdp(pair.nsB, pair.ifB), "listen detached everything on the way out");
    });
  }
}

S.run();
