// One worker_thread per receive queue: each thread owns its queue's AF_XDP socket and runs the
// poll loop, the parser and the strategy itself (no hand-off between threads: lowest latency).
// The interface's XDP program is attached once here and shared (each socket takes its queue's
// slot in the program's XSKMAP). The strategy is a module path: functions do not cross threads.

import type { Worker } from "node:worker_threads";
import { XdpProgram, type ProgramHandle } from "../../bridge/program.js";
import { inNetns } from "../../bridge/netns.js";
import { startWorker, sibling } from "./worker.js";
import type { RunResult } from "./runner.js";
import type { ParserSummary } from "../feeds/summary.js";

export interface QueueWorkerData {
  ns?: string;
  iface: string;
  queue: number;
  ports: number[];
  format: string;
  program: ProgramHandle;
  strategy: string;
  mode: "busy" | "interrupt";
  count?: number;
  durationMs?: number;
  /** Int32Array: [0] = 1 asks every worker to stop. */
  stop: SharedArrayBuffer;
}

export interface QueuesOptions {
  iface: string;
  ports: number[];
  /** A feed name: itch50, iex-tops, iex-deep. */
  format: string;
  queues: number[];
  /** Module whose default export is a strategy, or a function returning one (called per thread). */
  strategy: string;
  mode?: "busy" | "interrupt";
  /** Per queue. */
  count?: number;
  durationMs?: number;
  /** Network namespace of the interface (tests, labs). */
  ns?: string;
  signal?: AbortSignal;
  /** Called once every queue's socket is open. */
  onReady?: () => void | Promise<void>;
}

export interface QueueResult {
  queue: number;
  run: RunResult;
  summary: ParserSummary;
  /** What the strategy's optional result() returned, from its thread. */
  result?: unknown;
}

export async function runQueues(o: QueuesOptions): Promise<QueueResult[]> {
  const attach = () => XdpProgram.attach({ iface: o.iface, ports: o.ports });
  const program = o.ns ? inNetns(o.ns, attach) : attach();
  const stop = new SharedArrayBuffer(4);
  const workers: Worker[] = [];
  const onAbort = () => Atomics.store(new Int32Array(stop), 0, 1);
  o.signal?.addEventListener("abort", onAbort);
  try {
    const started = o.queues.map((queue) => {
      const data: QueueWorkerData = {
        ns: o.ns, iface: o.iface, queue, ports: o.ports, format: o.format, program: program.handle(), strategy: o.strategy,
        mode: o.mode ?? "busy", count: o.count, durationMs: o.durationMs, stop,
      };
      const w = startWorker(sibling("queue-worker", import.meta.url), data);
      workers.push(w);
      let ready!: () => void;
      let fail!: (e: Error) => void;
      const isReady = new Promise<void>((res, rej) => { ready = res; fail = rej; });
      const done = new Promise<QueueResult>((resolve, reject) => {
        w.on("message", (m) => {
          if (m.error) { fail(new Error(`queue ${queue}: ${m.error}`)); reject(new Error(`queue ${queue}: ${m.error}`)); }
          else if (m.ready) ready();
          else if (m.done) resolve({ queue: m.queue, run: m.run, summary: m.summary, result: m.result });
        });
        w.on("error", (e) => { fail(e); reject(e); });
      });
      return { isReady, done };
    });
    await Promise.all(started.map((s) => s.isReady));
    await o.onReady?.();
    return await Promise.all(started.map((s) => s.done));
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
    Atomics.store(new Int32Array(stop), 0, 1);
    await Promise.all(workers.map((w) => w.terminate()));
    program.close();
  }
}
