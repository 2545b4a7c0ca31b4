// The C reference order book (the design and the rules: c_book.h).

#include "native.h" // first: it sets _POSIX_C_SOURCE
#include "c_book.h"

typedef struct {
  uint32_t price, orders;
  uint64_t shares;
} level_t;

// One side of one instrument: levels sorted worst to best (lv[n - 1] is the best).
typedef struct {
  level_t *lv;
  uint32_t n, cap;
} side_t;

typedef struct {
  side_t side[2]; // 0 bid, 1 ask
  uint64_t bid_px, ask_px, bid_qty, ask_qty; // published
  uint32_t registered;
} inst_t;

// A whole order in its hash entry, so that a lookup touches one line (used: 0 is an empty entry;
// shares may be 0, as an add of 0 shares is applied).
typedef struct {
  uint64_t ref;
  uint32_t inst, price, shares;
  uint8_t side, used;
} order_t;

struct book {
  order_t *orders;
  uint32_t mask, max_slots, live_orders;
  uint32_t max_orders, max_levels, max_instruments, live_levels;
  inst_t *inst;
  book_counters_t c;
  book_event_t ev[EVENT_BATCH];
  uint32_t nev;
  event_fn on_events;
  void *ctx;
};

#define INITIAL_SLOTS 1024u
#define NONE 0xffffffffu

// Homes as the wasm table's (assembly/book/orders.ts): the low 4 bits are the reference's place
// in a block of 16 consecutive references, the rest a hash of the block. Exchanges number orders
// upwards, so adds walk a few lines in a row (which the CPU prefetches) while blocks scatter.
static inline uint32_t home(uint64_t ref) {
  uint32_t h = (uint32_t)(((ref >> 4) * 0x9e3779b97f4a7c15ull) >> 32);
  return (h & ~15u) | ((uint32_t)ref & 15u);
}

// The entry holding ref, or the empty one where it goes.
static inline order_t *probe(const book_t *b, uint64_t ref) {
  uint32_t i = home(ref) & b->mask;
  order_t *o = &b->orders[i];
  while (o->used && o->ref != ref) {
    i = (i + 1) & b->mask;
    o = &b->orders[i];
  }
  return o;
}

static inline order_t *find(const book_t *b, uint64_t ref) {
  order_t *o = probe(b, ref);
  return o->used ? o : NULL;
}

// Empties entry o, moving back the entries of its cluster that may come closer to their home.
static void order_delete(book_t *b, order_t *o) {
  uint32_t mask = b->mask, hole = (uint32_t)(o - b->orders), j = hole;
  for (;;) {
    j = (j + 1) & mask;
    order_t *e = &b->orders[j];
    if (!e->used) break;
    uint32_t h = home(e->ref) & mask;
    if (((j - h) & mask) >= ((j - hole) & mask)) {
      b->orders[hole] = *e;
      hole = j;
    }
  }
  b->orders[hole].used = 0;
  b->live_orders--;
}

// Room for one more order: doubles the table when it would fill past half (entries move).
static void order_reserve(book_t *b) {
  uint32_t size = b->mask + 1;
  if ((b->live_orders + 1) << 1 <= size || size >= b->max_slots) return;
  order_t *from = b->orders;
  b->orders = calloc((size_t)size << 1, sizeof *b->orders);
  if (!b->orders) die("out of memory for the order table", NULL);
  b->mask = (size << 1) - 1;
  for (uint32_t i = 0; i < size; i++) {
    if (!from[i].used) continue;
    uint32_t k = home(from[i].ref) & b->mask;
    while (b->orders[k].used) k = (k + 1) & b->mask;
    b->orders[k] = from[i];
  }
  free(from);
}

// Whether price a is better than b on side s.
static inline int better(uint32_t s, uint32_t a, uint32_t b) {
  return s == 0 ? a > b : a < b;
}

// The index of the level at price, scanned from the best; -1 - (where it goes) when absent.
static inline int64_t level_find(const side_t *sd, uint32_t s, uint32_t price) {
  int64_t i = (int64_t)sd->n - 1;
  while (i >= 0 && better(s, sd->lv[i].price, price)) i--;
  if (i >= 0 && sd->lv[i].price == price) return i;
  return -1 - (i + 1);
}

