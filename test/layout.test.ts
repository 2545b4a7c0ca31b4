// One source of truth per layout: the memory map's regions, the control block as wasm sees it,
// and the XDP program's ABI as bpf/xdpfeed.h declares it.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, readdirSync } from "node:fs";
import * as L from "../assembly/layout.js";
import * as R from "../assembly/records.js";
import { BBO_SIZE } from "../assembly/book/events.js";
import * as A from "../bridge/bpf-abi.js";
import { memoryMap, DEFAULT_GEOMETRY, type MmapOffsets } from "../bridge/memory-map.js";
import { instantiate, modulePath, compileModule } from "../src/socket/module.js";
import { FEEDS } from "../src/feeds/feeds.js";
import { Wasm } from "../bridge/wasm.js";

// The offsets Linux 6.x reports (producer 0, consumer 64, flags 128, desc 192); any values work.
const ring = { producer: 0, consumer: 64, flags: 128, desc: 192 };
const OFF: MmapOffsets = { rx: ring, tx: ring, fill: ring, completion: ring };

const M = suite("memory map");

M("places rings and UMEM page aligned, in order, without overlap, above the fixed regions", () => {
  const m = memoryMap(DEFAULT_GEOMETRY, OFF);
  const regions = [m.fill, m.completion, m.rx, m.tx].map((r) => [r.offset, r.offset + r.bytes]);
  regions.push([m.umem, m.umem + m.umemBytes]);
  assert.ok(regions[0][0] >= L.DYNAMIC_BASE);
  for (let i = 0; i < regions.length; i++) {
    assert.is(regions[i][0] % L.OS_PAGE, 0, `region ${i} page aligned`);
    if (i > 0) assert.ok(regions[i][0] >= regions[i - 1][1], `region ${i} after region ${i - 1}`);
  }
  assert.ok(m.bytes >= m.umem + m.umemBytes);
  assert.is(m.bytes % L.WASM_PAGE, 0);
  assert.is(m.umemBytes, (DEFAULT_GEOMETRY.rings.fill + DEFAULT_GEOMETRY.rings.tx) * DEFAULT_GEOMETRY.frameSize);
});

