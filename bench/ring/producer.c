// The simulated kernel side of the receive rings (producer.h has the block it works from).
//
// One round, as the kernel's receive path does it (net/xdp/xsk.c, xsk_queue.h) and in the order
// assembly/ring.ts draws:
//   FILL (we consume):  LOAD.acq ->producer (C), read the addresses, STORE.rel ->consumer (D)
//   RX   (we produce):  LOAD ->consumer (A), write the descriptors, STORE.rel ->producer (B)
// Up to SIM_BATCH frames per round: for each FILL address, the frame pre-filled in its chunk gets
// its sequence number (and receive metadata) written, as the NIC and the XDP program write a
// packet, and goes onto RX at chunk + SIM_HEADROOM. The shared indices are free-running u32s.

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <time.h>

#include "producer.h"

// assembly/layout.ts
#define CTL_BASE 0x100000u
#define RING_FILL 0u
#define RING_RX 64u
#define RING_PRODUCER 0u
#define RING_CONSUMER 4u
#define RING_DESCS 12u
#define RING_MASK 16u
#define RING_SIZE 20u
#define RING_CACHED_PROD 24u
#define RING_CACHED_CONS 28u
#define CTL_UMEM 128u
#define CTL_FRAME_SIZE 132u
#define XDPFEED_META_MAGIC 0x46504458u
#define XDPFEED_META_SIZE 24u

static inline uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint16_t rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline void wr64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static inline void wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

uint64_t ring_thread_cpu_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static uint64_t mono_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

typedef struct {
  uint8_t *base;
  uint8_t *sim;
} producer_t;

static pthread_t thread;
static int running;
static producer_t the_producer;

#define SIM64(s, off) (*(uint64_t *)((s) + (off)))
#define SIM32(s, off) (*(uint32_t *)((s) + (off)))

