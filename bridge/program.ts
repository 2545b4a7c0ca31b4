// The XDP program on an interface: opened with libxdp, loaded with libbpf, attached as a
// bpf_link. A link (not a netlink attachment, not a libxdp dispatcher pinned in bpffs) is
// owned by its file descriptor, so the kernel detaches the program when the last descriptor
// closes: after close(), exit, a crash or SIGKILL the interface is left as it was found.
//
// Receive timestamps: both programs of the object stamp every frame they redirect (metadata in
// bpf/xdpfeed.h). The one that also asks the driver for the NIC's timestamp calls a kfunc the
// kernel (6.3+) allows only in a program loaded bound to the device (prog_ifindex and
// BPF_F_XDP_DEV_BOUND_ONLY) and attached in native mode; it is tried first, and when its load or
// its native attach fails (an older kernel, a libbpf without bpf_program__set_ifindex, mode
// "generic", a driver that refuses), the unbound program is loaded and attached as before:
// `timestamps` says which ("driver+hw" or "driver") and `timestampsReason` why.

import { existsSync } from "node:fs";
import { isIP } from "node:net";
import { libc, addressOf } from "./libc.js";
import { libbpf, libxdp } from "./libbpf.js";
import { XdpError, syscallError, verifierError } from "./errors.js";
import { STEP_CAPABILITIES, type Capability } from "./capabilities.js";
import { freeingAdvice, xdpHolder } from "./xdp-owner.js";
import { ifindexOf } from "./xsk.js";
import { track, untrack } from "./lifecycle.js";
import * as A from "./bpf-abi.js";
import { BPF_OBJECT } from "./assets.js";

const BPF_XDP = 37; // enum bpf_attach_type
const XDP_FLAGS_SKB_MODE = 2;
const XDP_FLAGS_DRV_MODE = 4;
const BPF_F_XDP_DEV_BOUND_ONLY = 1 << 6; // <linux/bpf.h>, Linux 6.3
// The stats map's size before the receive metadata counters (NO_META, HW_TS) were added.
const XDPFEED_STATS_BEFORE_META = 4;

export const DEFAULT_OBJECT = BPF_OBJECT;

export type AttachMode = "auto" | "native" | "generic";

export interface ProgramOptions {
  iface: string;
  /** UDP destination ports redirected to AF_XDP sockets; everything else goes to the kernel. */
  ports: number[];
  /** Only frames to this destination (unicast or multicast group, IPv4 or IPv6) are redirected. */
  dst?: string;
  /** "auto" tries native (driver) XDP, then generic (SKB) XDP. */
  mode?: AttachMode;
  /** Path of the compiled XDP object (default: the one shipped in bpf/). */
  object?: string;
  /**
   * Ask the driver for NIC receive timestamps (a device-bound program, native mode only), falling
   * back to the unbound program when that cannot load or attach. Default true; false loads the
   * unbound program straight away.
   */
  hwTimestamps?: boolean;
}

/**
 * What the attached program puts in front of each redirected frame: "driver+hw", its
 * bpf_ktime_get_ns() stamp and the NIC's timestamp where the driver gives one (device-bound
 * program); "driver", the stamp only.
 */
export type ProgramTimestamps = "driver+hw" | "driver";

/** Plain data that lets another thread of the same process use an attached program. */
export interface ProgramHandle {
  iface: string;
  ifindex: number;
  mode: "native" | "generic";
  xsksMapFd: number;
  statsMapFd: number;
  timestamps: ProgramTimestamps;
  /** Why the device-bound program (NIC timestamps) is not the one attached, when it is not. */
  timestampsReason?: string;
}

export interface ProgramCounters {
  redirected: bigint;
  passed: bigint;
  tooShort: bigint;
  noSocket: bigint;
  /** Redirected without receive metadata (bpf_xdp_adjust_meta failed). */
  noMeta: bigint;
  /** Redirected with the NIC's timestamp in the metadata. */
  hwTimestamps: bigint;
}

function check(rc: number, call: string, iface?: string, caps: readonly Capability[] = STEP_CAPABILITIES.bpf): void {
  // libbpf 1.x returns -errno (and sets errno).
  if (rc < 0) throw syscallError(call, -rc, { iface, caps });
}