M("keeps the fixed regions of layout.ts disjoint and in order", () => {
  const fixed = [
    [0, L.AS_REGION_END], [L.CTL_BASE, L.CTL_BASE + L.CTL_SIZE], [L.BATCH_BASE, L.BATCH_BASE + L.BATCH_SIZE],
    [L.TXFREE_BASE, L.TXFREE_BASE + L.TXFREE_SIZE], [L.TEMPLATE_BASE, L.TEMPLATE_BASE + L.TEMPLATE_SIZE],
    [L.PSTATS_BASE, L.PSTATS_BASE + L.PSTATS_SIZE], [L.BATCH_TS_BASE, L.BATCH_TS_BASE + L.BATCH_TS_SIZE],
    [L.RECORDS_BASE, L.RECORDS_BASE + L.RECORDS_SIZE], [L.SYMTAB_BASE, L.SYMTAB_BASE + L.SYMTAB_SIZE],
    [L.BOOK_CTL_BASE, L.BOOK_CTL_BASE + L.BOOK_CTL_SIZE], [L.BOOK_DEPTH_BASE, L.BOOK_DEPTH_BASE + L.BOOK_DEPTH_SIZE],
    [L.HOLD_BASE, L.HOLD_BASE + L.HOLD_SIZE], [L.HWTS_BASE, L.HWTS_BASE + L.HWTS_SIZE], [L.ANSWERS_BASE, L.ANSWERS_BASE + L.ANSWERS_SIZE],
  ];
  for (let i = 1; i < fixed.length; i++) assert.ok(fixed[i][0] >= fixed[i - 1][1], `fixed region ${i}`);
  assert.ok(L.DYNAMIC_BASE >= fixed[fixed.length - 1][1]);
  assert.ok(L.BATCH_MAX * L.BATCH_ENTRY <= L.BATCH_SIZE);
  assert.ok(L.BATCH_MAX * 8 <= L.BATCH_TS_SIZE);
  assert.ok(L.RECORD_MAX * 8 <= L.HWTS_SIZE, "a NIC timestamp for every record");
  assert.ok(L.PS_LINES + L.LINES * L.LINE_SIZE <= L.PS_HOLD_RELEASED && L.PS_HOLD_FRESH + 4 <= L.PS_HOLD_DROPPED && L.PS_HOLD_DROPPED + 8 <= L.PS_BOOK_ORDERS_OFF_WINDOW);
  assert.ok(L.PS_BOOK_ORDERS_OFF_WINDOW + 8 <= L.PS_BOOK_ORDERS_EVICTED && L.PS_BOOK_ORDERS_EVICTED + 8 <= L.PS_BOOK_ORDER_PAGES_PAUSED && L.PS_BOOK_ORDER_PAGES_PAUSED + 8 <= L.PS_RECORDS_ON_DEMAND);
  assert.ok(L.PS_RECORDS_ON_DEMAND + 4 <= L.PS_RECORD_TYPES && L.PS_RECORD_TYPES + L.RECORD_TYPES_SIZE <= L.PS_MDP_LEVEL_RANGE);
  assert.is(L.RECORD_TYPES_SIZE * 8, 256, "a bit for every type byte");
  assert.ok(L.PS_MDP_END <= L.PS_RPT_GAPS && L.PS_RPT_GAPS + 8 <= L.PS_RPT_GAP_ENTRIES && L.PS_RPT_GAP_ENTRIES + 8 <= L.PS_RPT_STALE && L.PS_RPT_STALE + 8 <= L.PS_RPT_FULL && L.PS_RPT_FULL + 8 <= L.PS_DECLARED_COUNT &&
    L.PS_DECLARED_COUNT + 8 <= L.PS_DECLARED && L.PS_DECLARED + L.DECLARED_LOG * L.DECLARED_ENTRY <= L.PSTATS_SIZE);
  assert.ok(L.PS_START_SEQ + 8 <= L.PS_REJECTED && L.PS_NEXT_SEQ + 8 <= L.PS_HOLD_FLAGS);
  // The MDP 3.0 books' counters: a block of u64s after the hold's, inside the region.
  const mdp = [L.PS_MDP_LEVEL_RANGE, L.PS_MDP_LEVEL_EMPTY, L.PS_MDP_INVALID, L.PS_MDP_INSTRUMENTS_FULL, L.PS_MDP_UNKNOWN_ORDER,
    L.PS_MDP_DUPLICATE_ORDER, L.PS_MDP_ORDERS_FULL, L.PS_MDP_UNKNOWN_INSTRUMENT, L.PS_MDP_RESETS, L.PS_MDP_SNAPSHOTS, L.PS_MDP_GAPS, L.PS_MDP_END];
  assert.ok(L.PS_HOLD_DROPPED + 8 <= mdp[0] && L.PS_MDP_END <= L.PSTATS_SIZE);
  for (let i = 1; i < mdp.length; i++) assert.is(mdp[i], mdp[i - 1] + 8, `MDP counter ${i}`);
  // Their control words: after the bookBbo() result, inside the book's control block.
  assert.ok(L.BK_BBO + BBO_SIZE <= L.BK_MDP_BASE && L.BK_MDP_END <= L.BOOK_CTL_SIZE && L.BK_DEPTH_EVENTS + 4 <= L.BK_BBO);
  // The hold region: the queue, the two slot stacks, then the slots, in order and within it.
  assert.ok(L.HOLD_QUEUE + L.HOLD_MAX * L.HOLD_ENTRY <= L.HOLD_FREE_BASE);
  assert.ok(L.HOLD_FREE_BASE + L.HOLD_SLOTS * 4 <= L.HOLD_RELEASED_BASE && L.HOLD_RELEASED_BASE + L.HOLD_SLOTS * 4 <= L.HOLD_SLOTS_BASE);
  assert.ok(L.HOLD_SLOTS_BASE + L.HOLD_SLOTS * L.HOLD_SLOT <= L.HOLD_SIZE);
  assert.ok(L.ANSWER_SLOTS * L.ANSWER_SLOT <= L.ANSWERS_SIZE);
  assert.ok(L.HOLD_SLOTS >= 2 * L.HOLD_MAX, "a released slot is reused only after the records reading it are cleared");
  assert.ok(L.HE_HW_TS + 8 <= L.HOLD_ENTRY);
  assert.ok(L.SESSIONS_BASE >= L.BATCH_TS_BASE + L.BATCH_TS_SIZE && L.SESSIONS_BASE + L.SESSIONS_SIZE <= L.RECORDS_BASE);
  assert.ok(L.SS_ENTRIES + L.SESSION_MAX * L.SESSION_ENTRY <= L.SESSIONS_SIZE && L.SN_COUNTERS + L.SESSION_COUNTERS * 8 <= L.SESSION_ENTRY);
  assert.ok(L.PS_HW_USED + 4 <= L.PS_REJECTED && L.PS_HW_TS >= L.PS_BOOK_WRONG_LOCATE + 8);
  assert.ok(L.TXFREE_MAX * 4 <= L.TXFREE_SIZE);
  assert.ok(L.CTL_STATS + L.STAT_COUNT * 8 <= L.CTL_CLOCK_OFFSET);
  assert.is(L.CTL_CLOCK_OFFSET % 8, 0);
  assert.ok(L.CTL_RX_UNSTAMPED >= L.CTL_CLOCK_OFFSET + 8 && L.CTL_RX_TS_LAST >= L.CTL_RX_UNSTAMPED + 4);
  assert.ok(L.CTL_RX_TS_LAST + 4 <= L.CTL_SIZE);
  assert.ok(L.RING_TX + L.RING_SIZEOF <= L.CTL_UMEM);
});

