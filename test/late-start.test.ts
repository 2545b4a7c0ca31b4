// A late start across two namespaces: `xdpfeed serve` publishes a session (with seeded loss) and
// serves GLIMPSE snapshots; `xdpfeed listen --snapshot` joins in the middle, through AF_XDP and
// through kernel sockets. From the switch to live on, it prints exactly what `decode --json`
// prints from the snapshot's sequence on, and its book changes exactly as that of a receiver that
// saw the whole session.

import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { startProcess as start, type Proc } from "./helpers/child.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeItchFile, itchInputChunks } from "../src/itchgen/itch-writers.js";
import { runStrategy, ReplaySource } from "../src/index.js";
import { bookHook } from "../src/strategy/book-hook.js";
import { itch50 } from "../src/feeds/feeds.js";
import { pairSuite } from "./helpers/netns.js";
import bboDigestStrategy from "./fixtures/bbo-digest-strategy.js";

const cli = fileURLToPath(new URL("../src/xdpfeed.mjs", import.meta.url));
const digestFixture = fileURLToPath(new URL("fixtures/bbo-digest-strategy.ts", import.meta.url));
const SESSION = { seed: 43, symbols: 25, messages: 30_000 };
const dir = mkdtempSync(join(tmpdir(), "xdpfeed-late-"));
const file = join(dir, "session.itch");

// The BBO changes of a receiver that saw the whole session, from the tick after `after` on.
async function referenceDigest(after: number): Promise<string> {
  const src = new ReplaySource(itch50, [...itchInputChunks(SESSION)].map((c) => ({ ...c, data: c.data.slice() })), "messages", { book: true });
  const s = bboDigestStrategy(after);
  await runStrategy({ onTick: s.onTick, onBbo: s.onBbo }, src, { book: bookHook(src.book!), warmup: false });
  return JSON.stringify({ bboDigest: s.result() });
}

let decoded: string[] = [];
const [T, lab] = pairSuite("late start from a snapshot");
T.before(async () => {
  await writeItchFile(file, SESSION);
  const d = spawnSync(process.execPath, [cli, "decode", "--format", "itch50", "--input", file, "--json"], { encoding: "utf8", maxBuffer: 1 << 28 });
  decoded = d.stdout.split("\n").filter((l) => l !== "");
});
T.after(() => rmSync(dir, { recursive: true, force: true }));

let port = 26900;
for (const [mode, delayMs] of [["xdp", 200], ["socket", 900]] as const) {
  T(`${mode} mode, joining ${delayMs} ms into the session: live from the snapshot's sequence on, as decode prints it, with the whole session's book`, async () => {
    if (lab.skip) return;
    const { pair } = lab;
    const [feedPort, rport, sport] = [port++, port++, port++];
    const server = start(["ip", "netns", "exec", pair.nsA, process.execPath, cli, "serve", "--input", file, "--port", String(feedPort),
      "--dst", pair.ipB, "--rate", "400", "--loss", "0.01", "--seed", "3", "--retransmit-port", String(rport), "--snapshot-port", String(sport),
      "--user", "feed", "--password", "secret", "--linger", "3"]);
    let listener: Proc | undefined;
    try {
      await new Promise((r) => setTimeout(r, delayMs));
      listener = start(["ip", "netns", "exec", pair.nsB, process.execPath, cli, "listen", "--iface", pair.ifB, "--port", String(feedPort),
        "--format", "itch50", "--mode", mode, "--json", "--duration", "5", "--retransmit", `${pair.ipA}:${rport}`,
        "--snapshot", `${pair.ipA}:${sport}`, "--user", "feed", "--password", "secret", "--strategy", digestFixture]);
      assert.is(await listener.exit, 0, listener.err());
      const loaded = /snapshot loaded: (\d+) messages up to sequence (\d+)/.exec(listener.err());
      const [snapMessages, s] = [Number(loaded?.[1]), Number(loaded?.[2])];
      assert.ok(s > 1 && s < SESSION.messages, `joined in the middle: ${listener.err().slice(0, 400)}`);
      const lines = listener.err().trim().split("\n");
      const info = JSON.parse(lines.find((l) => l.startsWith('{"firstSeq"'))!);
      assert.equal([info.firstSeq, info.live.sequence], [s + 1, s], "the first live tick follows the snapshot, and the strategy was told");
      assert.is(listener.out(), decoded.slice(s).join("\n") + "\n", "from the snapshot's sequence on, exactly decode --json");
      assert.ok(lines.includes(await referenceDigest(s)), "the book changed from the switch on as the whole session's did");
      const report = JSON.parse(lines.pop()!);
      // The parser parsed the snapshot's messages (into the book), then the live ones after it.
      assert.equal([report.gaps, report.messages], [0, snapMessages + SESSION.messages - s]);
    } finally {
      listener?.child.kill("SIGKILL");
      server.child.kill("SIGKILL");
      await server.exit;
    }
  });
}

T("a login the snapshot server rejects ends listen with one line naming why", async () => {
  if (lab.skip) return;
  const { pair } = lab;
  const [feedPort, sport] = [port++, port++];
  const server = start(["ip", "netns", "exec", pair.nsA, process.execPath, cli, "serve", "--input", file, "--port", String(feedPort),
    "--dst", pair.ipB, "--rate", "400", "--snapshot-port", String(sport), "--user", "feed", "--password", "secret", "--linger", "0"]);
  try {
    await new Promise((r) => setTimeout(r, 300));
    const r = spawnSync("ip", ["netns", "exec", pair.nsB, process.execPath, cli, "listen", "--iface", pair.ifB, "--port", String(feedPort),
      "--format", "itch50", "--mode", "socket", "--duration", "5", "--snapshot", `${pair.ipA}:${sport}`, "--user", "feed", "--password", "wrong"],
    { encoding: "utf8", timeout: 30_000 });
    assert.is(r.status, 2, r.stderr);
    assert.match(r.stderr, /rejected/i);
    assert.is(r.stderr.trim().split("\n").filter((l) => l.startsWith("xdpfeed:")).length, 1);
  } finally {
    server.child.kill("SIGKILL");
    await server.exit;
  }
});

T.run();
