// `xdpfeed decode` as a user runs it: golden counts and integrity reports on the real IEX
// captures (../shared/data/iex, IEX sample data, see its README), JSON output, and the errors.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../src/xdpfeed.mjs", import.meta.url));
const iex = fileURLToPath(new URL("../../shared/data/iex/", import.meta.url));
const TOPS = join(iex, "TOPS16.pcapng.gz");
const DEEP = join(iex, "DEEP10.pcap.gz");
const haveIex = existsSync(TOPS) && existsSync(DEEP);

function xdpfeed(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", maxBuffer: 1 << 30 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const G = suite("decode: golden IEX captures");

G("TOPS16: 13,022 frames, 57,674 messages in one session with no gaps, duplicates or resets", () => {
  if (!haveIex) return console.log(`# skipped: no IEX samples at ${iex}`);
  const r = xdpfeed("decode", "--format", "iex-tops", "--input", TOPS, "--summary");
  assert.is(r.code, 0, r.err);
  const s = JSON.parse(r.out);
  assert.equal([s.packets, s.messages, s.gaps, s.duplicates, s.resets], [13022, 57674, 0, 0, 0]);
  assert.equal(s.rejected, {});
  assert.is(Object.values(s.byType as Record<string, number>).reduce((a, b) => a + b, 0), 57674);
});

G("DEEP10: 392,010 messages, eleven resets to 1, no gaps, and the truncated last frame reported", () => {
  if (!haveIex) return console.log(`# skipped: no IEX samples at ${iex}`);
  const r = xdpfeed("decode", "--format", "iex-deep", "--input", DEEP, "--summary");
  assert.is(r.code, 0, r.err);
  const s = JSON.parse(r.out);
  assert.equal([s.packets, s.messages, s.gaps, s.duplicates, s.resets], [121315, 392010, 0, 0, 11]);
  // The last frame is cut by the end of the file: its whole messages delivered, the rest counted.
  assert.equal([s.truncatedPackets, s.truncatedMessages], [1, 33]);
  assert.equal(s.rejected, {});
  assert.match(r.err, /record 121315 at offset 22195748: captured length 1490, only 460 bytes/);
  assert.is(s.byType["8"] + s.byType["5"], 27579, "price level updates");
});

G("DEEP10 cut to a 120-byte snaplen: no phantom gaps, the messages lost to the cut counted apart", async () => {
  if (!haveIex) return console.log(`# skipped: no IEX samples at ${iex}`);
  const { readPackets } = await import("../src/input/index.js");
  const { pcapOf } = await import("./helpers/wire.js");
  const frames: Uint8Array[] = [];
  for await (const b of readPackets(DEEP)) {
    for (let i = 0; i < b.count; i++) frames.push(b.data.slice(b.offsets[i], b.offsets[i] + Math.min(120, b.lengths[i])));
  }
  const dir = mkdtempSync(join(tmpdir(), "xdpfeed-snap-"));
  try {
    const path = join(dir, "deep120.pcap");
    writeFileSync(path, pcapOf(frames));
    const r = xdpfeed("decode", "--format", "iex-deep", "--input", path, "--summary");
    assert.is(r.code, 0, r.err);
    const s = JSON.parse(r.out);
    assert.equal([s.gaps, s.gapMessages, s.duplicates, s.resets], [0, 0, 0, 11]);
    assert.ok(s.messages > 0 && s.truncatedMessages > 0);
    // Every message of the capture was either delivered or lost to the cut.
    assert.is(s.messages + s.truncatedMessages, 392010 + 33);
    assert.equal(s.rejected, {});
    assert.match(r.err, new RegExp(`${s.truncatedPackets} packets cut short by the capture \\(its snaplen\\)`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

G("--json prints every message in feed order with its sequence number and spec field names", () => {
  if (!haveIex) return console.log(`# skipped: no IEX samples at ${iex}`);
  const r = xdpfeed("decode", "--format", "iex-tops", "--input", TOPS, "--json");
  assert.is(r.code, 0, r.err);
  const lines = r.out.trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.is(lines.length, 57674);
  assert.equal(lines.map((l) => l.seq), Array.from({ length: 57674 }, (_, i) => i + 1));
  assert.equal(lines[0], { type: "S", systemEvent: "O", timestamp: "1499697155788781087", seq: 1 });
  const q = lines.find((l) => l.type === "Q" && l.bidSize > 0);
  assert.equal(Object.keys(q), ["type", "flags", "timestamp", "symbol", "bidSize", "bidPrice", "askPrice", "askSize", "seq"]);
  assert.ok(Number.isInteger(q.bidPrice), "prices as integers in their implied-decimal units");
});

G("--port filters by UDP destination port", () => {
  if (!haveIex) return console.log(`# skipped: no IEX samples at ${iex}`);
  const other = JSON.parse(xdpfeed("decode", "--format", "iex-tops", "--input", TOPS, "--summary", "--port", "1234").out);
  assert.equal([other.messages, other.rejected.otherPort], [0, 13022]);
  const same = JSON.parse(xdpfeed("decode", "--format", "iex-tops", "--input", TOPS, "--summary", "--port", "16642").out);
  assert.is(same.messages, 57674);
});

G.run();

const E = suite("decode: errors");
const dir = mkdtempSync(join(tmpdir(), "xdpfeed-decode-"));
E.after(() => rmSync(dir, { recursive: true, force: true }));

E("a missing file: one line, exit status 2", () => {
  const r = xdpfeed("decode", "--format", "itch50", "--input", join(dir, "nope.pcap"), "--summary");
  assert.is(r.code, 2);
  assert.is(r.err, `xdpfeed: cannot open ${join(dir, "nope.pcap")}: no such file\n`);
});

E("a file that is no capture for an IEX format: one line, exit status 2", () => {
  const f = join(dir, "text.txt");
  writeFileSync(f, "hello, not a capture\n");
  const r = xdpfeed("decode", "--format", "iex-deep", "--input", f, "--summary");
  assert.is(r.code, 2);
  assert.is(r.err, `xdpfeed: ${f} is not a pcap, pcapng or gzip file\n`);
});

E("a capture of another feed: one line naming the format, exit status 2", () => {
  if (!haveIex) return console.log(`# skipped: no IEX samples at ${iex}`);
  const r = xdpfeed("decode", "--format", "iex-tops", "--input", DEEP, "--json");
  assert.is(r.code, 2);
  assert.match(r.err, /is not iex-tops over iextp: no message parsed/);
  assert.is(r.err.trim().split("\n").length, 1);
});

E("usage errors: exit status 2 with a pointer to --help", () => {
  assert.is(xdpfeed("decode", "--format", "itch50", "--input", "x").code, 2);
  assert.match(xdpfeed("decode", "--format", "nasdaq", "--input", "x", "--json").err, "unknown format 'nasdaq'");
  assert.match(xdpfeed("decode", "--format", "itch50", "--input", "x", "--json", "--framing", "iextp").err, "itch50 is framed by moldudp64, not iextp");
  const help = xdpfeed("decode", "--help").out;
  for (const opt of ["--format", "--input", "--json", "--summary", "--port", "--framing"]) assert.match(help, opt);
});

E.run();
