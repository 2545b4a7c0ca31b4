// The C baseline of the ring benchmark (bench/ring/run.ts): xdpfeed's receive loop
// (assembly/xsk.ts rxBatch/rxRun, assembly/parse/feed-abi.ts poll/run) written in C with libxdp's
// ring helpers (xdp/xsk.h: xsk_ring_cons__peek, __release, xsk_ring_prod__reserve, __submit) and
// the project's C decoder (bench/decode/c_decoder.c), over the same memory: the image run.ts
// wrote (bench/ring/sim.ts layRings: control block, rings, pre-filled UMEM, producer block),
// loaded whole, the rings mapped from the control block's descriptors. The kernel's side is the
// same simulated producer thread the xdpfeed case runs (producer.c).
//
//   c_ring FORMAT MODE IMAGE SIM [SECONDS] [WARMUP] [BATCH] [PRODUCER_CPU] [PORT] [CORES]
//
// FORMAT itch50 | iex-deep; MODE:
//   run      peek RX, per frame: receive metadata, Ethernet/IP/UDP, session and messages into tick
//            records (started over when full), release RX, refill FILL at once (feed-abi run)
//   poll     records cleared per batch and the frames kept until the next call (feed-abi poll),
//            then a strategy reads every record (one field each, as the TypeScript strategy does)
//   headers  run with a UDP port filter no frame matches: the ring and the frame headers only
//   ring     each frame's receive metadata read, nothing else: the buffers go straight back (ring
//            handling alone, and the most the producer delivers)
// SIM: address of the producer block in the image. Runs WARMUP s (default 0.3), then SECONDS
// (default 1) timed; PORT: the frames' UDP destination port (the filter of every mode but
// headers). CORES 2 (default): the producer on its own thread and CPU, rates from the wall clock;
// 1: producer and loop take turns on this thread, rates from the loop's own CPU time. Prints one
// JSON line.

#define C_DECODER_NO_MAIN
// Its input-file driver and checksums are not used here.
#pragma GCC diagnostic ignored "-Wunused-function"
#include "../decode/c_decoder.c"

#include <xdp/xsk.h>

#include "layout.h"
#include "producer.h"

#define RECORDS_PER_FRAME_MAX 1024u

enum mode { RUN, POLL, HEADERS, RING };

static uint8_t *mem;
static uint8_t *umem;
static uint32_t chunk_mask;
static uint64_t clock_offset;
static struct xsk_ring_cons rx;
static struct xsk_ring_prod fill;
static decoder_t *dec;
static uint32_t filter_port; // 0: any
static uint64_t frames_taken, strategy_sum;
static uint64_t keep[BATCH_MAX];
static uint32_t pending;

static uint32_t ctl(uint32_t off) { return le32(mem + CTL_BASE + off); }

// libxdp's ring structs over the descriptors of the control block (addresses relative to mem).
static void map_ring(uint32_t which, uint32_t *cached_prod, uint32_t *cached_cons, uint32_t *mask, uint32_t *size,
                     __u32 **producer, __u32 **consumer, void **ring, __u32 **flags) {
  *cached_prod = ctl(which + RING_CACHED_PROD);
  *cached_cons = ctl(which + RING_CACHED_CONS);
  *mask = ctl(which + RING_MASK);
  *size = ctl(which + RING_SIZE);
  *producer = (__u32 *)(mem + ctl(which + RING_PRODUCER));
  *consumer = (__u32 *)(mem + ctl(which + RING_CONSUMER));
  *ring = mem + ctl(which + RING_DESCS);
  *flags = (__u32 *)(mem + ctl(which + RING_FLAGS));
}