M("the book's control words are distinct and in their block, its u64 words aligned, and its order pages' sizes agree", () => {
  const words = Object.entries(L).filter(([k]) => k.startsWith("BK_")).map(([k, v]) => [k, Number(v)] as const);
  const wide = new Set(["BK_WINDOW_LO", "BK_WINDOW_HI", "BK_HASH_TOP"]);
  const taken = new Map<number, string>();
  // bookBbo()'s result is a block of its own (BBO_SIZE bytes); *_END marks the end of a block.
  for (let b = L.BK_BBO; b < L.BK_BBO + BBO_SIZE; b++) taken.set(b, "BK_BBO");
  for (const [k, off] of words) {
    if (k === "BK_BBO" || k.endsWith("_END")) continue;
    for (let b = off; b < off + (wide.has(k) ? 8 : 4); b++) {
      assert.not.ok(taken.has(b), `${k} overlaps ${taken.get(b)}`);
      taken.set(b, k);
    }
    if (wide.has(k)) assert.is(off % 8, 0, k);
    assert.ok(off + (wide.has(k) ? 8 : 4) <= L.BOOK_CTL_SIZE, k);
  }
  assert.is(L.ORDER_PAGE_REFS, 2 ** L.ORDER_PAGE_BITS);
  assert.is(L.ORDER_PAGE_BYTES, L.ORDER_PAGE_REFS * L.ORDER_SLOT);
  assert.ok(L.HASH_ORDER >= L.ORDER_SLOT + 8, "a hash entry is a slot and its reference");
});

M("the tick record's last two words are what beginRecord (assembly/parse/record.ts) stores whole", () => {
  // orderId .. quantity2: seven u64 in a row, zeroed as a u64 and three v128 from matchId, which
  // is 16-byte aligned in every record (no store split across cache lines).
  assert.equal([R.R_MATCH_ID, R.R_REF_ORDER_ID, R.R_PRICE, R.R_QUANTITY, R.R_PRICE2, R.R_QUANTITY2].map((o) => o - R.R_ORDER_ID), [8, 16, 24, 32, 40, 48]);
  assert.is((L.RECORDS_BASE + R.R_MATCH_ID) % 16, 0);
  assert.is(R.RECORD_SIZE % 16, 0);
  // instrument and msgOffset: one u64; msgLength, kind, side, msgType, priceScale, flags, status: another
  assert.is(R.R_INSTRUMENT % 8, 0);
  assert.is(R.R_MSG_OFFSET, R.R_INSTRUMENT + 4);
  assert.is(R.R_MSG_LENGTH, R.R_INSTRUMENT + 8);
  const bytes = [R.R_KIND, R.R_SIDE, R.R_MSG_TYPE, R.R_PRICE_SCALE, R.R_FLAGS, R.R_STATUS];
  assert.equal([...new Set(bytes)].length, bytes.length);
  for (const b of bytes) assert.ok(b >= R.R_MSG_LENGTH + 2 && b < R.R_MSG_LENGTH + 8, `byte field at ${b}`);
  assert.ok(R.R_MSG_LENGTH + 8 <= R.RECORD_SIZE);
});

const MODULES = readdirSync(new URL("../assembly/feeds/", import.meta.url)).filter((f) => f.endsWith(".as.ts")).map((f) => f.slice(0, -6));

M("every compiled module keeps its static data and heap below the AssemblyScript region", () => {
  assert.ok(MODULES.length >= 4, `modules: ${MODULES}`);
  const pages = Math.ceil(L.DYNAMIC_BASE / L.WASM_PAGE) + 16;
  for (const name of MODULES) {
    for (const debug of [false, true]) {
      const memory = new Wasm.Memory({ initial: pages, maximum: pages, shared: true });
      const x = instantiate(modulePath(name, debug), memory);
      assert.ok(x.heapBase() <= L.AS_REGION_END, `${name}: heap base ${x.heapBase()}`);
      assert.is(x.controlBase(), L.CTL_BASE);
    }
  }
});