// The level at price, inserted empty when new; NULL (counted) when new and max_levels are live.
static level_t *level_get(book_t *b, side_t *sd, uint32_t s, uint32_t price) {
  int64_t i = level_find(sd, s, price);
  if (i >= 0) return &sd->lv[i];
  if (b->live_levels >= b->max_levels) {
    b->c.levels_full++;
    return NULL;
  }
  uint32_t at = (uint32_t)(-1 - i);
  if (sd->n == sd->cap) {
    sd->cap = sd->cap ? sd->cap * 2 : 8;
    sd->lv = realloc(sd->lv, sd->cap * sizeof *sd->lv);
    if (!sd->lv) die("out of memory for levels", NULL);
  }
  memmove(&sd->lv[at + 1], &sd->lv[at], (sd->n - at) * sizeof *sd->lv);
  sd->n++;
  b->live_levels++;
  sd->lv[at] = (level_t){ price, 0, 0 };
  return &sd->lv[at];
}

static void level_remove(book_t *b, side_t *sd, level_t *l) {
  uint32_t at = (uint32_t)(l - sd->lv);
  memmove(&sd->lv[at], &sd->lv[at + 1], (sd->n - at - 1) * sizeof *sd->lv);
  sd->n--;
  b->live_levels--;
}

// ---- operations: each returns the instrument it changed, NONE when nothing ----

static uint32_t add_order(book_t *b, uint64_t ref, uint32_t inst, uint32_t side_char, uint32_t price, uint32_t shares) {
  if (inst >= b->max_instruments) { b->c.bad_instrument++; return NONE; }
  uint32_t s = side_char == 'B' ? 0 : side_char == 'S' ? 1 : NONE;
  if (s == NONE || price == 0) { b->c.invalid++; return NONE; }
  order_t *o = probe(b, ref);
  if (o->used) { b->c.duplicate_order++; return NONE; }
  if (b->live_orders >= b->max_orders) { b->c.orders_full++; return NONE; }
  level_t *l = level_get(b, &b->inst[inst].side[s], s, price);
  if (!l) return NONE;
  l->shares += shares;
  l->orders++;
  uint32_t mask = b->mask;
  order_reserve(b);
  if (b->mask != mask) o = probe(b, ref);
  *o = (order_t){ ref, inst, price, shares, (uint8_t)s, 1 };
  b->live_orders++;
  return inst;
}

static uint32_t remove_order(book_t *b, order_t *o) {
  uint32_t inst = o->inst;
  side_t *sd = &b->inst[inst].side[o->side];
  level_t *l = &sd->lv[level_find(sd, o->side, o->price)];
  if (--l->orders == 0) level_remove(b, sd, l);
  else l->shares -= o->shares;
  order_delete(b, o);
  return inst;
}

static uint32_t reduce_order(book_t *b, order_t *o, uint32_t qty) {
  if (qty >= o->shares) {
    if (qty > o->shares) b->c.oversized++;
    return remove_order(b, o);
  }
  if (qty == 0) return NONE;
  o->shares -= qty;
  side_t *sd = &b->inst[o->inst].side[o->side];
  sd->lv[level_find(sd, o->side, o->price)].shares -= qty;
  return o->inst;
}

// An order named by an execution, cancel, delete or replace; unknown ones are counted, and one
// under another stock locate than its own is applied to its own instrument and counted.
static inline order_t *named(book_t *b, uint64_t ref, uint32_t locate) {
  order_t *o = find(b, ref);
  if (!o) { b->c.unknown_order++; return NULL; }
  if (o->inst != locate) b->c.wrong_locate++;
  return o;
}

// After a message that changed instrument inst: its BBO now, published with an event if new.
static void publish(book_t *b, uint32_t inst, uint32_t msg) {
  inst_t *in = &b->inst[inst];
  const side_t *bid = &in->side[0], *ask = &in->side[1];
  uint64_t bp = 0, bq = 0, ap = 0, aq = 0;
  if (bid->n) { bp = bid->lv[bid->n - 1].price; bq = bid->lv[bid->n - 1].shares; }
  if (ask->n) { ap = ask->lv[ask->n - 1].price; aq = ask->lv[ask->n - 1].shares; }
  b->c.updates++;
  if (bp == in->bid_px && bq == in->bid_qty && ap == in->ask_px && aq == in->ask_qty) return;
  in->bid_px = bp; in->bid_qty = bq; in->ask_px = ap; in->ask_qty = aq;
  b->c.bbo_changes++;
  if (b->nev == EVENT_BATCH) book_flush(b);
  b->ev[b->nev++] = (book_event_t){ msg, inst, bp, ap, bq, aq };
}

// ITCH 5.0 lengths of the messages the book reads (others are not looked at); a message of
// another length is skipped, as the wasm parser rejects it.
static const uint8_t LENGTH[256] = { ['A'] = 36, ['F'] = 40, ['E'] = 31, ['C'] = 36, ['X'] = 23, ['D'] = 19, ['U'] = 35, ['R'] = 39 };

