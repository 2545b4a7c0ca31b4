// The ring benchmark's memory: a socket's WebAssembly.Memory laid out as for a real AF_XDP socket
// (bridge/memory-map.ts places the rings and the UMEM, writeControl fills the control block), the
// UMEM chunks pre-filled with feed frames, the whole FILL ring handed to the "kernel", and the
// simulated producer's block and frame table after the UMEM (bench/ring/producer.h draws them; the
// SIM_* and FT_* offsets below mirror it). The xdpfeed case lays it into the wasm memory; run.ts
// lays the same into a plain buffer and writes it out for the C baseline (c_ring.c), so both
// consumers start from the same bytes. The producer itself is C (producer.c), loaded here through
// koffi from bench/.build/libringprod.so (make -C bench/ring).

import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import koffi from "koffi";
import * as L from "../../assembly/layout.js";
import { memoryMap, writeControl, type MemoryMap, type MmapOffsets } from "../../bridge/memory-map.js";
import { addressOf } from "../../bridge/libc.js";

// producer.h: the producer block (u32 unless said) and one frame table entry per UMEM chunk.
export const SIM_STOP = 0;
export const SIM_STATE = 4;
export const SIM_FRAMES = 8;
export const SIM_BATCH = 12;
export const SIM_HEADROOM = 16;
export const SIM_META = 20;
export const SIM_CPU = 24;
export const SIM_TABLE = 28;
export const SIM_LIMIT = 32; // u64
export const SIM_SEQ = 40; // u64
export const SIM_PRODUCED = 48; // u64
export const SIM_MESSAGES = 56; // u64
export const SIM_ROUNDS = 64; // u64
export const SIM_IDLE_FILL = 72; // u64
export const SIM_IDLE_RX = 80; // u64
export const SIM_NS = 88; // u64
export const SIM_CPU_NS = 96; // u64
export const SIM_SIZE = 128;
export const SIM_ENTRY = 8;
export const FT_LEN = 0;
export const FT_SEQ_AT = 2;
export const FT_COUNT = 4;
export const FT_SEQ_KIND = 6;
export const SEQ_BE64 = 1;
export const SEQ_LE64 = 2;

/** Where a frame's kernel-written sequence number is and how many messages follow it. */
export interface SimFrame {
  /** The whole Ethernet frame. */
  bytes: Uint8Array;
  /** Byte offset of its first message's sequence number (0: none to rewrite). */
  seqAt: number;
  seqKind: typeof SEQ_BE64 | typeof SEQ_LE64;
  /** Messages in the frame. */
  count: number;
}

export interface RingSetup {
  /** FILL and RX ring size: also the number of UMEM chunks that circulate (power of two). */
  ring: number;
  frameSize: number;
  /** Frames for the chunks, in chunk order, repeated when fewer than ring. */
  frames: SimFrame[];
  /** Free-running index every ring starts at (the test starts near 2^32). */
  start?: number;
  /** Bytes from a chunk's start to its frame (XDP_PACKET_HEADROOM: 256). */
  headroom?: number;
  /** Receive metadata in front of every frame, as the XDP program writes it (default true). */
  meta?: boolean;
  /** Most frames the producer moves per round (default 64, the kernel's NAPI budget). */
  batch?: number;
  /** Frames to produce before stopping (default 0: until told to stop). */
  limit?: number;
  /** Sequence number of the first message produced (default 1). */
  firstSeq?: bigint;
  /** CLOCK_REALTIME - CLOCK_MONOTONIC written into the control block (default 0). */
  clockOffsetNs?: bigint;
}

export interface RingLayout {
  map: MemoryMap;
  /** Address of the producer block. */
  sim: number;
  /** End of everything laid out: the memory must hold this many bytes. */
  bytes: number;
}

// Each shared word on its own cache line, descriptors after them, as the kernel maps a ring.
const RING_OFFSETS = { producer: 0, consumer: 128, flags: 256, desc: 320 };
const OFFSETS: MmapOffsets = { rx: RING_OFFSETS, tx: RING_OFFSETS, fill: RING_OFFSETS, completion: RING_OFFSETS };
const TX_RING = 64;

