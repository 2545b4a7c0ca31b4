// Ring arithmetic and the receive/transmit loops of the compiled wasm, over plain shared memory.
// The test plays the kernel's side of each ring (no socket here: that is test/xdp.test.ts).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as L from "../assembly/layout.js";
import { instantiate, modulePath, type FeedExports } from "../src/socket/module.js";
import { genPayload, udpFrame } from "../src/socket/frame.js";
import { Wasm, type WasmMemory } from "../bridge/wasm.js";
import { clockNs, stampUnstamped } from "../bridge/clock.js";
import { CLOCK_MONOTONIC } from "../bridge/libc.js";
import { TickView } from "../src/feeds/tick.js";
import { moldPackets } from "../src/itchgen/itch-writers.js";

// The fixed regions and room for rings and frames above them.
const PAGES = Math.ceil(L.DYNAMIC_BASE / L.WASM_PAGE) + 64;
// A fake ring area above the fixed regions: producer, consumer, flags words, then descriptors.
const FAKE = L.DYNAMIC_BASE;

interface Harness {
  x: FeedExports;
  memory: WasmMemory;
  u32: Uint32Array;
  dv: DataView;
  u8: Uint8Array;
}

function harness(module = "frames"): Harness {
  const memory = new Wasm.Memory({ initial: PAGES, maximum: PAGES, shared: true });
  const x = instantiate(modulePath(module, true), memory);
  return { x, memory, u32: new Uint32Array(memory.buffer), dv: new DataView(memory.buffer), u8: new Uint8Array(memory.buffer) };
}

// A ring descriptor at CTL_BASE + which, over fake shared words at `at`; returns its address.
function ring(h: Harness, which: number, at: number, size: number, start: number, producerSide: boolean, descSize: number): number {
  const r = L.CTL_BASE + which;
  const w = (off: number, v: number) => h.dv.setUint32(r + off, v >>> 0, true);
  w(L.RING_PRODUCER, at);
  w(L.RING_CONSUMER, at + 64);
  w(L.RING_FLAGS, at + 128);
  w(L.RING_DESCS, at + 192);
  w(L.RING_MASK, size - 1);
  w(L.RING_SIZE, size);
  w(L.RING_CACHED_PROD, start);
  w(L.RING_CACHED_CONS, producerSide ? start + size : start);
  h.dv.setUint32(at, start >>> 0, true);
  h.dv.setUint32(at + 64, start >>> 0, true);
  h.u8.fill(0, at + 192, at + 192 + size * descSize);
  return r;
}

const prodIdx = (h: Harness, at: number) => h.dv.getUint32(at, true);
const consIdx = (h: Harness, at: number) => h.dv.getUint32(at + 64, true);
const setProd = (h: Harness, at: number, v: number) => h.dv.setUint32(at, v >>> 0, true);
const setCons = (h: Harness, at: number, v: number) => h.dv.setUint32(at + 64, v >>> 0, true);

const Ring = suite("ring arithmetic");

Ring("a consumer sees nothing on an empty ring and everything the kernel published", () => {
  const h = harness();
  const r = ring(h, L.RING_RX, FAKE, 8, 0, false, 16);
  assert.is(h.x.ringPeek(r, 4), 0);
  setProd(h, FAKE, 3); // kernel published 3
  assert.is(h.x.ringPeek(r, 2), 2);
  assert.is(h.x.ringIndex(), 0);
  assert.is(h.x.ringPeek(r, 2), 1, "the third entry comes from the cached producer");
  assert.is(h.x.ringIndex(), 2);
  assert.is(consIdx(h, FAKE), 0, "nothing released yet");
  h.x.ringRelease(r, 3);
  assert.is(consIdx(h, FAKE), 3);
  assert.is(h.x.ringPeek(r, 2), 0);
});

Ring("free-running u32 indices wrap around 2^32 without losing entries", () => {
  const h = harness();
  const start = 0xfffffffc;
  const r = ring(h, L.RING_RX, FAKE, 8, start, false, 16);
  // Kernel writes 8 descriptors whose indices straddle both the ring end and 2^32.
  for (let i = 0; i < 8; i++) h.dv.setUint32(FAKE + 192 + (((start + i) >>> 0) & 7) * 16 + 8, 100 + i, true);
  setProd(h, FAKE, (start + 8) >>> 0);
  assert.is(h.x.ringPeek(r, 64), 8);
  assert.is(h.x.ringIndex() >>> 0, start);
  const lens = [];
  for (let i = 0; i < 8; i++) lens.push(h.dv.getUint32(FAKE + 192 + (((start + i) >>> 0) & 7) * 16 + 8, true));
  assert.equal(lens, [100, 101, 102, 103, 104, 105, 106, 107]);
  h.x.ringRelease(r, 8);
  assert.is(consIdx(h, FAKE), 4, "consumer wrapped to 4");
});

