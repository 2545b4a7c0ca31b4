// The memory layout of one socket's WebAssembly.Memory: the single source of truth.
//
// This file is both AssemblyScript (compiled into every feed module) and TypeScript
// (imported by bridge/ and src/), so it holds plain integer constants only.
//
// Fixed regions (wasm address = byte offset in the memory):
//
//   offset              size                what
//   0                   AS_REGION_END       AssemblyScript static data and (stub) heap; the hot
//                                           path allocates nothing, start-up checks __heap_base
//   CTL_BASE            CTL_SIZE            control block, below: ring descriptors, UMEM geometry,
//                                           counters; written by TypeScript at open, used by wasm
//   BATCH_BASE          BATCH_SIZE          batch table: one BATCH_ENTRY per frame of the last
//                                           receive (offset u32, length u32)
//   TXFREE_BASE         TXFREE_SIZE         stack of free TX frame addresses (u32 each)
//   TEMPLATE_BASE       TEMPLATE_SIZE       generator frame template (headers, filled by TypeScript)
//   DYNAMIC_BASE        ...                 rings and UMEM, placed by bridge/memory-map.ts from the
//                                           ring sizes and XDP_MMAP_OFFSETS, each page aligned:
//                                           FILL, COMPLETION, RX, TX rings (mmapped MAP_FIXED over
//                                           this memory), then the UMEM frames
//
// Control block (CTL_BASE + offset), all fields u32 unless said otherwise:
//
//   offset  field
//   0       RING_FILL        ring descriptor (RING_SIZEOF bytes), producer side
//   32      RING_COMP        ring descriptor, consumer side
//   64      RING_RX          ring descriptor, consumer side
//   96      RING_TX          ring descriptor, producer side
//   128     CTL_UMEM         wasm address of UMEM frame 0 (descriptor addrs are relative to it)
//   132     CTL_FRAME_SIZE   bytes per frame (power of two, >= 2048)
//   136     CTL_RX_FRAMES    frames [0, RX_FRAMES) circulate FILL -> RX -> FILL
//   140     CTL_TX_FRAMES    frames [RX_FRAMES, RX_FRAMES + TX_FRAMES) circulate TX -> COMPLETION
//   144     CTL_TXFREE_TOP   number of addresses on the TX free stack
//   148     CTL_PENDING_FILL frames of the last batch not yet returned to FILL
//   152     CTL_BATCH_CAP    capacity of the batch table (entries)
//   160     CTL_STATS        counters (u64 each), see STAT_*
//
// Ring descriptor (mirrors libxdp's struct xsk_ring_prod / xsk_ring_cons):
//
//   offset  field
//   0       RING_PRODUCER    wasm address of the kernel-shared producer index (u32)
//   4       RING_CONSUMER    wasm address of the kernel-shared consumer index (u32)
//   8       RING_FLAGS       wasm address of the kernel-shared flags word (u32)
//   12      RING_DESCS       wasm address of descriptor 0
//   16      RING_MASK        size - 1
//   20      RING_SIZE        number of descriptors (power of two)
//   24      RING_CACHED_PROD producer index as last seen / reserved by us
//   28      RING_CACHED_CONS consumer index as last seen by us (+ size on producer rings, as libxdp)

export const WASM_PAGE: u32 = 65536;
export const OS_PAGE: u32 = 4096;

export const AS_REGION_END: u32 = 0x100000;

export const CTL_BASE: u32 = 0x100000;
export const CTL_SIZE: u32 = 0x1000;

export const RING_SIZEOF: u32 = 32;
export const RING_PRODUCER: u32 = 0;
export const RING_CONSUMER: u32 = 4;
export const RING_FLAGS: u32 = 8;
export const RING_DESCS: u32 = 12;
export const RING_MASK: u32 = 16;
export const RING_SIZE: u32 = 20;
export const RING_CACHED_PROD: u32 = 24;
export const RING_CACHED_CONS: u32 = 28;

export const RING_FILL: u32 = 0;
export const RING_COMP: u32 = 32;
export const RING_RX: u32 = 64;
export const RING_TX: u32 = 96;

export const CTL_UMEM: u32 = 128;
export const CTL_FRAME_SIZE: u32 = 132;
export const CTL_RX_FRAMES: u32 = 136;
export const CTL_TX_FRAMES: u32 = 140;
export const CTL_TXFREE_TOP: u32 = 144;
export const CTL_PENDING_FILL: u32 = 148;
export const CTL_BATCH_CAP: u32 = 152;
export const CTL_STATS: u32 = 160;

// Counters at CTL_BASE + CTL_STATS + 8 * index (u64, written by wasm only).
export const STAT_RX_FRAMES: u32 = 0;
export const STAT_RX_BYTES: u32 = 1;
export const STAT_RX_BATCHES: u32 = 2;
export const STAT_TX_FRAMES: u32 = 3;
export const STAT_TX_BYTES: u32 = 4;
export const STAT_TX_COMPLETED: u32 = 5;
// Generator-payload verifier (frames module): next expected sequence, frames whose payload
// matched, frames whose payload did not, sequence numbers skipped, frames below the expected one.
export const STAT_VERIFY_NEXT: u32 = 6;
export const STAT_VERIFY_OK: u32 = 7;
export const STAT_VERIFY_BAD: u32 = 8;
export const STAT_VERIFY_MISSING: u32 = 9;
export const STAT_VERIFY_LATE: u32 = 10;
export const STAT_COUNT: u32 = 11;

export const BATCH_BASE: u32 = 0x101000;
export const BATCH_ENTRY: u32 = 8;
export const BATCH_MAX: u32 = 4096;
export const BATCH_SIZE: u32 = 0x8000;

export const TXFREE_BASE: u32 = 0x109000;
export const TXFREE_MAX: u32 = 16384;
export const TXFREE_SIZE: u32 = 0x10000;

export const TEMPLATE_BASE: u32 = 0x119000;
export const TEMPLATE_SIZE: u32 = 0x1000;

export const DYNAMIC_BASE: u32 = 0x120000;

// Descriptor sizes fixed by the kernel ABI (struct xdp_desc, and a u64 address).
export const XDP_DESC_SIZE: u32 = 16;
export const ADDR_DESC_SIZE: u32 = 8;
export const XDP_RING_NEED_WAKEUP: u32 = 1;

// Generator frames: Ethernet + IPv4 (no options) + UDP, then the payload below.
export const GEN_HEADERS: u32 = 42;
// Payload: u64 little-endian sequence number, then byte i (i >= 8) = (seq * GEN_MUL + i) & 0xff.
export const GEN_SEQ_BYTES: u32 = 8;
export const GEN_MUL: u32 = 131;
