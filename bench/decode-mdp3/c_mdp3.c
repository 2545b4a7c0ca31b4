// C baseline of the MDP 3.0 decoder benchmark (bench/decode-mdp3/run.ts builds it with cc -O2):
// the same work as the TypeScript baseline (ts-decoder.ts) and the generated wasm module: the SBE
// packet framing with sequence de-duplication and gaps, one 96-byte tick record per group entry
// (assembly/records.ts) for the templates of the generated streams, each instrument's RptSeq in
// an open-addressing table.
//
//   c_mdp3 FILE MIN_SECONDS WARMUP
//
// Input: bench/decode/common.ts's file format (u32 count, then u32 length + payload each). Prints
// one JSON line: messages, records, packets, passes, seconds, nsPerMessage (minNsPerMessage: the
// fastest pass), checksum (FNV-1a over
// seq, price, quantity and kind of every record, as bench/decode/common.ts RecordHash.check).

#include "../decode/native.h"

#define MAX_RECORDS (1 << 14)
#define I32_NULL 2147483647
#define I64_NULL 0x7fffffffffffffffLL
enum { K_OTHER = 0, K_ADD = 1, K_MODIFY = 2, K_DELETE = 4, K_EXECUTE = 5, K_TRADE = 6, K_LEVEL = 8, K_STATUS = 9, K_SYSTEM = 10, K_DIRECTORY = 11 };


static record_t records[MAX_RECORDS];
static uint32_t nrec;
static uint64_t messages, packets, gaps, duplicates, rejected, rpt_gaps, next_seq;

#define RPT_SLOTS 16384
static uint32_t rpt_key[RPT_SLOTS], rpt_next[RPT_SLOTS];

static uint32_t *rpt_slot(int32_t sec) {
  uint32_t key = (uint32_t)sec + 1, i = (key * 0x9e3779b1u) >> 18;
  for (;;) {
    uint32_t s = i & (RPT_SLOTS - 1);
    if (rpt_key[s] == key) return &rpt_next[s];
    if (rpt_key[s] == 0) { rpt_key[s] = key; rpt_next[s] = 0; return &rpt_next[s]; }
    i++;
  }
}

static void rpt_check(int32_t sec, uint32_t rpt) {
  uint32_t *n = rpt_slot(sec);
  if (*n != 0 && rpt > *n) rpt_gaps++;
  *n = rpt + 1;
}

static void rec(uint64_t seq, uint8_t kind, uint64_t ts, int32_t inst, int64_t price, int64_t qty) {
  record_t *r = &records[nrec++];
  memset(r, 0, sizeof *r);
  r->seq = seq; r->kind = kind; r->exchange_ts = ts; r->instrument = (uint32_t)inst; r->price = price; r->quantity = (uint64_t)qty; r->price_scale = 9;
}

static int64_t px(const uint8_t *p) { int64_t v = (int64_t)le64(p); return v == I64_NULL ? 0 : v; }
static int32_t qn(const uint8_t *p) { int32_t v = (int32_t)le32(p); return v == I32_NULL ? 0 : v; }

// A group header at p: blockLength, count and entries; 0 when it does not fit before end.
static int group(const uint8_t *p, const uint8_t *end, int eight, uint32_t *bl, uint32_t *n, const uint8_t **e) {
  uint32_t hs = eight ? 8 : 3;
  if (p + hs > end) return 0;
  *bl = le16(p); *n = p[eight ? 7 : 2]; *e = p + hs;
  return *e + (size_t)*bl * *n <= end;
}

static int kind_of_action(uint8_t a) { return a == 0 ? K_ADD : a == 1 ? K_MODIFY : a == 2 ? K_DELETE : K_OTHER; }

