// The kernel-socket fallback: a compiled feed parser fed from ordinary UDP sockets (Node's
// dgram) instead of an AF_XDP ring, for hosts where XDP cannot run (no privileges, no AF_XDP in
// the kernel, libxdp missing). The API is FeedReceiver's: poll(max) returns the number of tick
// records now in `ticks`, read in place (with `message`) until the next poll.
//
// Datagrams arrive on the event loop ('message' events) and are appended to a preallocated ring
// (`bufferBytes` of payload, `maxDatagrams` entries): one copy, nothing allocated per datagram
// beyond the Buffer dgram itself hands over. poll() copies up to `max` of them into the
// parser's input region in one or two runs and parses them as UDP payloads (the session framing
// is the feed's). A datagram that finds the ring full is dropped and counted (stats().dropped),
// never lost silently; the kernel's own drops (socket receive buffer full) are reported too
// (stats().kernelDrops, SO_MEMINFO).
//
// Because datagrams come from the event loop, a socket-mode receiver only sees new data when the
// caller yields: `await receiver.wait(ms)` (or any other await) between polls. A loop of
// poll() calls that never yields receives nothing.
//
// The sockets are created with socket(2)/bind(2) on the calling thread (bridge/udp.ts) and then
// handed to dgram (bind({ fd })), so open() is synchronous and its sockets belong to the network
// namespace the thread is in when it runs: inNetns(ns, () => KernelFeedReceiver.open(...))
// receives in ns. (dgram's own bind() resolves its address on a later tick, outside such a
// namespace.)

import type { BookView } from "../book/book.js";
import { createSocket, type Socket } from "node:dgram";
import { isIPv4 } from "node:net";
import * as L from "../../assembly/layout.js";
import { bindUdpSocket, closeSocket, isIPv4Multicast, socketMeminfo, type JoinOn } from "../../bridge/udp.js";
import { ifindexOf } from "../../bridge/xsk.js";
import { XdpError } from "../../bridge/errors.js";
import { FeedParser, INPUT_CAPACITY } from "./parser.js";
import type { TickView } from "./tick.js";
import type { MessageView } from "./message.js";
import type { ParserSummary } from "./summary.js";
import type { Feed } from "./feeds.js";

const TWO32 = 4294967296;
/** Line index of a datagram on a port that is not an A/B line while arbitration is on. */
const NO_LINE = 255;

/** Default payload bytes the input ring holds between polls. */
export const DEFAULT_BUFFER_BYTES = 16 << 20;
/** Default datagrams the input ring holds between polls. */
export const DEFAULT_MAX_DATAGRAMS = 65536;
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
  /** Payload bytes the input ring holds between polls. Default 16 MiB. */
  bufferBytes?: number;
  /** Datagrams the input ring holds between polls. Default 65536. */
  maxDatagrams?: number;
  /** Kernel receive buffer per socket (SO_RCVBUF). Default 8 MiB. */
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
  /** Datagrams the sockets delivered (including those dropped below). */
  datagrams: number;
  /** Payload bytes the sockets delivered. */
  bytes: number;
  /** Datagrams discarded because the input ring was full (the newest is dropped). */
  dropped: number;
  droppedBytes: number;
  /** Datagrams buffered and not yet parsed. */
  pending: number;
  /** Datagrams handed to the parser. */
  parsed: number;
  /** Socket errors reported by dgram (the receiver keeps running). */
  errors: number;
  /** Datagrams the kernel dropped on these sockets (receive buffer full), SO_MEMINFO; undefined when unknown. */
  kernelDrops: number | undefined;
  /** The kernel receive buffer each socket got (as the kernel accounts it). */
  socketBufferBytes: number[];
  bufferBytes: number;
  maxDatagrams: number;
}

interface Waiter {
  resolve: (ready: boolean) => void;
  timer: NodeJS.Timeout;
}

