// The C baseline's one-core turn as a library, for bench/ring/ab.ts (loaded through koffi): the
// same loop as c_ring.c (compiled in whole, its main renamed), one pass at a time, so that its
// passes interleave with the xdpfeed builds' in one process.
//
//   cp_init(image, sim, format, mode, port)   format 0 itch50, 1 iex-deep; mode 0 run, 1 headers
//   cp_pass()                                 the producer fills RX, the loop drains it: ns per frame
//                                             of the drain (thread CPU time), 0 when none was taken

#define main c_ring_main
#include "c_ring.c"
#undef main

static uint32_t cp_sim;
static enum mode cp_mode;

int cp_init(const char *path, uint32_t sim, uint32_t format, uint32_t mode, uint32_t port) {
  size_t size;
  uint8_t *image = read_file(path, &size);
  if (size < CTL_BASE + 4096 || sim + SIM_SIZE > size) return -1;
  mem = aligned_alloc(4096, (size + 4095) & ~(size_t)4095);
  if (!mem) return -1;
  memcpy(mem, image, size);
  free(image);
  umem = mem + ctl(CTL_UMEM);
  chunk_mask = ctl(CTL_FRAME_SIZE) - 1;
  clock_offset = le64(mem + CTL_BASE + CTL_CLOCK_OFFSET);
  map_ring(RING_RX, &rx.cached_prod, &rx.cached_cons, &rx.mask, &rx.size, &rx.producer, &rx.consumer, &rx.ring, &rx.flags);
  map_ring(RING_FILL, &fill.cached_prod, &fill.cached_cons, &fill.mask, &fill.size, &fill.producer, &fill.consumer, &fill.ring, &fill.flags);
  dec = calloc(1, sizeof *dec);
  if (!dec) return -1;
  dec->format = format == 0 ? ITCH50 : IEX_DEEP;
  dec->base = mem;
  dec->rec = aligned_alloc(64, sizeof(record_t) * RECORD_MAX);
  reset(dec);
  cp_mode = mode == 1 ? HEADERS : RUN;
  filter_port = cp_mode == HEADERS ? (port ^ 1) : port;
  cp_sim = sim;
  *(int32_t *)(mem + sim + SIM_CPU) = -1;
  return 0;
}

double cp_pass(void) {
  ring_producer_step(mem, cp_sim, rx.size);
  uint64_t f0 = frames_taken;
  uint64_t c0 = ring_thread_cpu_ns();
  while (step(cp_mode, 64) != 0) {}
  uint64_t ns = ring_thread_cpu_ns() - c0;
  uint64_t f = frames_taken - f0;
  return f ? (double)ns / (double)f : 0;
}