static void message(const uint8_t *m, uint32_t len, uint64_t seq, uint64_t sending) {
  const uint8_t *end = m + len, *root = m + 8;
  if (len < 8) { rejected++; return; }
  uint32_t block = le16(m), template = le16(m + 2), before = nrec, bl, n, bl2, n2;
  const uint8_t *e0, *o0;
  if (root + block > end) { rejected++; return; }
  switch (template) {
    case 46: {
      uint64_t ts = le64(root); if (!ts) ts = sending;
      if (!group(root + block, end, 0, &bl, &n, &e0) || !group(e0 + bl * n, end, 1, &bl2, &n2, &o0)) break;
      for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = e0 + i * bl;
        int32_t sec = (int32_t)le32(e + 12);
        uint8_t t = e[26];
        rpt_check(sec, le32(e + 16));
        rec(seq, (t == 0x30 || t == 0x31 || t == 0x45 || t == 0x46) ? K_LEVEL : t == 0x4a ? K_SYSTEM : K_OTHER, ts, sec, px(e), qn(e + 8));
      }
      for (uint32_t i = 0; i < n2; i++) {
        const uint8_t *o = o0 + i * bl2;
        uint8_t ref = o[20];
        int known = ref >= 1 && ref <= n && ref != 255;
        const uint8_t *x = e0 + (known ? ref - 1 : 0) * bl;
        rec(seq, kind_of_action(o[21]), ts, known ? (int32_t)le32(x + 12) : 0, known ? px(x) : 0, qn(o + 16));
      }
      break;
    }
    case 47: {
      uint64_t ts = le64(root); if (!ts) ts = sending;
      if (!group(root + block, end, 0, &bl, &n, &e0)) break;
      for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = e0 + i * bl;
        rec(seq, kind_of_action(e[32]), ts, (int32_t)le32(e + 28), px(e + 16), qn(e + 24));
      }
      break;
    }
    case 48: {
      uint64_t ts = le64(root); if (!ts) ts = sending;
      if (!group(root + block, end, 0, &bl, &n, &e0) || !group(e0 + bl * n, end, 1, &bl2, &n2, &o0)) break;
      for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = e0 + i * bl;
        int32_t sec = (int32_t)le32(e + 12);
        rpt_check(sec, le32(e + 16));
        rec(seq, K_TRADE, ts, sec, px(e), (int32_t)le32(e + 8));
      }
      uint32_t k = 0;
      int32_t left = n > 0 ? (int32_t)le32(e0 + 20) : 0;
      for (uint32_t i = 0; i < n2; i++) {
        const uint8_t *o = o0 + i * bl2;
        while (left <= 0 && k + 1 < n) left = (int32_t)le32(e0 + ++k * bl + 20);
        left--;
        rec(seq, K_EXECUTE, ts, n > 0 ? (int32_t)le32(e0 + k * bl + 12) : 0, 0, (int32_t)le32(o + 8));
      }
      break;
    }
    case 37:
    case 51: {
      uint64_t ts = le64(root); if (!ts) ts = sending;
      if (!group(root + block, end, 0, &bl, &n, &e0)) break;
      for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = e0 + i * bl;
        if (template == 37) {
          int32_t sec = (int32_t)le32(e + 4);
          rpt_check(sec, le32(e + 8));
          rec(seq, K_OTHER, ts, sec, 0, (int32_t)le32(e));
        } else {
          int32_t sec = (int32_t)le32(e + 8);
          rpt_check(sec, le32(e + 12));
          rec(seq, K_OTHER, ts, sec, px(e), bl >= 23 ? qn(e + 19) : 0);
        }
      }
      break;
    }
    case 52: {
      uint64_t ts = le64(root + 16); if (!ts) ts = sending;
      int32_t sec = (int32_t)le32(root + 8);
      *rpt_slot(sec) = le32(root + 12) + 1;
      if (!group(root + block, end, 0, &bl, &n, &e0)) break;
      for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = e0 + i * bl;
        uint8_t t = e[21];
        rec(seq, (t == 0x30 || t == 0x31 || t == 0x45 || t == 0x46) ? K_LEVEL : K_OTHER, ts, sec, px(e), qn(e + 8));
      }
      if (n == 0) rec(seq, K_OTHER, ts, sec, 0, 0);
      break;
    }
    case 54:
    case 56:
      rec(seq, K_DIRECTORY, sending, (int32_t)le32(root + 55), px(root + (template == 54 ? 91 : 94)), 0);
      break;
    case 30: {
      uint64_t ts = le64(root); if (!ts) ts = sending;
      rec(seq, K_STATUS, ts, qn(root + 20), 0, 0);
      break;
    }
    case 4: {
      uint64_t ts = le64(root); if (!ts) ts = sending;
      memset(rpt_key, 0, sizeof rpt_key);
      rec(seq, K_SYSTEM, ts, 0, 0, 0);
      break;
    }
    default:
      rec(seq, K_OTHER, sending, 0, 0, 0);
  }
  if (nrec > before) messages++;
  else if (template == 46 || template == 47 || template == 48 || template == 37 || template == 51) {
    rec(seq, K_OTHER, sending, 0, 0, 0);
    messages++;
  }
}