// Ethernet (two VLAN tags at most) / IPv4 / IPv6 / UDP, as assembly/parse/net.ts: the payload, or
// NULL with the reason counted.
static inline const uint8_t *udp_payload(const uint8_t *f, uint32_t len, uint32_t *plen) {
  if (len < 14) { dec->rejected[REJ_FRAME_SHORT]++; return NULL; }
  uint32_t p = 12, type = be16(f + p);
  for (int tags = 0; tags < 2 && (type == 0x8100 || type == 0x88a8); tags++) {
    p += 4;
    if (p + 2 > len) { dec->rejected[REJ_FRAME_SHORT]++; return NULL; }
    type = be16(f + p);
  }
  p += 2;
  uint32_t udp_at, ip_end;
  if (type == 0x0800) {
    if (p + 20 > len) { dec->rejected[REJ_FRAME_SHORT]++; return NULL; }
    const uint8_t *ip = f + p;
    uint32_t ihl = (ip[0] & 0xfu) << 2;
    if (ihl < 20 || p + ihl + 8 > len) { dec->rejected[ihl < 20 ? REJ_BAD_IP_LENGTH : REJ_FRAME_SHORT]++; return NULL; }
    if ((be16(ip + 6) & 0x3fff) != 0) { dec->rejected[REJ_IP_FRAGMENT]++; return NULL; }
    if (ip[9] != 17) { dec->rejected[REJ_NOT_UDP]++; return NULL; }
    uint32_t total = be16(ip + 2);
    if (total < ihl + 8) { dec->rejected[REJ_BAD_IP_LENGTH]++; return NULL; }
    udp_at = p + ihl;
    ip_end = p + total;
  } else if (type == 0x86dd) {
    if (p + 40 > len) { dec->rejected[REJ_FRAME_SHORT]++; return NULL; }
    const uint8_t *ip = f + p;
    ip_end = p + 40 + be16(ip + 4);
    uint32_t next = ip[6], at = p + 40;
    for (int i = 0; i < 4 && (next == 0 || next == 43 || next == 60); i++) {
      if (at + 8 > ip_end || at + 8 > len) { dec->rejected[REJ_FRAME_SHORT]++; return NULL; }
      next = f[at];
      at += ((uint32_t)f[at + 1] + 1) << 3;
    }
    if (next == 44) { dec->rejected[REJ_IP_FRAGMENT]++; return NULL; }
    if (next != 17) { dec->rejected[REJ_NOT_UDP]++; return NULL; }
    if (at + 8 > ip_end || at + 8 > len) { dec->rejected[REJ_FRAME_SHORT]++; return NULL; }
    udp_at = at;
  } else {
    dec->rejected[REJ_NOT_IP]++;
    return NULL;
  }
  const uint8_t *udp = f + udp_at;
  uint32_t ulen = be16(udp + 4);
  if (ulen < 8 || udp_at + ulen > ip_end) { dec->rejected[REJ_BAD_IP_LENGTH]++; return NULL; }
  if (filter_port != 0 && be16(udp + 2) != filter_port) { dec->rejected[REJ_OTHER_PORT]++; return NULL; }
  *plen = udp_at + ulen > len ? len - udp_at - 8 : ulen - 8;
  return udp + 8;
}

// The receive time of a frame from the metadata in front of it (assembly/xsk.ts readMeta), its
// magic cleared once read; 0 without.
static inline uint64_t read_meta(uint8_t *frame) {
  uint8_t *m = frame - XDPFEED_META_SIZE;
  if ((uint32_t)((frame - umem) & chunk_mask) >= XDPFEED_META_SIZE && le32(m) == XDPFEED_META_MAGIC) {
    uint64_t ts = le64(m + 8) + clock_offset;
    memset(m, 0, 4);
    return ts;
  }
  return 0;
}

