// The receive loop that runs a strategy, in the thread that owns the socket (lowest latency:
// poll, parse in wasm, dispatch, with no hand-off), and an async iterator for consumers that
// would rather take batches on the main thread's event loop.

import { Dispatcher, type Strategy, type PollSource, type BookHook } from "./strategy.js";
import { WarmupSource, standIn, WARMUP_MESSAGES, type WarmupOptions, type WarmupReport } from "./warmup.js";
import { pinThread } from "../../bridge/affinity.js";
import { tuneV8 } from "./v8.js";
import { monotonicMs } from "../../bridge/clock.js";
import type { Feed } from "../feeds/feeds.js";
import { exact } from "../feeds/summary.js";

export interface RunnableSource extends PollSource {
  /** The feed, for the warm-up's synthetic traffic (live sources have it). */
  readonly feed?: Feed;
  /** Blocks in poll(2) until data is ready, up to timeoutMs (a source that waits asynchronously may return a promise). */
  wait?(timeoutMs: number): boolean | Promise<boolean>;
  /** Releases what A/B arbitration holds; returns the records now in ticks. */
  flush?(): number;
  /** A source that started late from a snapshot: the snapshot it loaded (the strategy's onLive). */
  readonly snapshot?: { sequence: bigint; messages: number };
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

// Between two yields to the event loop (signals, timers, messages), in ms. A yield allocates
// (an immediate): time-based, so that empty polls allocate nothing.
export const YIELD_MS = 50;
// Interrupt mode: the longest a wait blocks the thread.
const WAIT_MS = 10;
// Busy mode: empty polls between two readings of the clock (a power of two).
const CLOCK_EVERY = 64;

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
  /** When the loop went idle (-1: it is not) and when it last yielded, in monotonicMs(). */
  readonly times: Float64Array;
  /** Empty polls: the clock is read on one in CLOCK_EVERY of them. */
  empty: number;
  /** Interrupt mode: how long the next wait may block, whole ms. */
  waitMs: number;
  /** A wait() that returned a promise, for pollLoop to await. */
  pending: Promise<boolean> | undefined;
}

function newLoop(d: Dispatcher, source: RunnableSource, o: { mode: Loop["mode"]; batch: number; limit: number; deadline: number; idleFlush: number; signal: AbortSignal | undefined }): Loop {
  return { d, source, ...o, records: 0, times: new Float64Array([-1, monotonicMs()]), empty: 0, waitMs: WAIT_MS, pending: undefined };
}

// The receive loop, synchronous: it returns when the run ends (its reason) or when it must
// await (undefined: a yield to the event loop, or a wait() promise in l.pending). An async
// function keeps its locals in a heap context, where every store of a double is a new heap
// number: so the spinning happens here, and the times live in a Float64Array. The clock is
// monotonicMs() (Date.now() and performance.now() allocate), read on one empty poll in
// CLOCK_EVERY, and in interrupt mode when a wait timed out.
function spin(l: Loop): RunResult["reason"] | undefined {
  const { d, source, mode, batch, deadline, idleFlush, signal, times } = l;
  const limited = l.limit !== Infinity;
  const waits = mode === "interrupt" && source.wait !== undefined;
  for (;;) {
    if (limited && l.records >= l.limit) return "count";
    if (signal?.aborted) return "aborted";
    if (d.stopped) return "stopped";
    let n = source.poll(limited && l.limit - l.records < batch ? l.limit - l.records : batch);
    if (n > 0) {
      l.records += d.dispatch(n);
      times[0] = -1;
      continue;
    }
    // Empty. The clock is read on one empty poll in CLOCK_EVERY (busy), or when a wait timed out
    // (interrupt): a packet that ends a wait is polled at once, no clock read.
    const due = ((l.empty = (l.empty + 1) & 0xffff) & (CLOCK_EVERY - 1)) === 0;
    if (waits && !due) {
      const ready = source.wait!(l.waitMs);
      if (ready === true) continue;
      if (ready !== false) {
        l.pending = ready;
        return undefined;
      }
    } else if (!due) continue;
    const now = monotonicMs();
    if (now >= deadline) return "duration";
    if (times[0] < 0) times[0] = now;
    if (source.flush && now - times[0] >= idleFlush) {
      n = source.flush();
      if (n > 0) l.records += d.dispatch(n);
      times[0] = now;
    }
    // The next waits' timeout, whole ms (computed here, where the clock was read).
    l.waitMs = deadline === Infinity || deadline - now >= WAIT_MS ? WAIT_MS : Math.max(0, Math.ceil(deadline - now));
    if (now - times[1] >= YIELD_MS) {
      times[1] = now;
      return undefined;
    }
  }
}

// The loop, live and over the warm-up's scratch source (the same functions, so that the first
// live record takes a branch V8 has seen). It resumes spin() from setImmediate (or the wait's
// promise) with one callback made once: a yield allocates an immediate, no promise or closure.
function pollLoop(l: Loop): Promise<RunResult["reason"]> {
  return new Promise((resolve, reject) => {
    const step = (): void => {
      let reason: RunResult["reason"] | undefined;
      try {
        reason = spin(l);
      } catch (e) {
        reject(e);
        return;
      }
      if (reason) resolve(reason);
      else if (l.pending) {
        const p = l.pending;
        l.pending = undefined;
        p.then(step, reject);
      } else setImmediate(step);
    };
    step();
  });
}

export async function runStrategy(strategy: Strategy, source: RunnableSource, o: RunOptions = {}): Promise<RunResult> {
  if (o.cpu !== undefined) pinThread(o.cpu);
  const live = !source.drive;
  const report = live ? await warm(strategy, source, o) : undefined;
  o.onReady?.(report);
  const d = new Dispatcher(strategy, source, o.book);
  const limit = o.count ?? Infinity;
  const t0 = performance.now();
  const deadline = o.durationMs === undefined ? Infinity : monotonicMs() + o.durationMs;
  let records = 0;
  let reason: RunResult["reason"] = "stopped";
  strategy.onStart?.(d.context);
  if (source.snapshot !== undefined) {
    strategy.onLive?.({ sequence: exact(source.snapshot.sequence), messages: source.snapshot.messages }, d.context);
  }
  try {
    if (source.drive) {
      const onRecords = (n: number) => { records += d.dispatch(n); };
      reason = "end";
      while (source.drive(onRecords)) {
        if (records >= limit) { reason = "count"; break; }
        if (o.signal?.aborted) { reason = "aborted"; break; }
        if (d.stopped) { reason = "stopped"; break; }
        if (monotonicMs() >= deadline) { reason = "duration"; break; }
      }
      if (reason === "end" && source.flush) {
        const n = source.flush();
        if (n > 0) records += d.dispatch(n);
      }
      return { records, seconds: (performance.now() - t0) / 1000, reason };
    }
    const l = newLoop(d, source, { mode: o.mode ?? "busy", batch: o.batch ?? 64, limit, deadline, idleFlush: o.idleFlushMs ?? 50, signal: o.signal });
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
  // The live mode, so that the branches the live loop takes have been taken (the scratch wait()
  // returns at once).
  const l = newLoop(d, scratch, { mode: o.mode ?? "busy", batch: 64, limit: Infinity, deadline: 0, idleFlush: Infinity, signal: undefined });
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