static void packet(const uint8_t *p, uint32_t len) {
  if (len < 12) { rejected++; return; }
  packets++;
  uint64_t seq = le32(p), sending = le64(p + 4);
  if (next_seq != 0 && seq > next_seq) gaps++;
  if (seq < next_seq) { duplicates++; return; }
  next_seq = seq + 1;
  const uint8_t *end = p + len, *at = p + 12;
  while (at + 2 <= end) {
    uint32_t size = le16(at);
    if (size <= 2 || at + size > end) { rejected++; return; }
    message(at + 2, size - 2, seq, sending);
    at += size;
  }
}

typedef struct { const uint8_t *data; uint32_t count; uint32_t *off, *len; } entries_t;

static uint32_t hash, light;
static int hashing;

static void consume(void) {
  for (uint32_t i = 0; i < nrec; i++) {
    const record_t *r = &records[i];
    if (hashing) {
      hash = (hash ^ (uint32_t)r->seq) * FNV_PRIME;
      hash = (hash ^ (uint32_t)r->price) * FNV_PRIME;
      hash = (hash ^ (uint32_t)r->quantity) * FNV_PRIME;
      hash = (hash ^ r->kind) * FNV_PRIME;
    }
    light += (uint32_t)r->price;
  }
  nrec = 0;
}

static uint64_t total_records;

static void pass(const entries_t *e) {
  messages = packets = gaps = duplicates = rejected = rpt_gaps = next_seq = 0;
  total_records = 0;
  memset(rpt_key, 0, sizeof rpt_key);
  for (uint32_t i = 0; i < e->count; i++) {
    if (nrec + e->len[i] / 10 >= MAX_RECORDS) { total_records += nrec; consume(); }
    packet(e->data + e->off[i], e->len[i]);
  }
  total_records += nrec;
  consume();
}

int main(int argc, char **argv) {
  native_prog = "c_mdp3";
  if (argc != 4) die("usage: c_mdp3 FILE MIN_SECONDS WARMUP", NULL);
  size_t size;
  uint8_t *buf = read_file(argv[1], &size);
  entries_t e = { buf, le32(buf), NULL, NULL };
  e.off = malloc(sizeof(uint32_t) * (e.count + 1));
  e.len = malloc(sizeof(uint32_t) * (e.count + 1));
  size_t at = 4;
  for (uint32_t i = 0; i < e.count; i++) {
    e.len[i] = le32(buf + at);
    e.off[i] = (uint32_t)(at + 4);
    at += 4 + e.len[i];
    if (at > size) die("entry past the end of ", argv[1]);
  }
  hashing = 1;
  hash = FNV_BASIS;
  pass(&e);
  hashing = 0;
  uint64_t msgs = messages, recs = total_records;
  for (int i = 0; i < atoi(argv[3]); i++) pass(&e);
  double min = atof(argv[2]), t0 = now(), elapsed;
  uint64_t passes = 0;
  double fastest = 1e30;
  do {
    double p0 = now();
    pass(&e);
    double p1 = now();
    if (p1 - p0 < fastest) fastest = p1 - p0;
    passes++;
    elapsed = p1 - t0;
  } while (elapsed < min);
  printf("{\"impl\":\"c\",\"messages\":%llu,\"records\":%llu,\"packets\":%llu,\"gaps\":%llu,\"rptGaps\":%llu,\"passes\":%llu,\"seconds\":%.6f,\"nsPerMessage\":%.3f,\"minNsPerMessage\":%.3f,\"checksum\":\"%08x\",\"light\":%u}\n",
    (unsigned long long)msgs, (unsigned long long)recs, (unsigned long long)packets, (unsigned long long)gaps, (unsigned long long)rpt_gaps,
    (unsigned long long)passes, elapsed, elapsed * 1e9 / ((double)passes * (double)msgs), fastest * 1e9 / (double)msgs, hash, light);
  return 0;
}
