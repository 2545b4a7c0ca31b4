// The kernel-socket fallback: a compiled feed parser fed from ordinary UDP sockets instead of an
// AF_XDP ring, for hosts where XDP cannot run (no privileges, no AF_XDP in the kernel, libxdp
// missing). The API is FeedReceiver's: poll(max) returns the number of tick records now in
// `ticks`, read in place (with `message`) until the next poll.
//
// poll() reads the sockets itself, with non-blocking recvmmsg(2) (bridge/udp.ts, RecvVector),
// straight into the parser's input region in the shared WebAssembly.Memory: the region is cut
// into fixed slots (`maxDatagrams` of `maxDatagramBytes`, within `bufferBytes`), shared out among
// the sockets, each socket's slots a ring. The kernel's copy is the only one; the batch table
// points at the slots, takes each datagram's length from its mmsghdr, and its receive time from
// the SO_TIMESTAMPNS control message the kernel wrote beside it (wall clock, ns). Nothing is
// allocated per poll or per datagram, empty polls included: an empty poll is one syscall
// (recvmmsg with one socket, poll(2) over several), koffi's arguments are numbers (addresses of
// buffers made once) and its results Smis, the counters live in a typed array, and no clock is
// read in JavaScript.
//
// Nothing received is lost silently. A datagram waits in its socket's kernel buffer until a
// poll has a slot for it; when that buffer is full the kernel drops and counts
// (stats().kernelDrops, SO_MEMINFO). A datagram longer than maxDatagramBytes reaches us
// truncated (MSG_TRUNC) and is discarded, counted (stats().dropped, droppedBytes with its real
// length); the parser sees the gap it leaves. With several sockets, each poll's datagrams are
// handed to the parser in kernel receive-time order across the sockets, as they arrived.
//
// Receive times are the kernel's software timestamps, taken as a datagram enters the network
// stack. The kernel turns them on for the whole system when the first socket asks (in deferred
// work): datagrams arriving in the first milliseconds after that may be stamped when read.
//
// Nothing depends on the event loop: poll() receives whether or not the caller ever yields, and
// wait(timeoutMs) blocks the thread in poll(2) on the sockets, as the XDP mode's wait does, and
// returns whether datagrams are ready (a boolean; `await` on it works too). So a socket-mode
// receiver runs the same in a worker_thread's busy loop, in runStrategy's interrupt mode, and on
// the main thread's event loop through batches(), where the event loop turns between polls and
// waits of a few milliseconds.
//
// The sockets are created with socket(2)/bind(2) on the calling thread (bridge/udp.ts), so
// open() is synchronous and its sockets belong to the network namespace the thread is in when
// it runs: inNetns(ns, () => KernelFeedReceiver.open(...)) receives in ns.

import type { BookView } from "../book/book.js";
import { isIPv4 } from "node:net";
import * as L from "../../assembly/layout.js";
import {
  bindUdpSocket, boundPort, closeSocket, isIPv4Multicast, socketMeminfo, RecvVector, PollSet, RECVMMSG_MAX, type JoinOn,
} from "../../bridge/udp.js";
import { addressOf, errnoName } from "../../bridge/libc.js";
import { ifindexOf } from "../../bridge/xsk.js";
import { XdpError } from "../../bridge/errors.js";
import { FeedParser } from "./parser.js";
import type { TickView } from "./tick.js";
import type { MessageView } from "./message.js";
import type { ParserSummary } from "./summary.js";
import type { Feed } from "./feeds.js";

/** Line index of a datagram on a port that is not an A/B line while arbitration is on. */
const NO_LINE = 255;

/** Default bytes of the receive region (in the parser's memory): maxDatagrams slots at most. */
export const DEFAULT_BUFFER_BYTES = 16 << 20;
/** Default receive slots: datagrams received and not yet parsed, at most (the batch table's size). */
export const DEFAULT_MAX_DATAGRAMS = L.BATCH_MAX;
/** Default largest datagram kept: the largest UDP payload over IPv4. */
export const DEFAULT_MAX_DATAGRAM_BYTES = 65507;
/** Default SO_RCVBUF asked of each socket (SO_RCVBUFFORCE when permitted, else capped by net.core.rmem_max). */
export const DEFAULT_SOCKET_BUFFER_BYTES = 8 << 20;