Ring("a producer reserves all or nothing and sees room only after the kernel consumes", () => {
  const h = harness();
  const start = 0xfffffffa;
  const r = ring(h, L.RING_FILL, FAKE, 8, start, true, 8);
  assert.is(h.x.ringNbFree(r, 8), 8);
  assert.is(h.x.ringReserve(r, 5), 5);
  assert.is(h.x.ringIndex() >>> 0, start);
  assert.is(h.x.ringReserve(r, 4), 0, "only 3 left: all or nothing");
  assert.is(h.x.ringReserve(r, 3), 3);
  h.x.ringSubmit(r, 8);
  assert.is(prodIdx(h, FAKE), (start + 8) >>> 0, "producer wrapped");
  assert.is(h.x.ringReserve(r, 1), 0, "full ring");
  setCons(h, FAKE, (start + 2) >>> 0); // kernel consumed 2
  assert.is(h.x.ringNbFree(r, 1), 2);
  assert.is(h.x.ringReserve(r, 2), 2);
  assert.is(h.x.ringIndex() >>> 0, (start + 8) >>> 0);
});

Ring("needs_wakeup follows the kernel's flag word", () => {
  const h = harness();
  const r = ring(h, L.RING_FILL, FAKE, 8, 0, true, 8);
  assert.is(h.x.ringNeedsWakeup(r), 0);
  h.dv.setUint32(FAKE + 128, L.XDP_RING_NEED_WAKEUP, true);
  assert.is(h.x.ringNeedsWakeup(r), 1);
});

Ring.run();

// The receive loop over fake FILL/RX rings: frames move RX -> batch -> FILL.
const Loop = suite("receive loop");

const FRAME = 2048;
const RX_FRAMES = 8;

function socketLike(start: number, module = "frames"): { h: Harness; fill: number; rx: number; umem: number } {
  const h = harness(module);
  const fill = FAKE;
  const rx = FAKE + 0x1000;
  const comp = FAKE + 0x2000;
  const tx = FAKE + 0x3000;
  const umem = FAKE + 0x4000;
  ring(h, L.RING_FILL, fill, RX_FRAMES, start, true, 8);
  ring(h, L.RING_RX, rx, RX_FRAMES, start, false, 16);
  ring(h, L.RING_COMP, comp, 4, 0, false, 8);
  ring(h, L.RING_TX, tx, 4, 0, true, 16);
  const c = (off: number, v: number) => h.dv.setUint32(L.CTL_BASE + off, v, true);
  c(L.CTL_UMEM, umem);
  c(L.CTL_FRAME_SIZE, FRAME);
  c(L.CTL_RX_FRAMES, RX_FRAMES);
  c(L.CTL_TX_FRAMES, 4);
  c(L.CTL_BATCH_CAP, L.BATCH_MAX);
  assert.is(h.x.fillAll(), RX_FRAMES);
  return { h, fill, rx, umem };
}

// The XDP program's receive metadata (assembly/layout.ts XDPFEED_META_*), as the kernel leaves it
// in front of a frame.
interface Meta {
  ktime: bigint;
  hwTs?: bigint;
  magic?: number;
}

// Kernel side: take n FILL entries, put a frame in each (headroom bytes into its chunk, as the
// kernel does, with meta[i] in front of it when given), publish them on RX.
function deliver(s: ReturnType<typeof socketLike>, frames: Uint8Array[], headroom = 0, meta: Array<Meta | null> = []): number[] {
  const { h, fill, rx } = s;
  const addrs: number[] = [];
  let fc = consIdx(h, fill);
  let rp = prodIdx(h, rx);
  for (const [i, f] of frames.entries()) {
    const addr = Number(h.dv.getBigUint64(fill + 192 + (fc & (RX_FRAMES - 1)) * 8, true)) + headroom;
    fc = (fc + 1) >>> 0;
    h.u8.set(f, s.umem + addr);
    const m = meta[i];
    if (m) {
      const at = s.umem + addr - L.XDPFEED_META_SIZE;
      h.dv.setUint32(at + L.META_MAGIC, m.magic ?? L.XDPFEED_META_MAGIC, true);
      h.dv.setUint32(at + L.META_FLAGS, m.hwTs ? L.XDPFEED_META_HW_TS : 0, true);
      h.dv.setBigUint64(at + L.META_KTIME, m.ktime, true);
      h.dv.setBigUint64(at + L.META_HW_TS, m.hwTs ?? 0n, true);
    }
    const d = rx + 192 + (rp & (RX_FRAMES - 1)) * 16;
    h.dv.setBigUint64(d, BigInt(addr), true);
    h.dv.setUint32(d + 8, f.length, true);
    rp = (rp + 1) >>> 0;
    addrs.push(addr);
  }
  setCons(h, fill, fc);
  setProd(h, rx, rp);
  return addrs;
}

