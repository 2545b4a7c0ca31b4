// openFeed: one entry point for receiving a feed, by AF_XDP when the host allows it and by
// ordinary kernel UDP sockets when it does not. Both modes run the same compiled parser and are
// read the same way (FeedSource): poll(max) returns the number of records in `ticks`, valid
// until the next poll.
//
// mode "auto" (the default) tries XDP and falls back to the socket only on the errors that mean
// "XDP cannot run on this host as it is" (XDP_FALLBACK_CODES):
//   EPERM         no CAP_NET_ADMIN/CAP_BPF/CAP_NET_RAW (or a seccomp/LSM policy refusing bpf())
//   EVERIFIER     this kernel's verifier refuses the XDP program
//   EAFNOSUPPORT  a kernel without AF_XDP sockets (CONFIG_XDP_SOCKETS)
//   ENOLIB        libxdp or libbpf not installed
//   ENOBUFS       the UMEM does not fit RLIMIT_MEMLOCK and there is no CAP_IPC_LOCK
// Everything else fails as in mode "xdp", because falling back would hide a mistake or lose
// data: EBUSY (another XDP program or AF_XDP socket owns the interface or queue, and it may be
// redirecting this very feed's frames past the kernel stack, so a kernel socket could receive
// nothing), ENODEV (no such interface: wrong for a socket too), EINVAL_QUEUE, ERINGSIZE and
// ECONFIG (configuration errors, including a missing bpf/xdpfeed.bpf.o build), ESYSCALL.
// modeReason says which mode runs and why, e.g.
//   "socket: auto fell back from AF_XDP (EPERM): bpf_object__load(xdpfeed) on eth1 failed ..."
//
// mode "xdp" opens a FeedReceiver and throws its XdpError; mode "socket" opens a
// KernelFeedReceiver and never touches XDP (no program, no AF_XDP socket, no libxdp).
//
// Multicast: in socket mode the receiving sockets join the group. In XDP mode the XDP program
// redirects only frames to the group (`dst`), and a plain UDP socket joins it too
// (IP_ADD_MEMBERSHIP on the interface), so that the NIC's multicast filter and IGMP-snooping
// switches deliver the group while AF_XDP takes the frames; that socket is held for the
// source's life and closed by close().
//
// Everything happens synchronously in the calling thread, so inNetns(ns, () => openFeed(...))
// puts the AF_XDP socket, the XDP program and the kernel sockets in namespace ns.
//
// wait(timeoutMs) blocks the thread in poll(2) on the AF_XDP socket or on the kernel sockets (up
// to timeoutMs) and returns whether data is ready: a boolean in both modes, allocating nothing.
// poll() receives by itself in both modes (no need to yield to the event loop), so
// `for (;;) { const n = src.poll(); ...; if (n === 0) src.wait(ms); }` works either way, in a
// worker or on the main thread (where `await src.wait(ms)` or batches() lets the event loop turn).

import { enableBook, type BookCapacities, type BookView } from "../book/book.js";
import { setRecordFilter, type RecordFilter } from "./record-filter.js";
import { closeSocket, isIPv4Multicast, membershipSocket } from "../../bridge/udp.js";
import { ifindexOf } from "../../bridge/xsk.js";
import { XdpError, type XdpErrorCode } from "../../bridge/errors.js";
import type { SocketOptions } from "../socket/socket.js";
import { FeedReceiver, type ReceiveTimestamps } from "./receiver.js";
import { KernelFeedReceiver, type KernelFeedOptions } from "./kernel.js";
import type { TickView } from "./tick.js";
import type { MessageView } from "./message.js";
import type { ParserSummary } from "./summary.js";
import type { Feed } from "./feeds.js";
import { RecoveringSource } from "../recovery/recovering-source.js";
import type { RetransmitOptions, RecoveryExports } from "../recovery/retransmitter.js";
import { LateStartSource, type LateStartExports } from "../glimpse/late-start.js";
import type { SnapshotServer } from "../glimpse/load.js";
import type { WasmMemory } from "../../bridge/wasm.js";

export type FeedMode = "xdp" | "socket";

/** The XdpError codes on which mode "auto" falls back to kernel sockets. */
export const XDP_FALLBACK_CODES: readonly XdpErrorCode[] = ["EPERM", "EVERIFIER", "EAFNOSUPPORT", "ENOLIB", "ENOBUFS"];