const ENOSPC = 28;
const EACCES = 13;
// The verifier's log of a refused program: libbpf loads without a log first and, when the load
// fails, again at log level 1 into this buffer. The kernel (6.4+) keeps the log's end when it
// overflows, which is where the reason is, and then fails with ENOSPC instead of EACCES.
const VERIFIER_LOG_BYTES = 1 << 20;

function u32(v: number): Uint32Array {
  return new Uint32Array([v]);
}

export class XdpProgram {
  readonly iface: string;
  readonly ifindex: number;
  readonly mode: "native" | "generic";
  readonly xsksMapFd: number;
  readonly statsMapFd: number;
  readonly timestamps: ProgramTimestamps;
  readonly timestampsReason: string | undefined;
  readonly #portsMapFd: number;
  readonly #configMapFd: number;
  readonly #linkFd: number;
  readonly #prog: unknown;
  #closed = false;

  private constructor(h: ProgramHandle, portsMapFd: number, configMapFd: number, linkFd: number, prog: unknown) {
    this.iface = h.iface;
    this.ifindex = h.ifindex;
    this.mode = h.mode;
    this.xsksMapFd = h.xsksMapFd;
    this.statsMapFd = h.statsMapFd;
    this.timestamps = h.timestamps;
    this.timestampsReason = h.timestampsReason;
    this.#portsMapFd = portsMapFd;
    this.#configMapFd = configMapFd;
    this.#linkFd = linkFd;
    this.#prog = prog;
  }

  static attach(opts: ProgramOptions): XdpProgram {
    const ifindex = ifindexOf(opts.iface);
    const file = opts.object ?? DEFAULT_OBJECT;
    if (!existsSync(file)) throw new XdpError("ECONFIG", `XDP object ${file} not found (build it with: npm run build:bpf)`);
    for (const p of opts.ports) {
      if (!Number.isInteger(p) || p < 1 || p > 65535) throw new XdpError("ECONFIG", `invalid UDP port ${p}, expected 1..65535`);
    }
    if (opts.ports.length === 0) throw new XdpError("ECONFIG", "no UDP port to redirect: pass at least one port");
    const config = configBytes(opts.dst);
    const mode = opts.mode ?? "auto";
    let reason: string;
    if (opts.hwTimestamps === false) reason = "hwTimestamps: false";
    else if (mode === "generic") reason = "generic XDP: a device-bound program attaches in native mode only";
    else {
      try {
        return XdpProgram.#load(opts, ifindex, file, config, "native", undefined);
      } catch (e) {
        // EBUSY: something else holds the interface; the unbound program would fail the same way.
        if (e instanceof XdpError && e.code === "EBUSY") throw e;
        reason = `device-bound program: ${(e as Error).message}`;
      }
    }
    return XdpProgram.#load(opts, ifindex, file, config, mode, reason);
  }