M("every module imports exactly one shared memory from the host, and nothing else", () => {
  for (const name of MODULES) {
    const imports = Wasm.Module.imports(compileModule(modulePath(name)));
    assert.equal(imports.map((i) => `${i.module}.${i.name}:${i.kind}`), ["env.memory:memory"], name);
  }
});

M.run();

const B = suite("XDP program ABI");

B("bridge/bpf-abi.ts matches every #define and the config struct size of bpf/xdpfeed.h", () => {
  const h = readFileSync(new URL("../bpf/xdpfeed.h", import.meta.url), "utf8");
  const defines = [...h.matchAll(/^#define\s+(XDPFEED_\w+)\s+(.+)$/gm)].filter(([, name]) => name !== "XDPFEED_H");
  assert.ok(defines.length >= 15, "header parsed");
  for (const [, name, raw] of defines) {
    const v = raw.trim();
    const shift = /^\((\d+)u? << (\d+)\)$/.exec(v);
    const value = v.startsWith('"') ? JSON.parse(v) : shift ? Number(shift[1]) << Number(shift[2]) : Number(v.replace(/u$/, ""));
    assert.is((A as Record<string, unknown>)[name], value, name);
  }
  assert.match(h, /_Static_assert\(sizeof\(struct xdpfeed_config\) == 24/);
  assert.is(A.XDPFEED_CONFIG_SIZE, 24);
});

B("the receive metadata of bpf/xdpfeed.h is the one assembly/layout.ts draws for the wasm receive loop", () => {
  const h = readFileSync(new URL("../bpf/xdpfeed.h", import.meta.url), "utf8");
  // The header's struct, field by field: C lays out these naturally aligned fields back to back.
  const body = /struct xdpfeed_meta \{([^}]*)\};/.exec(h);
  assert.ok(body, "struct xdpfeed_meta in the header");
  const sizes: Record<string, number> = { __u32: 4, __u64: 8 };
  let at = 0;
  const offsets: Record<string, number> = {};
  for (const [, type, name] of body[1].matchAll(/(__u\d+)\s+(\w+);/g)) {
    assert.is(at % sizes[type], 0, `${name} naturally aligned`);
    offsets[name] = at;
    at += sizes[type];
  }
  assert.equal(offsets, { magic: L.META_MAGIC, flags: L.META_FLAGS, ktime: L.META_KTIME, hw_ts: L.META_HW_TS });
  assert.is(at, L.XDPFEED_META_SIZE);
  assert.match(h, /_Static_assert\(sizeof\(struct xdpfeed_meta\) == XDPFEED_META_SIZE/);
  // The kernel's rules for bpf_xdp_adjust_meta: a multiple of 4, at most 32 bytes.
  assert.is(L.XDPFEED_META_SIZE % 4, 0);
  assert.ok(L.XDPFEED_META_SIZE <= 32);
  // The same numbers reach the program's ABI module (checked against the #defines above).
  assert.is(A.XDPFEED_META_MAGIC, L.XDPFEED_META_MAGIC);
  assert.is(A.XDPFEED_META_SIZE, L.XDPFEED_META_SIZE);
  assert.is(A.XDPFEED_META_HW_TS, L.XDPFEED_META_HW_TS);
  // "XDPF" in memory order, as a hex dump of a frame's metadata shows it.
  assert.is(new TextDecoder().decode(new Uint32Array([L.XDPFEED_META_MAGIC])), "XDPF");
});

B("the program's stats cover every XDPFEED_STAT_* index", () => {
  const stats = Object.entries(A).filter(([k]) => k.startsWith("XDPFEED_STAT_")).map(([, v]) => v as number).sort((a, b) => a - b);
  assert.equal(stats, Array.from({ length: A.XDPFEED_STATS_MAX }, (_, i) => i));
});

B.run();

const F = suite("feed module ABI");

F("every feed module, release and debug, exports the same functions (cme-mdp3 its MDP 3.0 book's besides), and none exports registerFeed", () => {
  const names = (path: string) => Wasm.Module.exports(new Wasm.Module(readFileSync(path))).map((e) => e.name).sort();
  const itch = names(FEEDS.itch50.modulePath());
  for (const f of Object.values(FEEDS)) {
    for (const debug of [false, true]) {
      const own = names(f.modulePath(debug));
      const common = own.filter((n) => !n.startsWith("mdpBook"));
      assert.equal(common, itch, `${f.name}${debug ? " (debug)" : ""}`);
      assert.is(own.length > common.length, f.name === "cme-mdp3", `${f.name}: MDP 3.0 book functions`);
    }
  }
  assert.ok(itch.includes("parsePayloads") && itch.includes("bookDepth"), itch.join(" "));
  assert.not.ok(itch.includes("registerFeed"), "registerFeed is the module's own, not JavaScript's");
});

F.run();
