// The C baseline of the decoder benchmark (bench/decode/run.ts): the work of the wasm feed
// parsers (assembly/feeds/*.as.ts, assembly/parse/*.ts) on UDP payloads, in plain C:
//
//   itch50    MoldUDP64 (session, sequence, count, u16 BE length-prefixed blocks) + ITCH 5.0
//   iex-tops  IEX-TP (40-byte header, u16 LE length-prefixed blocks) + TOPS 1.6
//   iex-deep  IEX-TP + DEEP 1.0
//
// Session and sequence tracking (gaps, duplicates dropped, resets), the exact (ITCH) or minimum
// (IEX) length check per type, the same counters (packets, messages by type, rejections by
// reason), IEX symbols to dense ids in the same open-addressing table, and one 96-byte tick
// record per message (assembly/records.ts) in a buffer of RECORD_MAX records, handed to the
// consumer whenever the next payload might not fit, as the wasm driver does. Loads are memcpy +
// __builtin_bswap (big-endian) or plain (little-endian).
//
//   c_decoder FORMAT FILE [MIN_SECONDS] [WARMUP]
//
// FILE: u32 LE count, then count entries of (u32 LE length, payload). One verification pass
// (hashing every record, see bench/decode/common.ts), WARMUP untimed passes (default 2), then
// passes over the input until MIN_SECONDS (default 0.5) have passed, only they timed
// (CLOCK_MONOTONIC), each consuming one field (price) of every record. Prints one JSON line.

#include "native.h"

// assembly/layout.ts
#define RECORD_MAX 16384
#define SYM_SLOTS 16384
enum {
  REJ_FRAME_SHORT, REJ_NOT_IP, REJ_NOT_UDP, REJ_IP_FRAGMENT, REJ_BAD_IP_LENGTH, REJ_OTHER_PORT,
  REJ_SESSION_SHORT, REJ_COUNT_OVERRUN, REJ_LENGTH_OVERRUN, REJ_ZERO_LENGTH, REJ_UNKNOWN_TYPE,
  REJ_BAD_LENGTH, REJ_PROTOCOL, REJ_TRAILING, REJ_TRUNCATED, REJ_COUNT = 16
};
static const char *const REJ_NAMES[REJ_COUNT] = {
  "frameTooShort", "notIp", "notUdp", "ipFragment", "badIpLength", "otherPort",
  "sessionHeaderTooShort", "countOverrun", "lengthOverrun", "zeroLength", "unknownType",
  "badLength", "otherProtocol", "trailingBytes", "truncated", NULL,
};


enum {
  TICK_OTHER, TICK_ADD, TICK_MODIFY, TICK_CANCEL, TICK_DELETE, TICK_EXECUTE, TICK_TRADE,
  TICK_QUOTE, TICK_LEVEL, TICK_STATUS, TICK_SYSTEM, TICK_DIRECTORY, TICK_BROKEN, TICK_IMBALANCE
};

enum format { ITCH50, IEX_TOPS, IEX_DEEP };

typedef struct {
  enum format format;
  const uint8_t *base; // msg_offset is relative to it
  record_t *rec;
  uint32_t nrec;
  // counters
  uint64_t frames, packets, messages, gaps, gap_messages, duplicates, resets;
  uint64_t by_type[256], rejected[REJ_COUNT];
  // session
  uint64_t next_seq;
  uint8_t session[10];
  uint32_t iex_session;
  // symbol table
  struct { uint64_t sym; uint32_t id, pad; } slots[SYM_SLOTS];
  uint64_t by_id[SYM_SLOTS];
} decoder_t;

static void reset(decoder_t *d) {
  d->frames = d->packets = d->messages = d->gaps = d->gap_messages = d->duplicates = d->resets = 0;
  memset(d->by_type, 0, sizeof d->by_type);
  memset(d->rejected, 0, sizeof d->rejected);
  d->next_seq = 0;
  memset(d->session, 0, sizeof d->session);
  d->iex_session = 0;
  memset(d->slots, 0, sizeof d->slots);
  memset(d->by_id, 0, sizeof d->by_id);
  d->nrec = 0;
}