function positiveInt(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 1) throw new XdpError("ECONFIG", `${what} must be a positive integer, got ${v}`);
  return v;
}

export class KernelFeedReceiver {
  readonly feed: Feed;
  /** The order book, when openFeed was asked for one (its parser's). */
  book: BookView | undefined;
  readonly mode = "socket" as const;
  /** Datagrams arrive as dgram 'message' events: a loop must yield to the event loop to see them. */
  readonly receivesOnEventLoop = true;
  readonly modeReason: string;
  /** The parser the datagrams go through (its memory holds the records and messages). */
  readonly parser: FeedParser;
  /** Flyweight over this poll's records: ticks.at(i) for i < the count poll() returned. */
  readonly ticks: TickView;
  /** Flyweight full-message view: message.at(ticks.msgOffset, ticks.msgLength). */
  readonly message: MessageView;
  /** The bound port of each socket (a requested 0 resolved), in the order of options.ports. */
  readonly ports: number[];
  /** The multicast group joined on each port, or undefined. */
  readonly groups: Array<string | undefined>;

  readonly #sockets: Socket[] = [];
  readonly #fds: number[] = [];
  // The input ring: payload bytes, and (offset, length) of each pending datagram in arrival order.
  readonly #data: Uint8Array;
  readonly #off: Uint32Array;
  readonly #len: Uint32Array;
  /** A/B line (0, 1, or NO_LINE) of each pending datagram. */
  readonly #line: Uint8Array;
  readonly #slots: number;
  #head = 0;
  #count = 0;
  /** Next free byte after the newest datagram. */
  #wr = 0;
  /** The writer went back to byte 0 while older datagrams still sit at the end of the ring. */
  #wrapped = false;
  /** Pending datagrams stored before the wrap (the reader passes the wrap after these). */
  #beforeWrap = 0;
  // The parser's batch table and its receive-timestamp column, in wasm memory.
  readonly #u8: Uint8Array;
  readonly #table: Uint32Array;
  readonly #ts: Uint32Array;
  /** Line of each batch-table entry of this poll. */
  readonly #batchLine = new Uint8Array(L.BATCH_MAX);
  readonly #waiters: Waiter[] = [];
  #datagrams = 0;
  #bytes = 0;
  #dropped = 0;
  #droppedBytes = 0;
  #parsed = 0;
  #errors = 0;
  #lastError: Error | undefined;
  #closed = false;

  private constructor(feed: Feed, opts: KernelFeedOptions, parser: FeedParser) {
    this.feed = feed;
    this.parser = parser;
    this.modeReason = opts.modeReason ?? "socket: opened directly";
    this.ticks = parser.ticks;
    this.message = parser.message;
    this.ports = [];
    this.groups = [];
    this.#data = new Uint8Array(positiveInt(opts.bufferBytes ?? DEFAULT_BUFFER_BYTES, "bufferBytes"));
    this.#slots = positiveInt(opts.maxDatagrams ?? DEFAULT_MAX_DATAGRAMS, "maxDatagrams");
    this.#off = new Uint32Array(this.#slots);
    this.#len = new Uint32Array(this.#slots);
    this.#line = new Uint8Array(this.#slots);
    this.#u8 = new Uint8Array(parser.memory.buffer);
    this.#table = new Uint32Array(parser.memory.buffer, L.BATCH_BASE, L.BATCH_MAX * (L.BATCH_ENTRY / 4));
    this.#ts = new Uint32Array(parser.memory.buffer, L.BATCH_TS_BASE, L.BATCH_MAX * 2);
  }