/** A feed being received, by AF_XDP or by kernel sockets: read it the same way either way. */
export interface FeedSource {
  readonly feed: Feed;
  /** Which path runs. */
  readonly mode: FeedMode;
  /** Which path runs and why, e.g. "socket: auto fell back from AF_XDP (EPERM): ...". */
  readonly modeReason: string;
  /** Flyweight over the last poll's records: ticks.at(i) for i < the count poll() returned. */
  readonly ticks: TickView;
  /** Flyweight full-message view: message.at(ticks.msgOffset, ticks.msgLength). */
  readonly message: MessageView;
  /** Parses what arrived (up to max frames/datagrams) without blocking; returns the record count. */
  poll(max?: number): number;
  /** Releases what A/B arbitration holds (declaring open gaps); returns the records now in ticks. */
  flush(): number;
  /** Blocks the thread in poll(2) up to timeoutMs: true when data is ready, false on timeout or when closed. */
  wait(timeoutMs: number): boolean;
  summary(): ParserSummary;
  close(): void;
  /** The order book, when opened with one. */
  readonly book?: BookView;
  /** XDP mode: where the records' receiveTs comes from (the driver, or the poll), FeedReceiver.timestamps(). */
  timestamps?(): ReceiveTimestamps;
}

export interface OpenFeedOptions {
  /** The interface the feed arrives on. */
  iface: string;
  /** UDP destination ports of the feed. */
  ports: number[];
  /** A/B arbitration between two ports carrying the same sequence space (received even if not in ports). */
  lines?: [number, number];
  /** IPv4 multicast group the feed is sent to (joined on iface). */
  group?: string;
  /** XDP mode: the RX queue to bind (default 0). Socket mode ignores it. */
  queue?: number;
  /** Default "auto". */
  mode?: "auto" | "xdp" | "socket";
  /** Use the feed's debug build. */
  debug?: boolean;
  /** XDP-mode settings, as XdpSocket.open takes them. */
  xdp?: Pick<SocketOptions, "geometry" | "bind" | "attach" | "busyPoll" | "hwTimestamps">;
  /** Keep an order book (capacities, or true for the defaults): the source's `book`. */
  book?: BookCapacities | true;
  /**
   * Which messages get a tick record (default "all"): "book" for only the messages book events
   * name, or a list of message types (plus those); see FeedParserOptions.records.
   */
  records?: RecordFilter;
  /** Socket-mode settings, as KernelFeedReceiver.open takes them. */
  socket?: Pick<KernelFeedOptions, "localAddress" | "bindAddress" | "bufferBytes" | "maxDatagrams" | "socketBufferBytes" | "reuseAddr">;
  /**
   * Fill gaps from a MoldUDP64 retransmission server (MoldUDP64 feeds): a packet that opens a gap is
   * held while the missing messages are requested, and the stream goes on in sequence once they
   * come (or once the gap is given up). The summary then has `recovery`.
   */
  retransmit?: RetransmitOptions;
  /**
   * Start from a GLIMPSE snapshot (MoldUDP64 feeds): the live feed is held while the snapshot is
   * loaded into the book through the same parser, then applied from the snapshot's sequence on.
   * The source's `ready` resolves once the snapshot is loaded; poll() returns nothing before.
   */
  snapshot?: SnapshotServer;
}

/** The XDP path as a FeedSource: a FeedReceiver, plus the socket holding the group membership. */
export class XdpFeedSource implements FeedSource {
  readonly mode = "xdp" as const;
  readonly modeReason: string;
  readonly receiver: FeedReceiver;
  readonly feed: Feed;
  readonly ticks: TickView;
  readonly message: MessageView;
  /** The multicast group held open by a kernel socket, if any. */
  readonly group: string | undefined;
  get book(): BookView | undefined {
    return this.receiver.book;
  }
  #membershipFd: number;
  #closed = false;

  constructor(receiver: FeedReceiver, modeReason: string, group?: string, membershipFd = -1) {
    this.receiver = receiver;
    this.modeReason = modeReason;
    this.feed = receiver.feed;
    this.ticks = receiver.ticks;
    this.message = receiver.message;
    this.group = group;
    this.#membershipFd = membershipFd;
  }

  poll(max = 64): number {
    return this.#closed ? 0 : this.receiver.poll(max);
  }

  flush(): number {
    return this.#closed ? 0 : this.receiver.flush();
  }

  wait(timeoutMs: number): boolean {
    return this.#closed ? false : this.receiver.wait(timeoutMs);
  }

  summary(): ParserSummary {
    return this.receiver.summary();
  }

  timestamps(): ReceiveTimestamps {
    return this.receiver.timestamps();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.receiver.close();
    } finally {
      if (this.#membershipFd >= 0) closeSocket(this.#membershipFd);
      this.#membershipFd = -1;
    }
  }
}

