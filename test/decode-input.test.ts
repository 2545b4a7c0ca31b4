// `xdpfeed decode` on damaged and unusual input, as a user runs it: nothing already read is given
// up for one bad part, every loss is counted, and pipes are inputs like files.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { mold, iextp, encodeBySchema, frameOf, pcapOf, ENDS, concatBytes } from "./helpers/wire.js";
import { udpFrame } from "../src/socket/frame.js";
import { ITCH50_SCHEMA } from "../src/feeds/itch50-schema.js";
import { iexDeep } from "../src/feeds/feeds.js";
import { itchFileChunks } from "../src/itchgen/itch-writers.js";

const cli = fileURLToPath(new URL("../src/xdpfeed.mjs", import.meta.url));

function xdpfeed(args: string[], input?: Uint8Array) {
  const r = spawnSync(process.execPath, [cli, "decode", ...args], { encoding: "utf8", maxBuffer: 1 << 28, input });
  return { code: r.status, out: r.stdout, err: r.stderr, s: r.status === 0 && r.stdout ? JSON.parse(r.stdout) : null };
}

let dir = "";
const file = (name: string, bytes: Uint8Array): string => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

const itchMsg = (ref: number) => encodeBySchema(ITCH50_SCHEMA, "D", { stockLocate: 1, orderRef: ref });
const itchFrame = (seq: number, n = 1) => frameOf(mold("SESSION001", seq, Array.from({ length: n }, (_, i) => itchMsg(seq + i))));
const deepFrame = (seq: number) => frameOf(iextp(0x8004, 1, seq, [encodeBySchema(iexDeep.schema, "S", { systemEvent: "O", timestamp: 1n })]));
const ARP = (() => {
  const f = new Uint8Array(60);
  f.fill(0xff, 0, 6);
  f.set([0x08, 0x06], 12);
  return f;
})();

const D = suite("decode: damaged and unusual input");
D.before(() => {
  dir = mkdtempSync(join(tmpdir(), "xdpfeed-decode-"));
});
D.after(() => rmSync(dir, { recursive: true, force: true }));

D("decodes every frame after a capture record longer than any UDP datagram, counting it as oversized", () => {
  for (const [format, size, frame] of [["itch50", 229_376, itchFrame], ["iex-deep", 196_608, deepFrame]] as const) {
    const huge = new Uint8Array(size);
    huge.set(frame(2));
    const path = file(`${format}-huge.pcap`, pcapOf([frame(1), huge, ...Array.from({ length: 50 }, (_, i) => frame(2 + i))]));
    const r = xdpfeed(["--format", format, "--input", path, "--summary"]);
    assert.is(r.code, 0, r.err);
    assert.is(r.s.messages, 51, format);
    assert.equal(r.s.rejected, { oversized: 1 });
  }
  // Over the parser's whole input region (4 MiB) too.
  const path = file("itch-4m.pcap", pcapOf([itchFrame(1), new Uint8Array(5 << 20), itchFrame(2)]));
  const r = xdpfeed(["--format", "itch50", "--input", path, "--summary"]);
  assert.is(r.code, 0, r.err);
  assert.equal([r.s.messages, r.s.rejected.oversized], [2, 1]);
});

D("judges the format on the whole input: 4,095 ARP frames before the feed do not stop it", () => {
  const path = file("arp-first.pcap", pcapOf([...Array.from({ length: 4095 }, () => ARP), ...Array.from({ length: 20 }, (_, i) => deepFrame(1 + i))]));
  const r = xdpfeed(["--format", "iex-deep", "--input", path, "--summary"]);
  assert.is(r.code, 0, r.err);
  assert.equal([r.s.messages, r.s.rejected.notIp], [20, 4095]);
  // Nothing but ARP is not the format.
  const arp = xdpfeed(["--format", "iex-deep", "--input", file("arp.pcap", pcapOf(Array.from({ length: 4095 }, () => ARP))), "--summary"]);
  assert.is(arp.code, 2);
  assert.match(arp.err, /is not iex-deep over iextp: no message parsed, 4095 rejected \(notIp\)/);
});

