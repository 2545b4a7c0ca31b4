// A compiled feed parser on a live AF_XDP socket: the feed module walks the RX ring itself
// (assembly/parse/feed-abi.ts poll), parsing each frame where the kernel wrote it; ticks and
// messages are read in place until the next poll, when their frames go back to FILL.
//
// Receive timestamps come from the driver: the XDP program stamps each frame it redirects
// (bpf_ktime_get_ns(), in the frame's metadata), and the module adds the wall clock's offset
// (bridge/clock.ts), so poll() reads no clock and allocates nothing, empty or not. Frames without
// that metadata are the exception: their records are stamped by TypeScript right after the poll
// (timestamps().source "poll").

import * as L from "../../assembly/layout.js";
import { XdpSocket, type SocketOptions } from "../socket/socket.js";
import { TickView } from "./tick.js";
import { MessageView } from "./message.js";
import { readSummary, setFilterPort, setLines, type ParserSummary } from "./summary.js";
import type { Feed } from "./feeds.js";
import { attachBook, type BookView, type BookCapacities } from "../book/book.js";
import { setRecordFilter, type RecordFilter } from "./record-filter.js";
import { stampUnstamped } from "../../bridge/clock.js";
import * as R from "../../assembly/records.js";
import type { ProgramTimestamps } from "../../bridge/program.js";

const SOURCES = ["none", "poll", "driver", "driver+hw"] as const;

/** The parser exports a receiver calls (assembly/parse/feed-abi.ts). */
interface ReceiverModule {
  poll(max: number): number;
  recordCount(): number;
  clearRecords(): void;
  arbFlush(): number;
}

/** Where a receiver's timestamps come from (FeedReceiver.timestamps()). */
export interface ReceiveTimestamps {
  /**
   * Where the last frame's receiveTs came from: "driver", the XDP program's stamp at the driver
   * hook (CLOCK_MONOTONIC, as wall-clock ns); "driver+hw", that and the NIC's own timestamp
   * (ticks.hwReceiveTs); "poll", the frame had no metadata and carries the time of the poll that
   * took it. Before the first frame: what the XDP program provides.
   */
  source: "driver" | "driver+hw" | "poll";
  /** What the XDP program provides: "driver+hw" when device-bound (see SocketStats.mode). */
  program: ProgramTimestamps | "none";
  /** Frames stamped by the XDP program, of them with the NIC's timestamp too, and stamped at the poll. */
  driver: bigint;
  hw: bigint;
  poll: bigint;
  /** CLOCK_REALTIME - CLOCK_MONOTONIC in ns: receiveTs minus this is the driver's CLOCK_MONOTONIC stamp. */
  clockOffsetNs: bigint;
}

export class FeedReceiver {
  readonly feed: Feed;
  readonly socket: XdpSocket;
  /** Flyweight over this poll's records: ticks.at(i) for i < the count poll() returned. */
  readonly ticks: TickView;
  /** Flyweight full-message view: message.at(ticks.msgOffset, ticks.msgLength). */
  readonly message: MessageView;
  readonly #u32: Uint32Array;
  readonly #m: ReceiverModule;

  private constructor(feed: Feed, socket: XdpSocket) {
    this.feed = feed;
    this.socket = socket;
    this.ticks = new TickView(socket.memory);
    this.message = new MessageView(socket.memory, feed.schema);
    this.#u32 = new Uint32Array(socket.memory.buffer);
    this.#m = socket.module as unknown as ReceiverModule;
  }

  /**
   * Opens an XdpSocket running the feed's compiled module; options as XdpSocket.open, plus
   * lines: two of the ports that carry the same sequence space, arbitrated (A/B lines).
   */
  static open(feed: Feed, opts: SocketOptions & { lines?: [number, number]; debug?: boolean; book?: BookCapacities | true; records?: RecordFilter }): FeedReceiver {
    const ports = opts.lines ? [...new Set([...(opts.ports ?? []), ...opts.lines])] : opts.ports;
    const socket = XdpSocket.open({ ...opts, ports, module: feed.modulePath(opts.debug) });
    try {
      // The XDP program already keeps other ports away; the parser checks the same ports.
      if (!opts.lines && ports?.length === 1) setFilterPort(socket.memory, ports[0]);
      setLines(socket.memory, opts.lines);
      setRecordFilter(socket.memory, socket.module, feed.name, opts.records);
      const r = new FeedReceiver(feed, socket);
      if (opts.book) {
        // The book goes after the UMEM; the memory grows for it.
        const base = Math.ceil(socket.xsk.map.bytes / L.WASM_PAGE) * L.WASM_PAGE;
        r.book = attachBook(socket.memory, socket.module, base, opts.book === true ? {} : opts.book, feed.framing === "iextp");
      }
      return r;
    } catch (e) {
      socket.close();
      throw e;
    }
  }

  /** The order book, when opened with one: updated by the module as it parses each frame. */
  book: BookView | undefined;

  /** Releases what A/B arbitration holds (declaring open gaps); returns the records now in ticks. */
  flush(): number {
    const m = this.#m;
    m.clearRecords();
    m.arbFlush();
    return this.#stamped(m.recordCount());
  }

  /**
   * Parses up to max frames from RX without blocking; returns the number of records now in
   * ticks (0 when nothing was ready). Records stay valid until the next poll. Reads no clock
   * and allocates nothing unless frames came without the XDP program's metadata.
   */
  poll(max = 64): number {
    const m = this.#m;
    if (m.poll(max) < 0) this.socket.xsk.wakeupRx();
    return this.#stamped(m.recordCount());
  }

  // Records of frames that had no receive metadata carry 0: the poll's time, read once, now.
  #stamped(n: number): number {
    if (this.#u32[(L.CTL_BASE + L.CTL_RX_UNSTAMPED) >>> 2] !== 0) {
      stampUnstamped(this.#u32, (L.RECORDS_BASE + R.R_RECEIVE_TS) >>> 2, R.RECORD_SIZE >>> 2, n);
    }
    return n;
  }

  /** Where receiveTs comes from, and how many frames each source stamped. */
  timestamps(): ReceiveTimestamps {
    const s = this.socket.stats();
    const last = this.#u32[(L.CTL_BASE + L.CTL_RX_TS_LAST) >>> 2];
    const program = s.mode.timestamps;
    const source = last === L.TS_SOURCE_NONE ? (program === "none" ? "poll" : "driver") : SOURCES[last];
    return {
      source: source as ReceiveTimestamps["source"], program, ...s.rx.timestamps, clockOffsetNs: this.socket.clockOffsetNs,
    };
  }

  /** Blocks up to timeoutMs until frames are ready. */
  wait(timeoutMs: number): boolean {
    return this.socket.wait(timeoutMs);
  }

  summary(): ParserSummary {
    return readSummary(this.socket.memory, {}, this.feed.schema.sbe !== undefined);
  }

  close(): void {
    this.socket.close();
  }
}