export interface KernelFeedOptions {
  /** UDP ports to receive on, one socket each; 0 takes a free port (see `ports` on the receiver). */
  ports: number[];
  /**
   * IPv4 multicast group to join: one for every port, or one per port (same order as `ports`;
   * undefined or "" for a unicast port).
   */
  group?: string | Array<string | undefined>;
  /** Interface to join groups on (by index: it needs no IPv4 address); checked to exist. */
  iface?: string;
  /** Address of the interface to join groups on, when iface is not given (default: the kernel's route to the group). */
  localAddress?: string;
  /** Address to bind: default the group for a multicast port (only that group's datagrams), else 0.0.0.0. */
  bindAddress?: string;
  /**
   * Bytes of the receive region, at most: maxDatagrams slots of maxDatagramBytes (rounded up to
   * 64 bytes), fewer when they do not fit. Default 16 MiB (255 slots of the default size).
   */
  bufferBytes?: number;
  /** Receive slots, at most: datagrams received and not yet parsed. Default 4096. */
  maxDatagrams?: number;
  /**
   * Largest datagram kept; a longer one is truncated by the kernel, so discarded and counted
   * (stats().dropped). Default 65507, any UDP datagram; 1472 (or 8972) suits a 1500-byte (or
   * jumbo) MTU feed and puts more slots in the same bufferBytes.
   */
  maxDatagramBytes?: number;
  /** Kernel receive buffer per socket (SO_RCVBUF): what waits for a poll. Default 8 MiB. */
  socketBufferBytes?: number;
  /** SO_REUSEADDR: several receivers of one group on a host. Default: true for multicast ports only. */
  reuseAddr?: boolean;
  /**
   * A/B arbitration: two of the ports carrying the same sequence space (as FeedReceiver.open's
   * lines); they are received whether or not `ports` lists them, and datagrams on other ports
   * are then rejected (summary().rejected.otherPort).
   */
  lines?: [number, number];
  /** Use the feed's debug build. */
  debug?: boolean;
  /** Why this receiver runs (FeedSource.modeReason); default "socket: opened directly". */
  modeReason?: string;
}

export interface KernelFeedStats {
  /** Datagrams received from the sockets (including those dropped below). */
  datagrams: number;
  /** Payload bytes received from the sockets (real lengths). */
  bytes: number;
  /** Datagrams discarded because they were longer than maxDatagramBytes (truncated by the kernel). */
  dropped: number;
  /** Their real lengths. */
  droppedBytes: number;
  /** Datagrams received and not yet parsed (stats() first takes what the sockets hold, as far as the slots allow). */
  pending: number;
  /** Datagrams handed to the parser. */
  parsed: number;
  /** recvmmsg/poll failures other than EAGAIN and EINTR (the receiver keeps running; see lastError). */
  errors: number;
  /** Datagrams the kernel dropped on these sockets (receive buffer full), SO_MEMINFO; undefined when unknown. */
  kernelDrops: number | undefined;
  /** The kernel receive buffer each socket got (as the kernel accounts it). */
  socketBufferBytes: number[];
  /** Bytes of the receive region (slots x slot stride). */
  bufferBytes: number;
  /** Receive slots. */
  maxDatagrams: number;
  /** Largest datagram kept. */
  maxDatagramBytes: number;
}

function positiveInt(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 1) throw new XdpError("ECONFIG", `${what} must be a positive integer, got ${v}`);
  return v;
}

