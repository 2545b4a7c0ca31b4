// The machine's dependent-load latency, printed beside the book benchmark's rates: a pointer chase
// through a buffer of each size given, one 64-byte line per step in a random cycle (seeded), so
// that every load waits for the one before, as a book's order lookup waits for its hash entry.
//
//   mem_latency MIB...   prints one JSON line: {"MIB": ns per load, ...}
//
// A book whose live orders outgrow the caches pays about one such load per message at least (the
// order's entry); this is the floor under its ns per message on this machine, for C and wasm alike.

#include "native.h" // first: it sets _POSIX_C_SOURCE

#define LINE_WORDS 8 // uint64_t per 64-byte line
#define STEPS 20000000u

static uint64_t rng_state = 1;

static uint64_t next_random(void) { // xorshift64
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static double chase_ns(size_t mib) {
  size_t lines = (mib << 20) / 64;
  uint64_t *buf = aligned_alloc(64, lines * 64);
  size_t *order = malloc(lines * sizeof *order);
  if (!buf || !order) die("out of memory for the latency buffer", NULL);
  for (size_t i = 0; i < lines; i++) order[i] = i;
  for (size_t i = lines - 1; i > 0; i--) { // Fisher-Yates
    size_t j = next_random() % (i + 1), t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  for (size_t i = 0; i < lines; i++) buf[order[i] * LINE_WORDS] = order[(i + 1) % lines] * LINE_WORDS;
  volatile uint64_t sink;
  uint64_t p = order[0] * LINE_WORDS;
  for (size_t i = 0; i < lines; i++) p = buf[p]; // once round: the pages are mapped
  double t0 = now();
  for (uint32_t i = 0; i < STEPS; i++) p = buf[p];
  double t1 = now();
  sink = p;
  (void)sink;
  free(order);
  free(buf);
  return (t1 - t0) * 1e9 / STEPS;
}

int main(int argc, char **argv) {
  printf("{");
  for (int i = 1; i < argc; i++) {
    long mib = strtol(argv[i], NULL, 10);
    if (mib <= 0) die("sizes are MiB, above 0: ", argv[i]);
    printf("%s\"%ld\": %.1f", i > 1 ? ", " : "", mib, chase_ns((size_t)mib));
  }
  printf("}\n");
  return 0;
}
