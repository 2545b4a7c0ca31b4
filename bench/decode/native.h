// What the native baselines of the benchmarks share (bench/decode/c_decoder.c and
// bench/decode-mdp3/c_mdp3.c, the decoders'; and bench/book/, the order book's): the tick record,
// byte-order loads, reading an input file whole, the clocks and
// CPU accounting they report, the FNV-1a constants of their checksums (the same as the TypeScript
// side's, bench/decode/common.ts) and peak memory. Header-only (static functions), so that each
// program stays one `cc` command with no library to build.

#ifndef XDPFEED_BENCH_NATIVE_H
#define XDPFEED_BENCH_NATIVE_H

#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#define FNV_PRIME 0x01000193u
#define FNV_BASIS 0x811c9dc5u

// The tick record the C decoders write (assembly/records.ts).
typedef struct {
  uint64_t seq, exchange_ts, receive_ts, order_id, match_id, ref_order_id;
  int64_t price;
  uint64_t quantity;
  int64_t price2;
  uint64_t quantity2;
  uint32_t instrument, msg_offset;
  uint16_t msg_length;
  uint8_t kind, side, msg_type, price_scale, flags, status;
} record_t;
_Static_assert(sizeof(record_t) == 96, "record layout");

// Everything is static inline: a program that does not use a helper gets no warning for it.

// Unaligned loads through memcpy: one mov (and a bswap for big-endian) at -O2.
static inline uint16_t be16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return __builtin_bswap16(v); }
static inline uint32_t be32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return __builtin_bswap32(v); }
static inline uint64_t be64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return __builtin_bswap64(v); }
static inline uint64_t be48(const uint8_t *p) { return ((uint64_t)be16(p) << 32) | be32(p + 2); }
static inline uint16_t le16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t le32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t le64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

// The program's name in messages (set by main).
static const char *native_prog = "native";

static inline void die(const char *msg, const char *arg) {
  fprintf(stderr, "%s: %s%s\n", native_prog, msg, arg ? arg : "");
  exit(2);
}

// The whole file at path in one malloc'ed buffer (as the TypeScript cases read theirs into wasm
// memory before anything is timed); its size in *size.
static inline uint8_t *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) die("cannot open ", path);
  if (fseek(f, 0, SEEK_END) != 0) die("cannot seek ", path);
  long n = ftell(f);
  if (n < 0) die("cannot size ", path);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) die("cannot read ", path);
  fclose(f);
  *size = (size_t)n;
  return buf;
}

static inline double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static inline double cpu_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

// Busy jiffies of all CPUs since boot (/proc/stat: all but idle and iowait), as cpu.ts reads them.
static inline long long busy_jiffies(void) {
  long long v[8] = {0};
  FILE *f = fopen("/proc/stat", "r");
  if (!f) return 0;
  if (fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8) v[0] = 0;
  fclose(f);
  return v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
}

// Peak resident memory of this program in KiB: VmHWM of /proc/self/status, the high-water mark
// of this image's own address space. ru_maxrss (getrusage), the fallback, is kept across execve by
// Linux, so a child spawned by a large Node process would report the parent's size at the fork
// whenever it stays below it. bench/book/common.ts reads the same for the Node cases.
static inline long max_rss_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  while (f && fgets(line, sizeof line, f)) {
    if (sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
  }
  if (f) fclose(f);
  if (kib >= 0) return kib;
  struct rusage u;
  return getrusage(RUSAGE_SELF, &u) == 0 ? u.ru_maxrss : 0;
}

#endif
