// The C reference order book of the book benchmark (bench/book.ts): the features of xdpfeed's
// wasm ITCH book (assembly/book/l3.ts) -- every order by its reference with its instrument, side,
// price and shares left; price levels per instrument and side with share totals and order
// counts; the published best bid and offer and a BBO event whenever it changes; the same
// counters and capacities -- in a plain design, so that the benchmark measures the wasm book
// against native code doing the same work:
//
//   orders   one open-addressing hash table of whole orders by reference (linear probing,
//            deletion by backward shift), grown by doubling while at most half full, up to twice
//            max_orders: its size follows the live orders, as the wasm table's does
//   levels   per instrument and side a sorted array of (price, shares, orders), best price
//            last, so that a lookup scans from the best and inserting or removing near the top
//            moves only the few better levels
//
// The rules are those of test/oracle/reference-book.ts (what is counted and skipped), which the
// wasm book's tests hold it to: the two books must write the same BBO events, in the same
// order, on the same messages.

#ifndef XDPFEED_C_BOOK_H
#define XDPFEED_C_BOOK_H

#include <stdint.h>

// One book event: the BBO an instrument publishes after a message that changed it (the wasm
// book's event without its flags: this book writes BBO events only).
typedef struct {
  uint32_t msg;        // index of the message in the input
  uint32_t instrument; // stock locate
  uint64_t bid_px, ask_px, bid_qty, ask_qty;
} book_event_t;

typedef struct {
  uint64_t updates, bbo_changes, unknown_order, orders_full, levels_full, duplicate_order,
      bad_instrument, oversized, invalid, wrong_locate;
} book_counters_t;

// Events are handed to the consumer EVENT_BATCH at a time (and at book_flush), as the wasm
// parser hands over its batch of records and events.
#define EVENT_BATCH 4096
typedef void (*event_fn)(const book_event_t *ev, uint32_t n, void *ctx);

typedef struct book book_t;

book_t *book_new(uint32_t max_orders, uint32_t max_levels, uint32_t max_instruments, event_fn on_events, void *ctx);
void book_free(book_t *b);

// Applies one ITCH 5.0 message (type byte first, len bytes), the msg-th of the input.
void book_message(book_t *b, const uint8_t *m, uint32_t len, uint32_t msg);

// Hands the events not yet handed over to the consumer.
void book_flush(book_t *b);

const book_counters_t *book_counters(const book_t *b);
uint32_t book_orders(const book_t *b);
uint32_t book_levels(const book_t *b);

// The invariants (every order on a level of its price, level sums and counts those of their
// orders, sides sorted, the published BBO the book's): NULL when they hold, else what broke.
const char *book_check(const book_t *b);

#endif