  /**
   * Opens one UDP socket per port in the calling thread's network namespace, joins the groups,
   * and starts receiving (on the event loop). Throws XdpError (ECONFIG, ENODEV, ESYSCALL).
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
    const r = new KernelFeedReceiver(feed, opts, new FeedParser(feed, { lines, debug: opts.debug }));
    try {
      ports.forEach((port, i) => r.#listen(port, lines ? lines.indexOf(port) : 0, groups[i], opts.bindAddress ?? groups[i] ?? "0.0.0.0", joinOn, opts.reuseAddr ?? groups[i] !== undefined, rcvbuf));
    } catch (e) {
      r.close();
      throw e;
    }
    return r;
  }

  #listen(port: number, line: number, group: string | undefined, address: string, joinOn: JoinOn, reuse: boolean, rcvbuf: number): void {
    const fd = bindUdpSocket({ address, port, reuseAddr: reuse, receiveBufferBytes: rcvbuf, group, joinOn });
    const sock = createSocket({ type: "udp4" });
    try {
      sock.bind({ fd });
    } catch (e) {
      closeSocket(fd);
      throw e;
    }
    // From here the socket owns fd (close() closes it).
    this.#sockets.push(sock);
    this.#fds.push(fd);
    sock.on("error", (e) => {
      this.#errors++;
      this.#lastError = e;
    });
    const l = line < 0 ? NO_LINE : line;
    sock.on("message", (msg) => this.#push(msg, l));
    this.ports.push(sock.address().port);
    this.groups.push(group);
  }

  // A datagram from a socket: appended to the ring, or counted as dropped.
  #push(msg: Uint8Array, line: number): void {
    const len = msg.length;
    this.#datagrams++;
    this.#bytes += len;
    const cap = this.#data.length;
    let at = -1;
    if (this.#count === this.#slots || len > cap) {
      at = -1;
    } else if (this.#count === 0) {
      this.#wr = 0;
      this.#wrapped = false;
      at = 0;
    } else if (!this.#wrapped) {
      if (len <= cap - this.#wr) {
        at = this.#wr;
      } else if (len <= this.#off[this.#head]) {
        at = 0;
        this.#wrapped = true;
        this.#beforeWrap = this.#count;
      }
    } else if (this.#wr + len <= this.#off[this.#head]) {
      at = this.#wr;
    }
    if (at < 0) {
      this.#dropped++;
      this.#droppedBytes += len;
      return;
    }
    this.#data.set(msg, at);
    let slot = this.#head + this.#count;
    if (slot >= this.#slots) slot -= this.#slots;
    this.#off[slot] = at;
    this.#len[slot] = len;
    this.#line[slot] = line;
    this.#count++;
    this.#wr = at + len;
    if (this.#waiters.length > 0) this.#wake(true);
  }

  #wake(ready: boolean): void {
    for (const w of this.#waiters) {
      clearTimeout(w.timer);
      w.resolve(ready);
    }
    this.#waiters.length = 0;
  }

  #consume(k: number): void {
    this.#head += k;
    if (this.#head >= this.#slots) this.#head -= this.#slots;
    this.#count -= k;
    this.#parsed += k;
    if (this.#count === 0) {
      this.#wr = 0;
      this.#wrapped = false;
    } else if (this.#wrapped) {
      this.#beforeWrap -= k;
      if (this.#beforeWrap <= 0) this.#wrapped = false;
    }
  }

  /**
   * Parses up to max datagrams received since the last poll (at most BATCH_MAX, and as many as
   * the parser's input region and record region hold; the rest wait for the next poll). Returns
   * the number of records now in ticks (0 when nothing was pending); they stay valid until the
   * next poll. Never blocks, and sees only datagrams delivered while the caller yielded to the
   * event loop (see wait()). Every record of a poll carries the poll's wall-clock time (ns).
   */
  poll(max = 64): number {
    const x = this.parser.x;
    x.clearRecords();
    if (this.#closed || this.#count === 0 || !(max >= 1)) return 0;
    const n = Math.min(Math.floor(max), this.#count, L.BATCH_MAX);
    // Wall-clock ns from a double, as FeedReceiver.poll (no BigInt: a poll must not allocate).
    const ns = (performance.timeOrigin + performance.now()) * 1e6;
    const tsHi = Math.floor(ns / TWO32);
    const tsLo = ns - tsHi * TWO32;
    const stride = L.BATCH_ENTRY / 4;
    // The datagrams lie back to back in the ring except across the wrap: one or two copies. Each
    // run starts at the same address mod 8 as its source: V8 copies into shared memory byte by
    // byte otherwise (as FeedParser.parse).
    let dst = 0;
    let runStart = 0;
    let runEnd = -1;
    let runDst = 0;
    let taken = 0;
    let slot = this.#head;
    for (; taken < n; taken++) {
      const o = this.#off[slot];
      const len = this.#len[slot];
      const pad = o !== runEnd ? (o - (L.DYNAMIC_BASE + dst)) & 7 : 0;
      if (dst + pad + len > INPUT_CAPACITY) break;
      if (o !== runEnd) {
        if (runEnd > runStart) this.#u8.set(this.#data.subarray(runStart, runEnd), L.DYNAMIC_BASE + runDst);
        dst += pad;
        runStart = runEnd = o;
        runDst = dst;
      }
      runEnd += len;
      this.#table[taken * stride] = L.DYNAMIC_BASE + dst;
      this.#table[taken * stride + 1] = len;
      this.#ts[taken * 2] = tsLo;
      this.#ts[taken * 2 + 1] = tsHi;
      this.#batchLine[taken] = this.#line[slot];
      dst += len;
      if (++slot === this.#slots) slot = 0;
    }
    if (runEnd > runStart) this.#u8.set(this.#data.subarray(runStart, runEnd), L.DYNAMIC_BASE + runDst);
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
    if (done === 0) {
      // Not even one datagram fits the empty input or record region (impossible for UDP and the
      // shipped feeds): skip it, counted, rather than wedge the feed.
      this.parser.rejectOutside("noRoom");
      done = 1;
    }
    this.#consume(done);
    return x.recordCount();
  }

  /** Releases what A/B arbitration holds (declaring open gaps); returns the records now in ticks. */
  flush(): number {
    const x = this.parser.x;
    x.clearRecords();
    if (!this.#closed) x.arbFlush();
    return x.recordCount();
  }

  /**
   * Resolves true as soon as datagrams are pending (at once when some already are), false after
   * timeoutMs without any or when the receiver closes. Datagrams are delivered on the event loop,
   * so awaiting this (or anything else) between polls is what lets them in.
   */
  wait(timeoutMs: number): Promise<boolean> {
    if (this.#count > 0) return Promise.resolve(true);
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const w: Waiter = {
        resolve,
        timer: setTimeout(() => {
          const i = this.#waiters.indexOf(w);
          if (i >= 0) this.#waiters.splice(i, 1);
          resolve(false);
        }, Math.max(0, timeoutMs)),
      };
      this.#waiters.push(w);
    });
  }

  /** Datagrams buffered and not yet parsed. */
  get pending(): number {
    return this.#count;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The last error a socket reported (dgram 'error'), if any. */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  summary(): ParserSummary {
    return this.parser.summary();
  }

  stats(): KernelFeedStats {
    let kernelDrops: number | undefined = 0;
    const socketBufferBytes: number[] = [];
    if (this.#closed) kernelDrops = undefined;
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
    return {
      datagrams: this.#datagrams, bytes: this.#bytes, dropped: this.#dropped, droppedBytes: this.#droppedBytes,
      pending: this.#count, parsed: this.#parsed, errors: this.#errors, kernelDrops, socketBufferBytes,
      bufferBytes: this.#data.length, maxDatagrams: this.#slots,
    };
  }

  /** Closes the sockets (leaving their groups); pending datagrams are discarded, waiters get false. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#sockets) {
      try {
        s.close();
      } catch {
        // Already closed.
      }
    }
    this.#sockets.length = 0;
    this.#wake(false);
  }
}