D("reads standard input (-), /dev/stdin and a FIFO, plain or gzip, as it reads the file", async () => {
  const frames = Array.from({ length: 300 }, (_, i) => itchFrame(1 + i * 2, 2));
  const plain = pcapOf(frames);
  const ref = xdpfeed(["--format", "itch50", "--input", file("ref.pcap", plain), "--summary"]);
  assert.is(ref.s.messages, 600);
  for (const [name, bytes] of [["plain", plain], ["gzip", gzipSync(plain)]] as const) {
    for (const input of ["-", "/dev/stdin"]) {
      const r = xdpfeed(["--format", "itch50", "--input", input, "--summary"], bytes);
      assert.is(r.code, 0, `${name} ${input}: ${r.err}`);
      assert.equal(r.s, ref.s, `${name} ${input}`);
    }
    const fifo = join(dir, `feed-${name}.fifo`);
    assert.is(spawnSync("mkfifo", [fifo]).status, 0);
    const child = spawn(process.execPath, [cli, "decode", "--format", "itch50", "--input", fifo, "--summary"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    writeFileSync(fifo, bytes); // blocks until the reader opens the FIFO
    const code = await new Promise((res) => child.on("close", res));
    assert.is(code, 0);
    assert.equal(JSON.parse(out), ref.s, `${name} FIFO`);
  }
  // A NASDAQ binary ITCH file through a pipe: told from its first bytes, read in one pass.
  const itchFile = concatBytes([...itchFileChunks({ seed: 3, symbols: 20, messages: 5000 })]);
  const viaFile = xdpfeed(["--format", "itch50", "--input", file("s.itch", itchFile), "--summary"]);
  const viaPipe = xdpfeed(["--format", "itch50", "--input", "-", "--summary"], itchFile);
  assert.is(viaPipe.code, 0, viaPipe.err);
  assert.equal(viaPipe.s, viaFile.s);
  assert.ok(viaFile.s.messages >= 5000);
});

D("resynchronises a NASDAQ binary file after a bad length prefix, counting what it skipped and recovered", () => {
  const whole = concatBytes([...itchFileChunks({ seed: 11, symbols: 30, messages: 20_000 })]);
  const good = xdpfeed(["--format", "itch50", "--input", file("good.itch", whole), "--summary"]);
  const total = good.s.messages;
  // Message k's length prefix claims 0x4000 bytes: without resynchronising it swallows ~400 messages.
  let at = 0;
  const k = 10_000;
  for (let i = 0; i < k; i++) at += 2 + ((whole[at] << 8) | whole[at + 1]);
  const len = (whole[at] << 8) | whole[at + 1];
  const bad = whole.slice();
  bad[at] = 0x40;
  bad[at + 1] = 0x00;
  const r = xdpfeed(["--format", "itch50", "--input", file("bad.itch", bad), "--summary"]);
  assert.is(r.code, 0, r.err);
  assert.equal([r.s.messages, r.s.resyncs, r.s.skippedBytes, r.s.recoveredMessages], [total - 1, 1, 2 + len, total - k - 1]);
  assert.equal(r.s.rejected, { damaged: 1 });
  assert.match(r.err, new RegExp(`${2 + len} bytes at offset ${at} are no ITCH messages`));
  // Garbage is still not the format.
  const junk = xdpfeed(["--format", "itch50", "--input", file("junk.bin", Uint8Array.from({ length: 5000 }, (_, i) => (i * 131 + 7) & 0xff)), "--summary"]);
  assert.is(junk.code, 2, junk.out);
});

D("treats an empty input the same way for every format: nothing decoded, exit 0, said on stderr", () => {
  const path = file("empty", new Uint8Array(0));
  for (const format of ["itch50", "iex-tops", "iex-deep"]) {
    const r = xdpfeed(["--format", format, "--input", path, "--summary"]);
    assert.is(r.code, 0, `${format}: ${r.err}`);
    assert.is(r.s.messages, 0);
    assert.match(r.err, /is empty/);
    const piped = xdpfeed(["--format", format, "--input", "-", "--summary"], new Uint8Array(0));
    assert.is(piped.code, 0, `${format} piped: ${piped.err}`);
  }
});

D("--port 0 and --no-dedup decode an anonymised capture whose packets all carry port 0 and sequence 0", () => {
  const anon = Array.from({ length: 10 }, (_, i) => udpFrame({ ...ENDS, dstPort: 0 }, mold("SESSION001", 0, [itchMsg(2 * i), itchMsg(2 * i + 1)])));
  const path = file("anon.pcap", pcapOf([...anon, itchFrame(1)]));
  const dedup = xdpfeed(["--format", "itch50", "--input", path, "--port", "0", "--summary"]);
  assert.is(dedup.code, 0, dedup.err);
  assert.equal([dedup.s.messages, dedup.s.duplicates], [2, 18]);
  const all = xdpfeed(["--format", "itch50", "--input", path, "--port", "0", "--no-dedup", "--summary"]);
  assert.equal([all.s.messages, all.s.duplicates, all.s.rejected.otherPort], [20, 0, 1]);
});

D("names no API function in what it prints", () => {
  const r = xdpfeed(["--format", "itch50", "--framing", "raw", "--input", file("cap.pcap", pcapOf([itchFrame(1)])), "--summary"]);
  assert.is(r.code, 2);
  assert.match(r.err, /is a pcap capture, not a NASDAQ binary ITCH file/);
  assert.not.match(r.err, /read[A-Z]\w+\(|readPackets|readItchBinary/);
});


D.run();
