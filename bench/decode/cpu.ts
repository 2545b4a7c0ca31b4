// Machine-wide CPU accounting from /proc/stat, to tell a measurement disturbed by other work
// (the benchmark machine may be shared) from a clean one.

import { readFileSync } from "node:fs";

/** USER_HZ: the unit of /proc/stat (fixed at 100 in the Linux ABI). */
export const JIFFY = 0.01;

function cpuLine(): number[] {
  return readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1, 9).map(Number);
}

/** Busy jiffies of all CPUs since boot (everything but idle and iowait). */
export function busyJiffies(): number {
  const v = cpuLine();
  return v.reduce((a, b) => a + b, 0) - v[3] - v[4];
}

/** Fraction of all CPUs' time spent busy over the next `ms`. */
export async function cpuBusy(ms: number): Promise<number> {
  const a = cpuLine();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuLine();
  const d = b.map((v, i) => v - a[i]);
  const total = d.reduce((x, y) => x + y, 0);
  return total > 0 ? 1 - (d[3] + d[4]) / total : 0;
}
