// The capabilities that AF_XDP and the XDP program need, which of them this thread holds, and
// the words that tell a user what is missing and how to grant it. Read from /proc, so importing
// this file loads no native code (the CLI's help path imports the errors, which import it).
//
// What each step needs (measured on Linux 6.x as a non-root user with ambient capabilities):
//   CAP_BPF        every bpf() call once kernel.unprivileged_bpf_disabled is set (the default),
//                  the per-CPU stats map, bpf_link_create
//   CAP_NET_ADMIN  loading an XDP program, creating its XSKMAP, busy polling
//   CAP_NET_RAW    socket(AF_XDP)
//   CAP_IPC_LOCK   or an RLIMIT_MEMLOCK that holds the UMEM: XDP_UMEM_REG charges the UMEM's
//                  pages to the user's locked memory unless the process has CAP_IPC_LOCK (BPF
//                  maps are charged to the memory cgroup since Linux 5.11, not to the limit)
// CAP_PERFMON is not needed by xdpfeed's program; the verifier asks for it when a program does
// arithmetic between a packet pointer and a register or tests a packet pointer against NULL.
// CAP_SYS_ADMIN stands in for CAP_BPF and CAP_PERFMON (and is their only form before Linux 5.8).

import { readFileSync } from "node:fs";

export type Capability = "CAP_NET_ADMIN" | "CAP_NET_RAW" | "CAP_IPC_LOCK" | "CAP_SYS_ADMIN" | "CAP_PERFMON" | "CAP_BPF";

/** Bit numbers, <linux/capability.h>. */
export const CAPABILITY_BITS: Readonly<Record<Capability, number>> = {
  CAP_NET_ADMIN: 12, CAP_NET_RAW: 13, CAP_IPC_LOCK: 14, CAP_SYS_ADMIN: 21, CAP_PERFMON: 38, CAP_BPF: 39,
};

/** The set AF_XDP with xdpfeed's program needs, besides CAP_IPC_LOCK or a high enough RLIMIT_MEMLOCK. */
export const XDP_CAPABILITIES: readonly Capability[] = ["CAP_NET_ADMIN", "CAP_BPF", "CAP_NET_RAW"];

/** What each failing step needs: the capabilities an EPERM there can be missing. */
export const STEP_CAPABILITIES = {
  program: ["CAP_NET_ADMIN", "CAP_BPF"],
  bpf: ["CAP_BPF"],
  socket: ["CAP_NET_RAW"],
  netAdmin: ["CAP_NET_ADMIN"],
} as const satisfies Record<string, readonly Capability[]>;

/** Where the README says how to grant them: a systemd unit and container flags. */
export const PRIVILEGE_DOC = `"Running without root" in xdpfeed's README`;

/** This thread's effective capabilities (CapEff), or undefined when /proc cannot tell. */
export function effectiveCapabilities(): bigint | undefined {
  for (const file of ["/proc/thread-self/status", "/proc/self/status"]) {
    try {
      const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync(file, "utf8"));
      if (m) return BigInt(`0x${m[1]}`);
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** Whether eff holds cap, counting CAP_SYS_ADMIN for CAP_BPF and CAP_PERFMON as the kernel does. */
export function holds(cap: Capability, eff: bigint): boolean {
  const has = (c: Capability): boolean => ((eff >> BigInt(CAPABILITY_BITS[c])) & 1n) === 1n;
  return has(cap) || ((cap === "CAP_BPF" || cap === "CAP_PERFMON") && has("CAP_SYS_ADMIN"));
}

/** The capabilities of `caps` that eff lacks. */
export function missingCapabilities(caps: readonly Capability[], eff: bigint): Capability[] {
  return caps.filter((c) => !holds(c, eff));
}

/** "A", "A and B", "A, B and C". */
export function listWords(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/**
 * Whether this process runs in a user namespace other than the initial one (a rootless
 * container, unshare -U): capabilities held there do not count for BPF.
 */
export function inUserNamespace(): boolean {
  try {
    const map = readFileSync("/proc/self/uid_map", "utf8").trim().split(/\s+/);
    return !(map[0] === "0" && map[1] === "0" && map[2] === "4294967295");
  } catch {
    return false;
  }
}

/**
 * Why a step that needs `caps` was refused (EPERM), naming what this thread is missing, and the
 * fix. `caps` are the step's own needs (default: the whole set); when the thread holds them all,
 * something else refused it, and the advice says what that can be.
 */
export function permissionAdvice(caps: readonly Capability[] = XDP_CAPABILITIES): string {
  const need = `AF_XDP and XDP need ${listWords(XDP_CAPABILITIES)} (and CAP_IPC_LOCK or an RLIMIT_MEMLOCK that holds the UMEM)`;
  const grant = `run as root, or give the service these capabilities (a systemd unit's AmbientCapabilities=, ` +
    `docker run --cap-add): see ${PRIVILEGE_DOC}`;
  const eff = effectiveCapabilities();
  if (eff === undefined) return `${need}; ${grant}`;
  const missing = missingCapabilities(caps, eff);
  if (missing.length > 0) {
    const held = XDP_CAPABILITIES.filter((c) => holds(c, eff));
    const later = missingCapabilities(XDP_CAPABILITIES, eff).filter((c) => !missing.includes(c));
    return `missing ${listWords(missing)}${later.length > 0 ? ` (and ${listWords(later)}, which a later step needs)` : ""}. ` +
      `${need}; this process has ${held.length > 0 ? listWords(held) : "none of them"}; ${grant}`;
  }
  const why = inUserNamespace()
    ? "it runs in a user namespace (a rootless container), where capabilities do not count for BPF: grant them to the container itself (docker run --cap-add)"
    : "something else refuses it: a security module (SELinux, AppArmor), a seccomp filter or a container runtime's policy";
  return `this process holds ${listWords(caps)}, which this step needs, yet ${why}; see ${PRIVILEGE_DOC}`;
}
