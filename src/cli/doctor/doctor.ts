// The checks of `xdpfeed doctor`: each asks the kernel or the system one question about running
// AF_XDP on an interface, and says ok, warn or fail with what to do. Nothing is attached or
// changed; each check catches its own failure, so one missing piece never hides the others.

import { readFileSync, realpathSync } from "node:fs";
import { release } from "node:os";
import { libc, errno, AF_XDP, SOCK_RAW, SOCK_CLOEXEC, E } from "../../../bridge/libc.js";
import {
  XDP_CAPABILITIES, PRIVILEGE_DOC, effectiveCapabilities, holds, inUserNamespace, listWords, missingCapabilities,
} from "../../../bridge/capabilities.js";
import { DEFAULT_GEOMETRY } from "../../../bridge/memory-map.js";
import { libbpf, libxdp } from "../../../bridge/libbpf.js";
import { driverName, featureNames, rxQueueCount, XDP_FEATURES, xdpFeatures } from "../../../bridge/netdev.js";
import { freeingAdvice, xdpHolder } from "../../../bridge/xdp-owner.js";

export type CheckStatus = "ok" | "warn" | "fail";

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do, one step a line (commands as they are typed). */
  advice?: string[];
}

export interface DoctorOptions {
  iface: string;
  /** The feed's UDP port and destination, to fill in the queue-steering command. */
  port?: number;
  group?: string;
}

const GRANT = [
  "a systemd unit: User=feed, AmbientCapabilities=CAP_NET_ADMIN CAP_BPF CAP_NET_RAW CAP_IPC_LOCK, LimitMEMLOCK=infinity",
  "a container: docker run --cap-add NET_ADMIN --cap-add BPF --cap-add NET_RAW --cap-add IPC_LOCK --ulimit memlock=-1 ...",
  `or run as root; see ${PRIVILEGE_DOC}`,
];

/** Runs every check on opts.iface, in the order they are printed. */
export function doctor(opts: DoctorOptions): Check[] {
  const checks: Check[] = [kernel(), afXdp(), capabilities(), memlock(), library("libbpf"), library("libxdp")];
  const ifindex = libc.if_nametoindex(opts.iface);
  if (ifindex === 0) {
    checks.push({ name: "interface", status: "fail", detail: `no interface named '${opts.iface}' here`, advice: ["list them with: ip link"] });
    return checks;
  }
  checks.push(...driver(opts.iface, ifindex), hook(opts.iface, ifindex), queues(opts));
  return checks;
}