  // Opens the object and loads one of its programs: the device-bound one (NIC timestamps) when
  // unboundReason is undefined, else the unbound one; configures the maps and attaches it.
  static #load(opts: ProgramOptions, ifindex: number, file: string, config: Uint8Array, mode: AttachMode,
    unboundReason: string | undefined): XdpProgram {
    const bound = unboundReason === undefined;
    const bpf = libbpf();
    const x = libxdp();
    const prog = x.xdp_program__open_file(file, "xdp", null);
    const openErr = Number(x.libxdp_get_error(prog));
    if (openErr !== 0 || prog === null) throw syscallError(`xdp_program__open_file(${file})`, -openErr || 22);
    let linkFd = -1;
    try {
      const obj = x.xdp_program__bpf_obj(prog);
      const name = bound ? A.XDPFEED_PROG_HW_NAME : A.XDPFEED_PROG_NAME;
      const p = bpf.bpf_object__find_program_by_name(obj, name);
      if (p === null) throw new XdpError("ECONFIG", `${file} has no program ${name}`);
      // Load only the chosen program: the device-bound one fails to load unbound.
      const other = bpf.bpf_object__find_program_by_name(obj, bound ? A.XDPFEED_PROG_NAME : A.XDPFEED_PROG_HW_NAME);
      if (other !== null) check(bpf.bpf_program__set_autoload(other, false), "bpf_program__set_autoload");
      check(bpf.bpf_program__set_autoload(p, true), "bpf_program__set_autoload");
      if (bound) {
        if (!bpf.bpf_program__set_ifindex || !bpf.bpf_program__set_flags || !bpf.bpf_program__flags) {
          throw new XdpError("ENOLIB", "this libbpf has no bpf_program__set_ifindex / bpf_program__set_flags");
        }
        bpf.bpf_program__set_ifindex(p, ifindex);
        check(bpf.bpf_program__set_flags(p, bpf.bpf_program__flags(p) | BPF_F_XDP_DEV_BOUND_ONLY), "bpf_program__set_flags");
      }
      const log = bpf.bpf_program__set_log_buf ? new Uint8Array(VERIFIER_LOG_BYTES) : undefined;
      if (log) check(bpf.bpf_program__set_log_buf!(p, addressOf(log.buffer), log.length), "bpf_program__set_log_buf");
      const call = `bpf_object__load(xdpfeed${bound ? ", device-bound" : ""})`;
      const rc = bpf.bpf_object__load(obj);
      if (rc < 0) {
        const text = log ? new TextDecoder().decode(log.subarray(0, Math.max(0, log.indexOf(0)))) : "";
        if (-rc === EACCES || (-rc === ENOSPC && text !== "")) {
          throw verifierError(call, -rc, { iface: opts.iface, log: text, ownObject: opts.object === undefined });
        }
        check(rc, call, opts.iface, STEP_CAPABILITIES.program);
      }
      const progFd = bpf.bpf_program__fd(p);
      const mapFd = (name: string): number => {
        const fd = bpf.bpf_object__find_map_fd_by_name(obj, name);
        if (fd < 0) throw new XdpError("ECONFIG", `${file} has no map ${name}`);
        return fd;
      };
      const xsksMapFd = mapFd(A.XDPFEED_XSKS_MAP_NAME);
      const portsMapFd = mapFd(A.XDPFEED_PORTS_MAP_NAME);
      const configMapFd = mapFd(A.XDPFEED_CONFIG_MAP_NAME);
      const statsMapFd = mapFd(A.XDPFEED_STATS_MAP_NAME);
      // Configure before attaching: the program must never see a half-written config.
      check(bpf.bpf_map_update_elem(configMapFd, u32(0), config, 0), "bpf_map_update_elem(config_map)");
      for (const port of opts.ports) check(bpf.bpf_map_update_elem(portsMapFd, u32(port), u32(1), 0), "bpf_map_update_elem(ports_map)");
      let attached: "native" | "generic";
      [linkFd, attached] = attachLink(progFd, ifindex, mode, opts.iface);
      const h: ProgramHandle = { iface: opts.iface, ifindex, mode: attached, xsksMapFd, statsMapFd, timestamps: bound ? "driver+hw" : "driver" };
      if (unboundReason !== undefined) h.timestampsReason = unboundReason;
      const program = new XdpProgram(h, portsMapFd, configMapFd, linkFd, prog);
      track(program);
      return program;
    } catch (e) {
      if (linkFd >= 0) libc.close(linkFd);
      x.xdp_program__close(prog);
      throw e;
    }
  }

  handle(): ProgramHandle {
    const h: ProgramHandle = {
      iface: this.iface, ifindex: this.ifindex, mode: this.mode, xsksMapFd: this.xsksMapFd, statsMapFd: this.statsMapFd,
      timestamps: this.timestamps,
    };
    if (this.timestampsReason !== undefined) h.timestampsReason = this.timestampsReason;
    return h;
  }

  get closed(): boolean {
    return this.#closed;
  }

  setPort(port: number, on: boolean): void {
    check(libbpf().bpf_map_update_elem(this.#portsMapFd, u32(port), u32(on ? 1 : 0), 0), "bpf_map_update_elem(ports_map)");
  }

  /** Detaches the program (closing the link) and frees its maps. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    untrack(this);
    libc.close(this.#linkFd);
    libxdp().xdp_program__close(this.#prog);
  }
}

/** Sends a queue's frames to a socket (or back to the kernel with fd < 0). Any thread may call it. */
export function registerSocket(h: ProgramHandle, queue: number, fd: number): void {
  if (queue >= A.XDPFEED_XSKS_MAX) {
    throw new XdpError("ECONFIG", `queue ${queue} is beyond the program's ${A.XDPFEED_XSKS_MAX} socket slots`);
  }
  const bpf = libbpf();
  if (fd >= 0) check(bpf.bpf_map_update_elem(h.xsksMapFd, u32(queue), u32(fd), 0), "bpf_map_update_elem(xsks_map)");
  else bpf.bpf_map_delete_elem(h.xsksMapFd, u32(queue));
}

/**
 * The program's per-CPU counters, summed over CPUs. A program built before a counter existed (a
 * shared handle, an `object` of an earlier xdpfeed) has no slot for it: 0.
 */
export function programCounters(h: ProgramHandle): ProgramCounters {
  const bpf = libbpf();
  const cpus = bpf.libbpf_num_possible_cpus();
  const vals = new BigUint64Array(cpus);
  const sum = (index: number): bigint => {
    const rc = bpf.bpf_map_lookup_elem(h.statsMapFd, u32(index), vals);
    if (rc === -2 && index >= XDPFEED_STATS_BEFORE_META) return 0n; // ENOENT: beyond an older map
    check(rc, "bpf_map_lookup_elem(stats_map)");
    let s = 0n;
    for (const v of vals) s += v;
    return s;
  };
  return {
    redirected: sum(A.XDPFEED_STAT_REDIRECTED),
    passed: sum(A.XDPFEED_STAT_PASSED),
    tooShort: sum(A.XDPFEED_STAT_TOO_SHORT),
    noSocket: sum(A.XDPFEED_STAT_NO_SOCKET),
    noMeta: sum(A.XDPFEED_STAT_NO_META),
    hwTimestamps: sum(A.XDPFEED_STAT_HW_TS),
  };
}

function attachLink(progFd: number, ifindex: number, mode: AttachMode, iface: string): [number, "native" | "generic"] {
  const bpf = libbpf();
  const link = (flags: number): number => {
    // struct bpf_link_create_opts { size_t sz; __u32 flags; }: libbpf reads only sz bytes.
    const opts = new DataView(new ArrayBuffer(16));
    opts.setBigUint64(0, 16n, true);
    opts.setUint32(8, flags, true);
    return bpf.bpf_link_create(progFd, ifindex, BPF_XDP, new Uint8Array(opts.buffer));
  };
  let rc = mode === "generic" ? -1 : link(XDP_FLAGS_DRV_MODE);
  if (rc >= 0) return [rc, "native"];
  const nativeErr = -rc;
  // EBUSY/EEXIST: something is attached already; falling back would not help.
  if (mode === "native" || nativeErr === 16 || nativeErr === 17) throw linkError(`bpf_link_create(${iface}, native)`, nativeErr, ifindex, iface);
  rc = link(XDP_FLAGS_SKB_MODE);
  if (rc >= 0) return [rc, "generic"];
  throw linkError(`bpf_link_create(${iface}, generic)`, -rc, ifindex, iface);
}

// EBUSY and EEXIST (a program of the other mode is attached) both mean the hook is taken: the
// message says by what, and what frees it.
function linkError(call: string, err: number, ifindex: number, iface: string): XdpError {
  if (err !== 16 && err !== 17) return syscallError(call, err, { iface, caps: STEP_CAPABILITIES.program });
  const holder = xdpHolder(ifindex);
  if (!holder) return syscallError(call, 16, { iface });
  return new XdpError("EBUSY", `${call} failed with EBUSY: ${freeingAdvice(iface, holder)}`, call, 16);
}

function configBytes(dst: string | undefined): Uint8Array {
  const c = new Uint8Array(A.XDPFEED_CONFIG_SIZE);
  if (dst === undefined) return c;
  const family = isIP(dst);
  const dv = new DataView(c.buffer);
  if (family === 4) {
    dv.setUint32(0, A.XDPFEED_MATCH_IPV4, true);
    dst.split(".").forEach((o, i) => (c[4 + i] = Number(o))); // network order, as in the header
  } else if (family === 6) {
    dv.setUint32(0, A.XDPFEED_MATCH_IPV6, true);
    c.set(ipv6Bytes(dst), 8);
  } else {
    throw new XdpError("ECONFIG", `invalid destination address '${dst}', expected an IPv4 or IPv6 address`);
  }
  return c;
}

export function ipv6Bytes(addr: string): Uint8Array {
  const out = new Uint8Array(16);
  const [head, tail] = addr.includes("::") ? addr.split("::") : [addr, undefined];
  const words = (s: string | undefined): number[] => (s ? s.split(":").map((w) => parseInt(w, 16)) : []);
  const h = words(head);
  const t = words(tail);
  const all = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  all.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}
