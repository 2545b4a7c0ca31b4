// One case of the MDP 3.0 book benchmark (bench/book/mdp3.ts), in a fresh process:
//
//   node --import tsx bench/book/mdp3-child.ts --wasm PATH --case mbp|depth|mbo|ts --seed N
//       --instruments N --messages N --passes N
//
// Generates the seeded session (test/helpers/mdp3-ops.ts: market-by-price entries over all six
// update actions, outright and implied, 1-4 per message; "mbo" adds 30% market-by-order entries),
// encoded as hook calls of OP_SIZE bytes, not timed. The wasm cases copy them into the module's
// memory and run them there (mdpTestRun: each op read in place and the hook called, as a decoder
// calls it after reading an entry), a first pass checked (no rejection counted, mdpBookCheck ok),
// then timed passes each from an empty book (BookView.reset()):
//
//   mbp    market by price, BBO events
//   depth  the same, with depth events on (as onBook needs)
//   mbo    with the market-by-order entries too
//   ts     the baseline: a straightforward TypeScript market-by-price book (typed arrays, a Map
//          from SecurityID to slot, DataView reads of the same ops), no events
//
// Prints one JSON line: entries per pass, best and median seconds, entries/s of the median.

import { parseArgs } from "node:util";
import * as L from "../../assembly/layout.js";
import { instantiate } from "../../src/socket/module.js";
import { Wasm } from "../../bridge/wasm.js";
import { attachBook } from "../../src/book/book.js";
import { mdpBook } from "../../src/book/mdp3.js";
import { encodeOps, generateMdpSession, OP_LEVEL, OP_ORDER, OP_SIZE, OP_END, OP_DEPTH } from "../../test/helpers/mdp3-ops.js";
import { median } from "../decode/common.js";

const { values: o } = parseArgs({
  options: {
    wasm: { type: "string" },
    case: { type: "string" },
    seed: { type: "string", default: "1" },
    instruments: { type: "string", default: "1000" },
    messages: { type: "string", default: "300000" },
    passes: { type: "string", default: "5" },
  },
  strict: true,
});
const which = o.case!;
if (!["mbp", "depth", "mbo", "ts"].includes(which) || !o.wasm) {
  process.stderr.write("usage: mdp3-child.ts --wasm PATH --case mbp|depth|mbo|ts [--seed N --instruments N --messages N --passes N]\n");
  process.exit(2);
}
const { ops } = generateMdpSession({
  seed: Number(o.seed), instruments: Number(o.instruments), messages: Number(o.messages), maxEntries: 4,
  orderShare: which === "mbo" ? 0.3 : 0, badShare: 0, resets: 0, gaps: 0, withinDepth: true,
});
const entries = ops.filter((x) => x.kind === OP_LEVEL || x.kind === OP_ORDER).length;
const bytes = encodeOps(ops);
const passes = Math.max(1, Number(o.passes));
const times: number[] = [];
let check: Record<string, unknown> = {};

