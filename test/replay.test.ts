// `xdpfeed replay` of a generated NASDAQ ITCH file: through AF_XDP TX from one namespace into a
// FeedReceiver in the other, and through a UDP socket on loopback; either way the messages that
// arrive are those `xdpfeed decode --json` reads from the file.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import dgram from "node:dgram";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeItchFile } from "../src/itchgen/itch-writers.js";
import { FeedReceiver } from "../src/feeds/receiver.js";
import { FeedParser } from "../src/feeds/parser.js";
import { itch50 } from "../src/feeds/feeds.js";
import { inNetns } from "../bridge/netns.js";
import { pairSuite } from "./helpers/netns.js";

const cli = fileURLToPath(new URL("../src/xdpfeed.mjs", import.meta.url));
const SESSION = { seed: 21, symbols: 30, messages: 40_000 };
const dir = mkdtempSync(join(tmpdir(), "xdpfeed-replay-"));
const file = join(dir, "session.itch");

function decoded(): string[] {
  const r = spawnSync(process.execPath, [cli, "decode", "--format", "itch50", "--input", file, "--json"], { encoding: "utf8", maxBuffer: 1 << 28 });
  assert.is(r.status, 0, r.stderr);
  return r.stdout.trimEnd().split("\n");
}

function run(argv: string[]): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    c.stderr.on("data", (d) => (err += d));
    const t = setTimeout(() => c.kill("SIGKILL"), 60_000);
    c.on("close", (code) => {
      clearTimeout(t);
      resolve({ code, err });
    });
  });
}

const [R, lab] = pairSuite("replay");
R.before(async () => {
  await writeItchFile(file, SESSION);
});
R.after(() => rmSync(dir, { recursive: true, force: true }));

R("replays an ITCH file as MoldUDP64 through AF_XDP TX into a receiver in another namespace", async () => {
  if (lab.skip) return;
  const { pair } = lab;
  const rx = inNetns(pair.nsB, () => FeedReceiver.open(itch50, { iface: pair.ifB, ports: [26400] }));
  const got: string[] = [];
  try {
    const child = run(["ip", "netns", "exec", pair.nsA, process.execPath, cli, "replay", "--input", file, "--iface", pair.ifA,
      "--port", "26400", "--dst", pair.ipB, "--dst-mac", pair.macB, "--rate", "20000", "--via", "xdp"]);
    let done: { code: number | null; err: string } | undefined;
    child.then((r) => (done = r));
    const end = Date.now() + 60_000;
    while ((!done || got.length < SESSION.messages) && Date.now() < end) {
      const n = rx.poll(64);
      for (let i = 0; i < n; i++) {
        const t = rx.ticks.at(i);
        got.push(JSON.stringify(rx.message.at(t.msgOffset, t.msgLength).toJSON(t.seq)));
      }
      if (n === 0) await new Promise((r) => setImmediate(r));
      if (done && n === 0 && got.length < SESSION.messages) await new Promise((r) => setTimeout(r, 50));
    }
    assert.is(done?.code, 0, done?.err);
    assert.match(done!.err, `(${SESSION.messages} messages`);
    assert.equal(rx.summary().gaps, 0);
    assert.equal(got, decoded());
  } finally {
    rx.close();
  }
});

R("replays an ITCH file through a UDP socket on loopback", async () => {
  const sock = dgram.createSocket({ type: "udp4", recvBufferSize: 8 << 20 });
  const payloads: Uint8Array[] = [];
  sock.on("message", (m) => payloads.push(new Uint8Array(m)));
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", r));
  const port = sock.address().port;
  const r = await run([process.execPath, cli, "replay", "--input", file, "--port", String(port), "--dst", "127.0.0.1", "--via", "socket", "--rate", "20000"]);
  await new Promise((res) => setTimeout(res, 200));
  sock.close();
  assert.is(r.code, 0, r.err);
  const p = new FeedParser(itch50);
  const got: string[] = [];
  const data = new Uint8Array(payloads.reduce((a, x) => a + x.length, 0));
  const offsets: number[] = [];
  let at = 0;
  for (const x of payloads) { offsets.push(at); data.set(x, at); at += x.length; }
  p.parse({ data, count: payloads.length, offsets, lengths: payloads.map((x) => x.length) }, "payloads", (n) => {
    for (let i = 0; i < n; i++) got.push(JSON.stringify(p.message.at(p.ticks.at(i).msgOffset, p.ticks.msgLength).toJSON(p.ticks.seq)));
  });
  assert.equal([p.summary().gaps, p.summary().duplicates, got.length], [0, 0, SESSION.messages], JSON.stringify(p.summary()));
  assert.equal(got, decoded());
});

R.run();
