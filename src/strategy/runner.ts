// The receive loop that runs a strategy, in the thread that owns the socket (lowest latency:
// poll, parse in wasm, dispatch, with no hand-off), and an async iterator for consumers that
// would rather take batches on the main thread's event loop.

import { Dispatcher, type Strategy, type PollSource, type BookHook } from "./strategy.js";
import { WarmupSource, standIn, WARMUP_MESSAGES, type WarmupOptions, type WarmupReport } from "./warmup.js";
import { pinThread } from "../../bridge/affinity.js";
import { tuneV8 } from "./v8.js";
import type { Feed } from "../feeds/feeds.js";

export interface RunnableSource extends PollSource {
  /** "socket" sources without wait() receive through the event loop: the loop yields to it when idle. */
  readonly mode?: string;
  /** The feed, for the warm-up's synthetic traffic (live sources have it). */
  readonly feed?: Feed;
  /** Blocks (XDP: poll(2)) or resolves (kernel socket) when data is ready, up to timeoutMs. */
  wait?(timeoutMs: number): boolean | Promise<boolean>;
  /** Releases what A/B arbitration holds; returns the records now in ticks. */
  flush?(): number;
  /**
   * Push-style sources (recorded input): parses the next piece and calls onRecords for each run
   * of records, which is valid only during that call. Returns false when the input is exhausted.
   */
  drive?(onRecords: (n: number) => void): boolean;
}

export interface RunOptions {
  /** "busy": spin on the ring (lowest latency, one core); "interrupt": sleep in poll when idle. */
  mode?: "busy" | "interrupt";
  /** Stop after this many records. */
  count?: number;
  /** Stop after this long. */
  durationMs?: number;
  signal?: AbortSignal;
  /** Frames per poll. Default 64. */
  batch?: number;
  /** Idle this long, release what A/B arbitration holds. Default 50 ms. */
  idleFlushMs?: number;
  book?: BookHook;
  /**
   * Warm-up before the first poll of a live source (src/strategy/warmup.ts): synthetic traffic
   * through the same parser, book, loop and dispatch. Default on (20,000 messages); false skips.
   */
  warmup?: boolean | WarmupOptions;
  /**
   * Pin the polling thread to this CPU and move the process's other threads (V8's compiler and
   * collector helpers, libuv's pool) off it (bridge/affinity.ts). Default: no pinning.
   */
  cpu?: number;
  /** Called once the source is warm and the loop is about to poll live (the "ready" moment). */
  onReady?(warmup: WarmupReport | undefined): void;
}

export interface RunResult {
  records: number;
  seconds: number;
  reason: "count" | "duration" | "aborted" | "stopped" | "end";
  /** What the warm-up ran, when it ran. */
  warmup?: WarmupReport;
}

// Between two yields to the event loop in busy mode (signals, timers, messages), in ms. A yield
// allocates (a promise, an immediate): time-based, so that empty polls allocate nothing.
const YIELD_MS = 20;
// Interrupt mode: the longest a wait blocks the thread.
const WAIT_MS = 10;

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** The state of one run of the loop, kept in an object so that the loop allocates nothing per poll. */
interface Loop {
  d: Dispatcher;
  source: RunnableSource;
  mode: "busy" | "interrupt";
  batch: number;
  limit: number;
  deadline: number;
  idleFlush: number;
  signal: AbortSignal | undefined;
  records: number;
}

// The receive loop: live, and over the warm-up's scratch source (the same function, so that the
// first live record takes a branch V8 has seen). Clocks: Date.now() only when a poll found
// nothing (it allocates nothing once optimized; performance.now() does in Node 20).
async function pollLoop(l: Loop): Promise<RunResult["reason"]> {
  const { d, source, mode, batch, deadline, idleFlush, signal } = l;
  let idleSince = -1;
  let lastYield = Date.now();
  for (;;) {
    if (l.records >= l.limit) return "count";
    if (signal?.aborted) return "aborted";
    if (d.stopped) return "stopped";
    let n = source.poll(Math.min(batch, Math.max(1, l.limit - l.records)));
    if (n > 0) {
      l.records += d.dispatch(n);
      idleSince = -1;
      continue;
    }
    const now = Date.now();
    if (now >= deadline) return "duration";
    if (idleSince < 0) idleSince = now;
    if (source.flush && now - idleSince >= idleFlush) {
      n = source.flush();
      if (n > 0) l.records += d.dispatch(n);
      idleSince = now;
    }
    if (mode === "interrupt" && source.wait) {
      const ready = source.wait(Math.min(WAIT_MS, Math.max(0, deadline - now)));
      if (ready instanceof Promise) await ready;
    }
    if (now - lastYield >= YIELD_MS || source.mode === "socket" && !source.wait) {
      lastYield = now;
      await tick();
    }
  }
}

