// A lab of two network namespaces joined by a veth pair, with addresses that exist only inside
// them (the demo, the tests and the benchmarks run there). Removed by destroyPair(), and on exit
// or SIGINT/SIGTERM of the process; deleting a namespace destroys its veth end and anything
// attached to it. Needs root.

import { execFileSync, spawnSync } from "node:child_process";

export interface VethPair {
  nsA: string;
  nsB: string;
  ifA: string;
  ifB: string;
  ipA: string;
  ipB: string;
  macA: string;
  macB: string;
  /** Runs a command inside a namespace; throws with its stderr on failure. */
  exec(ns: string, cmd: string[], timeoutMs?: number): string;
}

const live = new Set<string>();
let hooked = false;
let serial = 0;

function ip(args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function removeNs(ns: string): void {
  spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
  live.delete(ns);
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => [...live].forEach(removeNs));
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      [...live].forEach(removeNs);
      process.kill(process.pid, sig);
    });
  }
}

export interface PairOptions {
  /** RX/TX queues of each veth end. Default 1. */
  queues?: number;
  /** Start of the namespace and interface names (short: interface names have 15 bytes). */
  prefix?: string;
  mtu?: number;
}

export function createPair(opts: PairOptions = {}): VethPair {
  hook();
  const n = (process.pid % 10000) * 10 + (serial++ % 10);
  const tag = `${opts.prefix ?? "xf"}${n}`;
  const nsA = `${tag}a`;
  const nsB = `${tag}b`;
  const ifA = `${tag}a0`;
  const ifB = `${tag}b0`;
  // Addresses from the benchmarking range (198.18.0.0/15, RFC 2544), only inside these namespaces.
  const octet = n % 250;
  const ipA = `198.18.${octet}.1`;
  const ipB = `198.18.${octet}.2`;
  const macA = `02:00:00:${hex(n >> 8)}:${hex(n)}:0a`;
  const macB = `02:00:00:${hex(n >> 8)}:${hex(n)}:0b`;
  const q = String(opts.queues ?? 1);
  for (const ns of [nsA, nsB]) {
    removeNs(ns);
    ip(["netns", "add", ns]);
    live.add(ns);
  }
  try {
    ip(["link", "add", ifA, "netns", nsA, "numtxqueues", q, "numrxqueues", q, "address", macA, "type", "veth",
      "peer", "name", ifB, "netns", nsB, "numtxqueues", q, "numrxqueues", q, "address", macB]);
    for (const [ns, dev, addr] of [[nsA, ifA, ipA], [nsB, ifB, ipB]]) {
      ip(["-n", ns, "addr", "add", `${addr}/30`, "dev", dev]);
      if (opts.mtu) ip(["-n", ns, "link", "set", dev, "mtu", String(opts.mtu)]);
      ip(["-n", ns, "link", "set", dev, "up"]);
      ip(["-n", ns, "link", "set", "lo", "up"]);
    }
    // Static neighbours: no ARP round trip before the first frame.
    ip(["-n", nsA, "neigh", "add", ipB, "lladdr", macB, "dev", ifA, "nud", "permanent"]);
    ip(["-n", nsB, "neigh", "add", ipA, "lladdr", macA, "dev", ifB, "nud", "permanent"]);
  } catch (e) {
    destroyPair({ nsA, nsB } as VethPair);
    throw e;
  }
  const exec = (ns: string, cmd: string[], timeoutMs = 20_000): string =>
    execFileSync("ip", ["netns", "exec", ns, ...cmd], { encoding: "utf8", timeout: timeoutMs, stdio: ["ignore", "pipe", "pipe"] });
  return { nsA, nsB, ifA, ifB, ipA, ipB, macA, macB, exec };
}

export function destroyPair(p: Pick<VethPair, "nsA" | "nsB">): void {
  removeNs(p.nsA);
  removeNs(p.nsB);
}

/** Creates a pair, runs fn, and removes the pair whatever fn does. */
export async function withPair<T>(fn: (p: VethPair) => T | Promise<T>, opts?: PairOptions): Promise<T> {
  const p = createPair(opts);
  try {
    return await fn(p);
  } finally {
    destroyPair(p);
  }
}

/** Whether the pair's receiving end still has an XDP program; false once the pair is gone. */
export function receiverHasXdp(p: Pick<VethPair, "nsB" | "ifB">): boolean {
  try {
    return hasXdp(p.nsB, p.ifB);
  } catch {
    return false; // the namespace is gone, and the interface with it
  }
}

/** `ip link` of an interface inside a namespace, e.g. to see whether an XDP program is attached. */
export function linkInfo(ns: string, dev: string): string {
  return ip(["-n", ns, "link", "show", "dev", dev]);
}

export function hasXdp(ns: string, dev: string): boolean {
  return /\bxdp(generic|drv|offload)?\b/.test(linkInfo(ns, dev)) || /prog\/xdp/.test(linkInfo(ns, dev));
}

function hex(v: number): string {
  return (v & 0xff).toString(16).padStart(2, "0");
}
