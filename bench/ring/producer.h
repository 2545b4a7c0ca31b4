// The kernel's side of an AF_XDP socket's receive rings, simulated (bench/ring/): a thread that
// takes buffers off the FILL ring and hands them back on the RX ring, each with the frame the
// benchmark pre-filled into that UMEM chunk, as the kernel does after the NIC wrote a packet.
// One implementation (producer.c) serves both consumers of the benchmark: the C baseline links
// it (c_ring.c), the xdpfeed case loads it through koffi (libringprod.so, bench/ring/sim.ts), so
// both face the same producer.
//
// Everything lives in the socket's memory, as assembly/layout.ts draws it: the FILL and RX ring
// descriptors of the control block (CTL_BASE + RING_FILL / RING_RX: addresses of the shared
// words and descriptors, relative to the memory's base), the UMEM (CTL_UMEM, CTL_FRAME_SIZE), and
// the producer's own block at SIM (an address given to ring_producer_start), u32 unless said:
//
//   offset  field
//   0       SIM_STOP       non-zero: stop (written by the consumer's side)
//   4       SIM_STATE      1 while running, 2 once stopped
//   8       SIM_FRAMES     UMEM chunks described by the frame table
//   12      SIM_BATCH      most descriptors moved per round (the kernel's NAPI budget: 64)
//   16      SIM_HEADROOM   bytes from a chunk's start to its frame (XDP_PACKET_HEADROOM)
//   20      SIM_META       non-zero: receive metadata in front of each frame, as the XDP program
//                          writes it (magic, flags 0, one CLOCK_MONOTONIC reading per round)
//   24      SIM_CPU        i32: CPU the thread pins itself to (-1: none)
//   28      SIM_TABLE      address of the frame table: SIM_FRAMES entries of SIM_ENTRY bytes
//   32      SIM_LIMIT      u64: frames to produce, 0: until SIM_STOP
//   40      SIM_SEQ        u64: sequence number of the next frame's first message
//   48      SIM_PRODUCED   u64: frames put on RX
//   56      SIM_MESSAGES   u64: messages in them (the frame table's counts)
//   64      SIM_ROUNDS     u64: rounds that moved frames
//   72      SIM_IDLE_FILL  u64: rounds that found FILL empty (every buffer with the consumer)
//   80      SIM_IDLE_RX    u64: rounds that found RX full (the consumer had not caught up)
//   88      SIM_NS         u64: ns from start to stop
//   96      SIM_CPU_NS     u64: CPU time the thread had in that time (less: other work took its CPU)
//
// Frame table entry (one per UMEM chunk, indexed by chunk number):
//
//   offset  field
//   0       FT_LEN         u16: frame length
//   2       FT_SEQ_AT      u16: byte offset in the frame of its first message's sequence number
//                          (0: none), rewritten on every pass so that the parser sees one
//                          contiguous stream, not the same ring's worth of messages again
//   4       FT_COUNT       u16: messages in the frame (the sequence advances by this much)
//   6       FT_SEQ_KIND    u8: SEQ_BE64 (MoldUDP64) or SEQ_LE64 (IEX-TP)

#ifndef XDPFEED_RING_PRODUCER_H
#define XDPFEED_RING_PRODUCER_H

#include <stdint.h>

#define SIM_STOP 0
#define SIM_STATE 4
#define SIM_FRAMES 8
#define SIM_BATCH 12
#define SIM_HEADROOM 16
#define SIM_META 20
#define SIM_CPU 24
#define SIM_TABLE 28
#define SIM_LIMIT 32
#define SIM_SEQ 40
#define SIM_PRODUCED 48
#define SIM_MESSAGES 56
#define SIM_ROUNDS 64
#define SIM_IDLE_FILL 72
#define SIM_IDLE_RX 80
#define SIM_NS 88
#define SIM_CPU_NS 96
#define SIM_SIZE 128

#define SIM_ENTRY 8
#define FT_LEN 0
#define FT_SEQ_AT 2
#define FT_COUNT 4
#define FT_SEQ_KIND 6
#define SEQ_BE64 1
#define SEQ_LE64 2

// Starts the producer thread over the memory at base, with its block at base + sim; returns 0, or
// an errno value (the thread could not be created, or one is already running).
int ring_producer_start(uint8_t *base, uint32_t sim);
// CPU time of the calling thread in ns (CLOCK_THREAD_CPUTIME_ID): the consumers' own share.
uint64_t ring_thread_cpu_ns(void);
// The same work without a thread: rounds on the calling thread until max frames moved, FILL is
// empty or RX full (the one-core mode: producer and consumer take turns); returns frames moved.
// The first call over a (base, sim) sets up from the block; the counters are reported after each.
uint32_t ring_producer_step(uint8_t *base, uint32_t sim, uint32_t max);
// Waits for the thread to stop (after SIM_STOP or SIM_LIMIT); returns 0 or an errno value.
int ring_producer_join(void);

#endif
