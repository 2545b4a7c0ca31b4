// An AF_XDP socket whose UMEM and four rings live inside one shared WebAssembly.Memory.
//
// The memory is created at its final size (initial = maximum) so its backing store never moves;
// the UMEM is registered at an address inside it and each ring's kernel mapping replaces the
// pages at its place in the memory map (mmap MAP_FIXED). Wasm then reads frames and ring
// indices where the kernel writes them. close() puts anonymous pages back over the rings before
// closing the socket, so the memory stays valid for whoever still holds it.

import {
  libc, errno, addressOf, AF_XDP, SOCK_RAW, SOCK_CLOEXEC, SOL_SOCKET, SOL_XDP, SO_BUSY_POLL,
  SO_PREFER_BUSY_POLL, SO_BUSY_POLL_BUDGET, MSG_DONTWAIT, POLLIN, POLLOUT, PROT_READ, PROT_WRITE,
  MAP_SHARED, MAP_PRIVATE, MAP_FIXED, MAP_ANONYMOUS, MAP_POPULATE, MAP_FAILED, RLIMIT_MEMLOCK, E,
} from "./libc.js";
import { XdpError, syscallError } from "./errors.js";
import { STEP_CAPABILITIES } from "./capabilities.js";
import {
  memoryMap, writeControl, DEFAULT_GEOMETRY, checkGeometry, type Geometry, type MemoryMap,
  type MmapOffsets, type RingOffsets, type RingRegion,
} from "./memory-map.js";
import { Wasm, type WasmMemory } from "./wasm.js";
import { writeClockOffset } from "./clock.js";

// <linux/if_xdp.h>
const XDP_MMAP_OFFSETS = 1;
const XDP_RX_RING = 2;
const XDP_TX_RING = 3;
const XDP_UMEM_REG = 4;
const XDP_UMEM_FILL_RING = 5;
const XDP_UMEM_COMPLETION_RING = 6;
const XDP_STATISTICS = 7;
const XDP_OPTIONS = 8;
const XDP_OPTIONS_ZEROCOPY = 1;
const XDP_COPY = 2;
const XDP_ZEROCOPY = 4;
const XDP_USE_NEED_WAKEUP = 8;
const XDP_PGOFF_RX_RING = 0;
const XDP_PGOFF_TX_RING = 0x80000000;
const XDP_UMEM_PGOFF_FILL_RING = 0x100000000;
const XDP_UMEM_PGOFF_COMPLETION_RING = 0x180000000;
const UMEM_REG_SIZE = 32; // struct xdp_umem_reg with tx_metadata_len (Linux 6.8+); zeroed
const MMAP_OFFSETS_SIZE = 128; // four struct xdp_ring_offset with flags (Linux 5.4+)

export type BindMode = "auto" | "zerocopy" | "copy";

export interface XskOptions {
  iface: string;
  queue?: number;
  /** UMEM frame size and ring sizes; defaults in DEFAULT_GEOMETRY (bridge/memory-map.ts). */
  geometry?: { frameSize?: number; rings?: Partial<Geometry["rings"]> };
  /** "auto" tries zero-copy and falls back to copy mode. */
  bind?: BindMode;
  /** Busy polling: SO_PREFER_BUSY_POLL, SO_BUSY_POLL (µs) and SO_BUSY_POLL_BUDGET. */
  busyPoll?: { usecs?: number; budget?: number } | boolean;
}

/** XDP_STATISTICS; fields a kernel does not report are absent. */
export interface XdpStatistics {
  rx_dropped: bigint;
  rx_invalid_descs: bigint;
  tx_invalid_descs: bigint;
  rx_ring_full?: bigint;
  rx_fill_ring_empty_descs?: bigint;
  tx_ring_empty_descs?: bigint;
}

export interface BusyPollState {
  requested: boolean;
  applied: boolean;
  reason?: string;
}

export function ifindexOf(iface: string): number {
  const ifindex = libc.if_nametoindex(iface);
  if (ifindex === 0) throw syscallError(`if_nametoindex(${iface})`, E.ENODEV, { iface });
  return ifindex;
}

export function memlockLimit(): bigint {
  const r = new BigUint64Array(2);
  return libc.getrlimit(RLIMIT_MEMLOCK, r) === 0 ? r[0] : -1n;
}

export function resolveGeometry(g: XskOptions["geometry"]): Geometry {
  return {
    frameSize: g?.frameSize ?? DEFAULT_GEOMETRY.frameSize,
    rings: { ...DEFAULT_GEOMETRY.rings, ...g?.rings },
  };
}

