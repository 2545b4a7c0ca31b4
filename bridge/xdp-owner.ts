// Who holds an interface's XDP hook, and what frees it: the answer to EBUSY.
//
// A program attached through a bpf_link (as xdpfeed attaches its own) stays attached while a
// process holds a descriptor of the link or the link is pinned in a bpffs; netlink cannot remove
// it (`ip link set dev IF xdp off` fails with "Can't replace active BPF XDP link"). A program
// attached through netlink (ip link, xdp-loader, libxdp's dispatcher) has no owner: netlink in
// its own mode detaches it (xdpgeneric off for generic mode, xdpdrv off for native).
//
// The program's id comes from bpf_xdp_query. Whether a link holds it: the descriptors of every
// process this one may read (/proc/PID/fdinfo shows a link's link_id, prog_id and ifindex), and,
// with CAP_SYS_ADMIN, the kernel's list of links, which also tells a netlink attachment apart
// and finds pins (each file of each mounted bpffs opened with bpf_obj_get).

import { readFileSync, readdirSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";
import { libbpf } from "./libbpf.js";
import { libc } from "./libc.js";

export type XdpAttachMode = "native" | "generic" | "offload";

export interface XdpHolder {
  progId: number;
  /** The program's name, when this process may read it (CAP_SYS_ADMIN). */
  progName?: string;
  mode: XdpAttachMode;
  /** "link": a bpf_link; "netlink": attached without one; "unknown": this process cannot tell. */
  via: "link" | "netlink" | "unknown";
  linkId?: number;
  /** The processes holding a descriptor of the link. */
  holders: Array<{ pid: number; comm: string }>;
  /** Where the link is pinned. */
  pins: string[];
}

const BPF_LINK_TYPE_XDP = 6;
const ENOENT = 2;
// What /proc/PID/fd shows for a link's descriptor: "bpf_link" when created, "bpf-link" when
// opened from a pin (Linux 6.x).
const LINK_INODE = /^anon_inode:bpf[-_]link$/;

/** The XDP program attached to ifindex (in this thread's network namespace), or undefined. */
export function xdpHolder(ifindex: number): XdpHolder | undefined {
  const attached = attachedProgram(ifindex);
  if (!attached) return undefined;
  const h: XdpHolder = { ...attached, via: "unknown", holders: [], pins: [] };
  const name = programName(h.progId);
  if (name) h.progName = name;
  for (const [pid, fd] of linkDescriptors()) {
    const info = fdinfo(`/proc/${pid}/fdinfo/${fd}`);
    if (!matches(info, h.progId, ifindex)) continue;
    h.via = "link";
    h.linkId = Number(info.link_id);
    if (!h.holders.some((p) => p.pid === pid)) h.holders.push({ pid, comm: comm(pid) });
  }
  const linkId = listedLink(h.progId, ifindex);
  if (linkId !== undefined) {
    h.via = linkId === 0 ? "netlink" : "link";
    if (linkId !== 0) h.linkId = linkId;
  }
  if (h.via === "link" && h.linkId !== undefined) h.pins = pinsOf(h.linkId);
  return h;
}

/** What frees the hook: each command to run is in backquotes, to follow as written. */
export function freeingAdvice(iface: string, h: XdpHolder): string {
  const prog = `XDP program ${h.progId}${h.progName ? ` (${h.progName})` : ""}`;
  const off = `\`ip link set dev ${iface} ${{ native: "xdpdrv", generic: "xdpgeneric", offload: "xdpoffload" }[h.mode]} off\``;
  const pins = h.pins.map((p) => `\`rm ${p}\``).join(", ");
  if (h.via === "netlink") {
    if (h.progName === "xdp_dispatcher") {
      return `${prog} is attached to ${iface} by libxdp (its multi-program dispatcher, as xdp-loader attaches), ` +
        `not through a bpf_link: detach it with \`xdp-loader unload ${iface} --all\``;
    }
    return `${prog} is attached to ${iface} (${h.mode} mode) through netlink (ip link, xdp-loader), not a bpf_link: detach it with ${off}`;
  }
  if (h.via === "link") {
    const link = `${prog} is attached to ${iface} (${h.mode} mode) through bpf_link ${h.linkId}`;
    const why = `a bpf_link stays attached while a process holds it or a pin names it, and netlink (ip link set dev ${iface} xdp off) cannot remove it`;
    const self = h.holders.find((p) => p.pid === process.pid);
    if (self) {
      return `${link}, held by this process: close the XdpSocket or XdpProgram that attached it, or share its program ` +
        `(XdpSocket.open({ program }))${pins ? `, and remove its pin (${pins})` : ""}`;
    }
    if (h.holders.length > 0) {
      const who = h.holders.map((p) => `process ${p.pid} (${p.comm})`).join(", ");
      const kill = h.holders.map((p) => `\`kill ${p.pid}\``).join(", ");
      return `${link}, held by ${who}: ${why}; stop that process (${kill})${pins ? ` and remove its pin (${pins})` : ""}`;
    }
    if (pins) return `${link}, pinned (no process holds it): ${why}; remove the pin (${pins})`;
    return `${link}, which no process visible to this one holds and no pin in a mounted bpffs names: ${why}; ` +
      `stop the process that holds it (\`bpftool link show\`, as root, names it)`;
  }
  return `${prog} is attached to ${iface} (${h.mode} mode). If a process holds it through a bpf_link (as xdpfeed does), ` +
    `stop that process (\`bpftool link show\`, as root, names it) or remove the link's pin; if it was attached with ip link, ` +
    `${off} detaches it`;
}

// bpf_xdp_query: struct bpf_xdp_query_opts { size_t sz; u32 prog_id, drv_prog_id, hw_prog_id,
// skb_prog_id; u8 attach_mode; } as in libbpf 1.1 (later fields are left out: sz says so).
function attachedProgram(ifindex: number): { progId: number; mode: XdpAttachMode } | undefined {
  const bpf = libbpf();
  if (bpf.bpf_xdp_query) {
    const o = new DataView(new ArrayBuffer(32));
    o.setBigUint64(0, 32n, true);
    if (bpf.bpf_xdp_query(ifindex, 0, new Uint8Array(o.buffer)) === 0) {
      const [drv, hw, skb] = [o.getUint32(12, true), o.getUint32(16, true), o.getUint32(20, true)];
      if (drv) return { progId: drv, mode: "native" };
      if (skb) return { progId: skb, mode: "generic" };
      if (hw) return { progId: hw, mode: "offload" };
      return undefined;
    }
  }
  for (const [flags, mode] of [[4, "native"], [2, "generic"], [8, "offload"]] as const) {
    const id = new Uint32Array(1);
    if (bpf.bpf_xdp_query_id(ifindex, flags, id) === 0 && id[0] !== 0) return { progId: id[0], mode };
  }
  return undefined;
}

// Every [pid, fd] of a bpf_link descriptor in the processes this one may look into.
function* linkDescriptors(): Generator<[number, string]> {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      try {
        if (LINK_INODE.test(readlinkSync(`/proc/${entry}/fd/${fd}`))) yield [Number(entry), fd];
      } catch {
        // closed meanwhile
      }
    }
  }
}