// Counters (#c), in an Int32Array as pairs of small integers (bits 0-29, then the rest), so that
// counting never makes a number V8 would box, however large the count grows.
const C_DATAGRAMS = 0;
const C_BYTES = 2;
const C_DROPPED = 4;
const C_DROPPED_BYTES = 6;
const C_PARSED = 8;
const C_ERRORS = 10;
const C_LAST_ERRNO = 12;
const C_LAST_ERROR_CALL = 13;
const C_WORDS = 14;
const ERROR_CALLS = ["recvmmsg", "poll"];
const LOW30 = 0x3fffffff;

function count(c: Int32Array, at: number, n: number): void {
  const v = c[at] + n; // n < 2^30: v stays a small integer
  c[at] = v & LOW30;
  c[at + 1] += v >>> 30;
}

function counted(c: Int32Array, at: number): number {
  return c[at + 1] * (LOW30 + 1) + c[at];
}

/** A key greater (later) than every receive time. */
const LATEST = 0x7fffffff;
// 10^9 as 16-bit halves.
const GIGA_HI = 15258;
const GIGA_LO = 51712;

/**
 * The slot stride for a largest datagram: 64-byte aligned, and not a multiple of the page size,
 * so that the slots' first bytes do not all fall in the same cache sets.
 */
function slotStride(maxDatagramBytes: number): number {
  const s = Math.ceil(maxDatagramBytes / 64) * 64;
  return s % 4096 === 0 ? s + 64 : s;
}

export class KernelFeedReceiver {
  readonly feed: Feed;
  /** The order book, when openFeed was asked for one (its parser's). */
  book: BookView | undefined;
  readonly mode = "socket" as const;
  readonly modeReason: string;
  /** The parser the datagrams go through (its memory holds the slots, the records and messages). */
  readonly parser: FeedParser;
  /** Flyweight over this poll's records: ticks.at(i) for i < the count poll() returned. */
  readonly ticks: TickView;
  /** Flyweight full-message view: message.at(ticks.msgOffset, ticks.msgLength). */
  readonly message: MessageView;
  /** The bound port of each socket (a requested 0 resolved), in the order of options.ports. */
  readonly ports: number[];
  /** The multicast group joined on each port, or undefined. */
  readonly groups: Array<string | undefined>;

  readonly #fds: number[] = [];
  readonly #slots: number;
  readonly #stride: number;
  /** Wasm address of slot 0 (the parser's input region). */
  readonly #slotBase: number;
  readonly #maxDatagramBytes: number;
  /** Set up once the sockets are open (open()). */
  #vec: RecvVector | undefined;
  #pollSet: PollSet | undefined;
  #nfd = 0;
  // Per socket: its line, its ring of slots (first slot, size), the ring's head and how many of
  // its slots hold datagrams not yet parsed, whether its last recvmmsg filled all it asked (the
  // kernel may hold more), and the receive-time key of its newest datagram.
  #fd = new Int32Array(0);
  #fdLine = new Uint8Array(0);
  #ringFirst = new Int32Array(0);
  #ringSize = new Int32Array(0);
  #head = new Int32Array(0);
  #held = new Int32Array(0);
  #more = new Uint8Array(0);
  #lastSec = new Int32Array(0);
  #lastNsec = new Int32Array(0);
  /** Per socket, during a poll: slots of its ring taken into the batch. */
  #cursor = new Int32Array(0);
  /** Datagrams held in all rings. */
  #heldTotal = 0;
  // Per slot: the receive time as four 16-bit limbs of wall-clock ns (the batch table's timestamp
  // column, a u64, as a Uint16Array), its ordering key (seconds since open(), nanoseconds),
  // and whether it is discarded (truncated). Small integers only: nothing V8 would box, even in
  // code it has not optimized yet.
  readonly #ts16: Uint16Array;
  readonly #keySec: Int32Array;
  readonly #keyNsec: Int32Array;
  readonly #discard: Uint8Array;
  /** Whole seconds subtracted from receive times for the ordering keys (open()'s time), as 16-bit halves. */
  readonly #baseSecHi: number;
  readonly #baseSecLo: number;
  // The parser's batch table and its receive-timestamp column, in wasm memory.
  readonly #table: Uint32Array;
  readonly #ts: Uint16Array;
  /** Per batch-table entry of this poll: its line, socket, and its position in the socket's ring (+1). */
  readonly #batchLine = new Uint8Array(L.BATCH_MAX);
  readonly #batchFd = new Uint16Array(L.BATCH_MAX);
  readonly #batchPos = new Int32Array(L.BATCH_MAX);
  readonly #c = new Int32Array(C_WORDS);
  #closed = false;

