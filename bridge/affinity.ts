// CPU affinity for a busy-polling thread: the thread that calls pinThread(cpu) runs on that CPU
// alone, and every other thread of the process (V8's compiler and collector helpers, libuv's
// pool, other workers) is moved to the remaining CPUs, so nothing of the process's own preempts
// the poller. Threads started later inherit their creator's mask: start workers before pinning,
// or pin from the worker that polls (runStrategy's `cpu` option runs in the polling thread).
//
// sched_setaffinity(2) takes a thread id (gettid), not a pthread: /proc/self/task lists them.

import koffi from "koffi";
import { readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { errno, errnoName } from "./libc.js";
import { XdpError } from "./errors.js";

const lib = koffi.load("libc.so.6");
const sched_setaffinity = lib.func("int sched_setaffinity(int pid, size_t size, void *mask)");
const sched_getaffinity = lib.func("int sched_getaffinity(int pid, size_t size, void *mask)");
const gettid = lib.func("int gettid(void)");

// cpu_set_t is 1024 bits.
const SET_BYTES = 128;

function mask(cpus: Iterable<number>): Uint8Array {
  const m = new Uint8Array(SET_BYTES);
  for (const c of cpus) m[c >> 3] |= 1 << (c & 7);
  return m;
}

/** The CPUs this process may run on. */
export function allowedCpus(): number[] {
  const m = new Uint8Array(SET_BYTES);
  if (sched_getaffinity(0, SET_BYTES, m) !== 0) return Array.from({ length: availableParallelism() }, (_, i) => i);
  const out: number[] = [];
  for (let c = 0; c < SET_BYTES * 8; c++) if (m[c >> 3] & (1 << (c & 7))) out.push(c);
  return out;
}

export interface Pinned {
  /** The polling thread's id and CPU. */
  tid: number;
  cpu: number;
  /** How many other threads were moved off it. */
  moved: number;
}

/** Pins the calling thread to `cpu` and the process's other threads to the other allowed CPUs. */
export function pinThread(cpu: number): Pinned {
  const allowed = allowedCpus();
  if (!Number.isInteger(cpu) || !allowed.includes(cpu)) {
    throw new XdpError("ECONFIG", `cannot pin to CPU ${cpu}: this process may run on CPUs ${allowed.join(",")}`);
  }
  const self = gettid() as number;
  if (sched_setaffinity(self, SET_BYTES, mask([cpu])) !== 0) {
    const e = errno();
    throw new XdpError("ESYSCALL", `sched_setaffinity(CPU ${cpu}) failed with ${errnoName(e)}`, "sched_setaffinity", e);
  }
  const others = allowed.filter((c) => c !== cpu);
  let moved = 0;
  if (others.length > 0) {
    const rest = mask(others);
    for (const t of readdirSync("/proc/self/task")) {
      const tid = Number(t);
      // A thread may have exited meanwhile: not an error.
      if (tid !== self && sched_setaffinity(tid, SET_BYTES, rest) === 0) moved++;
    }
  }
  return { tid: self, cpu, moved };
}

/** The CPUs thread `tid` may run on (tests, diagnostics). */
export function threadCpus(tid: number): number[] {
  const m = new Uint8Array(SET_BYTES);
  if (sched_getaffinity(tid, SET_BYTES, m) !== 0) return [];
  const out: number[] = [];
  for (let c = 0; c < SET_BYTES * 8; c++) if (m[c >> 3] & (1 << (c & 7))) out.push(c);
  return out;
}