// ---- sequence integrity (assembly/parse/sequence.ts) ----

static void sequence_reset(decoder_t *d, uint64_t seq) {
  if (d->next_seq != 0) d->resets++;
  d->next_seq = seq;
}

static void sequence_packet(decoder_t *d, uint64_t seq) {
  if (d->next_seq == 0) {
    d->next_seq = seq;
  } else if (seq > d->next_seq) {
    d->gaps++;
    d->gap_messages += seq - d->next_seq;
    d->next_seq = seq;
  }
}

static inline int sequence_message(decoder_t *d, uint64_t seq) {
  if (seq < d->next_seq) {
    d->duplicates++;
    return 0;
  }
  d->next_seq = seq + 1;
  return 1;
}

// ---- records ----

static inline record_t *begin_record(decoder_t *d, const uint8_t *m, uint32_t len, uint64_t seq, uint32_t type,
                                     uint32_t kind, uint64_t ts, uint32_t instrument, uint32_t scale) {
  record_t *r = &d->rec[d->nrec++];
  d->messages++;
  d->by_type[type]++;
  r->seq = seq;
  r->exchange_ts = ts;
  r->receive_ts = 0;
  r->order_id = r->match_id = r->ref_order_id = 0;
  r->price = r->price2 = 0;
  r->quantity = r->quantity2 = 0;
  r->instrument = instrument;
  r->msg_offset = (uint32_t)(m - d->base);
  r->msg_length = (uint16_t)len;
  r->kind = (uint8_t)kind;
  r->side = 0;
  r->msg_type = (uint8_t)type;
  r->price_scale = (uint8_t)scale;
  r->flags = 0;
  r->status = 0;
  return r;
}

// ---- ITCH 5.0 ----

static const uint8_t ITCH_LENGTH[256] = {
  ['S'] = 12, ['R'] = 39, ['H'] = 25, ['Y'] = 20, ['L'] = 26, ['V'] = 35, ['W'] = 12, ['K'] = 28,
  ['J'] = 35, ['h'] = 21, ['A'] = 36, ['F'] = 40, ['E'] = 31, ['C'] = 36, ['X'] = 23, ['D'] = 19,
  ['U'] = 35, ['P'] = 44, ['Q'] = 40, ['B'] = 19, ['I'] = 50, ['N'] = 20, ['O'] = 48,
};