/** The memory size (bytes) layRings needs for a ring of this size and frame size. */
export function ringBytes(ring: number, frameSize: number): number {
  const map = memoryMap({ frameSize, rings: { fill: ring, rx: ring, tx: TX_RING, completion: TX_RING } }, OFFSETS);
  return map.bytes + align(SIM_SIZE + ring * SIM_ENTRY, L.WASM_PAGE);
}

const align = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Lays the rings, the UMEM with its frames, and the producer block into buf (from CTL_BASE up). */
export function layRings(buf: ArrayBufferLike, s: RingSetup): RingLayout {
  const headroom = s.headroom ?? 256;
  const map = memoryMap({ frameSize: s.frameSize, rings: { fill: s.ring, rx: s.ring, tx: TX_RING, completion: TX_RING } }, OFFSETS);
  const sim = map.bytes;
  const bytes = map.bytes + align(SIM_SIZE + s.ring * SIM_ENTRY, L.WASM_PAGE);
  if (buf.byteLength < bytes) throw new RangeError(`the memory holds ${buf.byteLength} bytes, the ring layout needs ${bytes}`);
  if (s.frames.length === 0) throw new RangeError("no frames to fill the UMEM with");
  writeControl(buf, map);
  const dv = new DataView(buf);
  const u8 = new Uint8Array(buf);
  const start = (s.start ?? 0) >>> 0;
  dv.setBigInt64(L.CTL_BASE + L.CTL_CLOCK_OFFSET, s.clockOffsetNs ?? 0n, true);
  // Every ring at `start`; then the whole FILL ring handed over (frames [0, ring)), as fillAll.
  for (const [which, region, producerSide] of [[L.RING_FILL, map.fill, true], [L.RING_RX, map.rx, false]] as const) {
    const r = L.CTL_BASE + which;
    dv.setUint32(region.offset + region.off.producer, start, true);
    dv.setUint32(region.offset + region.off.consumer, start, true);
    dv.setUint32(r + L.RING_CACHED_PROD, start, true);
    dv.setUint32(r + L.RING_CACHED_CONS, (start + (producerSide ? region.size : 0)) >>> 0, true);
  }
  for (let i = 0; i < s.ring; i++) {
    dv.setBigUint64(map.fill.offset + map.fill.off.desc + (((start + i) >>> 0) & (s.ring - 1)) * L.ADDR_DESC_SIZE, BigInt(i * s.frameSize), true);
  }
  dv.setUint32(map.fill.offset + map.fill.off.producer, (start + s.ring) >>> 0, true);
  dv.setUint32(L.CTL_BASE + L.RING_FILL + L.RING_CACHED_PROD, (start + s.ring) >>> 0, true);
  // The frames, and the producer's table of them.
  const table = sim + SIM_SIZE;
  for (let i = 0; i < s.ring; i++) {
    const f = s.frames[i % s.frames.length];
    if (headroom + f.bytes.length > s.frameSize) {
      throw new RangeError(`a ${f.bytes.length}-byte frame does not fit a ${s.frameSize}-byte chunk after ${headroom} bytes of headroom`);
    }
    u8.set(f.bytes, map.umem + i * s.frameSize + headroom);
    const e = table + i * SIM_ENTRY;
    dv.setUint16(e + FT_LEN, f.bytes.length, true);
    dv.setUint16(e + FT_SEQ_AT, f.seqAt, true);
    dv.setUint16(e + FT_COUNT, f.count, true);
    dv.setUint8(e + FT_SEQ_KIND, f.seqKind);
  }
  u8.fill(0, sim, sim + SIM_SIZE);
  dv.setUint32(sim + SIM_FRAMES, s.ring, true);
  dv.setUint32(sim + SIM_BATCH, s.batch ?? 64, true);
  dv.setUint32(sim + SIM_HEADROOM, headroom, true);
  dv.setUint32(sim + SIM_META, s.meta === false ? 0 : 1, true);
  dv.setInt32(sim + SIM_CPU, -1, true);
  dv.setUint32(sim + SIM_TABLE, table, true);
  dv.setBigUint64(sim + SIM_LIMIT, BigInt(s.limit ?? 0), true);
  dv.setBigUint64(sim + SIM_SEQ, s.firstSeq ?? 1n, true);
  return { map, sim, bytes };
}

