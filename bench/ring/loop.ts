// xdpfeed's receive loop over the simulated rings (bench/ring/sim.ts): a compiled feed module
// instantiated on a shared WebAssembly.Memory laid out as for a real socket, the frames handed to
// it by the simulated kernel thread, and the loop a user's code runs, one call per step:
//
//   run       run(budget, batch): RX -> parse in place -> records -> FILL, all in wasm
//   poll      poll(batch) as FeedReceiver.poll: records kept for JavaScript until the next poll
//             (frames back to FILL then), the unstamped-records check after it; nothing read
//   strategy  poll, then a strategy reads every tick (ticks.at(i).price, the TickView flyweight)
//   headers   run with a UDP port filter no frame matches: ring handling and frame headers only
//   ring      the "frames" module's poll (whatever the set's module): each frame's metadata read,
//             the frame kept in the batch table untouched, back to FILL at the next call: ring
//             handling alone
//
// With book, the module keeps the feed's order book as it parses (src/book/book.ts attachBook).

import * as L from "../../assembly/layout.js";
import * as R from "../../assembly/records.js";
import { Wasm, type WasmMemory } from "../../bridge/wasm.js";
import { stampUnstamped } from "../../bridge/clock.js";
import { instantiate, modulePath, type FeedExports } from "../../src/socket/module.js";
import { setFilterPort } from "../../src/feeds/summary.js";
import { TickView } from "../../src/feeds/tick.js";
import { attachBook } from "../../src/book/book.js";
import { layRings, ringBytes, type RingLayout, type RingSetup } from "./sim.js";

export const MODES = ["run", "poll", "strategy", "headers", "ring"] as const;
export type Mode = (typeof MODES)[number];

interface ParserExports extends FeedExports {
  recordCount(): number;
  /** Returns the last poll's frames to FILL now. */
  rxRecycle(): void;
}

export interface Loop {
  memory: WasmMemory;
  layout: RingLayout;
  x: ParserExports;
  /** One call of the user's loop; returns the frames it took. */
  step(): number;
  /** Frames taken off RX (the module's STAT_RX_FRAMES) and messages delivered (PS_MESSAGES). */
  frames(): number;
  messages(): number;
  /** What the strategy read, so that the reads cannot be skipped. */
  sum(): number;
}

export interface LoopOptions extends RingSetup {
  module: string;
  /** Another build of the module (a path), for experiments with modified AssemblyScript. */
  moduleFile?: string;
  mode: Mode;
  /** Frames per batch (run and poll). */
  batch: number;
  /** The frames' UDP destination port: the parser's filter (headers: any other port). */
  port: number;
  book?: boolean;
  iex?: boolean;
}

export function openLoop(o: LoopOptions): Loop {
  const need = ringBytes(o.ring, o.frameSize);
  const pages = Math.ceil(need / L.WASM_PAGE);
  // Room to grow for an order book, as FeedReceiver grows the socket's memory.
  const memory = new Wasm.Memory({ initial: pages, maximum: o.book ? 65536 : pages, shared: true });
  const x = instantiate(o.mode === "ring" ? modulePath("frames") : o.moduleFile ?? modulePath(o.module), memory) as ParserExports;
  const layout = layRings(memory.buffer, o);
  setFilterPort(memory, o.mode === "headers" ? o.port ^ 1 : o.port);
  if (o.book && o.mode !== "ring") attachBook(memory, x, Math.ceil(layout.bytes / L.WASM_PAGE) * L.WASM_PAGE, {}, o.iex);
  // The memory may have grown for the book: views from here on.
  const u32 = new Uint32Array(memory.buffer);
  const stats = new BigUint64Array(memory.buffer, L.CTL_BASE + L.CTL_STATS, L.STAT_COUNT);
  const ps = new BigUint64Array(memory.buffer, L.PSTATS_BASE, L.PSTATS_SIZE / 8);
  const ticks = new TickView(memory);
  const unstamped = (L.CTL_BASE + L.CTL_RX_UNSTAMPED) >>> 2;
  const batch = o.batch;
  let sum = 0;
  const poll = (): number => {
    const r = x.poll(batch);
    const n = x.recordCount();
    // FeedReceiver.poll: records of frames without receive metadata get the poll's time.
    if (u32[unstamped] !== 0) stampUnstamped(u32, (L.RECORDS_BASE + R.R_RECEIVE_TS) >>> 2, R.RECORD_SIZE >>> 2, n);
    return r > 0 ? r : 0;
  };
  const steps: Record<Mode, () => number> = {
    run: () => {
      const r = x.run(4096, batch);
      return r > 0 ? r : 0;
    },
    headers: () => {
      const r = x.run(4096, batch);
      return r > 0 ? r : 0;
    },
    poll,
    ring: () => {
      const r = x.poll(batch);
      return r > 0 ? r : 0;
    },
    strategy: () => {
      const r = poll();
      const n = x.recordCount();
      let s = 0;
      for (let i = 0; i < n; i++) s += ticks.at(i).price;
      sum += s;
      return r;
    },
  };
  return {
    memory, layout, x, step: steps[o.mode],
    frames: () => Number(stats[L.STAT_RX_FRAMES]),
    messages: () => Number(ps[L.PS_MESSAGES / 8]),
    sum: () => sum,
  };
}