void book_message(book_t *b, const uint8_t *m, uint32_t len, uint32_t msg) {
  uint32_t type = m[0];
  if (LENGTH[type] == 0 || len != LENGTH[type]) return;
  uint32_t locate = be16(m + 1), inst = NONE;
  order_t *o;
  switch (type) {
  case 'A': case 'F': // orderRef @11, side @19, shares @20, price @32
    inst = add_order(b, be64(m + 11), locate, m[19], be32(m + 32), be32(m + 20));
    break;
  case 'E': case 'C': case 'X': // orderRef @11, executed / cancelled shares @19
    if ((o = named(b, be64(m + 11), locate))) inst = reduce_order(b, o, be32(m + 19));
    break;
  case 'D':
    if ((o = named(b, be64(m + 11), locate))) inst = remove_order(b, o);
    break;
  case 'U': // originalOrderRef @11, newOrderRef @19, shares @27, price @31
    if ((o = named(b, be64(m + 11), locate))) {
      uint32_t own = o->inst, side_char = o->side == 0 ? 'B' : 'S';
      inst = remove_order(b, o);
      if (add_order(b, be64(m + 19), own, side_char, be32(m + 31), be32(m + 27)) != NONE) inst = own;
    }
    break;
  case 'R':
    if (locate < b->max_instruments) b->inst[locate].registered = 1;
    else b->c.bad_instrument++;
    break;
  }
  if (inst != NONE) publish(b, inst, msg);
}

void book_flush(book_t *b) {
  if (b->nev) b->on_events(b->ev, b->nev, b->ctx);
  b->nev = 0;
}

book_t *book_new(uint32_t max_orders, uint32_t max_levels, uint32_t max_instruments, event_fn on_events, void *ctx) {
  book_t *b = calloc(1, sizeof *b);
  if (!b) die("out of memory", NULL);
  b->max_orders = max_orders;
  b->max_levels = max_levels;
  b->max_instruments = max_instruments;
  b->max_slots = INITIAL_SLOTS;
  while (b->max_slots < 2ull * max_orders) b->max_slots <<= 1;
  b->mask = INITIAL_SLOTS - 1;
  b->orders = calloc(INITIAL_SLOTS, sizeof *b->orders);
  b->inst = calloc(max_instruments, sizeof *b->inst);
  if (!b->orders || !b->inst) die("out of memory", NULL);
  b->on_events = on_events;
  b->ctx = ctx;
  return b;
}

void book_free(book_t *b) {
  for (uint32_t i = 0; i < b->max_instruments; i++) {
    free(b->inst[i].side[0].lv);
    free(b->inst[i].side[1].lv);
  }
  free(b->inst);
  free(b->orders);
  free(b);
}

const book_counters_t *book_counters(const book_t *b) { return &b->c; }
uint32_t book_orders(const book_t *b) { return b->live_orders; }
uint32_t book_levels(const book_t *b) { return b->live_levels; }

const char *book_check(const book_t *b) {
  uint64_t orders = 0, shares = 0, level_orders = 0, level_shares = 0, levels = 0;
  for (uint32_t i = 0; i <= b->mask; i++) {
    const order_t *o = &b->orders[i];
    if (!o->used) continue;
    orders++;
    shares += o->shares;
    if (find(b, o->ref) != o) return "orderHash";
    const side_t *sd = &b->inst[o->inst].side[o->side];
    if (level_find(sd, o->side, o->price) < 0) return "orderLevel";
  }
  if (orders != b->live_orders) return "orderCount";
  for (uint32_t i = 0; i < b->max_instruments; i++) {
    const inst_t *in = &b->inst[i];
    for (uint32_t s = 0; s < 2; s++) {
      const side_t *sd = &in->side[s];
      for (uint32_t k = 0; k < sd->n; k++) {
        if (sd->lv[k].orders == 0) return "emptyLevel";
        if (k > 0 && !better(s, sd->lv[k].price, sd->lv[k - 1].price)) return "levelOrder";
        level_orders += sd->lv[k].orders;
        level_shares += sd->lv[k].shares;
      }
      levels += sd->n;
    }
    uint64_t bp = in->side[0].n ? in->side[0].lv[in->side[0].n - 1].price : 0;
    uint64_t ap = in->side[1].n ? in->side[1].lv[in->side[1].n - 1].price : 0;
    if (bp != in->bid_px || ap != in->ask_px) return "published";
  }
  if (levels != b->live_levels) return "levelCount";
  if (level_orders != orders || level_shares != shares) return "orderSums";
  return NULL;
}
