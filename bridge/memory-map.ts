// Where each ring and the UMEM go inside a socket's WebAssembly.Memory. The fixed regions and
// the control block are drawn in assembly/layout.ts; this file places the dynamic part (rings
// sized from XDP_MMAP_OFFSETS, then the UMEM) and writes it into the control block.

import * as L from "../assembly/layout.js";
import { XdpError } from "./errors.js";

export interface RingSizes {
  fill: number;
  completion: number;
  rx: number;
  tx: number;
}

export interface Geometry {
  /** Bytes per UMEM frame: a power of two from 2048 to 4096 (aligned UMEM mode). */
  frameSize: number;
  rings: RingSizes;
}

/** One ring's offsets as XDP_MMAP_OFFSETS reports them (bytes from the start of its mmap). */
export interface RingOffsets {
  producer: number;
  consumer: number;
  desc: number;
  flags: number;
}

export interface MmapOffsets {
  rx: RingOffsets;
  tx: RingOffsets;
  fill: RingOffsets;
  completion: RingOffsets;
}

export interface RingRegion {
  /** wasm address of the mapping (page aligned) and its length in bytes */
  offset: number;
  bytes: number;
  size: number;
  descSize: number;
  off: RingOffsets;
}

export interface MemoryMap {
  fill: RingRegion;
  completion: RingRegion;
  rx: RingRegion;
  tx: RingRegion;
  umem: number;
  umemBytes: number;
  frameSize: number;
  rxFrames: number;
  txFrames: number;
  bytes: number;
  pages: number;
}

export const DEFAULT_GEOMETRY: Geometry = {
  frameSize: 4096,
  rings: { fill: 2048, completion: 2048, rx: 2048, tx: 2048 },
};

const MAX_RING = 1 << 16;

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;
const isPow2 = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

export function checkGeometry(g: Geometry): void {
  for (const [name, size] of Object.entries(g.rings)) {
    if (!isPow2(size)) {
      throw new XdpError("ERINGSIZE", `invalid ${name} ring size ${size}, expected a power of two`);
    }
    if (size > MAX_RING) {
      throw new XdpError("ERINGSIZE", `invalid ${name} ring size ${size}, expected at most ${MAX_RING}`);
    }
  }
  if (!isPow2(g.frameSize) || g.frameSize < 2048 || g.frameSize > L.OS_PAGE) {
    throw new XdpError("ECONFIG", `invalid frame size ${g.frameSize}, expected 2048 or 4096`);
  }
  if (g.rings.tx > L.TXFREE_MAX) {
    throw new XdpError("ERINGSIZE", `invalid tx ring size ${g.rings.tx}, expected at most ${L.TXFREE_MAX}`);
  }
  if (g.rings.completion < g.rings.tx) {
    throw new XdpError("ERINGSIZE",
      `invalid completion ring size ${g.rings.completion}, expected at least the tx ring size ${g.rings.tx}`);
  }
}

// FILL and RX frames: exactly the FILL ring's size, so every frame can always go back to FILL.
// TX frames: the TX ring's size.
export function memoryMap(g: Geometry, off: MmapOffsets): MemoryMap {
  checkGeometry(g);
  let at = L.DYNAMIC_BASE;
  const place = (size: number, descSize: number, o: RingOffsets): RingRegion => {
    const bytes = o.desc + size * descSize;
    const region = { offset: at, bytes, size, descSize, off: o };
    at = alignUp(at + bytes, L.OS_PAGE);
    return region;
  };
  const fill = place(g.rings.fill, L.ADDR_DESC_SIZE, off.fill);
  const completion = place(g.rings.completion, L.ADDR_DESC_SIZE, off.completion);
  const rx = place(g.rings.rx, L.XDP_DESC_SIZE, off.rx);
  const tx = place(g.rings.tx, L.XDP_DESC_SIZE, off.tx);
  const umem = alignUp(at, L.OS_PAGE);
  const rxFrames = g.rings.fill;
  const txFrames = g.rings.tx;
  const umemBytes = (rxFrames + txFrames) * g.frameSize;
  const bytes = alignUp(umem + umemBytes, L.WASM_PAGE);
  return { fill, completion, rx, tx, umem, umemBytes, frameSize: g.frameSize, rxFrames, txFrames, bytes, pages: bytes / L.WASM_PAGE };
}

// Ring descriptors, UMEM geometry and zeroed counters into the control block.
export function writeControl(memory: ArrayBufferLike, m: MemoryMap): void {
  const u32 = new Uint32Array(memory, L.CTL_BASE, L.CTL_SIZE / 4);
  u32.fill(0);
  const ring = (at: number, r: RingRegion, producerSide: boolean): void => {
    const i = at / 4;
    u32[i + L.RING_PRODUCER / 4] = r.offset + r.off.producer;
    u32[i + L.RING_CONSUMER / 4] = r.offset + r.off.consumer;
    u32[i + L.RING_FLAGS / 4] = r.offset + r.off.flags;
    u32[i + L.RING_DESCS / 4] = r.offset + r.off.desc;
    u32[i + L.RING_MASK / 4] = r.size - 1;
    u32[i + L.RING_SIZE / 4] = r.size;
    // A fresh ring starts at 0/0; producers keep cached_cons one ring ahead, as libxdp does.
    u32[i + L.RING_CACHED_CONS / 4] = producerSide ? r.size : 0;
  };
  ring(L.RING_FILL, m.fill, true);
  ring(L.RING_COMP, m.completion, false);
  ring(L.RING_RX, m.rx, false);
  ring(L.RING_TX, m.tx, true);
  u32[L.CTL_UMEM / 4] = m.umem;
  u32[L.CTL_FRAME_SIZE / 4] = m.frameSize;
  u32[L.CTL_RX_FRAMES / 4] = m.rxFrames;
  u32[L.CTL_TX_FRAMES / 4] = m.txFrames;
  u32[L.CTL_BATCH_CAP / 4] = L.BATCH_MAX;
}