const ends = { srcMac: "02:00:00:00:00:01", dstMac: "02:00:00:00:00:02", srcIp: "198.18.0.1", dstIp: "198.18.0.2", srcPort: 1, dstPort: 2 };

Loop("poll hands frames over in place and returns them to FILL on the next call", () => {
  const s = socketLike(0xfffffffe);
  const frames = [0, 1, 2].map((i) => udpFrame(ends, genPayload(i, 64)));
  const addrs = deliver(s, frames);
  assert.is(s.h.x.poll(64), 3);
  const table = new Uint32Array(s.h.u8.buffer, L.BATCH_BASE, 6);
  for (let i = 0; i < 3; i++) {
    assert.is(table[i * 2], s.umem + addrs[i], "offset is the frame itself, not a copy");
    assert.is(table[i * 2 + 1], frames[i].length);
  }
  assert.is(consIdx(s.h, s.rx), (0xfffffffe + 3) >>> 0, "RX released");
  const fillBefore = prodIdx(s.h, s.fill);
  assert.is(s.h.x.poll(64), 0);
  assert.is(prodIdx(s.h, s.fill), (fillBefore + 3) >>> 0, "the three frames went back to FILL");
  const fillSlots = [0, 1, 2].map((i) => Number(s.h.dv.getBigUint64(s.fill + 192 + ((fillBefore + i) & 7) * 8, true)));
  assert.equal(fillSlots, addrs);
});

Loop("poll asks for a wakeup when RX is empty and the kernel set need_wakeup on FILL", () => {
  const s = socketLike(0);
  assert.is(s.h.x.poll(64), 0);
  s.h.dv.setUint32(s.fill + 128, L.XDP_RING_NEED_WAKEUP, true);
  assert.is(s.h.x.poll(64), -1);
});

Loop("run verifies payloads byte for byte and counts a corrupted frame as bad", () => {
  const s = socketLike(5);
  const frames = [0, 1, 2, 3, 4].map((i) => udpFrame(ends, genPayload(i, 77)));
  frames[2][42 + 70] ^= 1; // one bit in frame 2's payload
  deliver(s, frames.slice(0, 4));
  assert.is(s.h.x.run(100, 3), 4, "budget spans two batches");
  deliver(s, [frames[4], udpFrame(ends, genPayload(9, 64)), frames[3]]);
  assert.is(s.h.x.run(100, 64), 3);
  const st = new BigUint64Array(s.h.u8.buffer, L.CTL_BASE + L.CTL_STATS, L.STAT_COUNT);
  assert.is(st[L.STAT_VERIFY_OK], 6n);
  assert.is(st[L.STAT_VERIFY_BAD], 1n);
  assert.is(st[L.STAT_VERIFY_MISSING], 5n, "2 (corrupted) and 5..8 never arrived intact");
  assert.is(st[L.STAT_VERIFY_LATE], 1n, "3 after 9");
  assert.is(st[L.STAT_RX_FRAMES], 7n);
  assert.is(prodIdx(s.h, s.fill), (5 + RX_FRAMES + 7) >>> 0, "every frame went back to FILL at once");
});

Loop("generated frames carry the generator payload", () => {
  const s = socketLike(0);
  const template = udpFrame(ends, new Uint8Array(100)).subarray(0, L.GEN_HEADERS);
  s.h.u8.set(template, L.TEMPLATE_BASE);
  assert.is(s.h.x.genFrames(6, 40n, 100), 4, "only four TX frames and four TX slots");
  assert.is(s.h.x.txSubmit(), 4);
  const tx = FAKE + 0x3000;
  assert.is(prodIdx(s.h, tx), 4);
  for (let i = 0; i < 4; i++) {
    const d = tx + 192 + i * 16;
    const addr = Number(s.h.dv.getBigUint64(d, true));
    const len = s.h.dv.getUint32(d + 8, true);
    const got = s.h.u8.slice(s.umem + addr, s.umem + addr + len);
    assert.equal(got, udpFrame(ends, genPayload(40 + i, 100)));
  }
  assert.is(s.h.x.txInFlight(), 4);
  // Kernel completes two: they return to the free stack.
  const comp = FAKE + 0x2000;
  for (let i = 0; i < 2; i++) s.h.dv.setBigUint64(comp + 192 + i * 8, s.h.dv.getBigUint64(tx + 192 + i * 16, true), true);
  setProd(s.h, comp, 2);
  assert.is(s.h.x.txReclaim(), 2);
  assert.is(s.h.x.txInFlight(), 2);
});