export class XskSocket {
  readonly fd: number;
  readonly iface: string;
  readonly ifindex: number;
  readonly queue: number;
  readonly memory: WasmMemory;
  readonly map: MemoryMap;
  readonly zeroCopy: boolean;
  readonly busyPoll: BusyPollState;
  #base: bigint;
  #closed = false;
  #pollfd = new Int32Array(2);
  rxWakeups = 0;
  txWakeups = 0;

  private constructor(fd: number, iface: string, ifindex: number, queue: number,
    memory: WasmMemory, map: MemoryMap, zeroCopy: boolean, busyPoll: BusyPollState) {
    this.fd = fd;
    this.iface = iface;
    this.ifindex = ifindex;
    this.queue = queue;
    this.memory = memory;
    this.map = map;
    this.zeroCopy = zeroCopy;
    this.busyPoll = busyPoll;
    this.#base = addressOf(memory.buffer);
  }

  /**
   * Creates, maps and binds the socket. `beforeBind` runs once the rings are mapped and the
   * control block written, so FILL can be stocked before the first frame arrives.
   */
  static open(opts: XskOptions, beforeBind?: (memory: WasmMemory, map: MemoryMap) => void): XskSocket {
    const g = resolveGeometry(opts.geometry);
    checkGeometry(g);
    const queue = opts.queue ?? 0;
    const ifindex = ifindexOf(opts.iface);
    const ctx = { iface: opts.iface, queue };
    const fd = libc.socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) throw syscallError("socket(AF_XDP)", errno(), { ...ctx, caps: STEP_CAPABILITIES.socket });
    let memory: WasmMemory | undefined;
    let map: MemoryMap | undefined;
    try {
      map = memoryMap(g, mmapOffsets(fd));
      // A shared memory's backing store is reserved at its maximum once and never moves, so the
      // rings and UMEM mapped into its first pages stay put when it grows (an order book does).
      memory = new Wasm.Memory({ initial: map.pages, maximum: 65536, shared: true });
      const base = addressOf(memory.buffer);
      registerUmem(fd, base, map, ctx);
      setRingSize(fd, XDP_UMEM_FILL_RING, map.fill.size, "fill");
      setRingSize(fd, XDP_UMEM_COMPLETION_RING, map.completion.size, "completion");
      setRingSize(fd, XDP_RX_RING, map.rx.size, "rx");
      setRingSize(fd, XDP_TX_RING, map.tx.size, "tx");
      // Offsets are read again now that the rings exist: they are the kernel's, never ours.
      const off = mmapOffsets(fd);
      mapRing(fd, base, map.fill, off.fill, XDP_UMEM_PGOFF_FILL_RING, "fill");
      mapRing(fd, base, map.completion, off.completion, XDP_UMEM_PGOFF_COMPLETION_RING, "completion");
      mapRing(fd, base, map.rx, off.rx, XDP_PGOFF_RX_RING, "rx");
      mapRing(fd, base, map.tx, off.tx, XDP_PGOFF_TX_RING, "tx");
      writeControl(memory.buffer, map);
      writeClockOffset(memory.buffer);
      beforeBind?.(memory, map);
      bindSocket(fd, ifindex, queue, opts.bind ?? "auto", ctx);
      const zeroCopy = (getU32Opt(fd, XDP_OPTIONS) & XDP_OPTIONS_ZEROCOPY) !== 0;
      const busy = applyBusyPoll(fd, opts.busyPoll);
      return new XskSocket(fd, opts.iface, ifindex, queue, memory, map, zeroCopy, busy);
    } catch (e) {
      if (memory && map) unmapRings(addressOf(memory.buffer), map);
      libc.close(fd);
      throw e;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Wakes the kernel's RX/FILL processing (needed when the FILL ring's need_wakeup flag is set). */
  wakeupRx(): void {
    this.rxWakeups++;
    libc.recvfrom(this.fd, null, 0, MSG_DONTWAIT, null, null);
  }

  /** Asks the kernel to send what is on the TX ring. EAGAIN/EBUSY mean "busy, try again later". */
  kickTx(): void {
    this.txWakeups++;
    if (libc.sendto(this.fd, null, 0, MSG_DONTWAIT, null, 0) < 0) {
      const err = errno();
      if (err !== E.EAGAIN && err !== E.EBUSY && err !== E.ENOBUFS && err !== E.ENETDOWN) {
        throw syscallError("sendto(AF_XDP)", err, { iface: this.iface, queue: this.queue });
      }
    }
  }

