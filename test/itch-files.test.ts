// Generated ITCH sessions through files: the MoldUDP64 framing of a generated pcap as tshark's
// moldudp64 dissector sees it, and `xdpfeed decode` of the same session as a NASDAQ binary file
// and as a pcap (gzip-compressed too), message for message.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writePcap, writeItchFile, moldFrames } from "../src/itchgen/itch-writers.js";
import { summarizeSession } from "../src/itchgen/itch-session.js";

const cli = fileURLToPath(new URL("../src/xdpfeed.mjs", import.meta.url));
const SESSION = { seed: 7, symbols: 50, messages: 30_000 };
const PORT = 26477;
const dir = mkdtempSync(join(tmpdir(), "xdpfeed-itch-"));
const pcap = join(dir, "session.pcap");
const pcapGz = join(dir, "session.pcap.gz");
const bin = join(dir, "session.itch");
const binGz = join(dir, "session.itch.gz");

function decode(file: string, mode: "--json" | "--summary", ...more: string[]): string {
  const r = spawnSync(process.execPath, [cli, "decode", "--format", "itch50", "--input", file, mode, ...more], { encoding: "utf8", maxBuffer: 1 << 30 });
  assert.is(r.status, 0, r.stderr);
  return r.stdout;
}

const F = suite("generated ITCH files");

F.before(async () => {
  await writePcap(pcap, SESSION, { dstPort: PORT, session: "XDPFEED007", vlan: 100 });
  await writePcap(pcapGz, SESSION, { dstPort: PORT, session: "XDPFEED007", vlan: 100, gzip: true });
  await writeItchFile(bin, SESSION);
  await writeItchFile(binGz, SESSION, { gzip: true });
});
F.after(() => rmSync(dir, { recursive: true, force: true }));

F("tshark's moldudp64 dissector reads the session, sequence, count and lengths we wrote", () => {
  const out = execFileSync("tshark", ["-r", pcap, "-d", `udp.port==${PORT},moldudp64`, "-T", "fields", "-E", "separator=|",
    "-e", "moldudp64.session", "-e", "moldudp64.sequence", "-e", "moldudp64.count", "-e", "moldudp64.msglen"], { encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "ignore"] });
  const rows = out.trimEnd().split("\n").map((l) => l.split("|"));
  const ours = [...moldFrames(SESSION, { session: "XDPFEED007" })];
  assert.is(rows.length, ours.length);
  for (let i = 0; i < ours.length; i++) {
    const [session, sequence, count, lens] = rows[i];
    const p = ours[i];
    assert.is(session.trimEnd(), "XDPFEED007", `frame ${i}`);
    assert.is(Number(sequence), Number(p.sequence), `frame ${i} sequence`);
    assert.is(Number(count), p.count, `frame ${i} count`);
    if (p.count !== 0 && p.count !== 0xffff) {
      const want: number[] = [];
      for (let at = 20; at < p.payload.length;) {
        const len = (p.payload[at] << 8) | p.payload[at + 1];
        want.push(len);
        at += 2 + len;
      }
      assert.equal(lens.split(",").map(Number), want, `frame ${i} message lengths`);
    }
  }
});

F("decodes the session from a pcap (VLAN-tagged) with every message once, in order, no gaps", () => {
  const s = JSON.parse(decode(pcap, "--summary"));
  const g = summarizeSession(SESSION);
  assert.is(s.messages, SESSION.messages);
  assert.equal([s.gaps, s.duplicates, s.resets], [0, 0, 0]);
  assert.equal(s.rejected, {});
  assert.equal(s.byType, g.counts);
});

F("the binary file and the pcap decode to the same messages, and gzip changes nothing", () => {
  const fromBin = decode(bin, "--json").trimEnd().split("\n").map((l) => JSON.parse(l));
  const fromPcap = decode(pcap, "--json").trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.is(fromBin.length, SESSION.messages);
  assert.equal(fromPcap.map((m) => m.seq), Array.from({ length: SESSION.messages }, (_, i) => i + 1));
  assert.equal(fromPcap, fromBin, "a file's messages are numbered as the pcap's MoldUDP64 numbers them");
  assert.is(decode(binGz, "--json"), decode(bin, "--json"));
  assert.is(decode(pcapGz, "--summary"), decode(pcap, "--summary"));
  const add = fromBin.find((m) => m.type === "A");
  assert.equal(Object.keys(add), ["type", "stockLocate", "trackingNumber", "timestamp", "orderRef", "side", "shares", "stock", "price", "seq"]);
});

F.run();
