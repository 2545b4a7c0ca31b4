// The veth-pair lab (src/lab/veth.ts) plus what only tests need.

import { readFileSync } from "node:fs";
import { suite, type Test } from "uvu";
import { createPair, destroyPair, type PairOptions, type VethPair } from "../../src/lab/veth.js";

export * from "../../src/lab/veth.js";

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

/**
 * A uvu suite with a veth pair created before its tests and removed after them (also when they
 * fail). lab.skip is true (with the reason printed) when not root.
 */
export function pairSuite(name: string, opts?: PairOptions): [Test, { pair: VethPair; skip: boolean }] {
  const s = suite(name);
  const lab = { pair: undefined as unknown as VethPair, skip: skipUnlessRoot(name) };
  s.before(() => {
    if (!lab.skip) lab.pair = createPair(opts);
  });
  s.after(() => {
    if (!lab.skip) destroyPair(lab.pair);
  });
  return [s, lab];
}