function fdinfo(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    for (const line of readFileSync(path, "utf8").split("\n")) {
      const m = /^(\w+):\s*(.*)$/.exec(line);
      if (m) out[m[1]] = m[2];
    }
  } catch {
    // closed meanwhile
  }
  return out;
}

function matches(info: Record<string, string>, progId: number, ifindex: number): boolean {
  return info.link_type === "xdp" && Number(info.prog_id) === progId && (info.ifindex === undefined || Number(info.ifindex) === ifindex);
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "?";
  }
}

// The id of the XDP link with this program on this interface from the kernel's list of links;
// 0 when the list has none (a netlink attachment); undefined when this process may not list
// them (CAP_SYS_ADMIN). libbpf returns -errno: -ENOENT at the end of the list.
function listedLink(progId: number, ifindex: number): number | undefined {
  const bpf = libbpf();
  const next = new Uint32Array(1);
  for (let id = 0; ;) {
    const rc = bpf.bpf_link_get_next_id(id, next);
    if (rc === -ENOENT) return 0;
    if (rc !== 0) return undefined;
    id = next[0];
    const fd = bpf.bpf_link_get_fd_by_id(id);
    if (fd === -ENOENT) continue; // released meanwhile
    if (fd < 0) return undefined;
    try {
      // struct bpf_link_info { u32 type, id, prog_id; union { ... struct { u32 ifindex; } xdp; } } (union at 16)
      const info = new DataView(new ArrayBuffer(64));
      const len = new Uint32Array([64]);
      if (bpf.bpf_obj_get_info_by_fd(fd, new Uint8Array(info.buffer), len) !== 0) continue;
      if (info.getUint32(0, true) === BPF_LINK_TYPE_XDP && info.getUint32(8, true) === progId && info.getUint32(16, true) === ifindex) {
        return info.getUint32(4, true);
      }
    } finally {
      libc.close(fd);
    }
  }
}

function programName(progId: number): string | undefined {
  const bpf = libbpf();
  const fd = bpf.bpf_prog_get_fd_by_id(progId);
  if (fd < 0) return undefined;
  try {
    // struct bpf_prog_info: name[16] at offset 64.
    const info = new Uint8Array(256);
    const len = new Uint32Array([info.length]);
    if (bpf.bpf_obj_get_info_by_fd(fd, info, len) !== 0) return undefined;
    const name = info.subarray(64, 80);
    const end = name.indexOf(0);
    return Buffer.from(name.subarray(0, end < 0 ? 16 : end)).toString("latin1") || undefined;
  } finally {
    libc.close(fd);
  }
}

// Where bpf file systems are mounted (usually /sys/fs/bpf alone).
function bpffsMounts(): string[] {
  try {
    return readFileSync("/proc/self/mounts", "utf8").split("\n").map((l) => l.split(" ")).filter((f) => f[2] === "bpf").map((f) => f[1]);
  } catch {
    return [];
  }
}

// The files of the mounted bpffs that pin this link (a bounded walk: a bpffs holds few files).
function pinsOf(linkId: number): string[] {
  const bpf = libbpf();
  const found: string[] = [];
  let budget = 4096;
  const walk = (dir: string, depth: number): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries) {
      if (--budget < 0) return;
      const path = join(dir, e);
      let isDir = false;
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        continue;
      }
      if (isDir) {
        if (depth < 6) walk(path, depth + 1);
        continue;
      }
      const fd = bpf.bpf_obj_get(path);
      if (fd < 0) continue;
      try {
        if (LINK_INODE.test(readlinkSync(`/proc/self/fd/${fd}`)) && Number(fdinfo(`/proc/self/fdinfo/${fd}`).link_id) === linkId) {
          found.push(path);
        }
      } catch {
        // not ours to read
      } finally {
        libc.close(fd);
      }
    }
  };
  for (const mount of new Set(bpffsMounts())) walk(mount, 0);
  return found;
}
