// Generated CME MDP 3.0 book sessions as a stream of hook calls ("ops"), for the book tests
// (test/mdp3-book.test.ts) and the book benchmark (bench/book/mdp3-child.ts). The test module
// test/fixtures/mdp3-book.as.ts runs them in wasm (mdpTestRun: one op per OP_SIZE bytes, read in
// place), and applyOp() applies one to the reference book (test/oracle/reference-mdp3.ts).
//
// Op (OP_SIZE bytes, little-endian):
//
//   offset  field     type
//   0       kind      u8    OP_* below
//   1       side      u8
//   2       action    u8    MDUpdateAction
//   3       implied   u8
//   4       secId     i32
//   8       level     u32   MDPriceLevel; snapshot: RptSeq; depth, define: outright depth
//   12      orders    i32   NumberOfOrders; depth, define: implied depth
//   16      price     i64   PRICE9 mantissa
//   24      qty       i64
//   32      orderId   u64
//   40      priority  u64

import { Rng } from "../../src/itchgen/rng.js";
import type { ReferenceMdp, RefMdpEvent } from "../oracle/reference-mdp3.js";

export const OP_SIZE = 48;
export const OP_LEVEL = 0;
export const OP_ORDER = 1;
export const OP_BEGIN = 2; // a message starts (its tick record is written)
export const OP_END = 3; // mdpBookMessageEnd
export const OP_RESET = 4;
export const OP_SNAP_BEGIN = 5;
export const OP_SNAP_END = 6;
export const OP_DEPTH = 7;
export const OP_GAP = 8;
export const OP_DEFINE = 9; // mdpBookDefinition: level the GBX depth, orders the GBI depth (0: not given)

export interface Op {
  kind: number;
  side?: number;
  action?: number;
  implied?: boolean;
  secId?: number;
  level?: number;
  orders?: number;
  price?: number;
  qty?: number;
  orderId?: bigint;
  priority?: bigint;
}

export function encodeOps(ops: readonly Op[]): Uint8Array {
  const out = new Uint8Array(ops.length * OP_SIZE);
  const dv = new DataView(out.buffer);
  ops.forEach((o, i) => {
    const at = i * OP_SIZE;
    dv.setUint8(at, o.kind);
    dv.setUint8(at + 1, o.side ?? 0);
    dv.setUint8(at + 2, o.action ?? 0);
    dv.setUint8(at + 3, o.implied ? 1 : 0);
    dv.setInt32(at + 4, o.secId ?? 0, true);
    dv.setUint32(at + 8, o.level ?? 0, true);
    dv.setInt32(at + 12, o.orders ?? 0, true);
    dv.setBigInt64(at + 16, BigInt(o.price ?? 0), true);
    dv.setBigInt64(at + 24, BigInt(o.qty ?? 0), true);
    dv.setBigUint64(at + 32, o.orderId ?? 0n, true);
    dv.setBigUint64(at + 40, o.priority ?? 0n, true);
  });
  return out;
}

/** Applies one op to the reference; OP_END returns the events the message writes. */
export function applyOp(ref: ReferenceMdp, o: Op): RefMdpEvent[] | null {
  switch (o.kind) {
    case OP_LEVEL: ref.level(o.secId!, o.side!, o.action!, o.level!, o.price!, o.qty!, o.orders!, !!o.implied); break;
    case OP_ORDER: ref.order(o.secId!, o.side!, o.action!, o.orderId!, o.priority!, o.price!, o.qty!); break;
    case OP_END: return ref.messageEnd();
    case OP_RESET: ref.reset(); break;
    case OP_SNAP_BEGIN: ref.snapshotBegin(o.secId!, o.level!); break;
    case OP_SNAP_END: ref.snapshotEnd(o.secId!); break;
    case OP_DEPTH: ref.setDepth(o.secId!, o.level!, o.orders!); break;
    case OP_GAP: ref.gap(o.secId!); break;
    case OP_DEFINE: ref.definition(o.secId!, o.level!, o.orders!); break;
  }
  return null;
}