static void *produce(void *arg) {
  producer_t *p = arg;
  uint8_t *base = p->base, *sim = p->sim;
  const uint8_t *fill = base + CTL_BASE + RING_FILL, *rx = base + CTL_BASE + RING_RX;
  // The kernel's view of each ring: its own cached copy of the other side's index.
  uint32_t *fill_prod = (uint32_t *)(base + rd32(fill + RING_PRODUCER));
  uint32_t *fill_cons = (uint32_t *)(base + rd32(fill + RING_CONSUMER));
  const uint64_t *fill_descs = (const uint64_t *)(base + rd32(fill + RING_DESCS));
  uint32_t fill_mask = rd32(fill + RING_MASK);
  uint32_t *rx_prod = (uint32_t *)(base + rd32(rx + RING_PRODUCER));
  uint32_t *rx_cons = (uint32_t *)(base + rd32(rx + RING_CONSUMER));
  uint8_t *rx_descs = base + rd32(rx + RING_DESCS);
  uint32_t rx_mask = rd32(rx + RING_MASK), rx_size = rd32(rx + RING_SIZE);
  uint8_t *umem = base + rd32(base + CTL_BASE + CTL_UMEM);
  uint32_t frame_size = rd32(base + CTL_BASE + CTL_FRAME_SIZE);
  uint32_t shift = (uint32_t)__builtin_ctz(frame_size);
  const uint8_t *table = base + SIM32(sim, SIM_TABLE);
  uint32_t frames = SIM32(sim, SIM_FRAMES), batch = SIM32(sim, SIM_BATCH), headroom = SIM32(sim, SIM_HEADROOM);
  int meta = SIM32(sim, SIM_META) != 0;
  int32_t cpu = (int32_t)SIM32(sim, SIM_CPU);
  uint64_t limit = SIM64(sim, SIM_LIMIT), seq = SIM64(sim, SIM_SEQ);
  if (cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  }
  uint32_t fc = __atomic_load_n(fill_cons, __ATOMIC_RELAXED), fp_cached = fc;
  uint32_t rp = __atomic_load_n(rx_prod, __ATOMIC_RELAXED), rc_cached = __atomic_load_n(rx_cons, __ATOMIC_RELAXED);
  uint64_t produced = 0, messages = 0, rounds = 0, idle_fill = 0, idle_rx = 0;
  uint64_t t0 = mono_ns(), cpu0 = ring_thread_cpu_ns();
  __atomic_store_n((uint32_t *)(sim + SIM_STATE), 1u, __ATOMIC_RELEASE);
  while (!__atomic_load_n((uint32_t *)(sim + SIM_STOP), __ATOMIC_ACQUIRE)) {
    uint32_t want = batch;
    if (limit != 0) {
      if (produced >= limit) break;
      if (limit - produced < want) want = (uint32_t)(limit - produced);
    }
    uint32_t avail = fp_cached - fc;
    if (avail == 0) {
      // (C): pairs with the consumer's STORE.rel of FILL ->producer after it wrote the addresses.
      fp_cached = __atomic_load_n(fill_prod, __ATOMIC_ACQUIRE);
      avail = fp_cached - fc;
      if (avail == 0) { idle_fill++; continue; }
    }
    uint32_t free = rc_cached + rx_size - rp;
    if (free < want && free < avail) {
      // (A): pairs with the consumer's STORE.rel of RX ->consumer once it is done with the slots.
      rc_cached = __atomic_load_n(rx_cons, __ATOMIC_ACQUIRE);
      free = rc_cached + rx_size - rp;
      if (free == 0) { idle_rx++; continue; }
    }
    uint32_t n = want;
    if (n > avail) n = avail;
    if (n > free) n = free;
    uint64_t now = meta ? mono_ns() : 0;
    for (uint32_t i = 0; i < n; i++) {
      uint64_t addr = fill_descs[(fc + i) & fill_mask];
      uint32_t chunk = (uint32_t)(addr >> shift);
      uint8_t *d = rx_descs + (size_t)((rp + i) & rx_mask) * 16;
      if (chunk >= frames) {
        // Not a chunk of the benchmark's: hand it back empty, as a zero-length frame.
        wr64(d, addr);
        wr32(d + 8, 0);
        wr32(d + 12, 0);
        continue;
      }
      const uint8_t *e = table + (size_t)chunk * SIM_ENTRY;
      uint8_t *frame = umem + ((uint64_t)chunk << shift) + headroom;
      uint32_t seq_at = rd16(e + FT_SEQ_AT), count = rd16(e + FT_COUNT);
      if (seq_at != 0) {
        wr64(frame + seq_at, e[FT_SEQ_KIND] == SEQ_BE64 ? __builtin_bswap64(seq) : seq);
        seq += count;
      }
      messages += count;
      if (meta) {
        uint8_t *m = frame - XDPFEED_META_SIZE;
        wr32(m, XDPFEED_META_MAGIC);
        wr32(m + 4, 0);
        wr64(m + 8, now);
        wr64(m + 16, 0);
      }
      wr64(d, ((uint64_t)chunk << shift) + headroom);
      wr32(d + 8, rd16(e + FT_LEN));
      wr32(d + 12, 0);
    }
    fc += n;
    rp += n;
    // (D): the consumer may reuse the FILL slots once it sees this.
    __atomic_store_n(fill_cons, fc, __ATOMIC_RELEASE);
    // (B): pairs with the consumer's LOAD.acq of RX ->producer (C) in its peek.
    __atomic_store_n(rx_prod, rp, __ATOMIC_RELEASE);
    produced += n;
    rounds++;
  }
  SIM64(sim, SIM_PRODUCED) = produced;
  SIM64(sim, SIM_MESSAGES) = messages;
  SIM64(sim, SIM_ROUNDS) = rounds;
  SIM64(sim, SIM_IDLE_FILL) = idle_fill;
  SIM64(sim, SIM_IDLE_RX) = idle_rx;
  SIM64(sim, SIM_NS) = mono_ns() - t0;
  SIM64(sim, SIM_CPU_NS) = ring_thread_cpu_ns() - cpu0;
  SIM64(sim, SIM_SEQ) = seq;
  __atomic_store_n((uint32_t *)(sim + SIM_STATE), 2u, __ATOMIC_RELEASE);
  return NULL;
}

int ring_producer_start(uint8_t *base, uint32_t sim) {
  if (running) return EBUSY;
  the_producer.base = base;
  the_producer.sim = base + sim;
  int e = pthread_create(&thread, NULL, produce, &the_producer);
  if (e == 0) running = 1;
  return e;
}

int ring_producer_join(void) {
  if (!running) return ESRCH;
  running = 0;
  return pthread_join(thread, NULL);
}
