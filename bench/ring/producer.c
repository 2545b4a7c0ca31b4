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

#include "layout.h"
#include "producer.h"

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

// The producer's view of the rings: its own cached copy of the other side's indices, as the
// kernel keeps them; the counters go to the block when it stops (or after each step).
typedef struct {
  uint8_t *base, *sim;
  uint32_t *fill_prod, *fill_cons, *rx_prod, *rx_cons;
  const uint64_t *fill_descs;
  uint8_t *rx_descs, *umem;
  const uint8_t *table;
  uint32_t fill_mask, rx_mask, rx_size, shift, frames, batch, headroom;
  int meta;
  uint64_t limit, seq;
  uint32_t fc, fp_cached, rp, rc_cached;
  uint64_t produced, messages, rounds, idle_fill, idle_rx;
} producer_t;

static pthread_t thread;
static int running;
static producer_t the_producer;
// base and sim of the_producer when ring_producer_step last set it up.
static uint8_t *stepping_base, *stepping_sim;

#define SIM64(s, off) (*(uint64_t *)((s) + (off)))
#define SIM32(s, off) (*(uint32_t *)((s) + (off)))

static void setup(producer_t *p, uint8_t *base, uint8_t *sim) {
  const uint8_t *fill = base + CTL_BASE + RING_FILL, *rx = base + CTL_BASE + RING_RX;
  p->base = base;
  p->sim = sim;
  p->fill_prod = (uint32_t *)(base + rd32(fill + RING_PRODUCER));
  p->fill_cons = (uint32_t *)(base + rd32(fill + RING_CONSUMER));
  p->fill_descs = (const uint64_t *)(base + rd32(fill + RING_DESCS));
  p->fill_mask = rd32(fill + RING_MASK);
  p->rx_prod = (uint32_t *)(base + rd32(rx + RING_PRODUCER));
  p->rx_cons = (uint32_t *)(base + rd32(rx + RING_CONSUMER));
  p->rx_descs = base + rd32(rx + RING_DESCS);
  p->rx_mask = rd32(rx + RING_MASK);
  p->rx_size = rd32(rx + RING_SIZE);
  p->umem = base + rd32(base + CTL_BASE + CTL_UMEM);
  p->shift = (uint32_t)__builtin_ctz(rd32(base + CTL_BASE + CTL_FRAME_SIZE));
  p->table = base + SIM32(sim, SIM_TABLE);
  p->frames = SIM32(sim, SIM_FRAMES);
  p->batch = SIM32(sim, SIM_BATCH);
  p->headroom = SIM32(sim, SIM_HEADROOM);
  p->meta = SIM32(sim, SIM_META) != 0;
  p->limit = SIM64(sim, SIM_LIMIT);
  p->seq = SIM64(sim, SIM_SEQ);
  p->fc = p->fp_cached = __atomic_load_n(p->fill_cons, __ATOMIC_RELAXED);
  p->rp = __atomic_load_n(p->rx_prod, __ATOMIC_RELAXED);
  p->rc_cached = __atomic_load_n(p->rx_cons, __ATOMIC_RELAXED);
  p->produced = p->messages = p->rounds = p->idle_fill = p->idle_rx = 0;
}