/** The checks as printed: `STATUS  NAME  detail`, each advice line indented below its check. */
export function formatChecks(checks: readonly Check[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  return checks.map((c) => [
    `${c.status.padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail}`,
    ...(c.advice ?? []).map((a) => `${" ".repeat(width + 8)}${a}`),
  ].join("\n")).join("\n") + "\n";
}

function attempt(name: string, fn: () => Check | Check[]): Check[] {
  try {
    const r = fn();
    return Array.isArray(r) ? r : [r];
  } catch (e) {
    return [{ name, status: "fail", detail: (e as Error).message }];
  }
}

function kernel(): Check {
  const r = release();
  const [major, minor] = r.split(".").map((n) => parseInt(n, 10));
  const v = major * 1000 + minor;
  if (v < 5004) return { name: "kernel", status: "fail", detail: `Linux ${r}: AF_XDP as xdpfeed uses it (need_wakeup, ring flags) needs Linux 5.4` };
  const note = v < 6003 ? "; NIC receive timestamps need Linux 6.3 (the driver's stamps work)" : "";
  return { name: "kernel", status: "ok", detail: `Linux ${r}${note}` };
}

function afXdp(): Check {
  const fd = libc.socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
  const err = fd < 0 ? errno() : 0;
  if (fd >= 0) libc.close(fd);
  if (fd >= 0) return { name: "AF_XDP", status: "ok", detail: "socket(AF_XDP) opens" };
  if (err === E.EAFNOSUPPORT) {
    return { name: "AF_XDP", status: "fail", detail: "socket(AF_XDP) fails with EAFNOSUPPORT: this kernel was built without CONFIG_XDP_SOCKETS=y", advice: ["use a kernel with AF_XDP, or the kernel-socket mode (--mode socket)"] };
  }
  if (err === E.EPERM) return { name: "AF_XDP", status: "ok", detail: "the kernel has AF_XDP sockets (opening one needs CAP_NET_RAW: see capabilities)" };
  return { name: "AF_XDP", status: "warn", detail: `socket(AF_XDP) fails with errno ${err}` };
}

function capabilities(): Check {
  const eff = effectiveCapabilities();
  if (eff === undefined) return { name: "capabilities", status: "warn", detail: "cannot read CapEff from /proc/self/status" };
  const missing = missingCapabilities(XDP_CAPABILITIES, eff);
  const held = XDP_CAPABILITIES.filter((c) => holds(c, eff));
  const who = process.getuid?.() === 0 ? "root" : `uid ${process.getuid?.()}`;
  if (missing.length > 0) {
    return {
      name: "capabilities", status: "fail",
      detail: `missing ${listWords(missing)} (${who} holds ${held.length > 0 ? listWords(held) : "none"} of ${listWords(XDP_CAPABILITIES)})`,
      advice: GRANT,
    };
  }
  if (inUserNamespace()) {
    return { name: "capabilities", status: "warn", detail: `${listWords(XDP_CAPABILITIES)} held, but in a user namespace (a rootless container), where they do not count for BPF`, advice: GRANT };
  }
  return { name: "capabilities", status: "ok", detail: `${listWords(XDP_CAPABILITIES)} held (${who}); CAP_PERFMON is not needed` };
}

const mib = (n: number): string => (n === Infinity ? "unlimited" : `${+(n / 2 ** 20).toFixed(2)} MiB`);

// RLIMIT_MEMLOCK's soft and hard limits, from /proc/self/limits ("unlimited" is Infinity).
function memlockLimits(): [number, number] {
  const line = readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith("Max locked memory"));
  const [soft, hard] = (line ?? "").replace("Max locked memory", "").trim().split(/\s+/);
  const n = (s: string | undefined): number => (s === "unlimited" ? Infinity : Number(s));
  return [n(soft), n(hard)];
}

function memlock(): Check {
  const umem = (DEFAULT_GEOMETRY.rings.fill + DEFAULT_GEOMETRY.rings.tx) * DEFAULT_GEOMETRY.frameSize;
  const [soft, hard] = memlockLimits();
  const eff = effectiveCapabilities();
  const limit = `RLIMIT_MEMLOCK ${mib(soft)} (hard ${mib(hard)})`;
  if (eff !== undefined && holds("CAP_IPC_LOCK", eff)) {
    return { name: "memlock", status: "ok", detail: `CAP_IPC_LOCK held: the UMEM is not charged to ${limit}` };
  }
  if (soft >= umem) {
    return { name: "memlock", status: "ok", detail: `${limit} holds ${Math.floor(soft / umem) === Infinity ? "any number of" : Math.floor(soft / umem)} default UMEM(s) of ${mib(umem)} (all of this user's UMEMs count together)` };
  }
  return {
    name: "memlock", status: "fail",
    detail: `${limit} is below the default UMEM (${mib(umem)}: ${DEFAULT_GEOMETRY.rings.fill} FILL + ${DEFAULT_GEOMETRY.rings.tx} TX frames of ${DEFAULT_GEOMETRY.frameSize} bytes), and CAP_IPC_LOCK is not held`,
    advice: [
      "grant CAP_IPC_LOCK, or raise the limit: LimitMEMLOCK=infinity (systemd), --ulimit memlock=-1 (docker),",
      `ulimit -l unlimited (up to the hard limit without CAP_SYS_RESOURCE), or make the rings smaller (geometry); see ${PRIVILEGE_DOC}`,
    ],
  };
}