static inline void itch_message(decoder_t *d, const uint8_t *m, uint32_t len, uint64_t seq) {
  uint32_t type = m[0];
  uint32_t need = ITCH_LENGTH[type];
  if (need == 0) { d->rejected[REJ_UNKNOWN_TYPE]++; return; }
  if (len != need) { d->rejected[REJ_BAD_LENGTH]++; return; }
  uint32_t locate = be16(m + 1);
  uint64_t ts = be48(m + 5);
  record_t *r;
  switch (type) {
  case 'A': case 'F':
    r = begin_record(d, m, len, seq, type, TICK_ADD, ts, locate, 4);
    r->order_id = be64(m + 11); r->side = m[19]; r->quantity = be32(m + 20); r->price = be32(m + 32);
    break;
  case 'E':
    r = begin_record(d, m, len, seq, type, TICK_EXECUTE, ts, locate, 4);
    r->order_id = be64(m + 11); r->quantity = be32(m + 19); r->match_id = be64(m + 23);
    break;
  case 'C':
    r = begin_record(d, m, len, seq, type, TICK_EXECUTE, ts, locate, 4);
    r->order_id = be64(m + 11); r->quantity = be32(m + 19); r->match_id = be64(m + 23);
    r->flags = m[31]; r->price = be32(m + 32);
    break;
  case 'X':
    r = begin_record(d, m, len, seq, type, TICK_CANCEL, ts, locate, 4);
    r->order_id = be64(m + 11); r->quantity = be32(m + 19);
    break;
  case 'D':
    r = begin_record(d, m, len, seq, type, TICK_DELETE, ts, locate, 4);
    r->order_id = be64(m + 11);
    break;
  case 'U':
    r = begin_record(d, m, len, seq, type, TICK_MODIFY, ts, locate, 4);
    r->ref_order_id = be64(m + 11); r->order_id = be64(m + 19); r->quantity = be32(m + 27); r->price = be32(m + 31);
    break;
  case 'P':
    r = begin_record(d, m, len, seq, type, TICK_TRADE, ts, locate, 4);
    r->order_id = be64(m + 11); r->side = m[19]; r->quantity = be32(m + 20); r->price = be32(m + 32);
    r->match_id = be64(m + 36);
    break;
  case 'Q':
    r = begin_record(d, m, len, seq, type, TICK_TRADE, ts, locate, 4);
    r->quantity = be64(m + 11); r->price = be32(m + 27); r->match_id = be64(m + 31); r->flags = m[39];
    break;
  case 'B':
    r = begin_record(d, m, len, seq, type, TICK_BROKEN, ts, locate, 4);
    r->match_id = be64(m + 11);
    break;
  case 'I':
    r = begin_record(d, m, len, seq, type, TICK_IMBALANCE, ts, locate, 4);
    r->quantity = be64(m + 11); r->quantity2 = be64(m + 19); r->side = m[27];
    r->price = be32(m + 44); r->price2 = be32(m + 40); r->flags = m[48];
    break;
  case 'H':
    r = begin_record(d, m, len, seq, type, TICK_STATUS, ts, locate, 4);
    r->status = m[19];
    break;
  case 'h':
    r = begin_record(d, m, len, seq, type, TICK_STATUS, ts, locate, 4);
    r->status = m[20];
    break;
  case 'S':
    r = begin_record(d, m, len, seq, type, TICK_SYSTEM, ts, locate, 4);
    r->status = m[11];
    break;
  case 'R':
    r = begin_record(d, m, len, seq, type, TICK_DIRECTORY, ts, locate, 4);
    r->quantity = be32(m + 21);
    break;
  case 'V':
    r = begin_record(d, m, len, seq, type, TICK_OTHER, ts, locate, 8);
    r->price = (int64_t)be64(m + 11);
    break;
  case 'K':
    r = begin_record(d, m, len, seq, type, TICK_OTHER, ts, locate, 4);
    r->price = be32(m + 24);
    break;
  case 'Y': case 'N':
    r = begin_record(d, m, len, seq, type, TICK_OTHER, ts, locate, 4);
    r->status = m[19];
    break;
  case 'W':
    r = begin_record(d, m, len, seq, type, TICK_OTHER, ts, locate, 4);
    r->status = m[11];
    break;
  default: // L, J, O
    begin_record(d, m, len, seq, type, TICK_OTHER, ts, locate, 4);
  }
}

static void mold_packet(decoder_t *d, const uint8_t *p, uint32_t len) {
  if (len < 20) { d->rejected[REJ_SESSION_SHORT]++; return; }
  d->packets++;
  uint64_t seq = be64(p + 10);
  uint32_t count = be16(p + 18);
  if (memcmp(p, d->session, 10) != 0) {
    memcpy(d->session, p, 10);
    sequence_reset(d, seq);
  }
  sequence_packet(d, seq);
  if (count == 0 || count == 0xffff) return;
  const uint8_t *end = p + len, *at = p + 20;
  for (uint32_t i = 0; i < count; i++) {
    if (at + 2 > end) { d->rejected[REJ_COUNT_OVERRUN]++; return; }
    uint32_t mlen = be16(at);
    at += 2;
    if (at + mlen > end) { d->rejected[REJ_LENGTH_OVERRUN]++; return; }
    if (sequence_message(d, seq + i)) {
      if (mlen == 0) d->rejected[REJ_ZERO_LENGTH]++;
      else itch_message(d, at, mlen, seq + i);
    }
    at += mlen;
  }
  if (at != end) d->rejected[REJ_TRAILING]++;
}

// ---- IEX TOPS 1.6 / DEEP 1.0 ----