  private constructor(feed: Feed, opts: KernelFeedOptions, lines: [number, number] | undefined) {
    const maxBytes = positiveInt(opts.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES, "maxDatagramBytes");
    if (maxBytes > 65535) throw new XdpError("ECONFIG", `maxDatagramBytes must be at most 65535, got ${maxBytes}`);
    const bufferBytes = positiveInt(opts.bufferBytes ?? DEFAULT_BUFFER_BYTES, "bufferBytes");
    const maxDatagrams = positiveInt(opts.maxDatagrams ?? DEFAULT_MAX_DATAGRAMS, "maxDatagrams");
    this.#stride = slotStride(maxBytes);
    this.#slots = Math.min(maxDatagrams, Math.floor(bufferBytes / this.#stride));
    if (this.#slots < 1) {
      throw new XdpError("ECONFIG", `bufferBytes ${bufferBytes} holds no datagram of maxDatagramBytes ${maxBytes} (a slot takes ${this.#stride} bytes); raise bufferBytes or lower maxDatagramBytes`);
    }
    this.#maxDatagramBytes = maxBytes;
    this.feed = feed;
    this.parser = new FeedParser(feed, { lines, debug: opts.debug, inputCapacity: this.#slots * this.#stride });
    this.#slotBase = this.parser.inputBase;
    this.modeReason = opts.modeReason ?? "socket: opened directly";
    this.ticks = this.parser.ticks;
    this.message = this.parser.message;
    this.ports = [];
    this.groups = [];
    this.#ts16 = new Uint16Array(this.#slots * 4);
    this.#keySec = new Int32Array(this.#slots);
    this.#keyNsec = new Int32Array(this.#slots);
    this.#discard = new Uint8Array(this.#slots);
    const now = Math.floor(Date.now() / 1000);
    this.#baseSecHi = Math.floor(now / 65536);
    this.#baseSecLo = now % 65536;
    const buf = this.parser.memory.buffer;
    this.#table = new Uint32Array(buf, L.BATCH_BASE, L.BATCH_MAX * (L.BATCH_ENTRY / 4));
    this.#ts = new Uint16Array(buf, L.BATCH_TS_BASE, L.BATCH_MAX * 4);
  }

  /**
   * Opens one UDP socket per port in the calling thread's network namespace, joins the groups,
   * and turns on receive timestamps; poll() then receives. Throws XdpError (ECONFIG, ENODEV,
   * ESYSCALL).
   */
  static open(feed: Feed, opts: KernelFeedOptions): KernelFeedReceiver {
    const lines = opts.lines;
    if (lines !== undefined) {
      if (lines.length !== 2 || lines[0] === lines[1] || !lines.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535)) {
        throw new XdpError("ECONFIG", `lines must be two different UDP ports (1..65535), got ${JSON.stringify(lines)}`);
      }
    }
    const ports = lines ? [...new Set([...(opts.ports ?? []), ...lines])] : opts.ports ?? [];
    if (ports.length === 0) throw new XdpError("ECONFIG", "no UDP port to receive: pass ports");
    for (const p of ports) {
      if (!Number.isInteger(p) || p < 0 || p > 65535) throw new XdpError("ECONFIG", `invalid UDP port ${p}, expected 1..65535 (or 0: any free port)`);
    }
    const groups = ports.map((_, i) => (Array.isArray(opts.group) ? opts.group[i] : opts.group) || undefined);
    if (Array.isArray(opts.group) && opts.group.length !== ports.length) {
      throw new XdpError("ECONFIG", `group lists ${opts.group.length} groups for ${ports.length} ports; give one per port (or one string for all)` +
        (lines ? " (the ports are ports then lines, without repeats)" : ""));
    }
    for (const g of groups) {
      if (g !== undefined && !isIPv4Multicast(g)) throw new XdpError("ECONFIG", `group ${g} is not an IPv4 multicast address (224.0.0.0/4)`);
    }
    for (const a of [opts.localAddress, opts.bindAddress]) {
      if (a !== undefined && !isIPv4(a)) throw new XdpError("ECONFIG", `${a} is not an IPv4 address`);
    }
    const ifindex = opts.iface !== undefined ? ifindexOf(opts.iface) : undefined;
    const joinOn: JoinOn = { ifindex, localAddress: opts.localAddress, iface: opts.iface };
    const rcvbuf = positiveInt(opts.socketBufferBytes ?? DEFAULT_SOCKET_BUFFER_BYTES, "socketBufferBytes");
    const r = new KernelFeedReceiver(feed, opts, lines);
    if (r.#slots < ports.length) {
      throw new XdpError("ECONFIG", `${r.#slots} receive slots (bufferBytes, maxDatagrams, maxDatagramBytes) for ${ports.length} sockets: each needs one at least`);
    }
    try {
      ports.forEach((port, i) => r.#listen(port, groups[i], opts.bindAddress ?? groups[i] ?? "0.0.0.0", joinOn, opts.reuseAddr ?? groups[i] !== undefined, rcvbuf));
      r.#setup(ports.map((port) => (lines ? lines.indexOf(port) : 0)));
    } catch (e) {
      r.close();
      throw e;
    }
    return r;
  }

  #listen(port: number, group: string | undefined, address: string, joinOn: JoinOn, reuse: boolean, rcvbuf: number): void {
    const fd = bindUdpSocket({ address, port, reuseAddr: reuse, receiveBufferBytes: rcvbuf, group, joinOn, timestamps: true });
    // From here close() closes fd.
    this.#fds.push(fd);
    this.ports.push(boundPort(fd));
    this.groups.push(group);
  }

  // The slots shared out among the sockets (as evenly as they go), their rings, the pollfds.
  #setup(lines: number[]): void {
    const n = this.#fds.length;
    this.#nfd = n;
    this.#fd = Int32Array.from(this.#fds);
    this.#fdLine = Uint8Array.from(lines, (l) => (l < 0 ? NO_LINE : l));
    this.#ringFirst = new Int32Array(n);
    this.#ringSize = new Int32Array(n);
    const per = Math.floor(this.#slots / n);
    for (let f = 0; f < n; f++) {
      this.#ringFirst[f] = f * per;
      this.#ringSize[f] = f === n - 1 ? this.#slots - f * per : per;
    }
    this.#head = new Int32Array(n);
    this.#held = new Int32Array(n);
    this.#more = new Uint8Array(n);
    this.#lastSec = new Int32Array(n).fill(-LATEST);
    this.#lastNsec = new Int32Array(n);
    this.#cursor = new Int32Array(n);
    const base = addressOf(this.parser.memory.buffer) + BigInt(this.parser.inputBase);
    this.#vec = new RecvVector(this.#slots, base, this.#stride, this.#maxDatagramBytes);
    this.#pollSet = new PollSet(this.#fds);
  }

  #error(call: number, r: number): void {
    count(this.#c, C_ERRORS, 1);
    this.#c[C_LAST_ERRNO] = -r;
    this.#c[C_LAST_ERROR_CALL] = call;
  }

  // Takes what socket f holds into the free slots of its ring (one recvmmsg, two across the
  // ring's end), each datagram's length, receive time and truncation noted.
  #receiveFrom(f: number): void {
    const vec = this.#vec!;
    const size = this.#ringSize[f];
    for (let round = 0; round < 2; round++) {
      const room = size - this.#held[f];
      if (room === 0) return;
      let tail = this.#head[f] + this.#held[f];
      if (tail >= size) tail -= size;
      const ask = Math.min(room, size - tail, RECVMMSG_MAX);
      const first = this.#ringFirst[f] + tail;
      const r = vec.receive(this.#fd[f], first, ask);
      if (r <= 0) {
        if (r < 0) this.#error(0, r);
        this.#more[f] = 0;
        return;
      }
      let keySec = this.#lastSec[f];
      let keyNsec = this.#lastNsec[f];
      let bytes = 0;
      let dropped = 0;
      let droppedBytes = 0;
      const ts16 = this.#ts16;
      for (let s = first; s < first + r; s++) {
        const len = vec.length(s);
        bytes += len;
        if (vec.truncated(s)) {
          this.#discard[s] = 1;
          dropped++;
          droppedBytes += len;
        } else {
          this.#discard[s] = 0;
        }
        if (vec.hasTimestamp(s)) {
          // Wall-clock ns = sec * 10^9 + nsec in 16-bit limbs, each partial product of two
          // 16-bit halves taken with Math.imul and split at once: no intermediate exceeds 2^31,
          // and there is no branch (a path first taken late would deoptimize this loop).
          const s0 = vec.secondsLow(s);
          const s1 = vec.secondsHigh(s);
          const nsec = vec.nanoseconds(s);
          const a = Math.imul(s0, GIGA_LO);
          const b = Math.imul(s1, GIGA_LO);
          const c = Math.imul(s0, GIGA_HI);
          const d = Math.imul(s1, GIGA_HI);
          const r0 = (a & 0xffff) + (nsec & 0xffff);
          const r1 = (a >>> 16) + (b & 0xffff) + (c & 0xffff) + (nsec >>> 16) + (r0 >>> 16);
          const r2 = (b >>> 16) + (c >>> 16) + (d & 0xffff) + (r1 >>> 16);
          const r3 = (d >>> 16) + (r2 >>> 16);
          ts16[s * 4] = r0;
          ts16[s * 4 + 1] = r1;
          ts16[s * 4 + 2] = r2;
          ts16[s * 4 + 3] = r3;
          keySec = (s1 - this.#baseSecHi) * 65536 + s0 - this.#baseSecLo;
          keyNsec = nsec;
        } else {
          // No timestamp (not expected with SO_TIMESTAMPNS on): the previous datagram's.
          const from = s > first ? s - 1 : s;
          ts16[s * 4] = s > first ? ts16[from * 4] : 0;
          ts16[s * 4 + 1] = s > first ? ts16[from * 4 + 1] : 0;
          ts16[s * 4 + 2] = s > first ? ts16[from * 4 + 2] : 0;
          ts16[s * 4 + 3] = s > first ? ts16[from * 4 + 3] : 0;
        }
        this.#keySec[s] = keySec;
        this.#keyNsec[s] = keyNsec;
        vec.rearm(s);
      }
      const c = this.#c;
      count(c, C_DATAGRAMS, r);
      count(c, C_BYTES, bytes);
      count(c, C_DROPPED, dropped);
      count(c, C_DROPPED_BYTES, droppedBytes);
      this.#lastSec[f] = keySec;
      this.#lastNsec[f] = keyNsec;
      this.#held[f] += r;
      this.#heldTotal += r;
      if (r < ask) {
        this.#more[f] = 0;
        return;
      }
      this.#more[f] = 1;
    }
  }

  // Takes what the sockets hold, for a poll of up to `want` datagrams: a socket holding `want`
  // already is left alone. One socket: recvmmsg straight away (EAGAIN when idle). Several: one
  // poll(2) says which have datagrams, so an idle poll is one syscall either way.
  #receive(want: number): void {
    const n = this.#nfd;
    if (n === 1) {
      if (this.#held[0] < want) this.#receiveFrom(0);
      return;
    }
    const ps = this.#pollSet!;
    const r = ps.wait(0);
    if (r < 0) this.#error(1, r);
    for (let f = 0; f < n; f++) {
      if (r > 0 && ps.ready(f)) {
        if (this.#held[f] < want) this.#receiveFrom(f);
        else this.#more[f] = 1;
      } else {
        this.#more[f] = 0;
      }
    }
  }

  /**
   * Receives what the sockets hold and parses up to max datagrams (at most BATCH_MAX, and as
   * many as the record region holds; the rest wait for the next poll, here or in the kernel's
   * socket buffer). Returns the number of records now in ticks (0 when nothing was ready); they
   * stay valid until the next poll. Never blocks, and allocates nothing. Each record carries its
   * datagram's kernel receive time (wall clock, ns).
   */
  poll(max = 64): number {
    const x = this.parser.x;
    x.clearRecords();
    if (this.#closed || !(max >= 1)) return 0;
    const want = Math.min(Math.floor(max), L.BATCH_MAX);
    this.#receive(want);
    if (this.#heldTotal === 0) return 0;
    const nf = this.#nfd;
    // Oldest first across the sockets. A socket whose last recvmmsg filled all it asked may
    // still hold datagrams older than what others delivered: the batch stops at its newest
    // (unless that leaves nothing to parse).
    let cutSec = LATEST;
    let cutNsec = 0;
    for (let f = 0; f < nf; f++) {
      this.#cursor[f] = 0;
      const ls = this.#lastSec[f];
      if (this.#more[f] === 1 && (ls < cutSec || (ls === cutSec && this.#lastNsec[f] < cutNsec))) {
        cutSec = ls;
        cutNsec = this.#lastNsec[f];
      }
    }
    const stride = L.BATCH_ENTRY / 4;
    let taken = 0;
    while (taken < want) {
      let best = -1;
      let bestSlot = 0;
      let bestSec = LATEST;
      let bestNsec = 0;
      for (let f = 0; f < nf; f++) {
        const c = this.#cursor[f];
        if (c >= this.#held[f]) continue;
        let at = this.#head[f] + c;
        if (at >= this.#ringSize[f]) at -= this.#ringSize[f];
        const slot = this.#ringFirst[f] + at;
        const ks = this.#keySec[slot];
        const kn = this.#keyNsec[slot];
        if (best < 0 || ks < bestSec || (ks === bestSec && kn < bestNsec)) {
          best = f;
          bestSlot = slot;
          bestSec = ks;
          bestNsec = kn;
        }
      }
      if (best < 0) break;
      if (bestSec > cutSec || (bestSec === cutSec && bestNsec > cutNsec)) {
        if (taken > 0) break;
        cutSec = LATEST;
      }
      const pos = ++this.#cursor[best];
      if (this.#discard[bestSlot] === 1) continue; // truncated: counted at receive, skipped here
      this.#table[taken * stride] = this.#slotBase + bestSlot * this.#stride;
      this.#table[taken * stride + 1] = this.#vec!.length(bestSlot);
      this.#ts[taken * 4] = this.#ts16[bestSlot * 4];
      this.#ts[taken * 4 + 1] = this.#ts16[bestSlot * 4 + 1];
      this.#ts[taken * 4 + 2] = this.#ts16[bestSlot * 4 + 2];
      this.#ts[taken * 4 + 3] = this.#ts16[bestSlot * 4 + 3];
      this.#batchLine[taken] = this.#fdLine[best];
      this.#batchFd[taken] = best;
      this.#batchPos[taken] = pos;
      taken++;
    }
    // Runs of one line each (a single run without arbitration). The parser takes a datagram only
    // while the record region has room for all it could hold: it may stop early.
    let done = 0;
    while (done < taken) {
      const line = this.#batchLine[done];
      let end = done + 1;
      while (end < taken && this.#batchLine[end] === line) end++;
      if (line === NO_LINE) {
        // A port that is neither line while arbitration is on: rejected, as the XDP path does.
        this.parser.rejectOutside("otherPort", end - done);
        done = end;
        continue;
      }
      const k = x.parsePayloads(done, end - done, line);
      done += k;
      if (done < end) break;
    }
    if (done === 0 && taken > 0) {
      // Not even one datagram fits the empty record region (impossible for UDP and the shipped
      // feeds): skip it, counted, rather than wedge the feed.
      this.parser.rejectOutside("noRoom");
      done = 1;
    }
    this.#consume(done, taken);
    return x.recordCount();
  }

  // Frees the slots of the first `done` batch entries (and the discarded ones before them; all
  // those passed over when the whole batch went to the parser).
  #consume(done: number, taken: number): void {
    const nf = this.#nfd;
    if (done < taken) {
      for (let f = 0; f < nf; f++) this.#cursor[f] = 0;
      for (let e = 0; e < done; e++) this.#cursor[this.#batchFd[e]] = this.#batchPos[e];
    }
    for (let f = 0; f < nf; f++) {
      const k = this.#cursor[f];
      if (k === 0) continue;
      let h = this.#head[f] + k;
      if (h >= this.#ringSize[f]) h -= this.#ringSize[f];
      this.#head[f] = h;
      this.#held[f] -= k;
      this.#heldTotal -= k;
    }
    count(this.#c, C_PARSED, done);
  }

  /** Releases what A/B arbitration holds (declaring open gaps); returns the records now in ticks. */
  flush(): number {
    const x = this.parser.x;
    x.clearRecords();
    if (!this.#closed) x.arbFlush();
    return x.recordCount();
  }

  /**
   * Blocks the thread in poll(2) on the sockets until datagrams are ready, up to timeoutMs;
   * returns true when they are (at once when some are received and not yet parsed), false on
   * timeout (or a signal), or when closed. Allocates nothing. A boolean, not a promise: `await`
   * on it works, as on the XDP mode's.
   */
  wait(timeoutMs: number): boolean {
    if (this.#closed) return false;
    if (this.#heldTotal > 0) return true;
    const t = timeoutMs > 0 ? Math.min(Math.ceil(timeoutMs), 0x7fffffff) : 0;
    const r = this.#pollSet!.wait(t);
    if (r < 0) this.#error(1, r);
    return r > 0;
  }

  /** Datagrams received and not yet parsed (first takes what the sockets hold, as far as the slots allow). */
  get pending(): number {
    if (!this.#closed) this.#receive(Infinity);
    return this.#heldTotal;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The last receive error (stats().errors), if any. */
  get lastError(): Error | undefined {
    if (counted(this.#c, C_ERRORS) === 0) return undefined;
    const err = this.#c[C_LAST_ERRNO];
    const call = ERROR_CALLS[this.#c[C_LAST_ERROR_CALL]];
    return new XdpError("ESYSCALL", `${call} on a feed socket failed with ${errnoName(err)}`, call, err);
  }

  summary(): ParserSummary {
    return this.parser.summary();
  }

  stats(): KernelFeedStats {
    let kernelDrops: number | undefined = 0;
    const socketBufferBytes: number[] = [];
    if (this.#closed) kernelDrops = undefined;
    else this.#receive(Infinity);
    for (const fd of this.#closed ? [] : this.#fds) {
      const m = socketMeminfo(fd);
      if (m === undefined) {
        kernelDrops = undefined;
        socketBufferBytes.push(0);
      } else {
        if (kernelDrops !== undefined) kernelDrops += m.drops;
        socketBufferBytes.push(m.receiveBufferBytes);
      }
    }
    const c = this.#c;
    return {
      datagrams: counted(c, C_DATAGRAMS), bytes: counted(c, C_BYTES), dropped: counted(c, C_DROPPED), droppedBytes: counted(c, C_DROPPED_BYTES),
      pending: this.#heldTotal, parsed: counted(c, C_PARSED), errors: counted(c, C_ERRORS), kernelDrops, socketBufferBytes,
      bufferBytes: this.#slots * this.#stride, maxDatagrams: this.#slots, maxDatagramBytes: this.#maxDatagramBytes,
    };
  }

  /** Closes the sockets (leaving their groups); datagrams received and not parsed are discarded. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const fd of this.#fds) closeSocket(fd);
    this.#fds.length = 0;
    this.#heldTotal = 0;
  }
}
