// The C case of the book benchmark (bench/book.ts), run in a fresh process per round:
//
//   c_book FILE MAX_ORDERS MAX_LEVELS MAX_INSTRUMENTS
//
// FILE is a NASDAQ binary ITCH 5.0 file (each message after its u16 big-endian length), read
// whole before anything is timed, as the wasm case places it in the parser's memory. Like the
// wasm case it makes two passes with a fresh book each: the first (untimed) hashes every BBO
// event into the checksum the benchmark compares with the wasm book's; the second is timed
// (CLOCK_MONOTONIC), its events handed to a consumer that only counts them. Prints one JSON line:
// the counts, the book's counters, the checksum, time and peak memory (max_rss_kib: VmHWM).

#include "native.h"
#include "c_book.h"

// FNV-1a over the words of each event, in the order bench/book/common.ts hashes the wasm book's:
// message index, instrument, then the low and high halves of bidPx, bidQty, askPx, askQty.
typedef struct {
  uint32_t hash;
  uint64_t events;
} event_hash_t;

static inline uint32_t fnv(uint32_t h, uint32_t w) { return (h ^ w) * FNV_PRIME; }

static void hash_events(const book_event_t *ev, uint32_t n, void *ctx) {
  event_hash_t *h = ctx;
  uint32_t x = h->hash;
  for (uint32_t i = 0; i < n; i++) {
    const book_event_t *e = &ev[i];
    x = fnv(x, e->msg);
    x = fnv(x, e->instrument);
    x = fnv(fnv(x, (uint32_t)e->bid_px), (uint32_t)(e->bid_px >> 32));
    x = fnv(fnv(x, (uint32_t)e->bid_qty), (uint32_t)(e->bid_qty >> 32));
    x = fnv(fnv(x, (uint32_t)e->ask_px), (uint32_t)(e->ask_px >> 32));
    x = fnv(fnv(x, (uint32_t)e->ask_qty), (uint32_t)(e->ask_qty >> 32));
  }
  h->hash = x;
  h->events += n;
}

// The timed pass's consumer: counts the events (the book has written them either way).
static void count_events(const book_event_t *ev, uint32_t n, void *ctx) {
  (void)ev;
  *(uint64_t *)ctx += n;
}

// One pass over the file with a fresh book; returns the book (its counters) and the message count.
static book_t *pass(const uint8_t *buf, size_t size, uint32_t caps[3], event_fn fn, void *ctx, uint32_t *messages) {
  book_t *b = book_new(caps[0], caps[1], caps[2], fn, ctx);
  size_t at = 0;
  uint32_t msg = 0;
  while (at + 2 <= size) {
    uint32_t len = be16(buf + at);
    if (len == 0 || at + 2 + len > size) die("a message runs past the end of the file", NULL);
    book_message(b, buf + at + 2, len, msg++);
    at += 2 + len;
  }
  if (at != size) die("a stray byte at the end of the file", NULL);
  book_flush(b);
  *messages = msg;
  return b;
}

int main(int argc, char **argv) {
  native_prog = "c_book";
  if (argc != 5) die("usage: c_book FILE MAX_ORDERS MAX_LEVELS MAX_INSTRUMENTS", NULL);
  uint32_t caps[3] = { (uint32_t)strtoul(argv[2], NULL, 10), (uint32_t)strtoul(argv[3], NULL, 10), (uint32_t)strtoul(argv[4], NULL, 10) };
  size_t size;
  uint8_t *buf = read_file(argv[1], &size);

  // 1. verification (and warm-up) pass
  event_hash_t h = { FNV_BASIS, 0 };
  uint32_t warm_messages;
  double w0 = now();
  book_t *b = pass(buf, size, caps, hash_events, &h, &warm_messages);
  double warm_seconds = now() - w0;
  const char *broken = book_check(b);
  if (broken) die("book check failed: ", broken);
  book_counters_t c = *book_counters(b);
  uint32_t orders = book_orders(b), levels = book_levels(b);
  if (h.events != c.bbo_changes) die("events and BBO changes disagree", NULL);
  book_free(b);

  // 2. timed pass
  uint64_t timed_events = 0;
  uint32_t messages;
  long long busy0 = busy_jiffies();
  double cpu0 = cpu_seconds();
  double t0 = now();
  b = pass(buf, size, caps, count_events, &timed_events, &messages);
  double seconds = now() - t0;
  double own = cpu_seconds() - cpu0;
  long long busy = busy_jiffies() - busy0;
  if (messages != warm_messages || timed_events != h.events) die("the timed pass disagrees with the first", NULL);
  book_free(b);

  printf("{\"impl\":\"c\",\"messages\":%u,\"seconds\":%.9f,\"warmSeconds\":%.9f,\"nsPerMessage\":%.4f,"
         "\"events\":%llu,\"eventChecksum\":\"%08x\",\"orders\":%u,\"levels\":%u,\"maxRssKiB\":%ld,"
         "\"counters\":{\"updates\":%llu,\"bboChanges\":%llu,\"unknownOrder\":%llu,\"ordersFull\":%llu,"
         "\"levelsFull\":%llu,\"duplicateOrder\":%llu,\"badInstrument\":%llu,\"oversized\":%llu,\"invalid\":%llu,"
         "\"wrongLocate\":%llu},\"cpu\":{\"busyJiffies\":%lld,\"ownSeconds\":%.6f}}\n",
         messages, seconds, warm_seconds, seconds * 1e9 / messages, (unsigned long long)h.events, h.hash, orders, levels,
         max_rss_kib(), (unsigned long long)c.updates, (unsigned long long)c.bbo_changes,
         (unsigned long long)c.unknown_order, (unsigned long long)c.orders_full, (unsigned long long)c.levels_full,
         (unsigned long long)c.duplicate_order, (unsigned long long)c.bad_instrument, (unsigned long long)c.oversized,
         (unsigned long long)c.invalid, (unsigned long long)c.wrong_locate, busy, own);
  return 0;
}