static uint32_t symbol_id(decoder_t *d, uint64_t sym) {
  uint32_t slot = (uint32_t)((sym * 0x9e3779b97f4a7c15ull) >> 50) & (SYM_SLOTS - 1);
  for (;;) {
    uint32_t id = d->slots[slot].id;
    if (id == 0) break;
    if (d->slots[slot].sym == sym) return id;
    slot = (slot + 1) & (SYM_SLOTS - 1);
  }
  uint32_t n = (uint32_t)d->by_id[0];
  if (n >= SYM_SLOTS - 1) return 0;
  uint32_t id = n + 1;
  d->slots[slot].sym = sym;
  d->slots[slot].id = id;
  d->by_id[id] = sym;
  d->by_id[0] = id;
  return id;
}

static inline uint32_t iex_length(uint32_t type, int deep) {
  switch (type) {
  case 'S': return 10;
  case 'D': return 31;
  case 'H': return 22;
  case 'O': return 18;
  case 'P': return 19;
  case 'Q': return deep ? 0 : 42;
  case 'T': return 38;
  case 'X': return 26;
  case 'B': return 38;
  case 'A': return 80;
  case 'E': return deep ? 18 : 0;
  case '8': return deep ? 30 : 0;
  case '5': return deep ? 30 : 0;
  }
  return 0;
}

static inline void iex_message(decoder_t *d, const uint8_t *m, uint32_t len, uint64_t seq, int deep) {
  uint32_t type = m[0];
  uint32_t need = iex_length(type, deep);
  if (need == 0) { d->rejected[REJ_UNKNOWN_TYPE]++; return; }
  if (len < need) { d->rejected[REJ_BAD_LENGTH]++; return; }
  uint64_t ts = le64(m + 2);
  uint32_t flag = m[1];
  record_t *r;
  if (type == 'S') {
    r = begin_record(d, m, len, seq, type, TICK_SYSTEM, ts, 0, 4);
    r->status = flag;
    return;
  }
  uint32_t inst = symbol_id(d, le64(m + 10));
  switch (type) {
  case 'Q':
    r = begin_record(d, m, len, seq, type, TICK_QUOTE, ts, inst, 4);
    r->flags = flag; r->quantity = le32(m + 18); r->price = (int64_t)le64(m + 22);
    r->price2 = (int64_t)le64(m + 30); r->quantity2 = le32(m + 38);
    break;
  case '8': case '5':
    r = begin_record(d, m, len, seq, type, TICK_LEVEL, ts, inst, 4);
    r->flags = flag; r->side = type == '8' ? 'B' : 'S'; r->quantity = le32(m + 18); r->price = (int64_t)le64(m + 22);
    break;
  case 'T': case 'B':
    r = begin_record(d, m, len, seq, type, type == 'T' ? TICK_TRADE : TICK_BROKEN, ts, inst, 4);
    r->flags = flag; r->quantity = le32(m + 18); r->price = (int64_t)le64(m + 22); r->match_id = le64(m + 30);
    break;
  case 'H': case 'O':
    r = begin_record(d, m, len, seq, type, TICK_STATUS, ts, inst, 4);
    r->status = flag;
    break;
  case 'E':
    r = begin_record(d, m, len, seq, type, TICK_SYSTEM, ts, inst, 4);
    r->status = flag;
    break;
  case 'D':
    r = begin_record(d, m, len, seq, type, TICK_DIRECTORY, ts, inst, 4);
    r->flags = flag; r->quantity = le32(m + 18); r->price = (int64_t)le64(m + 22);
    break;
  case 'X':
    r = begin_record(d, m, len, seq, type, TICK_OTHER, ts, inst, 4);
    r->status = flag; r->price = (int64_t)le64(m + 18);
    break;
  case 'A':
    r = begin_record(d, m, len, seq, type, TICK_IMBALANCE, ts, inst, 4);
    r->status = flag; r->quantity = le32(m + 18); r->price = (int64_t)le64(m + 22);
    r->price2 = (int64_t)le64(m + 30); r->quantity2 = le32(m + 38); r->side = m[42];
    break;
  default: // P
    r = begin_record(d, m, len, seq, type, TICK_OTHER, ts, inst, 4);
    r->status = flag;
  }
}