function openXdp(feed: Feed, o: OpenFeedOptions, reason: (r: FeedReceiver) => string): XdpFeedSource {
  const rx = FeedReceiver.open(feed, {
    ...o.xdp, iface: o.iface, queue: o.queue, ports: o.ports, lines: o.lines, dst: o.group, debug: o.debug, book: o.book,
    records: o.records,
  });
  let fd = -1;
  try {
    if (o.group !== undefined) fd = membershipSocket(o.group, { ifindex: ifindexOf(o.iface), iface: o.iface });
  } catch (e) {
    rx.close();
    throw e;
  }
  return new XdpFeedSource(rx, reason(rx), o.group, fd);
}

function describe(r: FeedReceiver, o: OpenFeedOptions): string {
  const s = r.socket;
  return `AF_XDP on ${o.iface} queue ${o.queue ?? 0} (${s.program?.mode ?? "shared"} XDP, ${s.xsk.zeroCopy ? "zero-copy" : "copy"} bind)` +
    (o.group ? `, group ${o.group}` : "");
}

function openSocket(feed: Feed, o: OpenFeedOptions, modeReason: string): KernelFeedReceiver {
  const r = KernelFeedReceiver.open(feed, {
    ...o.socket, ports: o.ports, lines: o.lines, group: o.group, iface: o.iface, debug: o.debug, modeReason,
  });
  try {
    setRecordFilter(r.parser.memory, r.parser.x, feed.name, o.records);
  } catch (e) {
    r.close();
    throw e;
  }
  if (o.book) {
    try {
      r.book = enableBook(r.parser, o.book === true ? {} : o.book);
    } catch (e) {
      r.close();
      throw e;
    }
  }
  return r;
}

/**
 * Opens a feed on iface and ports: by AF_XDP (mode "xdp"), by kernel UDP sockets (mode
 * "socket"), or by AF_XDP when the host allows it and kernel sockets otherwise (mode "auto",
 * the default; see XDP_FALLBACK_CODES). The result says which in `mode` and why in `modeReason`.
 */
export function openFeed(feed: Feed, opts: OpenFeedOptions): FeedSource {
  if (opts.retransmit === undefined && opts.snapshot === undefined) return openPath(feed, opts);
  if (feed.framing !== "moldudp64") {
    throw new XdpError("ECONFIG", `${opts.retransmit ? "retransmit" : "snapshot"} is for MoldUDP64 feeds: ${feed.name} is framed by ${feed.framing}`);
  }
  const path = openPath(feed, opts);
  let src: FeedSource = path;
  try {
    const { memory, x } = parserOf(path);
    if (opts.retransmit) src = new RecoveringSource(src, memory, x as unknown as RecoveryExports, opts.retransmit);
    if (opts.snapshot) src = new LateStartSource(src, memory, x as unknown as LateStartExports, opts.snapshot);
    return src;
  } catch (e) {
    src.close();
    throw e;
  }
}

// The memory and parser exports of the path that receives.
function parserOf(src: FeedSource): { memory: WasmMemory; x: unknown } {
  if (src instanceof XdpFeedSource) return { memory: src.receiver.socket.memory, x: src.receiver.socket.module };
  const k = src as KernelFeedReceiver;
  return { memory: k.parser.memory, x: k.parser.x };
}

function openPath(feed: Feed, opts: OpenFeedOptions): FeedSource {
  const mode = opts.mode ?? "auto";
  if (mode !== "auto" && mode !== "xdp" && mode !== "socket") throw new XdpError("ECONFIG", `invalid mode '${mode}', expected auto, xdp or socket`);
  if (!opts.ports?.length && !opts.lines) throw new XdpError("ECONFIG", "no UDP port to receive: pass ports");
  if (opts.group !== undefined && !isIPv4Multicast(opts.group)) {
    throw new XdpError("ECONFIG", `group ${opts.group} is not an IPv4 multicast address (224.0.0.0/4)`);
  }
  if (mode === "socket") return openSocket(feed, opts, "socket: mode 'socket' requested");
  if (mode === "xdp") return openXdp(feed, opts, (r) => `xdp: mode 'xdp' requested; ${describe(r, opts)}`);
  try {
    return openXdp(feed, opts, (r) => `xdp: auto, XDP available; ${describe(r, opts)}`);
  } catch (e) {
    if (!(e instanceof XdpError) || !XDP_FALLBACK_CODES.includes(e.code)) throw e;
    try {
      return openSocket(feed, opts, `socket: auto fell back from AF_XDP (${e.code}): ${e.message}`);
    } catch (e2) {
      if (e2 instanceof Error) e2.message += ` (in the kernel-socket fallback: AF_XDP had failed with ${e.code})`;
      throw e2;
    }
  }
}
