// The receive loop that runs a strategy, in the thread that owns the socket (lowest latency:
// poll, parse in wasm, dispatch, with no hand-off), and an async iterator for consumers that
// would rather take batches on the main thread's event loop.

import { Dispatcher, type Strategy, type PollSource, type BookHook } from "./strategy.js";

export interface RunnableSource extends PollSource {
  /** "socket" sources receive through the event loop: a busy loop must yield to it when idle. */
  readonly mode?: string;
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
}

export interface RunResult {
  records: number;
  seconds: number;
  reason: "count" | "duration" | "aborted" | "stopped" | "end";
}

// Empty polls between two yields to the event loop in busy mode (signals, timers, messages).
const SPIN_YIELD = 4096;

export async function runStrategy(strategy: Strategy, source: RunnableSource, o: RunOptions = {}): Promise<RunResult> {
  const d = new Dispatcher(strategy, source, o.book);
  const mode = o.mode ?? "busy";
  const batch = o.batch ?? 64;
  const limit = o.count ?? Infinity;
  const t0 = performance.now();
  const deadline = o.durationMs === undefined ? Infinity : t0 + o.durationMs;
  const idleFlush = o.idleFlushMs ?? 50;
  let records = 0;
  let idleSince = t0;
  let empty = 0;
  let reason: RunResult["reason"] = "stopped";
  // Kernel-socket sources fill up in the event loop: spinning without yielding would starve them.
  const yieldEvery = source.mode === "socket" ? 1 : SPIN_YIELD;
  strategy.onStart?.(d.context);
  try {
    if (source.drive) {
      const onRecords = (n: number) => { records += d.dispatch(n); };
      reason = "end";
      while (source.drive(onRecords)) {
        if (records >= limit) { reason = "count"; break; }
        if (o.signal?.aborted) { reason = "aborted"; break; }
        if (d.stopped) { reason = "stopped"; break; }
        if (performance.now() >= deadline) { reason = "duration"; break; }
      }
      if (reason === "end" && source.flush) {
        const n = source.flush();
        if (n > 0) records += d.dispatch(n);
      }
      return { records, seconds: (performance.now() - t0) / 1000, reason };
    }
    for (;;) {
      if (records >= limit) { reason = "count"; break; }
      if (o.signal?.aborted) { reason = "aborted"; break; }
      if (d.stopped) { reason = "stopped"; break; }
      let n = source.poll(Math.min(batch, Math.max(1, limit - records)));
      if (n > 0) {
        records += d.dispatch(n);
        empty = 0;
        idleSince = -1;
        continue;
      }
      const now = performance.now();
      if (now >= deadline) { reason = "duration"; break; }
      if (idleSince < 0) idleSince = now;
      if (source.flush && now - idleSince >= idleFlush) {
        n = source.flush();
        if (n > 0) records += d.dispatch(n);
        idleSince = now;
      }
      if (mode === "interrupt" && source.wait) {
        const ready = source.wait(Math.min(10, Math.max(0, deadline - now)));
        if (ready instanceof Promise) await ready;
        await new Promise((r) => setImmediate(r));
      } else if (++empty % yieldEvery === 0) {
        await new Promise((r) => setImmediate(r));
      }
    }
  } finally {
    strategy.onStop?.(d.context);
  }
  return { records, seconds: (performance.now() - t0) / 1000, reason };
}

/**
 * Batches for the main thread: yields n, the number of records now readable through
 * source.ticks.at(0..n-1); they stay valid until the loop asks for the next batch.
 */
export async function* batches(source: RunnableSource, o: { signal?: AbortSignal; durationMs?: number; batch?: number } = {}): AsyncGenerator<number> {
  const deadline = o.durationMs === undefined ? Infinity : performance.now() + o.durationMs;
  while (!o.signal?.aborted && performance.now() < deadline) {
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
