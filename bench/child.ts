// What the benchmarks that run receivers and senders as child processes share (bench/run.ts,
// bench/latency/run.ts): a child inside a network namespace pinned to CPUs, read line by line,
// with bounded waits; where its CPU time went (schedstat); waiting for an idle machine.

import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Children still running: killAll() (on the way out) sends them SIGKILL. */
export const live = new Set<ChildProcess>();

export function killAll(): void {
  for (const c of live) {
    try {
      c.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Per thread of a process: [ns on CPU, ns waiting on a run queue] from /proc/.../schedstat. */
export type Sched = Map<number, [number, number]>;

export function readSched(pid: number): Sched {
  const m: Sched = new Map();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ").map(Number);
        m.set(Number(tid), [run, wait]);
      } catch {
        // thread gone
      }
    }
  } catch {
    // process gone
  }
  return m;
}

/**
 * Where a child's CPU went while it was measured: its main thread's time waiting for the CPU
 * (preempted: by other processes on a shared machine, or by its own helper threads since all
 * are pinned to one CPU), and the CPU time of its other threads (V8 compiler/GC for Node).
 */
export interface SchedSummary {
  mainCpuMs: number;
  mainWaitMs: number;
  otherThreadsCpuMs: number;
  /** mainWaitMs not explained by the process's own threads, as a fraction of the run */
  external: number;
}

/** A child process inside a namespace, pinned to one CPU, with its stdout read line by line. */
export class Child {
  readonly name: string;
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  stderr = "";
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly #exited: Promise<void>;
  #onLine: (() => void) | undefined;
  #schedBase: Sched = new Map();
  #schedLast: Sched = new Map();
  #sampler: NodeJS.Timeout | undefined;

  constructor(name: string, ns: string, cpu: string, argv: string[]) {
    this.name = name;
    this.proc = spawn("ip", ["netns", "exec", ns, "taskset", "-c", cpu, ...argv], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    live.add(this.proc);
    createInterface({ input: this.proc.stdout! }).on("line", (l) => {
      this.lines.push(l);
      this.#onLine?.();
    });
    this.proc.stderr!.on("data", (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.#exited = new Promise((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null): void => {
        live.delete(this.proc);
        clearInterval(this.#sampler);
        this.exit ??= { code, signal };
        this.#onLine?.();
        resolve();
      };
      this.proc.on("close", done);
      this.proc.on("error", (e) => {
        this.stderr += String(e);
        done(null, null);
      });
    });
  }

  /**
   * Samples the child's threads' schedstat every 100 ms from now until it exits (a sample
   * cannot be taken after the exit, so the last 100 ms at most are missed).
   */
  measure(): void {
    const pid = this.proc.pid;
    if (pid === undefined) return;
    this.#schedBase = readSched(pid);
    this.#schedLast = this.#schedBase;
    this.#sampler = setInterval(() => {
      const m = readSched(pid);
      if (m.size) this.#schedLast = m;
    }, 100);
  }

  sched(): SchedSummary {
    const pid = this.proc.pid ?? -1;
    let other = 0;
    for (const [tid, [run]] of this.#schedLast) if (tid !== pid) other += run - (this.#schedBase.get(tid)?.[0] ?? 0);
    const main = this.#schedLast.get(pid) ?? [0, 0];
    const base = this.#schedBase.get(pid) ?? [0, 0];
    const cpu = (main[0] - base[0]) / 1e6;
    const wait = (main[1] - base[1]) / 1e6;
    const otherMs = other / 1e6;
    return { mainCpuMs: cpu, mainWaitMs: wait, otherThreadsCpuMs: otherMs, external: cpu + wait > 0 ? Math.max(0, wait - otherMs) / (cpu + wait) : 0 };
  }

  /** Resolves when a line equal to `line` was printed; rejects on exit or timeout. */
  waitLine(line: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#onLine = undefined;
        reject(new Error(`${this.name}: no ${line} within ${timeoutMs} ms${this.why()}`));
      }, timeoutMs);
      this.#onLine = () => {
        if (this.lines.includes(line)) {
          clearTimeout(timer);
          this.#onLine = undefined;
          resolve();
        } else if (this.exit) {
          clearTimeout(timer);
          this.#onLine = undefined;
          reject(new Error(`${this.name} exited before ${line}${this.why()}`));
        }
      };
      this.#onLine();
    });
  }

  /** True if the child exited within timeoutMs. */
  async waitExit(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((r) => { timer = setTimeout(() => r(false), timeoutMs); });
    const ok = await Promise.race([this.#exited.then(() => true as const), timeout]);
    clearTimeout(timer);
    return ok;
  }

  kill(sig: NodeJS.Signals): void {
    if (!this.exit) this.proc.kill(sig);
  }

  /**
   * A receiver stops by itself at its last packet; if that one was lost it would wait for its
   * own timeout, so once it has had drainMs for the last packets it is told to stop (SIGINT) and
   * report. Returns whether it had to be told.
   */
  async stopAfter(drainMs: number): Promise<boolean> {
    if (await this.waitExit(drainMs)) return false;
    this.kill("SIGINT");
    if (!(await this.waitExit(10_000))) throw new Error(`${this.name} did not stop within 10 s of SIGINT`);
    return true;
  }

  /** The JSON line it printed, checked for a clean exit. */
  result<T>(): T {
    if (this.exit?.code !== 0) throw new Error(`${this.name} failed${this.why()}`);
    const line = [...this.lines].reverse().find((l) => l.startsWith("{"));
    if (!line) throw new Error(`${this.name} printed no JSON${this.why()}`);
    return JSON.parse(line) as T;
  }

  why(): string {
    const e = this.exit ? ` (exit ${this.exit.code ?? this.exit.signal})` : "";
    const s = this.stderr.trim();
    return e + (s ? `: ${s.split("\n").slice(-3).join(" | ")}` : "");
  }
}

/** Fraction of all CPUs' time spent busy over the next `ms` (from /proc/stat). */
export async function cpuBusy(ms: number): Promise<number> {
  const read = (): number[] => readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read();
  const d = b.map((v, i) => v - a[i]);
  const total = d.reduce((x, y) => x + y, 0);
  const idle = d[3] + d[4]; // idle + iowait
  return total > 0 ? 1 - idle / total : 0;
}

/**
 * Waits (at most waitMs) until the machine is idle (busy below `idle`, a fraction of all CPUs)
 * before a run: on a shared machine, other work would otherwise take the receiver's or the
 * sender's CPU. Returns the load seen.
 */
export async function waitQuiet(log: (s: string) => void, waitMs = 60_000, idle = 0.1): Promise<number> {
  const end = Date.now() + waitMs;
  let busy = await cpuBusy(500);
  if (busy <= idle) return busy;
  log(`machine busy (${(busy * 100).toFixed(0)}% CPU), waiting up to ${waitMs / 1000} s for it to quiet down`);
  while (busy > idle && Date.now() < end) busy = await cpuBusy(1000);
  if (busy > idle) log(`still ${(busy * 100).toFixed(0)}% busy; measuring anyway`);
  return busy;
}

export function cpuModel(): string {
  try {
    return /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model ?? "?";
  } catch {
    return cpus()[0]?.model ?? "?";
  }
}