// One frame into records (a descriptor never exceeds its chunk: no FRAME_MAX check); 0 when the records have no room for it (as assembly/parse/driver.ts).
static inline int parse_frame(uint8_t *frame, uint32_t len, uint64_t ts, int start_over) {
  uint32_t min_block = dec->format == ITCH50 ? 14 : 12;
  uint32_t need = len / min_block < RECORDS_PER_FRAME_MAX ? len / min_block : RECORDS_PER_FRAME_MAX;
  if (RECORD_MAX - dec->nrec <= need) {
    if (!start_over) return 0;
    dec->nrec = 0;
  }
  dec->frames++;
  uint32_t plen;
  const uint8_t *p = udp_payload(frame, len, &plen);
  if (!p) return 1;
  uint32_t first = dec->nrec;
  if (dec->format == ITCH50) mold_packet(dec, p, plen);
  else iextp_segment(dec, p, plen, 0x8004, 1);
  for (uint32_t i = first; i < dec->nrec; i++) dec->rec[i].receive_ts = ts;
  return 1;
}

static inline void refill(const uint64_t *addrs, uint32_t n) {
  uint32_t idx;
  if (xsk_ring_prod__reserve(&fill, n, &idx) != n) die("FILL ring full: a buffer was returned twice", NULL);
  uint64_t base_mask = ~(uint64_t)chunk_mask;
  for (uint32_t i = 0; i < n; i++) *xsk_ring_prod__fill_addr(&fill, idx + i) = addrs[i] & base_mask;
  xsk_ring_prod__submit(&fill, n);
}

// One batch, as rxBatch: up to max frames from RX; with keep (poll) they go back to FILL on the
// next call, without (run) at once.
static uint32_t rx_batch(uint32_t max, enum mode mode) {
  int keep_frames = mode == POLL;
  if (pending) {
    refill(keep, pending);
    pending = 0;
  }
  uint32_t idx;
  uint32_t n = xsk_ring_cons__peek(&rx, max, &idx);
  if (n == 0) return 0;
  uint32_t i = 0;
  for (; i < n; i++) {
    const struct xdp_desc *d = xsk_ring_cons__rx_desc(&rx, idx + i);
    uint8_t *frame = umem + d->addr;
    uint64_t ts = read_meta(frame);
    if (mode != RING && !parse_frame(frame, d->len, ts, !keep_frames)) break;
    keep[i] = d->addr;
  }
  if (i < n) {
    xsk_ring_cons__cancel(&rx, n - i);
    n = i;
    if (n == 0) return 0;
  }
  xsk_ring_cons__release(&rx, n);
  if (keep_frames) pending = n;
  else refill(keep, n);
  frames_taken += n;
  return n;
}

// What the strategy reads of every record after a poll (TypeScript: ticks.at(i).price).
static void strategy(void) {
  uint64_t s = strategy_sum;
  for (uint32_t i = 0; i < dec->nrec; i++) s += (uint64_t)dec->rec[i].price;
  strategy_sum = s;
}

// One call of the loop; returns the frames it took.
static uint32_t step(enum mode mode, uint32_t batch) {
  if (mode == POLL) {
    dec->nrec = 0;
    uint32_t n = rx_batch(batch, mode);
    strategy();
    return n;
  }
  // rxRun(budget, batch): batches until the budget is spent or RX is empty.
  uint32_t done = 0;
  while (done < 4096) {
    uint32_t r = rx_batch(batch, mode);
    if (r == 0) break;
    done += r;
  }
  return done;
}

// One core: the producer fills RX (ring_producer_step), then the loop drains it, in turns on this
// thread; only the loop's turns are timed (thread CPU time). Returns the loop's CPU seconds.
// The producer's turns are timed too, into its block's SIM_NS and SIM_CPU_NS: its own cost.
static double one_core(enum mode mode, uint32_t batch, uint32_t sim, double seconds) {
  uint64_t own = 0, producer = 0;
  double end = now() + seconds;
  do {
    for (int k = 0; k < 16; k++) {
      uint64_t p0 = ring_thread_cpu_ns();
      ring_producer_step(mem, sim, rx.size);
      uint64_t c0 = ring_thread_cpu_ns();
      producer += c0 - p0;
      while (step(mode, batch) != 0) {}
      own += ring_thread_cpu_ns() - c0;
    }
  } while (now() < end);
  *(uint64_t *)(mem + sim + SIM_NS) = producer;
  *(uint64_t *)(mem + sim + SIM_CPU_NS) = producer;
  return (double)own * 1e-9;
}