// The version in the loaded library's file name (libxdp.so.1.3.0), from this process's mappings.
function loadedVersion(soname: string): string | undefined {
  const line = readFileSync("/proc/self/maps", "utf8").split("\n").find((l) => l.includes(`/${soname}.so`));
  const path = line?.slice(line.indexOf("/"));
  if (!path) return undefined;
  const m = /\.so\.([\d.]+)$/.exec(realpathSync(path));
  return m ? `${m[1]} (${path})` : path;
}

function library(name: "libbpf" | "libxdp"): Check {
  return attempt(name, () => {
    if (name === "libbpf") libbpf();
    else libxdp();
    return { name, status: "ok", detail: loadedVersion(name) ?? "loaded" } as Check;
  })[0];
}

function driver(iface: string, ifindex: number): Check[] {
  const drv = driverName(iface) ?? "a driver that does not name itself";
  const f = xdpFeatures(ifindex);
  if (typeof f !== "number") {
    const why = f === "ENOENT" ? "the kernel reports no xdp-features (before Linux 6.3)" : `xdp-features unreadable: ${f}`;
    return [
      { name: "native XDP", status: "warn", detail: `${drv}: cannot tell, ${why}; xdpfeed tries native XDP, then generic` },
      { name: "zero-copy", status: "warn", detail: `${drv}: cannot tell; xdpfeed tries zero-copy, then copy mode` },
    ];
  }
  const names = featureNames(f).join(", ") || "none";
  const native = (f & XDP_FEATURES.basic) !== 0 && (f & XDP_FEATURES.redirect) !== 0;
  const zc = (f & XDP_FEATURES["xsk-zerocopy"]) !== 0;
  return [
    native
      ? { name: "native XDP", status: "ok", detail: `${drv} runs XDP programs and redirects to AF_XDP in the driver (xdp-features: ${names})` }
      : { name: "native XDP", status: "warn", detail: `${drv} has no native XDP redirect (xdp-features: ${names}): xdpfeed attaches in generic mode, after the kernel has built an skb for every frame` },
    zc
      ? { name: "zero-copy", status: "ok", detail: `${drv} supports zero-copy AF_XDP: frames land in the UMEM with no copy` }
      : { name: "zero-copy", status: "warn", detail: `${drv} has no zero-copy AF_XDP: sockets bind in copy mode (one copy per frame into the UMEM)` },
  ];
}

function hook(iface: string, ifindex: number): Check {
  return attempt("XDP hook", () => {
    const h = xdpHolder(ifindex);
    if (!h) return { name: "XDP hook", status: "ok", detail: `no XDP program is attached to ${iface}` };
    return { name: "XDP hook", status: "warn", detail: `taken: xdpfeed cannot attach its program to ${iface} until it is freed`, advice: [freeingAdvice(iface, h)] };
  })[0];
}

function queues(opts: DoctorOptions): Check {
  const n = rxQueueCount(opts.iface);
  if (n === undefined) return { name: "RX queues", status: "warn", detail: `/sys/class/net/${opts.iface}/queues is not readable here` };
  if (n <= 1) return { name: "RX queues", status: "ok", detail: "1 RX queue: every frame of the feed reaches queue 0, where xdpfeed binds by default" };
  const port = opts.port ?? "PORT";
  const dst = opts.group ? ` dst-ip ${opts.group}` : "";
  return {
    name: "RX queues", status: "warn",
    detail: `${n} RX queues: the NIC spreads flows over them, and an AF_XDP socket receives one queue's frames (the rest go to the kernel)`,
    advice: [
      `steer the feed to one queue: ethtool -K ${opts.iface} ntuple on; ethtool -N ${opts.iface} flow-type udp4${dst} dst-port ${port} action 0`,
      `  then receive on that queue (xdpfeed listen --queue 0, XdpSocket.open({ queue: 0 }))`,
      `or keep one queue for everything: ethtool -L ${opts.iface} combined 1`,
      `or read every queue, one socket each: runQueues({ iface: "${opts.iface}", queues: [${Array.from({ length: Math.min(n, 4) }, (_, i) => i).join(", ")}${n > 4 ? `, ..., ${n - 1}` : ""}], ... })`,
    ],
  };
}