/** What the producer reports once stopped. */
export interface ProducerStats {
  produced: number;
  messages: number;
  rounds: number;
  /** Rounds that found FILL empty (every buffer with the consumer) or RX full. */
  idleFill: number;
  idleRx: number;
  ns: number;
  /** CPU time the thread had in those ns (less than them: other work took its CPU). */
  cpuNs: number;
  /** Sequence number the next message would have had. */
  nextSeq: bigint;
}

export function producerStats(buf: ArrayBufferLike, sim: number): ProducerStats {
  const dv = new DataView(buf);
  const n = (off: number) => Number(dv.getBigUint64(sim + off, true));
  return {
    produced: n(SIM_PRODUCED), messages: n(SIM_MESSAGES), rounds: n(SIM_ROUNDS), idleFill: n(SIM_IDLE_FILL),
    idleRx: n(SIM_IDLE_RX), ns: n(SIM_NS), cpuNs: n(SIM_CPU_NS), nextSeq: dv.getBigUint64(sim + SIM_SEQ, true),
  };
}

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const BUILD = `${ROOT}bench/.build`;
export const C_RING = `${BUILD}/c_ring`;
const LIB = `${BUILD}/libringprod.so`;

/** Builds the C baseline and the producer library (make -C bench/ring); throws when cc fails. */
export function buildNative(): void {
  execFileSync("make", ["-s", "-C", `${ROOT}bench/ring`], { stdio: ["ignore", "ignore", "inherit"] });
}

export interface Producer {
  /** Starts the producer thread over buf (a shared wasm memory's buffer) with its block at sim. */
  start(buf: ArrayBufferLike, sim: number, cpu?: number): void;
  /** Tells it to stop (SIM_STOP) and waits for it. */
  stop(buf: ArrayBufferLike, sim: number): void;
  /** Waits for a producer with a frame limit to finish. */
  join(): void;
  /** CPU time of the calling (JavaScript) thread in ns. */
  threadCpuNs(): number;
  /** One-core mode: moves up to max frames from FILL to RX on the calling thread; returns how many. */
  step(buf: ArrayBufferLike, sim: number, max: number): number;
}

let producer: Producer | undefined;

/** The simulated kernel side, from bench/.build/libringprod.so (built first if missing). */
export function loadProducer(): Producer {
  if (producer) return producer;
  if (!existsSync(LIB)) buildNative();
  const lib = koffi.load(LIB);
  const start = lib.func("int ring_producer_start(uintptr_t base, uint32_t sim)");
  const join = lib.func("int ring_producer_join(void)");
  const cpuNs = lib.func("uint64_t ring_thread_cpu_ns(void)");
  const step = lib.func("uint32_t ring_producer_step(uintptr_t base, uint32_t sim, uint32_t max)");
  const joined = (): void => {
    const e = join() as number;
    if (e !== 0) throw new Error(`ring_producer_join: error ${e}`);
  };
  producer = {
    start(buf, sim, cpu = -1) {
      new DataView(buf).setInt32(sim + SIM_CPU, cpu, true);
      const e = start(addressOf(buf), sim) as number;
      if (e !== 0) throw new Error(`ring_producer_start: error ${e} (a producer already running?)`);
    },
    stop(buf, sim) {
      Atomics.store(new Int32Array(buf, sim + SIM_STOP, 1), 0, 1);
      joined();
    },
    join: joined,
    threadCpuNs: () => Number(cpuNs()),
    step: (buf, sim, max) => step(addressOf(buf), sim, max) as number,
  };
  return producer;
}