// The JSON line: frames and messages in `seconds` (wall: the wall clock of the timed part).
static void print_result(char **argv, uint8_t *s, uint64_t frames, uint64_t messages, double elapsed, double wall,
                         double own, long long busy, int cores) {
  printf("{\"impl\":\"c\",\"format\":\"%s\",\"mode\":\"%s\",\"cores\":%d,\"wall\":%.6f,\"frames\":%llu,\"messages\":%llu,\"seconds\":%.9f,"
         "\"nsPerFrame\":%.4f,\"framesPerSecond\":%.1f,\"messagesPerSecond\":%.1f,",
         argv[1], argv[2], cores, wall, (unsigned long long)frames, (unsigned long long)messages, elapsed,
         frames ? elapsed * 1e9 / (double)frames : 0.0, frames / elapsed, messages / elapsed);
  printf("\"producer\":{\"produced\":%llu,\"messages\":%llu,\"rounds\":%llu,\"idleFill\":%llu,\"idleRx\":%llu,\"ns\":%llu,\"cpuNs\":%llu},",
         (unsigned long long)*(uint64_t *)(s + SIM_PRODUCED), (unsigned long long)*(uint64_t *)(s + SIM_MESSAGES),
         (unsigned long long)*(uint64_t *)(s + SIM_ROUNDS), (unsigned long long)*(uint64_t *)(s + SIM_IDLE_FILL),
         (unsigned long long)*(uint64_t *)(s + SIM_IDLE_RX), (unsigned long long)*(uint64_t *)(s + SIM_NS),
         (unsigned long long)*(uint64_t *)(s + SIM_CPU_NS));
  printf("\"parser\":{\"frames\":%llu,\"packets\":%llu,\"messages\":%llu,\"gaps\":%llu,\"duplicates\":%llu,\"resets\":%llu,\"rejected\":{",
         (unsigned long long)dec->frames, (unsigned long long)dec->packets, (unsigned long long)dec->messages,
         (unsigned long long)dec->gaps, (unsigned long long)dec->duplicates, (unsigned long long)dec->resets);
  int first = 1;
  for (int r = 0; r < REJ_COUNT; r++) {
    if (!dec->rejected[r]) continue;
    printf("%s\"%s\":%llu", first ? "" : ",", REJ_NAMES[r] ? REJ_NAMES[r] : "?", (unsigned long long)dec->rejected[r]);
    first = 0;
  }
  printf("}},\"taken\":%llu,\"strategySum\":%llu,\"cpu\":{\"busyJiffies\":%lld,\"ownSeconds\":%.6f}}\n",
         (unsigned long long)frames_taken, (unsigned long long)strategy_sum, busy, own);
}

