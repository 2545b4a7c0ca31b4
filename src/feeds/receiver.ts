// A compiled feed parser on a live AF_XDP socket: the feed module walks the RX ring itself
// (assembly/parse/feed-abi.ts poll), parsing each frame where the kernel wrote it; ticks and
// messages are read in place until the next poll, when their frames go back to FILL.

import * as L from "../../assembly/layout.js";
import { XdpSocket, type SocketOptions } from "../socket/socket.js";
import { TickView } from "./tick.js";
import { MessageView } from "./message.js";
import { readSummary, setFilterPort, setLines, type ParserSummary } from "./summary.js";
import type { Feed } from "./feeds.js";
import { attachBook, type BookView, type BookCapacities } from "../book/book.js";

const TWO32 = 4294967296;

export class FeedReceiver {
  readonly feed: Feed;
  readonly socket: XdpSocket;
  /** Flyweight over this poll's records: ticks.at(i) for i < the count poll() returned. */
  readonly ticks: TickView;
  /** Flyweight full-message view: message.at(ticks.msgOffset, ticks.msgLength). */
  readonly message: MessageView;
  readonly #receiveTs: Uint32Array;

  private constructor(feed: Feed, socket: XdpSocket) {
    this.feed = feed;
    this.socket = socket;
    this.ticks = new TickView(socket.memory);
    this.message = new MessageView(socket.memory, feed.schema);
    this.#receiveTs = new Uint32Array(socket.memory.buffer, L.PSTATS_BASE + L.PS_RECEIVE_TS, 2);
  }

  /**
   * Opens an XdpSocket running the feed's compiled module; options as XdpSocket.open, plus
   * lines: two of the ports that carry the same sequence space, arbitrated (A/B lines).
   */
  static open(feed: Feed, opts: SocketOptions & { lines?: [number, number]; debug?: boolean; book?: BookCapacities | true }): FeedReceiver {
    const ports = opts.lines ? [...new Set([...(opts.ports ?? []), ...opts.lines])] : opts.ports;
    const socket = XdpSocket.open({ ...opts, ports, module: feed.modulePath(opts.debug) });
    try {
      // The XDP program already keeps other ports away; the parser checks the same ports.
      if (!opts.lines && ports?.length === 1) setFilterPort(socket.memory, ports[0]);
      setLines(socket.memory, opts.lines);
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
    const m = this.socket.module as unknown as { clearRecords(): void; arbFlush(): number; recordCount(): number };
    m.clearRecords();
    m.arbFlush();
    return m.recordCount();
  }

  /**
   * Parses up to max frames from RX without blocking; returns the number of records now in
   * ticks (0 when nothing was ready). Records stay valid until the next poll.
   */
  poll(max = 64): number {
    // Wall-clock ns from a double (no BigInt: a poll loop must not allocate), to ~0.25 µs.
    const ns = (performance.timeOrigin + performance.now()) * 1e6;
    const hi = Math.floor(ns / TWO32);
    this.#receiveTs[0] = ns - hi * TWO32;
    this.#receiveTs[1] = hi;
    const n = this.socket.module.poll(max);
    if (n < 0) this.socket.xsk.wakeupRx();
    return (this.socket.module as unknown as { recordCount(): number }).recordCount();
  }

  /** Blocks up to timeoutMs until frames are ready. */
  wait(timeoutMs: number): boolean {
    return this.socket.wait(timeoutMs);
  }

  summary(): ParserSummary {
    return readSummary(this.socket.memory);
  }

  close(): void {
    this.socket.close();
  }
}