  /** Blocks up to timeoutMs for RX frames (or TX room with `tx`); true when ready. */
  wait(timeoutMs: number, tx = false): boolean {
    this.#pollfd[0] = this.fd;
    this.#pollfd[1] = tx ? POLLOUT : POLLIN; // events in the low half, revents cleared
    const r = libc.poll(this.#pollfd, 1, timeoutMs);
    if (r < 0 && errno() !== E.EINTR) throw syscallError("poll(AF_XDP)", errno());
    return r > 0;
  }

  statistics(): XdpStatistics {
    const buf = new BigUint64Array(6);
    const len = new Uint32Array([48]);
    if (libc.getsockopt(this.fd, SOL_XDP, XDP_STATISTICS, buf, len) !== 0) {
      throw syscallError("getsockopt(XDP_STATISTICS)", errno());
    }
    const s: XdpStatistics = { rx_dropped: buf[0], rx_invalid_descs: buf[1], tx_invalid_descs: buf[2] };
    // Kernels before 5.9 return only the first three fields.
    if (len[0] >= 48) {
      s.rx_ring_full = buf[3];
      s.rx_fill_ring_empty_descs = buf[4];
      s.tx_ring_empty_descs = buf[5];
    }
    return s;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    unmapRings(this.#base, this.map);
    libc.close(this.fd);
  }
}

function getU32Opt(fd: number, opt: number): number {
  const v = new Uint32Array(1);
  const len = new Uint32Array([4]);
  if (libc.getsockopt(fd, SOL_XDP, opt, v, len) !== 0) throw syscallError(`getsockopt(SOL_XDP, ${opt})`, errno());
  return v[0];
}

function mmapOffsets(fd: number): MmapOffsets {
  const b = new BigUint64Array(MMAP_OFFSETS_SIZE / 8);
  const len = new Uint32Array([MMAP_OFFSETS_SIZE]);
  if (libc.getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, b, len) !== 0) {
    throw syscallError("getsockopt(XDP_MMAP_OFFSETS)", errno());
  }
  if (len[0] < MMAP_OFFSETS_SIZE) {
    throw new XdpError("EAFNOSUPPORT",
      `XDP_MMAP_OFFSETS returned ${len[0]} bytes, expected ${MMAP_OFFSETS_SIZE}: this kernel's rings have no flags word (need_wakeup); xdpfeed needs Linux >= 5.4`);
  }
  // struct xdp_ring_offset { producer, consumer, desc, flags } x { rx, tx, fr, cr }
  const ring = (i: number): RingOffsets => ({
    producer: Number(b[i * 4]), consumer: Number(b[i * 4 + 1]), desc: Number(b[i * 4 + 2]), flags: Number(b[i * 4 + 3]),
  });
  return { rx: ring(0), tx: ring(1), fill: ring(2), completion: ring(3) };
}

function registerUmem(fd: number, base: bigint, map: MemoryMap, ctx: { iface: string; queue: number }): void {
  const reg = new DataView(new ArrayBuffer(UMEM_REG_SIZE)); // zeroed: flags, headroom, tx_metadata_len
  reg.setBigUint64(0, base + BigInt(map.umem), true);
  reg.setBigUint64(8, BigInt(map.umemBytes), true);
  reg.setUint32(16, map.frameSize, true);
  if (libc.setsockopt(fd, SOL_XDP, XDP_UMEM_REG, new Uint8Array(reg.buffer), UMEM_REG_SIZE) !== 0) {
    throw syscallError("setsockopt(XDP_UMEM_REG)", errno(), { ...ctx, umemBytes: map.umemBytes, memlock: memlockLimit() });
  }
}

function setRingSize(fd: number, opt: number, size: number, name: string): void {
  if (libc.setsockopt(fd, SOL_XDP, opt, new Uint32Array([size]), 4) !== 0) {
    const err = errno();
    if (err === E.EINVAL) throw new XdpError("ERINGSIZE", `invalid ${name} ring size ${size}, rejected by the kernel`, "setsockopt", err);
    throw syscallError(`setsockopt(${name} ring)`, err);
  }
}

function mapRing(fd: number, base: bigint, r: RingRegion, off: RingOffsets, pgoff: number, name: string): void {
  if (off.desc !== r.off.desc || off.producer !== r.off.producer) {
    throw new XdpError("ECONFIG", `${name} ring offsets changed after the ring was created`);
  }
  const at = base + BigInt(r.offset);
  const p = libc.mmap(at, r.bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED | MAP_POPULATE, fd, pgoff);
  if (p === MAP_FAILED || BigInt(p) !== at) throw syscallError(`mmap(${name} ring)`, errno());
}

// Anonymous zero pages over each ring: drops the kernel mapping (and its socket reference)
// while the wasm memory keeps a valid page at every address.
function unmapRings(base: bigint, map: MemoryMap): void {
  for (const r of [map.fill, map.completion, map.rx, map.tx]) {
    const len = Math.ceil(r.bytes / 4096) * 4096;
    libc.mmap(base + BigInt(r.offset), len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0);
  }
}

function sockaddrXdp(flags: number, ifindex: number, queue: number): Uint8Array {
  const a = new DataView(new ArrayBuffer(16));
  a.setUint16(0, AF_XDP, true);
  a.setUint16(2, flags, true);
  a.setUint32(4, ifindex, true);
  a.setUint32(8, queue, true);
  return new Uint8Array(a.buffer);
}

/** How long bind() retries EBUSY, the kernel's asynchronous release of a just-closed socket. */
export const BIND_BUSY_RETRY_MS = 500;

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

function bindSocket(fd: number, ifindex: number, queue: number, mode: BindMode, ctx: { iface: string; queue: number }): void {
  const tryBind = (flags: number): number =>
    libc.bind(fd, sockaddrXdp(flags | XDP_USE_NEED_WAKEUP, ifindex, queue), 16) === 0 ? 0 : errno();
  const attempt = (): number => {
    const err = mode === "copy" ? tryBind(XDP_COPY) : tryBind(XDP_ZEROCOPY);
    // Zero-copy needs driver support (veth has none): copy mode is a fallback, not an error.
    if (err !== 0 && mode === "auto" && (err === E.EOPNOTSUPP || err === E.EINVAL || err === E.EPROTONOSUPPORT)) {
      return tryBind(XDP_COPY);
    }
    return err;
  };
  let err = attempt();
  // A socket closed on this queue a moment ago still holds it: the kernel clears the queue's pool
  // in deferred work after the socket is destroyed (xp_release_deferred), so a bind right after
  // a close can see EBUSY. Retried for up to BIND_BUSY_RETRY_MS; a socket really bound there
  // keeps failing and is reported as before.
  for (const until = Date.now() + BIND_BUSY_RETRY_MS; err === E.EBUSY && Date.now() < until;) {
    sleepMs(10);
    err = attempt();
  }
  if (err === 0) return;
  if (mode === "zerocopy" && (err === E.EOPNOTSUPP || err === E.EPROTONOSUPPORT)) {
    throw new XdpError("ESYSCALL",
      `bind(AF_XDP zerocopy) on ${ctx.iface} queue ${queue} failed with ${err === E.EOPNOTSUPP ? "EOPNOTSUPP" : "EPROTONOSUPPORT"}: ` +
      `the driver has no zero-copy AF_XDP support; use bind "auto" or "copy"`, "bind", err);
  }
  if (err === E.EINVAL) {
    throw new XdpError("EINVAL_QUEUE",
      `bind(AF_XDP) on ${ctx.iface} queue ${queue} failed with EINVAL: the interface has no such queue ` +
      `(see ethtool -l ${ctx.iface}) or the mode is unsupported`, "bind", err);
  }
  throw syscallError(`bind(AF_XDP ${mode})`, err, ctx);
}

function applyBusyPoll(fd: number, req: XskOptions["busyPoll"]): BusyPollState {
  if (!req) return { requested: false, applied: false };
  const o = typeof req === "object" ? req : {};
  const set = (opt: number, v: number): number =>
    libc.setsockopt(fd, SOL_SOCKET, opt, new Int32Array([v]), 4) === 0 ? 0 : errno();
  // Each option needs a newer kernel than the last; a refusal leaves plain polling in force.
  const steps: Array<[string, number, number]> = [
    ["SO_PREFER_BUSY_POLL", SO_PREFER_BUSY_POLL, 1],
    ["SO_BUSY_POLL", SO_BUSY_POLL, o.usecs ?? 20],
    ["SO_BUSY_POLL_BUDGET", SO_BUSY_POLL_BUDGET, o.budget ?? 64],
  ];
  for (const [name, opt, v] of steps) {
    const err = set(opt, v);
    if (err !== 0) return { requested: true, applied: false, reason: `${name} refused by the kernel (errno ${err})` };
  }
  return { requested: true, applied: true };
}