static inline void iextp_segment(decoder_t *d, const uint8_t *p, uint32_t len, uint32_t protocol, int deep) {
  if (len < 40) { d->rejected[REJ_SESSION_SHORT]++; return; }
  if (le16(p + 2) != protocol) { d->rejected[REJ_PROTOCOL]++; return; }
  d->packets++;
  uint64_t seq = le64(p + 24);
  uint32_t count = le16(p + 14);
  uint32_t session = le32(p + 8) | 0x80000000u;
  if (d->iex_session != session) {
    d->iex_session = session;
    sequence_reset(d, seq);
  } else if (seq == 1 && d->next_seq > 1) {
    sequence_reset(d, seq);
  }
  sequence_packet(d, seq);
  if (count == 0) return;
  const uint8_t *end = p + 40 + le16(p + 12);
  if (end > p + len) end = p + len;
  const uint8_t *at = p + 40;
  for (uint32_t i = 0; i < count; i++) {
    if (at + 2 > end) { d->rejected[REJ_COUNT_OVERRUN]++; return; }
    uint32_t mlen = le16(at);
    at += 2;
    if (at + mlen > end) { d->rejected[REJ_LENGTH_OVERRUN]++; return; }
    if (sequence_message(d, seq + i)) {
      if (mlen == 0) d->rejected[REJ_ZERO_LENGTH]++;
      else iex_message(d, at, mlen, seq + i, deep);
    }
    at += mlen;
  }
  if (at != end) d->rejected[REJ_TRAILING]++;
}

// ---- driver ----

typedef struct {
  uint32_t count;
  const uint8_t **ptr;
  uint32_t *len;
} input_t;

typedef void (*consume_fn)(const record_t *rec, uint32_t n, void *ctx);

// One pass over the input with fresh state; records handed to consume before a payload that
// might not fit (the wasm driver's rule: free records > len / smallest block) and at the end.
static void pass(decoder_t *d, const input_t *in, consume_fn consume, void *ctx) {
  reset(d);
  uint32_t min_block = d->format == ITCH50 ? 14 : 12;
  for (uint32_t i = 0; i < in->count; i++) {
    uint32_t len = in->len[i];
    if (RECORD_MAX - d->nrec <= len / min_block) {
      if (d->nrec) consume(d->rec, d->nrec, ctx);
      d->nrec = 0;
    }
    d->frames++;
    switch (d->format) {
    case ITCH50: mold_packet(d, in->ptr[i], len); break;
    case IEX_TOPS: iextp_segment(d, in->ptr[i], len, 0x8003, 0); break;
    case IEX_DEEP: iextp_segment(d, in->ptr[i], len, 0x8004, 1); break;
    }
  }
  if (d->nrec) consume(d->rec, d->nrec, ctx);
  d->nrec = 0;
}

// ---- consumers ----

typedef struct { uint32_t check, full; uint64_t records; } hash_t;

static void hash_records(const record_t *rec, uint32_t n, void *ctx) {
  hash_t *h = ctx;
  for (uint32_t i = 0; i < n; i++) {
    const record_t *r = &rec[i];
    h->check = (h->check ^ (uint32_t)r->seq) * FNV_PRIME;
    h->check = (h->check ^ (uint32_t)r->price) * FNV_PRIME;
    h->check = (h->check ^ (uint32_t)r->quantity) * FNV_PRIME;
    h->check = (h->check ^ r->kind) * FNV_PRIME;
    uint32_t w[24];
    memcpy(w, r, sizeof w);
    for (int k = 0; k < 24; k++) {
      if (k != 21) h->full = (h->full ^ w[k]) * FNV_PRIME; // 21: msgOffset
    }
  }
  h->records += n;
}

static void sum_prices(const record_t *rec, uint32_t n, void *ctx) {
  uint32_t acc = *(uint32_t *)ctx;
  for (uint32_t i = 0; i < n; i++) acc += (uint32_t)rec[i].price;
  *(uint32_t *)ctx = acc;
}

