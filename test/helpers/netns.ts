// The veth-pair lab (src/veth.ts) plus what only tests need.

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