int main(int argc, char **argv) {
  native_prog = "c_ring";
  if (argc < 5) die("usage: c_ring itch50|iex-deep run|poll|headers|ring IMAGE SIM [SECONDS] [WARMUP] [BATCH] [PRODUCER_CPU] [PORT] [CORES]", NULL);
  enum format format;
  if (!strcmp(argv[1], "itch50")) format = ITCH50;
  else if (!strcmp(argv[1], "iex-deep")) format = IEX_DEEP;
  else die("unknown format ", argv[1]);
  enum mode mode;
  if (!strcmp(argv[2], "run")) mode = RUN;
  else if (!strcmp(argv[2], "poll")) mode = POLL;
  else if (!strcmp(argv[2], "headers")) mode = HEADERS;
  else if (!strcmp(argv[2], "ring")) mode = RING;
  else die("unknown mode ", argv[2]);
  uint32_t sim = (uint32_t)strtoul(argv[4], NULL, 0);
  double seconds = argc > 5 ? atof(argv[5]) : 1.0;
  double warmup = argc > 6 ? atof(argv[6]) : 0.3;
  uint32_t batch = argc > 7 ? (uint32_t)atoi(argv[7]) : 64;
  int producer_cpu = argc > 8 ? atoi(argv[8]) : -1;
  uint32_t port = argc > 9 ? (uint32_t)atoi(argv[9]) : 0;
  int cores = argc > 10 ? atoi(argv[10]) : 2;
  if (cores != 1 && cores != 2) die("CORES must be 1 or 2", NULL);
  if (batch == 0 || batch > BATCH_MAX) die("BATCH must be 1..4096", NULL);

  size_t size;
  uint8_t *image = read_file(argv[3], &size);
  if (size < CTL_BASE + 4096 || sim + SIM_SIZE > size) die("image too short: ", argv[3]);
  mem = aligned_alloc(4096, (size + 4095) & ~(size_t)4095);
  if (!mem) die("out of memory", NULL);
  memcpy(mem, image, size);
  free(image);
  umem = mem + ctl(CTL_UMEM);
  chunk_mask = ctl(CTL_FRAME_SIZE) - 1;
  clock_offset = le64(mem + CTL_BASE + CTL_CLOCK_OFFSET);
  map_ring(RING_RX, &rx.cached_prod, &rx.cached_cons, &rx.mask, &rx.size, &rx.producer, &rx.consumer, &rx.ring, &rx.flags);
  map_ring(RING_FILL, &fill.cached_prod, &fill.cached_cons, &fill.mask, &fill.size, &fill.producer, &fill.consumer, &fill.ring, &fill.flags);

  dec = calloc(1, sizeof *dec);
  if (!dec) die("out of memory", NULL);
  dec->format = format;
  dec->base = mem;
  dec->rec = aligned_alloc(64, sizeof(record_t) * RECORD_MAX);
  reset(dec);
  // headers: a port no frame has, so every frame stops at the UDP header, counted.
  filter_port = mode == HEADERS ? (port ^ 1) : port;

  uint8_t *s = mem + sim;
  *(int32_t *)(s + SIM_CPU) = producer_cpu;
  if (cores == 1) {
    one_core(mode, batch, sim, warmup);
    uint64_t f0 = frames_taken, m0 = dec->messages;
    long long busy0 = busy_jiffies();
    double t0 = now();
    double own = one_core(mode, batch, sim, seconds);
    double wall = now() - t0;
    uint64_t frames = frames_taken - f0, messages = dec->messages - m0;
    print_result(argv, s, frames, messages, own, wall, own, busy_jiffies() - busy0, cores);
    return 0;
  }
  int e = ring_producer_start(mem, sim);
  if (e != 0) die("cannot start the producer thread", NULL);

  double t = now(), end = t + warmup;
  while (now() < end) for (int k = 0; k < 64; k++) step(mode, batch);
  uint64_t f0 = frames_taken, m0 = dec->messages;
  long long busy0 = busy_jiffies();
  uint64_t cpu0 = ring_thread_cpu_ns();
  double t0 = now(), t1;
  end = t0 + seconds;
  do {
    for (int k = 0; k < 64; k++) step(mode, batch);
    t1 = now();
  } while (t1 < end);
  uint64_t frames = frames_taken - f0, messages = dec->messages - m0;
  double own = (double)(ring_thread_cpu_ns() - cpu0) * 1e-9;
  long long busy = busy_jiffies() - busy0;
  __atomic_store_n((uint32_t *)(s + SIM_STOP), 1u, __ATOMIC_RELEASE);
  if (ring_producer_join() != 0) die("cannot join the producer thread", NULL);
  double elapsed = t1 - t0;

  print_result(argv, s, frames, messages, elapsed, elapsed, own, busy, cores);
  return 0;
}