// bench/ring/c_ring.c includes this file for the decoder and brings its own main.
#ifndef C_DECODER_NO_MAIN
int main(int argc, char **argv) {
  native_prog = "c_decoder";
  if (argc < 3) die("usage: c_decoder itch50|iex-tops|iex-deep FILE [MIN_SECONDS] [WARMUP]", NULL);
  const char *fmt = argv[1];
  enum format format;
  if (!strcmp(fmt, "itch50")) format = ITCH50;
  else if (!strcmp(fmt, "iex-tops")) format = IEX_TOPS;
  else if (!strcmp(fmt, "iex-deep")) format = IEX_DEEP;
  else die("unknown format ", fmt);
  double min_seconds = argc > 3 ? atof(argv[3]) : 0.5;
  int warmup = argc > 4 ? atoi(argv[4]) : 2;

  size_t size;
  uint8_t *buf = read_file(argv[2], &size);
  if (size < 4) die("input too short: ", argv[2]);
  input_t in;
  in.count = le32(buf);
  in.ptr = malloc(sizeof *in.ptr * (in.count ? in.count : 1));
  in.len = malloc(sizeof *in.len * (in.count ? in.count : 1));
  size_t at = 4;
  for (uint32_t i = 0; i < in.count; i++) {
    if (at + 4 > size) die("entry header past the end of ", argv[2]);
    uint32_t len = le32(buf + at);
    if (at + 4 + len > size) die("entry past the end of ", argv[2]);
    in.ptr[i] = buf + at + 4;
    in.len[i] = len;
    at += 4 + len;
  }

  decoder_t *d = calloc(1, sizeof *d);
  d->format = format;
  d->base = buf;
  d->rec = aligned_alloc(64, sizeof(record_t) * RECORD_MAX);

  hash_t h = { FNV_BASIS, FNV_BASIS, 0 };
  pass(d, &in, hash_records, &h);
  if (h.records != d->messages) die("records and messages disagree", NULL);
  // the verification pass's counters, printed below
  uint64_t messages = d->messages, packets = d->packets, gaps = d->gaps, duplicates = d->duplicates, resets = d->resets;
  uint64_t by_type[256], rejected[REJ_COUNT];
  memcpy(by_type, d->by_type, sizeof by_type);
  memcpy(rejected, d->rejected, sizeof rejected);

  uint32_t acc = 0;
  for (int i = 0; i < warmup; i++) pass(d, &in, sum_prices, &acc);
  acc = 0;
  uint32_t one = 0;
  pass(d, &in, sum_prices, &one);
  long passes = 0;
  long long busy0 = busy_jiffies();
  double cpu0 = cpu_seconds();
  double t0 = now(), elapsed;
  do {
    pass(d, &in, sum_prices, &acc);
    passes++;
    elapsed = now() - t0;
  } while (elapsed < min_seconds);
  double own = cpu_seconds() - cpu0;
  long long busy = busy_jiffies() - busy0;
  if (acc != (uint32_t)(one * (uint32_t)passes)) die("timed passes consumed another sum", NULL);

  printf("{\"impl\":\"c\",\"format\":\"%s\",\"messages\":%llu,\"packets\":%llu,\"byType\":{", fmt,
         (unsigned long long)messages, (unsigned long long)packets);
  int first = 1;
  for (int t = 0; t < 256; t++) {
    if (!by_type[t]) continue;
    printf("%s\"%c\":%llu", first ? "" : ",", t, (unsigned long long)by_type[t]);
    first = 0;
  }
  printf("},\"rejected\":{");
  first = 1;
  for (int r = 0; r < REJ_COUNT; r++) {
    if (!rejected[r]) continue;
    printf("%s\"%s\":%llu", first ? "" : ",", REJ_NAMES[r] ? REJ_NAMES[r] : "?", (unsigned long long)rejected[r]);
    first = 0;
  }
  printf("},\"gaps\":%llu,\"duplicates\":%llu,\"resets\":%llu,\"passes\":%ld,\"seconds\":%.9f,"
         "\"nsPerMessage\":%.6f,\"checksum\":\"%08x\",\"fullChecksum\":\"%08x\",\"lightChecksum\":\"%08x\","
         "\"cpu\":{\"busyJiffies\":%lld,\"ownSeconds\":%.6f}}\n",
         (unsigned long long)gaps, (unsigned long long)duplicates, (unsigned long long)resets, passes, elapsed,
         elapsed * 1e9 / ((double)passes * (double)messages), h.check, h.full, one, busy, own);
  return 0;
}
#endif