export async function runStrategy(strategy: Strategy, source: RunnableSource, o: RunOptions = {}): Promise<RunResult> {
  if (o.cpu !== undefined) pinThread(o.cpu);
  const live = !source.drive;
  const report = live ? await warm(strategy, source, o) : undefined;
  o.onReady?.(report);
  const d = new Dispatcher(strategy, source, o.book);
  const limit = o.count ?? Infinity;
  const t0 = performance.now();
  const deadline = o.durationMs === undefined ? Infinity : Date.now() + o.durationMs;
  let records = 0;
  let reason: RunResult["reason"] = "stopped";
  strategy.onStart?.(d.context);
  try {
    if (source.drive) {
      const onRecords = (n: number) => { records += d.dispatch(n); };
      reason = "end";
      while (source.drive(onRecords)) {
        if (records >= limit) { reason = "count"; break; }
        if (o.signal?.aborted) { reason = "aborted"; break; }
        if (d.stopped) { reason = "stopped"; break; }
        if (Date.now() >= deadline) { reason = "duration"; break; }
      }
      if (reason === "end" && source.flush) {
        const n = source.flush();
        if (n > 0) records += d.dispatch(n);
      }
      return { records, seconds: (performance.now() - t0) / 1000, reason };
    }
    const l: Loop = { d, source, mode: o.mode ?? "busy", batch: o.batch ?? 64, limit, deadline, idleFlush: o.idleFlushMs ?? 50, signal: o.signal, records: 0 };
    reason = await pollLoop(l);
    records = l.records;
  } finally {
    strategy.onStop?.(d.context);
  }
  return { records, seconds: (performance.now() - t0) / 1000, reason, ...(report ? { warmup: report } : {}) };
}

// Runs the warm-up (when on and the source says which feed it is) and the V8 settings of a live
// run: no memory reducer (its mark-compacts cost milliseconds some seconds after start).
async function warm(strategy: Strategy, source: RunnableSource, o: RunOptions): Promise<WarmupReport | undefined> {
  tuneV8();
  const w = o.warmup === false ? undefined : o.warmup === true || o.warmup === undefined ? {} : o.warmup;
  const messages = w?.messages ?? WARMUP_MESSAGES;
  if (!w || messages <= 0 || !source.feed) return undefined;
  const t0 = performance.now();
  const scratch = new WarmupSource(source.feed, !!o.book, messages);
  const ws = w.strategy ? strategy : standIn(strategy);
  const d = new Dispatcher(ws, scratch, scratch.hook, w.strategy === true);
  const l: Loop = { d, source: scratch, mode: "busy", batch: 64, limit: Infinity, deadline: 0, idleFlush: Infinity, signal: undefined, records: 0 };
  // Rounds over the same traffic until it is spent; each round ends at the first empty poll
  // (deadline 0: the loop's idle branch runs once and returns).
  while (!scratch.done) await pollLoop(l);
  return { messages, records: l.records, ms: performance.now() - t0 };
}
/**
 * Batches for the main thread: yields n, the number of records now readable through
 * source.ticks.at(0..n-1); they stay valid until the loop asks for the next batch.
 */
export async function* batches(source: RunnableSource, o: { signal?: AbortSignal; durationMs?: number; batch?: number } = {}): AsyncGenerator<number> {
  const deadline = o.durationMs === undefined ? Infinity : Date.now() + o.durationMs;
  while (!o.signal?.aborted && Date.now() < deadline) {
    const n = source.poll(o.batch ?? 64);
    if (n > 0) {
      yield n;
      continue;
    }
    if (source.wait) {
      const ready = source.wait(5);
      if (ready instanceof Promise) await ready;
    }
    await new Promise((r) => setImmediate(r));
  }
}
