// Typed errors: each names the failing call, the errno, the values that matter, and the fix.

import { createRequire } from "node:module";

// The errno's name, from koffi's table for this OS. koffi is loaded here only when a name is
// asked for, that is after a failed call through it, so that importing the errors (the CLI's
// help path does) loads no native code.
const require = createRequire(import.meta.url);
export function errnoName(code: number): string {
  const E = (require("koffi") as { os: { errno: Record<string, number> } }).os.errno;
  for (const [name, value] of Object.entries(E)) if (value === code) return name;
  return `errno ${code}`;
}

/**
 * The base of every error xdpfeed throws: a stable `code`, the failing system call as `syscall`
 * (as in Node's SystemError) with its `errno` where there is one, and the underlying `cause`.
 */
export class XdpfeedError extends Error {
  readonly code: string;
  readonly syscall: string;
  readonly errno: number;
  constructor(code: string, message: string, o: { syscall?: string; errno?: number; cause?: unknown } = {}) {
    super(message, o.cause === undefined ? undefined : { cause: o.cause });
    this.name = "XdpfeedError";
    this.code = code;
    this.syscall = o.syscall ?? "";
    this.errno = o.errno ?? 0;
  }
}

export type XdpErrorCode =
  | "EPERM" | "ENOBUFS" | "ENODEV" | "EBUSY" | "EAFNOSUPPORT" | "EINVAL_QUEUE" | "ENOLIB"
  | "ERINGSIZE" | "ECONFIG" | "ECLOSED" | "ESYSCALL";

/** A socket, program or module could not be set up: the code says why, the message the fix. */
export class XdpError extends XdpfeedError {
  declare readonly code: XdpErrorCode;
  constructor(code: XdpErrorCode, message: string, syscall = "", errno = 0) {
    super(code, message, { syscall, errno });
    this.name = "XdpError";
  }
}

export interface ErrorContext {
  iface?: string;
  queue?: number;
  umemBytes?: number;
  memlock?: bigint;
}

const PRIVS = "CAP_NET_ADMIN, CAP_BPF and CAP_NET_RAW";

function kib(n: number | bigint): string {
  return n === -1n || n === 0xffffffffffffffffn ? "unlimited" : `${Number(n) / 1024} KiB`;
}

// Turns a failed syscall into the error a user can act on.
export function syscallError(call: string, err: number, ctx: ErrorContext = {}): XdpError {
  const name = errnoName(err);
  const at = ctx.iface !== undefined ? ` on ${ctx.iface}` + (ctx.queue !== undefined ? ` queue ${ctx.queue}` : "") : "";
  switch (name) {
    case "EPERM":
    case "EACCES":
      return new XdpError("EPERM",
        `${call}${at} failed with ${name}: AF_XDP and XDP need ${PRIVS}; run as root, or grant them ` +
        `(setcap cap_net_admin,cap_bpf,cap_net_raw,cap_ipc_lock+ep "$(command -v node)")`, call, err);
    case "ENOBUFS":
      return new XdpError("ENOBUFS",
        `${call}${at} failed with ENOBUFS: the UMEM (${ctx.umemBytes ?? "?"} bytes) exceeds RLIMIT_MEMLOCK ` +
        `(${ctx.memlock !== undefined ? kib(ctx.memlock) : "?"}); raise it (ulimit -l unlimited, or ` +
        `LimitMEMLOCK=infinity for a systemd service) or grant CAP_IPC_LOCK`, call, err);
    case "ENODEV":
      return new XdpError("ENODEV",
        `${call} failed: no network interface named '${ctx.iface}' (list them with: ip link)`, call, err);
    case "EBUSY":
      return new XdpError("EBUSY", call.startsWith("bind")
        ? `${call}${at} failed with EBUSY: another AF_XDP socket is bound to this queue; close it or choose another queue`
        : `${call}${at} failed with EBUSY: an XDP program is already attached to ${ctx.iface}; detach it ` +
          `(ip link set dev ${ctx.iface} xdp off) or close the xdpfeed socket that owns it`, call, err);
    case "EAFNOSUPPORT":
      return new XdpError("EAFNOSUPPORT",
        `${call} failed with EAFNOSUPPORT: this kernel has no AF_XDP sockets; it needs Linux >= 5.4 ` +
        `built with CONFIG_XDP_SOCKETS=y (or use the kernel-socket mode)`, call, err);
    default:
      return new XdpError("ESYSCALL", `${call}${at} failed with ${name}`, call, err);
  }
}
