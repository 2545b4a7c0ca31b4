// Test fixtures run as child processes (inside a namespace), with bounded waits.

import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Worker } from "node:worker_threads";
import { startWorker } from "../../src/strategy/worker.js";
import { readableCheckout, readablePath } from "./readable.js";

export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

export interface Child {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  /** Resolves when a line matching re appears on stdout (rejects after timeoutMs or on exit). */
  line(re: RegExp, timeoutMs?: number): Promise<string>;
  exit(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `ip netns exec NS [prefix...] node --import tsx FIXTURE args...`. With `readable`, the fixture
 * runs from a copy of the checkout every user can read (for a prefix that drops privileges).
 */
export function runFixture(ns: string, name: string, args: string[], opts: { prefix?: string[]; env?: NodeJS.ProcessEnv; readable?: boolean } = {}): Child {
  const file = opts.readable ? readablePath(fixture(name)) : fixture(name);
  const argv = ["netns", "exec", ns, ...(opts.prefix ?? []), process.execPath, "--import", "tsx", file, ...args];
  return child(spawn("ip", argv, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...opts.env }, cwd: opts.readable ? readableCheckout() : undefined }));
}

/** `node [nodeArgs...] --import tsx FIXTURE args...` in this process's network namespace (no privileges needed). */
export function runNode(name: string, args: string[], opts: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): Child {
  const argv = [...(opts.nodeArgs ?? []), "--import", "tsx", fixture(name), ...args];
  return child(spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...opts.env } }));
}

function child(proc: ChildProcess): Child {
  let out = "";
  let err = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on("exit", (code, signal) => resolve({ code, signal })));
  const timeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
    let t: NodeJS.Timeout;
    return Promise.race([p, new Promise<T>((_, rej) => (t = setTimeout(() => {
      proc.kill("SIGKILL");
      rej(new Error(`${what} timed out; stdout: ${out} stderr: ${err}`));
    }, ms)))]).finally(() => clearTimeout(t));
  };
  return {
    proc,
    out: () => out,
    err: () => err,
    line: (re, ms = 20_000) => timeout(new Promise((resolve, reject) => {
      const check = () => {
        const m = out.split("\n").find((l) => re.test(l));
        if (m !== undefined) resolve(m);
      };
      proc.stdout!.on("data", check);
      exited.then(() => { check(); reject(new Error(`exited before ${re}; stdout: ${out} stderr: ${err}`)); });
      check();
    }), ms, `waiting for ${re}`),
    exit: (ms = 20_000) => timeout(exited, ms, "waiting for exit"),
  };
}

/** Polls cond every 20 ms for up to timeoutMs. */
export async function eventually(cond: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

/** A worker_thread running a TypeScript fixture. */
export function tsWorker(name: string, workerData: unknown): Worker {
  return startWorker(pathToFileURL(fixture(name)), workerData);
}

/** A process of the CLI's (or any command), its output collected; killed after 90 s at the latest. */
export interface Proc { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> }

export function startProcess(argv: string[]): Proc {
  const c = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  c.stdout!.on("data", (d) => (out += d));
  c.stderr!.on("data", (d) => (err += d));
  const t = setTimeout(() => c.kill("SIGKILL"), 90_000);
  const exit = new Promise<number | null>((r) => c.on("close", (code) => { clearTimeout(t); r(code); }));
  return { child: c, out: () => out, err: () => err, exit };
}

/** Waits until cond() holds, at most ms (then throws naming what it waited for). */
export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
