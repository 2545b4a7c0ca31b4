// Input readers: pcap, pcapng, gzip, NASDAQ ITCH binary files and the progress bar. Captures are
// built byte by byte here (in a temp dir, removed afterwards), so each test states exactly what
// is in its file; the IEX samples in shared/data/iex check the readers against real captures.

import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { CaptureStats, detectFormat, InputError, readPackets, type PacketBatch, type ReadPacketsOptions } from "../src/input/capture.js";
import { ItchStats, readItchBinary, type ReadItchOptions } from "../src/input/itch.js";
import { ProgressBar } from "../src/input/progress.js";

// ---------------------------------------------------------------------------------------------
// Building files

/** Bytes written in one byte order. */
class Writer {
  private out: number[] = [];
  constructor(readonly le: boolean) {}
  u8(v: number): this {
    this.out.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.le ? this.u8(v).u8(v >>> 8) : this.u8(v >>> 8).u8(v);
  }
  u32(v: number): this {
    return this.le ? this.u16(v & 0xffff).u16(v >>> 16) : this.u16(v >>> 16).u16(v & 0xffff);
  }
  u64(v: bigint): this {
    const hi = Number(v >> 32n), lo = Number(v & 0xffffffffn);
    return this.le ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }
  bytes(b: Uint8Array): this {
    for (const x of b) this.out.push(x);
    return this;
  }
  pad4(): this {
    while (this.out.length % 4) this.out.push(0);
    return this;
  }
  get length(): number {
    return this.out.length;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** A packet whose bytes say which it is: u32 index, then a pattern derived from it. */
function payload(index: number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let j = 0; j < len; j++) b[j] = (index * 7 + j) & 0xff;
  if (len >= 4) new DataView(b.buffer).setUint32(0, index);
  return b;
}

interface PcapPacket {
  sec: number;
  frac: number;
  data: Uint8Array;
  orig?: number;
}

function pcap(packets: PcapPacket[], o: { le: boolean; ns: boolean; linktype?: number; snaplen?: number }): Uint8Array {
  const w = new Writer(o.le).u32(o.ns ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(o.snaplen ?? 65535).u32(o.linktype ?? 1);
  for (const p of packets) w.u32(p.sec).u32(p.frac).u32(p.data.length).u32(p.orig ?? p.data.length).bytes(p.data);
  return w.done();
}

/** A pcapng block: type, length, body padded to 4, length again. */
function block(le: boolean, type: number, body: (w: Writer) => void): Uint8Array {
  const inner = new Writer(le);
  body(inner);
  inner.pad4();
  const len = inner.length + 12;
  return new Writer(le).u32(type).u32(len).bytes(inner.done()).u32(len).done();
}

const shb = (le: boolean): Uint8Array =>
  block(le, 0x0a0d0d0a, (w) => w.u32(0x1a2b3c4d).u16(1).u16(0).u64(0xffffffffffffffffn));

function idb(le: boolean, linktype: number, o: { snaplen?: number; tsresol?: number; tsoffset?: bigint } = {}): Uint8Array {
  return block(le, 1, (w) => {
    w.u16(linktype).u16(0).u32(o.snaplen ?? 0);
    if (o.tsresol !== undefined) w.u16(9).u16(1).u8(o.tsresol).pad4();
    if (o.tsoffset !== undefined) w.u16(14).u16(8).u64(o.tsoffset);
    w.u16(0).u16(0);
  });
}

const epb = (le: boolean, ifid: number, units: bigint, data: Uint8Array, orig = data.length): Uint8Array =>
  block(le, 6, (w) => w.u32(ifid).u32(Number(units >> 32n)).u32(Number(units & 0xffffffffn)).u32(data.length).u32(orig).bytes(data));

const spb = (le: boolean, orig: number, data: Uint8Array): Uint8Array => block(le, 3, (w) => w.u32(orig).bytes(data));

/** A temp dir for one suite's files, removed by cleanup(). */
function tempFiles(): { write(name: string, bytes: Uint8Array): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "xdpfeed-input-"));
  return {
    write(name, bytes) {
      const p = join(dir, name);
      writeFileSync(p, bytes);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading files

interface Got {
  data: Uint8Array;
  ts: bigint;
  orig: number;
  linktype: number;
}

/** Every packet of a file, copied out of its batch (batches are reused), and the stats. */
async function readAll(path: string, opts: ReadPacketsOptions = {}): Promise<{ packets: Got[]; stats: CaptureStats; counts: number[] }> {
  const stats = new CaptureStats();
  const packets: Got[] = [];
  const counts: number[] = [];
  for await (const b of readPackets(path, { ...opts, stats })) {
    counts.push(b.count);
    for (let i = 0; i < b.count; i++) {
      packets.push({
        data: b.data.slice(b.offsets[i], b.offsets[i] + b.lengths[i]),
        ts: b.timestampsNs[i],
        orig: b.origLengths[i],
        linktype: b.linktypes[i],
      });
    }
  }
  return { packets, stats, counts };
}

/** The error that reading `path` throws (it must throw an InputError). */
async function readError(read: () => AsyncGenerator<unknown, unknown, undefined>): Promise<InputError> {
  try {
    for await (const _ of read()) {
      // reading until it fails
    }
  } catch (e) {
    assert.instance(e, InputError);
    return e as InputError;
  }
  throw new assert.Assertion({ message: "expected an InputError", operator: "throws", generated: true, actual: "no error", expects: "InputError" });
}

const sample: PcapPacket[] = [
  { sec: 1_700_000_000, frac: 123_456, data: payload(0, 60) },
  { sec: 1_700_000_001, frac: 999_999, data: payload(1, 1514) },
  { sec: 0xffffffff, frac: 1, data: payload(2, 1) },
];

// ---------------------------------------------------------------------------------------------

const Detect = suite("detectFormat");

Detect("tells pcap in both magics and byte orders, pcapng and gzip from their first bytes", () => {
  for (const m of [[0xd4, 0xc3, 0xb2, 0xa1], [0xa1, 0xb2, 0xc3, 0xd4], [0x4d, 0x3c, 0xb2, 0xa1], [0xa1, 0xb2, 0x3c, 0x4d]]) {
    assert.is(detectFormat(Uint8Array.from(m)), "pcap", m.join(","));
  }
  assert.is(detectFormat(Uint8Array.from([0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0])), "pcapng");
  assert.is(detectFormat(Uint8Array.from([0x1f, 0x8b])), "gzip");
});

Detect("calls anything else unknown, including inputs too short for a magic", () => {
  assert.is(detectFormat(new TextEncoder().encode("hello world")), "unknown");
  assert.is(detectFormat(Uint8Array.from([0xd4, 0xc3, 0xb2])), "unknown");
  assert.is(detectFormat(new Uint8Array(0)), "unknown");
  assert.is(detectFormat(Uint8Array.from([0x1f])), "unknown");
});

Detect.run();

// ---------------------------------------------------------------------------------------------

const Pcap = suite("pcap");
let pcapFiles: ReturnType<typeof tempFiles>;
Pcap.before(() => {
  pcapFiles = tempFiles();
});
Pcap.after(() => pcapFiles.cleanup());

for (const le of [true, false]) {
  for (const ns of [false, true]) {
    const name = `reads a ${ns ? "nanosecond" : "microsecond"} pcap written ${le ? "little" : "big"}-endian`;
    Pcap(name, async () => {
      const path = pcapFiles.write(`${le}-${ns}.pcap`, pcap(sample, { le, ns }));
      const { packets, stats } = await readAll(path);
      assert.is(packets.length, 3);
      const unit = ns ? 1n : 1000n;
      sample.forEach((p, i) => {
        assert.equal(packets[i].data, p.data);
        assert.is(packets[i].ts, BigInt(p.sec) * 1_000_000_000n + BigInt(p.frac) * unit);
        assert.is(packets[i].orig, p.data.length);
        assert.is(packets[i].linktype, 1);
      });
      assert.is(stats.format, "pcap");
      assert.is(stats.packets, 3);
      assert.is(stats.packetBytes, 60 + 1514 + 1);
      assert.is(stats.truncated + stats.corrupt, 0);
      assert.equal(stats.interfaces, [{ section: 0, linktype: 1, snaplen: 65535, tsresol: ns ? 9 : 6 }]);
    });
  }
}

Pcap("keeps packets cut by a small snaplen, with their original length", async () => {
  const path = pcapFiles.write("snap.pcap", pcap([{ sec: 1, frac: 2, data: payload(0, 64), orig: 1500 }], { le: true, ns: false, snaplen: 64 }));
  const { packets, stats } = await readAll(path);
  assert.is(packets[0].data.length, 64);
  assert.is(packets[0].orig, 1500);
  assert.is(stats.interfaces[0].snaplen, 64);
});

Pcap("keeps a record longer than the file's snaplen as it is", async () => {
  const path = pcapFiles.write("oversnap.pcap", pcap([{ sec: 1, frac: 0, data: payload(0, 300) }], { le: true, ns: false, snaplen: 128 }));
  const { packets } = await readAll(path);
  assert.is(packets[0].data.length, 300);
});

Pcap("passes other link types through for the caller to reject", async () => {
  const path = pcapFiles.write("sll.pcap", pcap(sample, { le: true, ns: false, linktype: 113 }));
  const { packets } = await readAll(path);
  assert.equal(packets.map((p) => p.linktype), [113, 113, 113]);
});

Pcap("counts a final record whose data is cut short as truncated and yields the whole ones", async () => {
  const whole = pcap(sample, { le: true, ns: false });
  const path = pcapFiles.write("cut.pcap", whole.subarray(0, whole.length - 1));
  const { packets, stats } = await readAll(path);
  assert.is(packets.length, 2);
  assert.is(stats.truncated, 1);
  assert.is(stats.corrupt, 0);
  assert.match(stats.problem, "record 3 at offset ");
  assert.match(stats.problem, "captured length 1, only 0 bytes of it in the file");
});

Pcap("counts a final record header cut short as truncated", async () => {
  const two = pcap(sample.slice(0, 2), { le: false, ns: true });
  const path = pcapFiles.write("cuthdr.pcap", concat(two, new Uint8Array(5)));
  const { packets, stats } = await readAll(path);
  assert.is(packets.length, 2);
  assert.is(stats.truncated, 1);
  assert.match(stats.problem, "header cut short, 5 of 16 bytes");
});

Pcap("reads a file with no packets as no batches", async () => {
  const { counts, stats } = await readAll(pcapFiles.write("empty.pcap", pcap([], { le: true, ns: false })));
  assert.equal(counts, []);
  assert.is(stats.truncated + stats.corrupt, 0);
});

Pcap("stops at an impossible captured length as corrupt, keeping the packets before it", async () => {
  const bad = new Writer(true).u32(5).u32(0).u32(0x7fffffff).u32(60).done();
  const path = pcapFiles.write("huge.pcap", concat(pcap(sample, { le: true, ns: false }), bad));
  const { packets, stats } = await readAll(path);
  assert.is(packets.length, 3);
  assert.is(stats.corrupt, 1);
  assert.match(stats.problem, "captured length 2147483647 is over");
});

Pcap("counts a file cut inside its 24-byte header as corrupt", async () => {
  const { packets, stats } = await readAll(pcapFiles.write("hdr.pcap", pcap([], { le: true, ns: false }).subarray(0, 10)));
  assert.is(packets.length, 0);
  assert.is(stats.corrupt, 1);
  assert.match(stats.problem, "pcap file header cut short: 10 of 24 bytes");
});

Pcap.run();

// ---------------------------------------------------------------------------------------------

const Ng = suite("pcapng");
let ngFiles: ReturnType<typeof tempFiles>;
Ng.before(() => {
  ngFiles = tempFiles();
});
Ng.after(() => ngFiles.cleanup());

/** Interface 0: Ethernet in µs (no if_tsresol); interface 1: raw IP (101) in ns. */
function twoInterfaces(le: boolean): Uint8Array {
  return concat(
    shb(le),
    idb(le, 1, { snaplen: 65535 }),
    idb(le, 101, { snaplen: 9000, tsresol: 9 }),
    epb(le, 0, 1_700_000_000_123_456n, payload(0, 60)),
    epb(le, 1, 1_700_000_000_123_456_789n, payload(1, 61)),
    epb(le, 0, 1_700_000_001_000_000n, payload(2, 62), 1000),
  );
}

for (const le of [true, false]) {
  Ng(`reads two interfaces with different timestamp resolutions written ${le ? "little" : "big"}-endian`, async () => {
    const { packets, stats } = await readAll(ngFiles.write(`two-${le}.pcapng`, twoInterfaces(le)));
    assert.equal(packets.map((p) => p.ts), [1_700_000_000_123_456_000n, 1_700_000_000_123_456_789n, 1_700_000_001_000_000_000n]);
    assert.equal(packets.map((p) => p.linktype), [1, 101, 1]);
    assert.equal(packets.map((p) => p.data.length), [60, 61, 62]);
    assert.equal(packets[1].data, payload(1, 61));
    assert.is(packets[2].orig, 1000);
    assert.is(stats.format, "pcapng");
    assert.is(stats.sections, 1);
    assert.equal(stats.interfaces, [
      { section: 0, linktype: 1, snaplen: 65535, tsresol: 6 },
      { section: 0, linktype: 101, snaplen: 9000, tsresol: 9 },
    ]);
  });
}

Ng("converts power-of-2, millisecond and picosecond resolutions and if_tsoffset exactly", async () => {
  const le = true;
  const binary = (1_700_000_000n << 20n) + 123_457n; // 2^-20 s units since the epoch
  const pico = 0x0123_4567_89ab_cdefn; // 2^64 picoseconds is only 213 days: a relative time
  const file = concat(
    shb(le),
    idb(le, 1, { tsresol: 0x80 | 20 }), // 2^-20 s
    idb(le, 1, { tsresol: 3 }),
    idb(le, 1, { tsresol: 12 }),
    idb(le, 1, { tsresol: 6, tsoffset: 1_000_000n }),
    epb(le, 0, binary, payload(0, 8)),
    epb(le, 1, 1_700_000_000_123n, payload(1, 8)),
    epb(le, 2, pico, payload(2, 8)),
    epb(le, 3, 5n, payload(3, 8)),
  );
  const { packets } = await readAll(ngFiles.write("resol.pcapng", file));
  assert.equal(packets.map((p) => p.ts), [
    1_700_000_000_117_737_770n, // 123457 / 2^20 s = 0.117737770 s, rounded down
    1_700_000_000_123_000_000n,
    pico / 1000n,
    1_000_000n * 1_000_000_000n + 5000n,
  ]);
});

Ng("reads the largest nanosecond timestamp without losing a bit", async () => {
  const file = concat(shb(false), idb(false, 1, { tsresol: 9 }), epb(false, 0, 0xffff_ffff_ffff_fffen, payload(0, 4)));
  const { packets } = await readAll(ngFiles.write("max.pcapng", file));
  assert.is(packets[0].ts, 0xffff_ffff_ffff_fffen);
});

Ng("reads a simple packet block on interface 0, cut to its snaplen, with no timestamp", async () => {
  const file = concat(shb(true), idb(true, 1, { snaplen: 64 }), spb(true, 100, payload(0, 64)), spb(true, 30, payload(1, 30)));
  const { packets } = await readAll(ngFiles.write("spb.pcapng", file));
  assert.equal(packets.map((p) => [p.data.length, p.orig, p.ts, p.linktype]), [[64, 100, 0n, 1], [30, 30, 0n, 1]]);
  assert.equal(packets[1].data, payload(1, 30));
});

Ng("skips unknown block types, statistics and name resolution blocks", async () => {
  const le = false;
  const file = concat(
    shb(le),
    block(le, 4, (w) => w.u16(0).u16(0)), // Name Resolution Block
    idb(le, 1),
    epb(le, 0, 1n, payload(0, 20)),
    block(le, 5, (w) => w.u32(0).u32(0).u32(0).u16(0).u16(0)), // Interface Statistics Block
    block(le, 0x0bad, (w) => w.u32(0xdeadbeef).bytes(new Uint8Array(33))), // custom, unknown
    epb(le, 0, 2n, payload(1, 21)),
  );
  const { packets, stats } = await readAll(ngFiles.write("skip.pcapng", file));
  assert.equal(packets.map((p) => p.data), [payload(0, 20), payload(1, 21)]);
  assert.is(stats.skippedBlocks, 3);
  assert.is(stats.corrupt, 0);
});

Ng("reads several sections, each with its own byte order and interface ids", async () => {
  const file = concat(
    shb(true), idb(true, 1), epb(true, 0, 1n, payload(0, 10)),
    shb(false), idb(false, 228), epb(false, 0, 2n, payload(1, 11)),
  );
  const { packets, stats } = await readAll(ngFiles.write("sections.pcapng", file));
  assert.equal(packets.map((p) => [p.linktype, p.ts, p.data.length]), [[1, 1000n, 10], [228, 2000n, 11]]);
  assert.is(stats.sections, 2);
  assert.equal(stats.interfaces.map((i) => i.section), [0, 1]);
});

Ng("counts a packet block cut by the end of the file as truncated", async () => {
  const file = twoInterfaces(true);
  const { packets, stats } = await readAll(ngFiles.write("cut.pcapng", file.subarray(0, file.length - 10)));
  assert.is(packets.length, 2);
  assert.is(stats.truncated, 1);
  assert.is(stats.corrupt, 0);
  assert.match(stats.problem, "block at offset 272: the file ends 86 bytes into a packet block of 96 bytes");
});

/** What is wrong, the bytes that are, the problem reported. A packet follows them unless they run to the end. */
const corruptCases: [string, (le: boolean) => Uint8Array, string][] = [
  ["a block length under 12", (le) => new Writer(le).u32(6).u32(8).u32(8).done(), "has length 8"],
  ["a block length not a multiple of 4", (le) => new Writer(le).u32(6).u32(30).bytes(new Uint8Array(26)).done(), "has length 30"],
  ["a trailing length that differs", (le) => new Writer(le).u32(4).u32(16).u32(0).u32(20).done(), "has length 16 at its start but 20 at its end"],
  ["a non-packet block running past the end of the file", (le) => new Writer(le).u32(5).u32(400).u32(0).done(), "has length 400 but only 12 bytes are left"],
  ["a packet on an interface never described", (le) => epb(le, 7, 1n, payload(9, 4)), "packet on interface 7, but the section describes 1"],
  ["a captured length larger than its block", (le) => new Writer(le).u32(6).u32(36).u32(0).u32(0).u32(0).u32(200).u32(200).u32(0).u32(36).done(), "captured length 200 does not fit"],
];

for (const [what, bad, message] of corruptCases) {
  Ng(`stops at ${what}, counted as corrupt, keeping the packets before it`, async () => {
    const le = what.length % 2 === 0; // both byte orders across the cases
    const after = what.includes("past the end") ? [] : [epb(le, 0, 2n, payload(1, 40))];
    const file = concat(shb(le), idb(le, 1), epb(le, 0, 1n, payload(0, 40)), bad(le), ...after);
    const { packets, stats } = await readAll(ngFiles.write("corrupt.pcapng", file));
    assert.is(packets.length, 1);
    assert.is(stats.corrupt, 1);
    assert.is(stats.truncated, 0);
    assert.match(stats.problem, message);
  });
}

Ng("stops at a section header whose byte-order magic is wrong", async () => {
  const badShb = new Writer(true).u32(0x0a0d0d0a).u32(28).u32(0x11223344).u16(1).u16(0).u64(0n).u32(28).done();
  const { stats } = await readAll(ngFiles.write("bom.pcapng", badShb));
  assert.is(stats.corrupt, 1);
  assert.match(stats.problem, "section header byte-order magic 0x11223344 is not 0x1a2b3c4d in either byte order");
});

Ng.run();

// ---------------------------------------------------------------------------------------------

const Gzip = suite("gzip");
let gzFiles: ReturnType<typeof tempFiles>;
Gzip.before(() => {
  gzFiles = tempFiles();
});
Gzip.after(() => gzFiles.cleanup());

const plainFiles: [string, () => Uint8Array][] = [
  ["a little-endian microsecond pcap", () => pcap(sample, { le: true, ns: false })],
  ["a big-endian microsecond pcap", () => pcap(sample, { le: false, ns: false })],
  ["a little-endian nanosecond pcap", () => pcap(sample, { le: true, ns: true })],
  ["a big-endian nanosecond pcap", () => pcap(sample, { le: false, ns: true })],
  ["a little-endian pcapng", () => twoInterfaces(true)],
  ["a big-endian pcapng", () => twoInterfaces(false)],
];

for (const [what, make] of plainFiles) {
  Gzip(`reads ${what} through gzip, whatever the file is called`, async () => {
    const plain = await readAll(gzFiles.write("plain.cap", make()));
    const zipped = await readAll(gzFiles.write("zipped.cap", gzipSync(make())));
    assert.ok(zipped.stats.compressed);
    assert.not.ok(plain.stats.compressed);
    assert.equal(zipped.packets, plain.packets);
    assert.is(zipped.stats.format, plain.stats.format);
  });
}

Gzip("reads a file of several gzip members as one stream", async () => {
  const whole = pcap(sample, { le: true, ns: false });
  const path = gzFiles.write("members.pcap.gz", concat(gzipSync(whole.subarray(0, 100)), gzipSync(whole.subarray(100))));
  const { packets } = await readAll(path);
  assert.is(packets.length, 3);
});

Gzip("reports a gzip stream cut short, with the whole packets and the cut record", async () => {
  const many = Array.from({ length: 200 }, (_, i) => ({ sec: i, frac: 0, data: payload(i, 100 + (i % 50)) }));
  const gz = gzipSync(pcap(many, { le: true, ns: false }), { level: 1 });
  const { packets, stats } = await readAll(gzFiles.write("cut.pcap.gz", gz.subarray(0, gz.length >> 1)));
  assert.ok(packets.length > 0 && packets.length < 200, `${packets.length} packets`);
  // Whole packets, then possibly the cut record with the bytes the stream had of it.
  packets.forEach((p, i) => assert.equal(p.data, i < packets.length - 1 ? many[i].data : many[i].data.subarray(0, p.data.length)));
  assert.is(stats.gzipError, "unexpected end of file");
  assert.match(stats.problem, "the gzip stream is cut short after");
  assert.is(stats.corrupt, 0);
});

/** gzip bytes whose trailer has a wrong CRC32: zlib finds out only at the very end. */
function badCrc(plain: Uint8Array): Buffer {
  const gz = Buffer.from(gzipSync(plain));
  gz.writeUInt32LE(gz.readUInt32LE(gz.length - 8) ^ 1, gz.length - 8);
  return gz;
}

Gzip("counts corrupt gzip data as corrupt instead of throwing, after the packets before it", async () => {
  const many = Array.from({ length: 5000 }, (_, i) => ({ sec: i, frac: 0, data: payload(i, 200) }));
  const { packets, stats } = await readAll(gzFiles.write("crc.pcap.gz", badCrc(pcap(many, { le: true, ns: false }))));
  assert.ok(packets.length > 0, "packets before the damage");
  assert.is(stats.corrupt, 1);
  assert.is(stats.gzipError, "incorrect data check");
  assert.match(stats.problem, "the gzip data is corrupt (incorrect data check) after");
});

Gzip("throws when a gzip file is corrupt before its first byte comes out", async () => {
  const path = gzFiles.write("crc-small.pcap.gz", badCrc(pcap(sample, { le: true, ns: false })));
  assert.is((await readError(() => readPackets(path))).message, `${path} is not a valid gzip file: incorrect data check`);
});

Gzip.run();

// ---------------------------------------------------------------------------------------------

const Batches = suite("batches");
let batchFiles: ReturnType<typeof tempFiles>;
Batches.before(() => {
  batchFiles = tempFiles();
});
Batches.after(() => batchFiles.cleanup());

/** 10,000 packets of 1 to 400 bytes (about 2 MB), each naming its index in its first bytes. */
const manyPackets: PcapPacket[] = Array.from({ length: 10_000 }, (_, i) => ({ sec: 1_000 + i, frac: i, data: payload(i, 1 + ((i * 37) % 400)) }));

/** Checks every packet of every batch against manyPackets, in place; returns the batch sizes. */
async function checkMany(path: string, opts: ReadPacketsOptions): Promise<{ counts: number[]; sizes: number[] }> {
  let next = 0;
  const counts: number[] = [];
  const sizes: number[] = [];
  for await (const b of readPackets(path, opts)) {
    counts.push(b.count);
    sizes.push(b.data.length);
    assert.is(b.offsets.length, b.count);
    for (let i = 0; i < b.count; i++, next++) {
      const want = manyPackets[next].data;
      assert.ok(b.offsets[i] + b.lengths[i] <= b.data.length, `packet ${next} ends inside its batch`);
      if (!Buffer.from(want).equals(b.data.subarray(b.offsets[i], b.offsets[i] + b.lengths[i]))) {
        assert.unreachable(`packet ${next} differs`);
      }
      assert.is(b.timestampsNs[i], BigInt(1_000 + next) * 1_000_000_000n + BigInt(next) * 1000n);
    }
  }
  assert.is(next, manyPackets.length);
  return { counts, sizes };
}

Batches("hands out several batches of at most 4096 whole packets by default", async () => {
  const path = batchFiles.write("many.pcap", pcap(manyPackets, { le: true, ns: false }));
  const { counts } = await checkMany(path, {});
  assert.ok(counts.length >= 3, `${counts.length} batches`);
  assert.ok(counts.every((c) => c > 0 && c <= 4096));
});

Batches("never splits a packet across batches, whatever the read size", async () => {
  const files = [
    ["many.pcap", pcap(manyPackets, { le: false, ns: false }), [1, 997, 4096, 65536]],
    ["many.pcap.gz", gzipSync(pcap(manyPackets, { le: true, ns: false })), [997, 65536]],
  ] as const;
  for (const [name, bytes, sizes] of files) {
    const path = batchFiles.write(name, bytes);
    for (const batchBytes of sizes) {
      const { counts, sizes } = await checkMany(path, { batchBytes, batchPackets: 100 });
      assert.ok(counts.every((c) => c <= 100));
      // A batch stops once it reaches batchBytes, so it is never more than one record past it.
      assert.ok(sizes.every((s) => s < batchBytes + 16 + 400), `${name} ${batchBytes}: largest ${Math.max(...sizes)}`);
    }
  }
});

Batches("never splits a pcapng packet across batches either", async () => {
  const le = true;
  const file = concat(shb(le), idb(le, 1), ...manyPackets.map((p, i) => epb(le, 0, BigInt(p.sec) * 1_000_000n + BigInt(i), p.data)));
  const path = batchFiles.write("many.pcapng", file);
  for (const batchBytes of [1, 3000, 1 << 20]) await checkMany(path, { batchBytes });
});

Batches("grows past the read size for a packet larger than it", async () => {
  const big = [{ sec: 1, frac: 0, data: payload(0, 10) }, { sec: 2, frac: 0, data: payload(1, 200_000) }, { sec: 3, frac: 0, data: payload(2, 10) }];
  const { packets } = await readAll(batchFiles.write("big.pcap", pcap(big, { le: true, ns: false })), { batchBytes: 4096 });
  assert.equal(packets.map((p) => p.data), big.map((p) => p.data));
});

Batches("overwrites a batch's arrays when the next batch is asked for", async () => {
  const path = batchFiles.write("reuse.pcap", pcap(manyPackets.slice(0, 10), { le: true, ns: false }));
  const it = readPackets(path, { batchPackets: 4 });
  const first = (await it.next()).value as PacketBatch;
  const firstTs = first.timestampsNs[0];
  const second = (await it.next()).value as PacketBatch;
  assert.is(second.timestampsNs.buffer, first.timestampsNs.buffer);
  assert.is(second.data.buffer, first.data.buffer);
  assert.is.not(first.timestampsNs[0], firstTs);
  assert.is(first.timestampsNs[0], second.timestampsNs[0]);
  await it.return(new CaptureStats());
});

/** Open file descriptors of this process (Linux). */
const openFds = (): number => readdirSync("/proc/self/fd").length;

Batches("closes the file when the loop stops early", async () => {
  for (const [name, bytes] of [["early.pcap", pcap(manyPackets, { le: true, ns: false })], ["early.pcap.gz", gzipSync(pcap(manyPackets, { le: true, ns: false }))]] as const) {
    const path = batchFiles.write(name, bytes);
    const before = openFds();
    for await (const b of readPackets(path, { batchPackets: 10 })) {
      assert.is(b.count, 10);
      assert.is(openFds(), before + 1);
      break;
    }
    await new Promise((r) => setTimeout(r, 20)); // a destroyed read stream closes its fd asynchronously
    assert.is(openFds(), before, name);
  }
});

Batches("returns the stats from the generator and fills the ones passed in", async () => {
  const stats = new CaptureStats();
  const it = readPackets(batchFiles.write("ret.pcap", pcap(sample, { le: true, ns: false })), { stats });
  let r = await it.next();
  while (r.done !== true) r = await it.next();
  assert.is(r.value, stats);
  assert.is(stats.packets, 3);
  assert.is(stats.batches, 1);
});

Batches("reports progress up to the file size", async () => {
  const bytes = gzipSync(pcap(manyPackets, { le: true, ns: false }));
  const seen: [number, number][] = [];
  await checkMany(batchFiles.write("progress.pcap.gz", bytes), { onProgress: (a, b) => seen.push([a, b]) });
  assert.ok(seen.length >= 2);
  assert.ok(seen.every(([, total]) => total === bytes.length));
  assert.is(seen[seen.length - 1][0], bytes.length);
});

Batches.run();

// ---------------------------------------------------------------------------------------------

const Errors = suite("errors");
let errFiles: ReturnType<typeof tempFiles>;
Errors.before(() => {
  errFiles = tempFiles();
});
Errors.after(() => errFiles.cleanup());

Errors("names a file that does not exist in one line", async () => {
  const e = await readError(() => readPackets("/nonexistent/capture.pcap"));
  assert.is(e.message, "cannot open /nonexistent/capture.pcap: no such file");
  assert.is(e.code, "ENOENT");
  const i = await readError(() => readItchBinary("/nonexistent/itch.gz"));
  assert.is(i.message, "cannot open /nonexistent/itch.gz: no such file");
});

Errors("says a file that is no capture is not one", async () => {
  const path = errFiles.write("notes.pcap", new TextEncoder().encode("this is a text file\n"));
  const e = await readError(() => readPackets(path));
  assert.is(e.message, `${path} is not a pcap, pcapng or gzip file`);
  assert.is(e.code, "EFORMAT");
  const empty = errFiles.write("empty.pcap", new Uint8Array(0));
  assert.is((await readError(() => readPackets(empty))).message, `${empty} is not a pcap, pcapng or gzip file`);
});

Errors("says a gzip file holds no capture", async () => {
  const path = errFiles.write("notes.gz", gzipSync(new TextEncoder().encode("just text")));
  assert.is((await readError(() => readPackets(path))).message, `${path} is gzip-compressed but holds no pcap or pcapng file`);
});

Errors("refuses a directory", async () => {
  const dir = join(tmpdir());
  assert.is((await readError(() => readPackets(dir))).message, `cannot open ${dir}: is a directory`);
});

Errors("rejects a batch size that is not a positive integer", async () => {
  try {
    await readPackets("x", { batchPackets: 0 }).next();
    assert.unreachable("no error");
  } catch (e) {
    assert.instance(e, RangeError);
    assert.is((e as Error).message, "invalid batchPackets 0, expected an integer from 1 to 1048576");
  }
});

Errors.run();

// ---------------------------------------------------------------------------------------------

const Itch = suite("ITCH binary files");
let itchFiles: ReturnType<typeof tempFiles>;
Itch.before(() => {
  itchFiles = tempFiles();
});
Itch.after(() => itchFiles.cleanup());

/** Messages shaped like ITCH 5.0: a type letter and a body, 12 to 50 bytes. */
const itchMessages = Array.from({ length: 5000 }, (_, i) => {
  const m = payload(i, 12 + ((i * 13) % 39));
  m[0] = "SRAFEDUPQ".charCodeAt(i % 9);
  return m;
});

function itchFile(messages: Uint8Array[]): Uint8Array {
  const w = new Writer(false);
  for (const m of messages) w.u16(m.length).bytes(m);
  return w.done();
}

async function readItch(path: string, opts: ReadItchOptions = {}): Promise<{ messages: Uint8Array[]; stats: ItchStats; counts: number[] }> {
  const stats = new ItchStats();
  const messages: Uint8Array[] = [];
  const counts: number[] = [];
  for await (const b of readItchBinary(path, { ...opts, stats })) {
    counts.push(b.count);
    for (let i = 0; i < b.count; i++) messages.push(b.data.slice(b.offsets[i], b.offsets[i] + b.lengths[i]));
  }
  return { messages, stats, counts };
}

Itch("reads length-prefixed messages without their prefixes", async () => {
  const { messages, stats, counts } = await readItch(itchFiles.write("itch.bin", itchFile(itchMessages)), { batchMessages: 1000 });
  assert.equal(messages, itchMessages);
  assert.is(counts.length, 5);
  assert.is(stats.messages, 5000);
  assert.is(stats.truncated, 0);
  assert.not.ok(stats.compressed);
});

Itch("reads a gzip-compressed file with messages across every read boundary", async () => {
  const path = itchFiles.write("itch.gz", gzipSync(itchFile(itchMessages)));
  for (const batchBytes of [1, 333, 1 << 20]) {
    const { messages, stats } = await readItch(path, { batchBytes });
    assert.equal(messages, itchMessages);
    assert.ok(stats.compressed);
  }
});

Itch("counts a final message cut short as truncated", async () => {
  const whole = itchFile(itchMessages.slice(0, 3));
  const { messages, stats } = await readItch(itchFiles.write("cut.bin", whole.subarray(0, whole.length - 5)));
  assert.is(messages.length, 2);
  assert.is(stats.truncated, 1);
  assert.match(stats.problem, `message 3 at offset ${2 + itchMessages[0].length + 2 + itchMessages[1].length}: length ${itchMessages[2].length}`);
});

Itch("counts a final length prefix cut short as truncated", async () => {
  const path = itchFiles.write("cutprefix.gz", gzipSync(concat(itchFile(itchMessages.slice(0, 3)), Uint8Array.from([0]))));
  const { messages, stats } = await readItch(path);
  assert.is(messages.length, 3);
  assert.is(stats.truncated, 1);
  assert.match(stats.problem, "length prefix cut short");
});

Itch("refuses a packet capture", async () => {
  const path = itchFiles.write("a.pcap.gz", gzipSync(pcap(sample, { le: true, ns: false })));
  assert.is((await readError(() => readItchBinary(path))).message, `${path} is a pcap capture, not a NASDAQ binary ITCH file`);
});

Itch.run();

// ---------------------------------------------------------------------------------------------

const Placed = suite("reading into a caller's buffer");
let placedFiles: ReturnType<typeof tempFiles>;
Placed.before(() => {
  placedFiles = tempFiles();
});
Placed.after(() => placedFiles.cleanup());

/** A buffer like a parser's input region: shared memory, not at the start of its buffer. */
const sharedBuffer = (bytes: number, at = 13): Uint8Array => new Uint8Array(new SharedArrayBuffer(at + bytes), at, bytes);

/** Whether every batch's data is a view of `buffer`, through a reader's batches. */
function viewsOf(buffer: Uint8Array, batches: Array<{ data: Uint8Array }>): boolean {
  return batches.every((b) => b.data.buffer === buffer.buffer && b.data.byteOffset >= buffer.byteOffset &&
    b.data.byteOffset + b.data.length <= buffer.byteOffset + buffer.length);
}

Placed("a plain capture is read into the buffer: the same packets, each batch a view of it", async () => {
  const le = true;
  const files = {
    "many.pcap": pcap(manyPackets, { le: true, ns: false }),
    "many.pcapng": concat(shb(le), idb(le, 1), ...manyPackets.map((p, i) => epb(le, 0, BigInt(p.sec) * 1_000_000n + BigInt(i), p.data))),
  };
  for (const [name, bytes] of Object.entries(files)) {
    const path = placedFiles.write(name, bytes);
    for (const batchBytes of [3000, 65536]) {
      const buffer = sharedBuffer(3 * batchBytes + 1000);
      await checkMany(path, { buffer, batchBytes });
      const batches: Array<{ data: Uint8Array }> = [];
      const stats = new CaptureStats();
      for await (const b of readPackets(path, { buffer, batchBytes, stats })) batches.push({ data: b.data });
      assert.ok(batches.length > 3 && viewsOf(buffer, batches), `${name} ${batchBytes}: batches in the buffer`);
      assert.is(stats.bytesParsed, bytes.length);
    }
  }
});

Placed("a gzip capture, or a packet larger than the buffer, is read through a private buffer", async () => {
  const buffer = sharedBuffer(8192);
  const gz = placedFiles.write("many.pcap.gz", gzipSync(pcap(manyPackets, { le: true, ns: false })));
  const batches: Array<{ data: Uint8Array }> = [];
  for await (const b of readPackets(gz, { buffer, batchBytes: 4096 })) batches.push({ data: b.data });
  assert.ok(batches.every((b) => b.data.buffer !== buffer.buffer));
  await checkMany(gz, { buffer, batchBytes: 4096 });

  const big = [{ sec: 1, frac: 0, data: payload(0, 10) }, { sec: 2, frac: 0, data: payload(1, 20_000) }, { sec: 3, frac: 0, data: payload(2, 10) }];
  const { packets } = await readAll(placedFiles.write("big.pcap", pcap(big, { le: true, ns: false })), { buffer, batchBytes: 4096 });
  assert.equal(packets.map((p) => p.data), big.map((p) => p.data));
});

Placed("a buffer smaller than the read size is not used", async () => {
  const buffer = sharedBuffer(1000);
  const batches: Array<{ data: Uint8Array }> = [];
  for await (const b of readPackets(placedFiles.write("small.pcap", pcap(sample, { le: true, ns: false })), { buffer, batchBytes: 4096 })) batches.push({ data: b.data });
  assert.ok(batches.length > 0 && batches.every((b) => b.data.buffer !== buffer.buffer));
});

Placed("a plain ITCH file is read into the buffer, with the same messages and the same offsets in problems", async () => {
  const buffer = sharedBuffer(70_000);
  const path = placedFiles.write("itch.bin", itchFile(itchMessages));
  const batches: Array<{ data: Uint8Array }> = [];
  for await (const b of readItchBinary(path, { buffer, batchBytes: 10_000 })) batches.push({ data: b.data });
  assert.ok(batches.length > 5 && viewsOf(buffer, batches));
  const { messages, stats } = await readItch(path, { buffer, batchBytes: 10_000 });
  assert.equal(messages, itchMessages);
  assert.is(stats.bytesParsed, itchFile(itchMessages).length);

  const whole = itchFile(itchMessages);
  const cut = placedFiles.write("cut.bin", whole.subarray(0, whole.length - 5));
  const want = await readItch(cut, { batchBytes: 10_000 });
  const got = await readItch(cut, { buffer, batchBytes: 10_000 });
  assert.is(got.stats.truncated, 1);
  assert.is(got.stats.problem, want.stats.problem);
  assert.equal(got.messages, want.messages);
});

Placed.run();

// ---------------------------------------------------------------------------------------------

const Progress = suite("progress bar");

function fakeTerminal(isTTY: boolean, columns = 100): { isTTY: boolean; columns: number; out: string[]; write(s: string): boolean } {
  return { isTTY, columns, out: [] as string[], write(s: string) { this.out.push(s); return true; } };
}

Progress("writes nothing when stderr is not a terminal", () => {
  const term = fakeTerminal(false);
  const bar = new ProgressBar("x", { stream: term });
  bar.update(1, 2);
  bar.done();
  assert.is(bar.enabled, false);
  assert.equal(term.out, []);
});

Progress("redraws at most every 100 ms with percent, MB read and rate", () => {
  const term = fakeTerminal(true);
  let now = 0;
  const bar = new ProgressBar("DEEP10", { stream: term, now: () => now });
  for (const t of [0, 50, 99, 100, 150, 250]) {
    now = t + 1000; // one second after the bar was made
    bar.update(2_500_000 * (t / 250), 5_000_000);
  }
  assert.is(term.out.length, 3);
  const last = term.out[2];
  assert.ok(last.startsWith("\r\x1b[2KDEEP10 ["), JSON.stringify(last));
  assert.match(last, " 50.0%  2.5/5.0 MB  2.0 MB/s");
  assert.ok(last.length - 5 < term.columns, "fits the terminal");
});

Progress("clears its line when done, and only if it drew one", () => {
  const term = fakeTerminal(true);
  const bar = new ProgressBar("x", { stream: term });
  bar.done();
  assert.equal(term.out, []);
  bar.update(1, 2);
  bar.done();
  assert.is(term.out[term.out.length - 1], "\r\x1b[2K");
});

Progress("stays on one line in a narrow terminal", () => {
  const term = fakeTerminal(true, 30);
  new ProgressBar("a-long-capture-name.pcap.gz", { stream: term }).update(1e6, 2e6);
  assert.ok(term.out[0].length - 5 <= 29, JSON.stringify(term.out[0]));
});

Progress.run();

// ---------------------------------------------------------------------------------------------

const Iex = suite("IEX sample captures");
const iexDir = new URL("../../shared/data/iex/", import.meta.url);
const haveIex = existsSync(fileURLToPath(iexDir));

/** Frame count, link types, and stats of a real capture. */
async function iexCount(name: string): Promise<{ frames: number; cut: number[]; linktypes: Set<number>; stats: CaptureStats }> {
  const stats = new CaptureStats();
  let frames = 0;
  const cut: number[] = [];
  const linktypes = new Set<number>();
  for await (const b of readPackets(fileURLToPath(new URL(name, iexDir)), { stats })) {
    for (let i = 0; i < b.count; i++) {
      linktypes.add(b.linktypes[i]);
      if (b.lengths[i] < b.origLengths[i]) cut.push(b.lengths[i], b.origLengths[i]);
      else frames++;
    }
  }
  return { frames, cut, linktypes, stats };
}

Iex("reads all 13,022 frames of TOPS16.pcapng.gz, all Ethernet", async () => {
  if (!haveIex) return console.log(`  skipped: no IEX samples at ${fileURLToPath(iexDir)}`);
  const { frames, linktypes, stats } = await iexCount("TOPS16.pcapng.gz");
  assert.is(frames, 13_022);
  assert.equal([...linktypes], [1]);
  assert.is(stats.truncated + stats.corrupt, 0);
  assert.is(stats.format, "pcap"); // despite its name: the file inside the gzip is a classic pcap
});

Iex("reads 121,314 whole frames of DEEP10.pcap.gz and hands out the cut last one as truncated", async () => {
  if (!haveIex) return console.log(`  skipped: no IEX samples at ${fileURLToPath(iexDir)}`);
  const { frames, cut, linktypes, stats } = await iexCount("DEEP10.pcap.gz");
  assert.is(frames, 121_314);
  assert.equal(cut, [460, 1490], "the last frame, with the 460 bytes the file has of it");
  assert.equal([...linktypes], [1]);
  assert.is(stats.truncated, 1);
  assert.is(stats.corrupt, 0);
  assert.is(stats.gzipError, "");
  assert.match(stats.problem, "captured length 1490, only 460 bytes of it in the file");
});

Iex.run();