Loop.run();

// The receive timestamps the XDP program leaves in front of each frame, read by the receive loop.
const Meta = suite("receive metadata");

const OFFSET = 1_790_000_000_000_000_000n; // CLOCK_REALTIME - CLOCK_MONOTONIC, as TypeScript writes it
const HEADROOM = 256; // XDP_PACKET_HEADROOM: where the kernel puts a frame in its UMEM chunk

function metaSocket(module = "frames") {
  const s = socketLike(0, module);
  s.h.dv.setBigInt64(L.CTL_BASE + L.CTL_CLOCK_OFFSET, OFFSET, true);
  return s;
}

const ctl32 = (h: Harness, off: number) => h.dv.getUint32(L.CTL_BASE + off, true);
const batchTs = (h: Harness, n: number) => [...new BigUint64Array(h.u8.buffer, L.BATCH_TS_BASE, n)];
const rxStats = (h: Harness) => {
  const st = new BigUint64Array(h.u8.buffer, L.CTL_BASE + L.CTL_STATS, L.STAT_COUNT);
  return { driver: st[L.STAT_RX_TS_DRIVER], hw: st[L.STAT_RX_TS_HW], poll: st[L.STAT_RX_TS_POLL] };
};

Meta("each frame's receive time is the driver's stamp plus the clock offset, its metadata spent once read", () => {
  const s = metaSocket();
  const frames = [0, 1, 2].map((i) => udpFrame(ends, genPayload(i, 64)));
  const addrs = deliver(s, frames, HEADROOM, [{ ktime: 5_000n }, { ktime: 6_000n, hwTs: 777n }, { ktime: 7_000n }]);
  assert.is(s.h.x.poll(64), 3);
  assert.equal(batchTs(s.h, 3), [OFFSET + 5_000n, OFFSET + 6_000n, OFFSET + 7_000n]);
  assert.equal(rxStats(s.h), { driver: 3n, hw: 1n, poll: 0n });
  assert.is(ctl32(s.h, L.CTL_RX_UNSTAMPED), 0, "nothing left for TypeScript to stamp");
  assert.is(ctl32(s.h, L.CTL_RX_TS_LAST), L.TS_SOURCE_DRIVER);
  for (const a of addrs) assert.is(s.h.dv.getUint32(s.umem + a - L.XDPFEED_META_SIZE + L.META_MAGIC, true), 0, "magic cleared");
});

Meta("a frame without metadata is left 0, counted, and stamped once by TypeScript with the time after the poll", () => {
  const s = metaSocket();
  const frames = [0, 1, 2, 3].map((i) => udpFrame(ends, genPayload(i, 64)));
  // Frame 2: no metadata at all; frame 3: something else's bytes where the magic would be.
  deliver(s, frames, HEADROOM, [{ ktime: 5_000n }, { ktime: 6_000n }, null, { ktime: 8_000n, magic: 0x12345678 }]);
  assert.is(s.h.x.poll(64), 4);
  assert.equal(batchTs(s.h, 4), [OFFSET + 5_000n, OFFSET + 6_000n, 0n, 0n]);
  assert.equal(rxStats(s.h), { driver: 2n, hw: 0n, poll: 2n });
  assert.is(ctl32(s.h, L.CTL_RX_UNSTAMPED), 2);
  assert.is(ctl32(s.h, L.CTL_RX_TS_LAST), L.TS_SOURCE_POLL);
  const before = clockNs(CLOCK_MONOTONIC) + OFFSET;
  stampUnstamped(s.h.u32, L.BATCH_TS_BASE >>> 2, 2, 4);
  const after = clockNs(CLOCK_MONOTONIC) + OFFSET;
  const ts = batchTs(s.h, 4);
  assert.equal(ts.slice(0, 2), [OFFSET + 5_000n, OFFSET + 6_000n], "driver stamps untouched");
  assert.is(ts[2], ts[3], "one clock reading for the poll");
  assert.ok(ts[2] >= before && ts[2] <= after, "the poll's time, on the driver stamps' timeline");
  assert.is(ctl32(s.h, L.CTL_RX_UNSTAMPED), 0);
});