export interface SessionOptions {
  seed: number;
  instruments: number;
  messages: number;
  /** Entries per message: 1 .. this (default 4). */
  maxEntries?: number;
  /** Market-by-order entries among the entries (default 0.3). */
  orderShare?: number;
  /** Bad entries (level 0 or past the depth, unknown action or side, unknown orders) (default 0.01). */
  badShare?: number;
  /** Channel resets (default 1, in the middle). */
  resets?: number;
  /** Instrument gaps each followed by its snapshot (default messages / 200). */
  gaps?: number;
  /** Level entries only within each instrument's depth (no level rejected; default false). */
  withinDepth?: boolean;
}

const TICK = 250_000_000; // 0.25 in PRICE9

/**
 * A session: definitions (depths) for most instruments, then messages of level and order entries
 * over all six update actions, outright and implied, with injected RptSeq gaps each recovered by
 * a snapshot a few messages later, and channel resets. Returns the ops and the SecurityIDs.
 */
export function generateMdpSession(o: SessionOptions): { ops: Op[]; ids: number[] } {
  const rng = new Rng(o.seed);
  const maxEntries = o.maxEntries ?? 4;
  const orderShare = o.orderShare ?? 0.3;
  const badShare = o.badShare ?? 0.01;
  const ids: number[] = [];
  const seen = new Set<number>();
  while (ids.length < o.instruments) {
    // SecurityIDs are sparse int32s, negative ones included.
    const id = rng.int(10) === 0 ? -(1 + rng.int(0x7fffffff)) : rng.int(0x7fffffff);
    if (!seen.has(id)) {
      seen.add(id);
      ids.push(id);
    }
  }
  const mid = ids.map(() => (rng.int(4) === 0 ? -rng.range(1, 400) : rng.range(100, 40000)) * TICK);
  const depth = ids.map(() => (rng.int(4) === 0 ? rng.range(1, 16) : 10));
  const impliedDepth = ids.map(() => (rng.int(4) === 0 ? rng.range(0, 4) : 2));
  const ops: Op[] = [];
  ids.forEach((id, i) => {
    if (rng.int(8) !== 0) ops.push({ kind: OP_DEPTH, secId: id, level: depth[i], orders: impliedDepth[i] });
    else {
      depth[i] = 10; // the default until a definition says otherwise
      impliedDepth[i] = 2;
    }
  });
  const live: bigint[] = [];
  const liveOf = new Map<bigint, number>();
  let nextOrder = 1000n;
  const resetsAt = new Set<number>();
  for (let r = 0; r < (o.resets ?? 1); r++) resetsAt.add(Math.floor((o.messages * (r + 1)) / ((o.resets ?? 1) + 1)));
  const gapsLeft = { n: o.gaps ?? Math.floor(o.messages / 200) };
  const pending: { at: number; i: number }[] = [];
  const price = (i: number, side: number, level: number) => mid[i] + (side === 0 ? -level : level) * TICK - (rng.int(3) - 1) * TICK;
  const levelEntry = (i: number, action: number, implied: boolean): Op => {
    let level = 1 + rng.int(1 + rng.int(implied ? 3 : 11));
    if (o.withinDepth) level = Math.min(level, implied ? impliedDepth[i] : depth[i]);
    if (rng.next() < badShare) level = rng.int(2) === 0 ? 0 : 17 + rng.int(3);
    const side = rng.next() < badShare ? 2 : rng.int(2);
    const act = rng.next() < badShare ? 6 + rng.int(3) : action;
    return { kind: OP_LEVEL, secId: ids[i], side, action: act, level, price: price(i, side & 1, level), qty: rng.range(1, 500), orders: implied ? 0 : rng.range(1, 40), implied };
  };
  for (let m = 0; m < o.messages; m++) {
    ops.push({ kind: OP_BEGIN });
    if (resetsAt.has(m)) {
      ops.push({ kind: OP_RESET });
      live.length = 0;
      liveOf.clear();
      ops.push({ kind: OP_END });
      continue;
    }
    // A snapshot due: the instrument's full book, outright and implied, and some orders.
    if (pending.length > 0 && pending[0].at <= m) {
      const { i } = pending.shift()!;
      ops.push({ kind: OP_SNAP_BEGIN, secId: ids[i], level: m });
      if (rng.int(10) !== 0) {
        for (const implied of [false, true]) {
          for (let side = 0; side < 2; side++) {
            const n = rng.int((implied ? 2 : 10) + 1);
            for (let l = 1; l <= n; l++) ops.push({ kind: OP_LEVEL, secId: ids[i], side, action: 0, level: l, price: price(i, side, l), qty: rng.range(1, 500), orders: implied ? 0 : rng.range(1, 40), implied });
          }
        }
        if (rng.int(2) === 0) {
          for (let k = rng.int(6); k > 0; k--) {
            const id = nextOrder++;
            ops.push({ kind: OP_ORDER, secId: ids[i], side: rng.int(2), action: 0, orderId: id, priority: BigInt(rng.u32()), price: price(i, rng.int(2), rng.range(1, 5)), qty: rng.range(1, 100) });
            live.push(id);
            liveOf.set(id, i);
          }
        }
      }
      ops.push({ kind: OP_SNAP_END, secId: ids[i] });
      ops.push({ kind: OP_END });
      continue;
    }
    const entries = rng.range(1, maxEntries);
    for (let e = 0; e < entries; e++) {
      const i = rng.int(ids.length);
      if (gapsLeft.n > 0 && rng.int(Math.max(1, Math.floor(o.messages / (gapsLeft.n * 2 + 1)))) === 0) {
        gapsLeft.n--;
        ops.push({ kind: OP_GAP, secId: ids[i] });
        pending.push({ at: m + 1 + rng.int(20), i });
        pending.sort((a, b) => a.at - b.at);
      }
      if (rng.next() < orderShare) {
        const r = rng.next();
        if (live.length === 0 || r < 0.45) {
          const id = rng.next() < badShare && live.length > 0 ? live[rng.int(live.length)] : nextOrder++;
          const side = rng.int(2);
          ops.push({ kind: OP_ORDER, secId: ids[i], side, action: 0, orderId: id, priority: BigInt(rng.u32()) * 65536n + BigInt(m), price: price(i, side, rng.range(1, 8)), qty: rng.range(1, 100) });
          if (!liveOf.has(id)) {
            live.push(id);
            liveOf.set(id, i);
          }
        } else {
          const k = rng.int(live.length);
          const id = rng.next() < badShare ? nextOrder + 1_000_000n : live[k];
          const owner = liveOf.get(live[k])!;
          const secId = rng.next() < badShare ? ids[rng.int(ids.length)] : ids[owner];
          const side = rng.int(2);
          if (r < 0.75) {
            ops.push({ kind: OP_ORDER, secId, side, action: 1, orderId: id, priority: BigInt(m), price: rng.int(2) === 0 ? price(owner, side, rng.range(1, 8)) : mid[owner], qty: rng.range(1, 100) });
          } else {
            ops.push({ kind: OP_ORDER, secId, side, action: 2, orderId: id, priority: 0n, price: 0, qty: 0 });
            if (id === live[k]) {
              live[k] = live[live.length - 1];
              live.pop();
              liveOf.delete(id);
            }
          }
        }
        continue;
      }
      const implied = rng.int(6) === 0 && (!o.withinDepth || impliedDepth[i] > 0);
      const r = rng.next();
      const action = r < 0.34 ? 0 : r < 0.68 ? 1 : r < 0.9 ? 2 : r < 0.95 ? 5 : r < 0.98 ? 4 : 3;
      ops.push(levelEntry(i, action, implied));
    }
    ops.push({ kind: OP_END });
  }
  return { ops, ids };
}