if (which === "ts") {
  // The baseline book: per slot four sides of 16 levels (price, qty, orders, present).
  const DEPTH = 16;
  const slots = new Map<number, number>();
  let used = 0;
  const cap = Number(o.instruments) + 1;
  const price = new Float64Array(cap * 4 * DEPTH);
  const qty = new Float64Array(cap * 4 * DEPTH);
  const ord = new Int32Array(cap * 4 * DEPTH);
  const present = new Uint8Array(cap * 4 * DEPTH);
  const depthOf = new Uint8Array(cap * 2);
  const pubBid = new Float64Array(cap);
  const pubAsk = new Float64Array(cap);
  const pubBidQty = new Float64Array(cap);
  const pubAskQty = new Float64Array(cap);
  let bboChanges = 0;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const touched: number[] = [];
  const i64 = (at: number) => dv.getUint32(at, true) + dv.getInt32(at + 4, true) * 4294967296;
  const move = (a: Float64Array | Int32Array | Uint8Array, to: number, from: number, n: number) => a.copyWithin(to, from, from + n);
  const run = () => {
    for (let at = 0; at < bytes.length; at += OP_SIZE) {
      const kind = bytes[at];
      const id = dv.getInt32(at + 4, true);
      if (kind === OP_END) {
        for (const s of touched) {
          const b = s * 4 * DEPTH;
          const a = b + DEPTH;
          const bp = present[b] ? price[b] : 0;
          const ap = present[a] ? price[a] : 0;
          const bq = present[b] ? qty[b] : 0;
          const aq = present[a] ? qty[a] : 0;
          if (bp !== pubBid[s] || ap !== pubAsk[s] || bq !== pubBidQty[s] || aq !== pubAskQty[s]) bboChanges++;
          pubBid[s] = bp;
          pubAsk[s] = ap;
          pubBidQty[s] = bq;
          pubAskQty[s] = aq;
        }
        touched.length = 0;
        continue;
      }
      if (kind !== OP_LEVEL && kind !== OP_DEPTH) continue;
      let s = slots.get(id);
      if (s === undefined) {
        s = ++used;
        slots.set(id, s);
        depthOf[s * 2] = 10;
        depthOf[s * 2 + 1] = 2;
      }
      if (kind === OP_DEPTH) {
        depthOf[s * 2] = Math.min(16, dv.getUint32(at + 8, true));
        depthOf[s * 2 + 1] = Math.min(4, dv.getInt32(at + 12, true));
        continue;
      }
      const side = bytes[at + 1];
      const action = bytes[at + 2];
      const implied = bytes[at + 3];
      const level = dv.getUint32(at + 8, true);
      const max = depthOf[s * 2 + implied];
      const base = (s * 4 + implied * 2 + side) * DEPTH;
      if (action === 3) {
        present.fill(0, base, base + DEPTH);
      } else if (level >= 1 && level <= max) {
        const i = base + level - 1;
        const last = base + max - 1;
        if (action === 2) {
          for (const arr of [price, qty, ord, present]) move(arr, i, i + 1, last - i);
          present[last] = 0;
        } else if (action === 4) {
          for (const arr of [price, qty, ord, present]) move(arr, base, base + level, max - level);
          present.fill(0, base + max - level, base + max);
        } else {
          if (action === 0) for (const arr of [price, qty, ord, present]) move(arr, i + 1, i, last - i);
          price[i] = i64(at + 16);
          qty[i] = i64(at + 24);
          ord[i] = dv.getInt32(at + 12, true);
          present[i] = 1;
        }
      }
      if (!touched.includes(s)) touched.push(s);
    }
  };
  run();
  for (let p = 0; p < passes; p++) {
    present.fill(0);
    for (const a of [pubBid, pubAsk, pubBidQty, pubAskQty]) a.fill(0);
    slots.clear();
    used = 0;
    bboChanges = 0;
    const t0 = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  check = { bboChanges, instruments: used };
} else {
  const pages = Math.ceil((L.DYNAMIC_BASE + bytes.length) / L.WASM_PAGE) + 16;
  const memory = new Wasm.Memory({ initial: pages, maximum: 65536, shared: true });
  const x = instantiate(o.wasm, memory) as unknown as { mdpTestRun(a: number, n: number): void; mdpTestClear(): void; mdpTestResetCounters(): void };
  const opsAt = L.DYNAMIC_BASE;
  new Uint8Array(memory.buffer, opsAt, bytes.length).set(bytes);
  const bookAt = Math.ceil((opsAt + bytes.length) / 64) * 64;
  const view = attachBook(memory, x, bookAt, { maxInstruments: Number(o.instruments) + 1, maxOrders: 1 << 20, maxLevels: 1 << 18, depthEvents: which === "depth" });
  const mdp = mdpBook(view);
  const count = ops.length;
  x.mdpTestResetCounters();
  x.mdpTestRun(opsAt, count);
  const c = mdp.counters();
  const bad = c.levelRange + c.invalid + c.instrumentsFull + c.unknownOrder + c.duplicateOrder + c.ordersFull + c.unknownInstrument + view.counters().levelsFull + view.counters().eventsLost;
  if (bad !== 0) throw new Error(`rejections in the benchmark session: ${JSON.stringify({ ...c, ...view.counters() })}`);
  if (mdp.check() !== "ok") throw new Error(`book check: ${mdp.check()}`);
  check = { bboChanges: view.counters().bboChanges, depthChanges: view.counters().depthChanges, instruments: mdp.instruments(), orders: mdp.orderCount() };
  for (let p = 0; p < passes; p++) {
    view.reset();
    x.mdpTestResetCounters();
    x.mdpTestClear();
    const t0 = process.hrtime.bigint();
    x.mdpTestRun(opsAt, count);
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  if (view.counters().bboChanges !== check.bboChanges) throw new Error("timed pass disagrees with the first");
}

const med = median(times);
process.stdout.write(JSON.stringify({
  case: which, entries, messages: Number(o.messages), instruments: Number(o.instruments), best: Math.min(...times), median: med,
  entriesPerSecond: entries / med, nsPerEntry: (med * 1e9) / entries, check,
}) + "\n");
