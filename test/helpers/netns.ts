// The veth-pair lab (src/veth.ts) plus what only tests need.

import { readFileSync } from "node:fs";

export * from "../../src/veth.js";

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Prints why a root-only suite is skipped; returns true when it must skip. */
export function skipUnlessRoot(suiteName: string): boolean {
  if (isRoot()) return false;
  console.log(`# skipped ${suiteName}: needs root (AF_XDP, XDP and network namespaces)`);
  return true;
}

/** Mount points of the named network namespaces that exist now (/run/netns/NAME). */
export function namespaces(): string[] {
  try {
    return readFileSync("/proc/self/mounts", "utf8").split("\n").filter((l) => l.includes("/run/netns/")).map((l) => l.split(" ")[1]);
  } catch {
    return [];
  }
}