Meta("a later frame in the same UMEM chunk without metadata is not taken for the earlier one's", () => {
  const s = metaSocket();
  const first = Array.from({ length: RX_FRAMES }, (_, i) => udpFrame(ends, genPayload(i, 64)));
  const addrs = deliver(s, first, HEADROOM, first.map((_, i) => ({ ktime: BigInt(1000 + i) })));
  assert.is(s.h.x.poll(64), RX_FRAMES);
  assert.is(s.h.x.poll(64), 0, "every chunk back on FILL");
  const again = deliver(s, [udpFrame(ends, genPayload(9, 64))], HEADROOM);
  assert.is(again[0], addrs[0], "the same chunk, the old ktime still in front of it");
  assert.is(s.h.x.poll(64), 1);
  assert.equal(batchTs(s.h, 1), [0n]);
  assert.is(rxStats(s.h).poll, 1n);
});

Meta("metadata is read only from inside the frame's own chunk", () => {
  const s = metaSocket();
  // Frame at the very start of its chunk: what lies before it is the previous chunk's end, even
  // when it looks like metadata.
  deliver(s, [udpFrame(ends, genPayload(0, 64))], HEADROOM, [{ ktime: 1n }]);
  assert.is(s.h.x.poll(64), 1);
  const at = s.umem + Number(s.h.dv.getBigUint64(s.fill + 192 + 8, true)); // the next chunk to fill
  assert.ok(at >= s.umem + FRAME);
  s.h.dv.setUint32(at - L.XDPFEED_META_SIZE + L.META_MAGIC, L.XDPFEED_META_MAGIC, true);
  s.h.dv.setBigUint64(at - L.XDPFEED_META_SIZE + L.META_KTIME, 2n, true);
  deliver(s, [udpFrame(ends, genPayload(1, 64))], 0, [null]);
  assert.is(s.h.x.poll(64), 1);
  assert.equal(batchTs(s.h, 1), [0n]);
  assert.equal(rxStats(s.h), { driver: 1n, hw: 0n, poll: 1n });
});

Meta("a feed module's records carry their frame's receive time, and the NIC's beside them once a NIC gives one", () => {
  const s = metaSocket("itch50");
  const packets = [...moldPackets({ seed: 3, symbols: 4, messages: 400 }, { session: "META000001" })].slice(0, 7);
  const counts = packets.map((p) => new DataView(p.buffer, p.byteOffset).getUint16(18));
  const frames = packets.map((p) => udpFrame(ends, p));
  // First poll: no NIC timestamps; then one frame with one; then none again.
  deliver(s, frames.slice(0, 2), HEADROOM, [{ ktime: 10n }, null]);
  const ticks = new TickView(s.h.memory);
  const x = s.h.x as FeedExports & { recordCount(): number };
  const read = (n: number) => Array.from({ length: n }, (_, i) => [ticks.at(i).receiveTsBig, BigInt(ticks.at(i).hwReceiveTs)]);
  s.h.x.poll(64);
  let n = x.recordCount();
  assert.is(n, counts[0] + counts[1]);
  assert.equal(read(n), [...Array(counts[0]).fill([OFFSET + 10n, 0n]), ...Array(counts[1]).fill([0n, 0n])]);
  deliver(s, frames.slice(2, 4), HEADROOM, [{ ktime: 20n, hwTs: 5_555n }, { ktime: 30n }]);
  s.h.x.poll(64);
  n = x.recordCount();
  assert.equal(read(n), [...Array(counts[2]).fill([OFFSET + 20n, 5_555n]), ...Array(counts[3]).fill([OFFSET + 30n, 0n])]);
  deliver(s, frames.slice(4, 7), HEADROOM, [{ ktime: 40n }, { ktime: 50n }, { ktime: 60n }]);
  s.h.x.poll(64);
  n = x.recordCount();
  assert.equal(read(n), [
    ...Array(counts[4]).fill([OFFSET + 40n, 0n]), ...Array(counts[5]).fill([OFFSET + 50n, 0n]), ...Array(counts[6]).fill([OFFSET + 60n, 0n]),
  ], "NIC timestamps of an earlier poll never show through");
  assert.equal(rxStats(s.h), { driver: 6n, hw: 1n, poll: 1n });
});

Meta.run();