// One round: up to SIM_BATCH frames (fewer near SIM_LIMIT) from FILL to RX; returns how many, 0
// when FILL was empty or RX full (counted) or the limit reached.
static inline uint32_t round_once(producer_t *p) {
  uint32_t want = p->batch;
  if (p->limit != 0) {
    if (p->produced >= p->limit) return 0;
    if (p->limit - p->produced < want) want = (uint32_t)(p->limit - p->produced);
  }
  uint32_t avail = p->fp_cached - p->fc;
  if (avail == 0) {
    // (C): pairs with the consumer's STORE.rel of FILL ->producer after it wrote the addresses.
    p->fp_cached = __atomic_load_n(p->fill_prod, __ATOMIC_ACQUIRE);
    avail = p->fp_cached - p->fc;
    if (avail == 0) { p->idle_fill++; return 0; }
  }
  uint32_t free = p->rc_cached + p->rx_size - p->rp;
  if (free < want && free < avail) {
    // (A): pairs with the consumer's STORE.rel of RX ->consumer once it is done with the slots.
    p->rc_cached = __atomic_load_n(p->rx_cons, __ATOMIC_ACQUIRE);
    free = p->rc_cached + p->rx_size - p->rp;
    if (free == 0) { p->idle_rx++; return 0; }
  }
  uint32_t n = want, fc = p->fc, rp = p->rp;
  if (n > avail) n = avail;
  if (n > free) n = free;
  uint64_t now = p->meta ? mono_ns() : 0, seq = p->seq, messages = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint64_t addr = p->fill_descs[(fc + i) & p->fill_mask];
    uint32_t chunk = (uint32_t)(addr >> p->shift);
    uint8_t *d = p->rx_descs + (size_t)((rp + i) & p->rx_mask) * 16;
    if (chunk >= p->frames) {
      // Not a chunk of the benchmark's: hand it back empty, as a zero-length frame.
      wr64(d, addr);
      wr32(d + 8, 0);
      wr32(d + 12, 0);
      continue;
    }
    const uint8_t *e = p->table + (size_t)chunk * SIM_ENTRY;
    uint8_t *frame = p->umem + ((uint64_t)chunk << p->shift) + p->headroom;
    uint32_t seq_at = rd16(e + FT_SEQ_AT), count = rd16(e + FT_COUNT);
    if (seq_at != 0) {
      wr64(frame + seq_at, e[FT_SEQ_KIND] == SEQ_BE64 ? __builtin_bswap64(seq) : seq);
      seq += count;
    }
    messages += count;
    if (p->meta) {
      uint8_t *m = frame - XDPFEED_META_SIZE;
      wr32(m, XDPFEED_META_MAGIC);
      wr32(m + 4, 0);
      wr64(m + 8, now);
      wr64(m + 16, 0);
    }
    wr64(d, ((uint64_t)chunk << p->shift) + p->headroom);
    wr32(d + 8, rd16(e + FT_LEN));
    wr32(d + 12, 0);
  }
  p->fc = fc + n;
  p->rp = rp + n;
  p->seq = seq;
  // (D): the consumer may reuse the FILL slots once it sees this.
  __atomic_store_n(p->fill_cons, p->fc, __ATOMIC_RELEASE);
  // (B): pairs with the consumer's LOAD.acq of RX ->producer (C) in its peek.
  __atomic_store_n(p->rx_prod, p->rp, __ATOMIC_RELEASE);
  p->produced += n;
  p->messages += messages;
  p->rounds++;
  return n;
}

static void report(const producer_t *p) {
  uint8_t *sim = p->sim;
  SIM64(sim, SIM_PRODUCED) = p->produced;
  SIM64(sim, SIM_MESSAGES) = p->messages;
  SIM64(sim, SIM_ROUNDS) = p->rounds;
  SIM64(sim, SIM_IDLE_FILL) = p->idle_fill;
  SIM64(sim, SIM_IDLE_RX) = p->idle_rx;
  SIM64(sim, SIM_SEQ) = p->seq;
}

static void *produce(void *arg) {
  producer_t *p = arg;
  uint8_t *sim = p->sim;
  int32_t cpu = (int32_t)SIM32(sim, SIM_CPU);
  if (cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  }
  uint64_t t0 = mono_ns(), cpu0 = ring_thread_cpu_ns();
  __atomic_store_n((uint32_t *)(sim + SIM_STATE), 1u, __ATOMIC_RELEASE);
  while (!__atomic_load_n((uint32_t *)(sim + SIM_STOP), __ATOMIC_ACQUIRE)) {
    if (p->limit != 0 && p->produced >= p->limit) break;
    round_once(p);
  }
  report(p);
  SIM64(sim, SIM_NS) = mono_ns() - t0;
  SIM64(sim, SIM_CPU_NS) = ring_thread_cpu_ns() - cpu0;
  __atomic_store_n((uint32_t *)(sim + SIM_STATE), 2u, __ATOMIC_RELEASE);
  return NULL;
}

uint32_t ring_producer_step(uint8_t *base, uint32_t sim, uint32_t max) {
  producer_t *p = &the_producer;
  if (running) return 0;
  if (stepping_base != base || stepping_sim != base + sim) {
    setup(p, base, base + sim);
    stepping_base = base;
    stepping_sim = base + sim;
  }
  uint32_t done = 0;
  while (done < max) {
    uint32_t n = round_once(p);
    if (n == 0) break;
    done += n;
  }
  report(p);
  return done;
}

int ring_producer_start(uint8_t *base, uint32_t sim) {
  if (running) return EBUSY;
  setup(&the_producer, base, base + sim);
  stepping_base = stepping_sim = NULL;
  int e = pthread_create(&thread, NULL, produce, &the_producer);
  if (e == 0) running = 1;
  return e;
}

int ring_producer_join(void) {
  if (!running) return ESRCH;
  running = 0;
  return pthread_join(thread, NULL);
}
