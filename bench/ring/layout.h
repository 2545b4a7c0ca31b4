// The ring benchmark's copy of the memory layout both C sides use (assembly/layout.ts): the
// control block's rings and words, and the receive metadata in front of each frame.
// test/ring-bench.test.ts checks each value against layout.ts.

#ifndef XDPFEED_RING_LAYOUT_H
#define XDPFEED_RING_LAYOUT_H

#define CTL_BASE 0x100000u
#define RING_FILL 0u
#define RING_RX 64u
#define RING_PRODUCER 0u
#define RING_CONSUMER 4u
#define RING_FLAGS 8u
#define RING_DESCS 12u
#define RING_MASK 16u
#define RING_SIZE 20u
#define RING_CACHED_PROD 24u
#define RING_CACHED_CONS 28u
#define CTL_UMEM 128u
#define CTL_FRAME_SIZE 132u
#define CTL_RX_FRAMES 136u
#define CTL_CLOCK_OFFSET 512u
#define XDPFEED_META_MAGIC 0x46504458u
#define XDPFEED_META_SIZE 24u
#define BATCH_MAX 4096u

#endif
