// Typed errors: each names the failing call, the errno, the values that matter, and the fix.

import { createRequire } from "node:module";
import { holds, effectiveCapabilities, permissionAdvice, PRIVILEGE_DOC, type Capability } from "./capabilities.js";

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
  | "EPERM" | "EVERIFIER" | "ENOBUFS" | "ENODEV" | "EBUSY" | "EAFNOSUPPORT" | "EINVAL_QUEUE" | "ENOLIB"
  | "ERINGSIZE" | "ECONFIG" | "ECLOSED" | "ESYSCALL";

/** A socket, program or module could not be set up: the code says why, the message the fix. */
export class XdpError extends XdpfeedError {
  declare readonly code: XdpErrorCode;
  /** EVERIFIER: the kernel verifier's log of the refused program, when libbpf could collect it. */
  readonly verifierLog: string | undefined;
  constructor(code: XdpErrorCode, message: string, syscall = "", errno = 0, verifierLog?: string) {
    super(code, message, { syscall, errno });
    this.name = "XdpError";
    this.verifierLog = verifierLog;
  }
}

export interface ErrorContext {
  iface?: string;
  queue?: number;
  umemBytes?: number;
  memlock?: bigint;
  /** The capabilities the failing step needs: an EPERM names those this thread lacks. */
  caps?: readonly Capability[];
}

function kib(n: number | bigint): string {
  return n === -1n || n === 0xffffffffffffffffn ? "unlimited" : `${Number(n) / 1024} KiB`;
}

// Turns a failed syscall into the error a user can act on.
export function syscallError(call: string, err: number, ctx: ErrorContext = {}): XdpError {
  const name = errnoName(err);
  const at = ctx.iface !== undefined ? ` on ${ctx.iface}` + (ctx.queue !== undefined ? ` queue ${ctx.queue}` : "") : "";
  switch (name) {
    case "EPERM":
      return new XdpError("EPERM", `${call}${at} failed with EPERM: ${permissionAdvice(ctx.caps)}`, call, err);
    case "EACCES":
      if (/^bpf_(object__load|prog_load)/.test(call)) return verifierError(call, err, { iface: ctx.iface });
      return new XdpError("ESYSCALL", `${call}${at} failed with EACCES: permission denied`, call, err);
    case "ENOBUFS":
      return new XdpError("ENOBUFS",
        `${call}${at} failed with ENOBUFS: the UMEM (${ctx.umemBytes ?? "?"} bytes) exceeds RLIMIT_MEMLOCK ` +
        `(${ctx.memlock !== undefined ? kib(ctx.memlock) : "?"}), which counts every UMEM of this user together; ` +
        `raise it (ulimit -l unlimited; LimitMEMLOCK=infinity in a systemd unit; docker run --ulimit memlock=-1), ` +
        `grant CAP_IPC_LOCK, or make the rings smaller (geometry); see ${PRIVILEGE_DOC}`, call, err);
    case "ENODEV":
      return new XdpError("ENODEV",
        `${call} failed: no network interface named '${ctx.iface}' (list them with: ip link)`, call, err);
    case "EBUSY":
      return new XdpError("EBUSY", call.startsWith("bind")
        ? `${call}${at} failed with EBUSY: another AF_XDP socket is bound to this queue; close it or choose another queue`
        : `${call}${at} failed with EBUSY: an XDP program is already attached to ${ctx.iface}; ` +
          `\`ip link show dev ${ctx.iface}\` shows its id`, call, err);
    case "EAFNOSUPPORT":
      return new XdpError("EAFNOSUPPORT",
        `${call} failed with EAFNOSUPPORT: this kernel has no AF_XDP sockets; it needs Linux >= 5.4 ` +
        `built with CONFIG_XDP_SOCKETS=y (or use the kernel-socket mode)`, call, err);
    default:
      return new XdpError("ESYSCALL", `${call}${at} failed with ${name}`, call, err);
  }
}

export interface VerifierContext {
  iface?: string;
  /** The verifier's log (libbpf's retry at log level 1), possibly cut to its last part. */
  log?: string;
  /** Whether the object is xdpfeed's own (not an `object` option). */
  ownObject?: boolean;
}

/**
 * The verifier refused the program (BPF_PROG_LOAD's EACCES; ENOSPC when its log outgrew the
 * buffer): its reason, whether CAP_PERFMON (which relaxes the verifier) is missing, and the fix.
 */
export function verifierError(call: string, err: number, ctx: VerifierContext = {}): XdpError {
  const at = ctx.iface !== undefined ? ` on ${ctx.iface}` : "";
  const reason = verifierReason(ctx.log);
  const eff = effectiveCapabilities();
  const own = ctx.ownObject ?? true;
  const perfmon = eff === undefined || holds("CAP_PERFMON", eff);
  const fix = !perfmon
    ? "without CAP_PERFMON (this process lacks it) the verifier refuses a program that does arithmetic " +
      "between a packet pointer and a register or tests a packet pointer against NULL; " +
      (own
        ? "xdpfeed's own program does neither, so this kernel's verifier differs: grant CAP_PERFMON as well " +
          "(or run as root), and report it with the error's verifierLog"
        : "this object may: grant CAP_PERFMON as well, or run as root, or load xdpfeed's own program (leave out `object`)")
    : own
      ? "it was refused with CAP_PERFMON held: this kernel's verifier does not accept xdpfeed's program; report it with the error's verifierLog"
      : "it was refused with CAP_PERFMON held: the program itself must change; the error's verifierLog has the verifier's reasons";
  return new XdpError("EVERIFIER",
    `${call}${at} failed with ${errnoName(err)}: the kernel's verifier refused the XDP program` +
    `${reason ? ` (${JSON.stringify(reason)})` : ""}; ${fix}`, call, err, ctx.log || undefined);
}

// The verifier's own complaint: the last line of its log before the summary it always ends with.
function verifierReason(log: string | undefined): string | undefined {
  const trailer = /^(verification time|processed \d+ insns|stack depth|mark_precise|-- END|\s*$)/;
  return log?.split("\n").reverse().find((l) => !trailer.test(l))?.trim();
}
