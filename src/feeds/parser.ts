// A compiled feed parser bound to memory buffers and files: input chunks are copied once into
// the module's input region, listed in the batch table, and parsed in wasm; the resulting tick
// records (and the messages they point at) are read in place until the next chunk. The same
// module runs on a socket's RX ring through XdpSocket (module option) and poll().

import * as L from "../../assembly/layout.js";
import { XdpError } from "../../bridge/errors.js";
import { instantiate, type FeedExports } from "../module.js";
import { TickView } from "./tick.js";
import { MessageView } from "./message.js";
import { readSummary, setFilterPort, setLines, type ParserSummary } from "./summary.js";

export type { ParserSummary };
import type { Feed } from "./feeds.js";

/** What the parser ABI (assembly/parse/feed-abi.ts) adds to every feed module. */
export interface ParserExports extends FeedExports {
  parseFrames(first: number, n: number): number;
  parsePayloads(first: number, n: number, line: number): number;
  arbFlush(): number;
  parseMessages(first: number, n: number, firstSeq: bigint): number;
  recordCount(): number;
  clearRecords(): void;
  resetParser(): void;
  messageLength(type: number): number;
}

/** A chunk of input: entries (frames, UDP payloads or bare messages) packed in one buffer. */
export interface InputChunk {
  data: Uint8Array;
  count: number;
  offsets: ArrayLike<number>;
  lengths: ArrayLike<number>;
  /** Receive (capture) time of each entry in ns, or none. */
  timestampsNs?: ArrayLike<bigint>;
}

export type EntryKind = "frames" | "payloads" | "messages";

/** Input bytes per chunk the parser's memory holds (a larger chunk is an error). */
export const INPUT_CAPACITY = 4 << 20;

export class FeedParser {
  readonly feed: Feed;
  readonly memory: WebAssembly.Memory;
  readonly x: ParserExports;
  /** Flyweight over the current records: ticks.at(i). */
  readonly ticks: TickView;
  /** Flyweight full-message view: message.at(tick.msgOffset, tick.msgLength). */
  readonly message: MessageView;
  readonly #u8: Uint8Array;
  readonly #table: Uint32Array;
  readonly #ts: BigUint64Array;
  readonly #extraRejects: Record<string, number> = {};

  /**
   * port: accept only UDP datagrams to this port (default any). lines: arbitrate between two
   * UDP ports carrying the same sequence space (A/B lines; frames to other ports are rejected).
   */
  constructor(feed: Feed, opts: { port?: number; lines?: [number, number]; debug?: boolean } = {}) {
    const pages = Math.ceil((L.DYNAMIC_BASE + INPUT_CAPACITY + 8) / L.WASM_PAGE);
    this.feed = feed;
    // Maximum 4 GiB: enableBook (src/book/book.ts) grows the memory for an order book.
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: 65536, shared: true });
    this.x = instantiate(feed.modulePath(opts.debug), this.memory) as ParserExports;
    this.ticks = new TickView(this.memory);
    this.message = new MessageView(this.memory, feed.schema);
    this.#u8 = new Uint8Array(this.memory.buffer);
    this.#table = new Uint32Array(this.memory.buffer, L.BATCH_BASE, L.BATCH_MAX * 2);
    this.#ts = new BigUint64Array(this.memory.buffer, L.BATCH_TS_BASE, L.BATCH_MAX);
    this.setPort(opts.lines ? 0 : opts.port ?? 0);
    setLines(this.memory, opts.lines);
  }

  /**
   * Releases the packets A/B arbitration holds while waiting for the other line (declaring the
   * gaps still open), e.g. when a line has gone quiet. Returns the records delivered.
   */
  flush(onRecords: (n: number) => void): number {
    this.x.clearRecords();
    this.x.arbFlush();
    const n = this.x.recordCount();
    if (n > 0) onRecords(n);
    return n;
  }

  /** Accept only UDP datagrams to this destination port (0: any). */
  setPort(port: number): void {
    setFilterPort(this.memory, port);
  }

  /**
   * Parses a chunk; onRecords(n) is called for each run of n records (this.ticks.at(0..n-1)),
   * which stay valid until it returns. Returns the number of records delivered.
   */
  parse(chunk: InputChunk, kind: EntryKind, onRecords: (n: number) => void, firstSeq = 0, line = 0): number {
    let total = 0;
    for (let start = 0; start < chunk.count; start += L.BATCH_MAX) {
      const n = Math.min(L.BATCH_MAX, chunk.count - start);
      const lo = chunk.offsets[start];
      const hi = chunk.offsets[start + n - 1] + chunk.lengths[start + n - 1];
      if (hi - lo > INPUT_CAPACITY) {
        throw new XdpError("ECONFIG", `input chunk of ${hi - lo} bytes exceeds the parser's ${INPUT_CAPACITY}-byte input region`);
      }
      // One copy of the chunk into wasm memory; the entries are then parsed where they lie. The
      // destination keeps the source's alignment mod 8: V8 copies into shared memory byte by
      // byte otherwise (5-10x slower).
      const base = L.DYNAMIC_BASE + ((chunk.data.byteOffset + lo) & 7);
      this.#u8.set(chunk.data.subarray(lo, hi), base);
      for (let i = 0; i < n; i++) {
        this.#table[i * 2] = base + chunk.offsets[start + i] - lo;
        this.#table[i * 2 + 1] = chunk.lengths[start + i];
        this.#ts[i] = chunk.timestampsNs ? chunk.timestampsNs[start + i] : 0n;
      }
      for (let done = 0; done < n;) {
        this.x.clearRecords();
        const k = kind === "frames" ? this.x.parseFrames(done, n - done)
          : kind === "payloads" ? this.x.parsePayloads(done, n - done, line)
          : this.x.parseMessages(done, n - done, BigInt(firstSeq + start + done));
        const r = this.x.recordCount();
        if (r > 0) onRecords(r);
        total += r;
        done += k;
        if (k === 0 && r === 0) throw new XdpError("ECONFIG", "parser made no progress on its input");
      }
    }
    return total;
  }

  /** Counts a rejection decided outside wasm (e.g. a capture record cut short). */
  rejectOutside(reason: string, n = 1): void {
    this.#extraRejects[reason] = (this.#extraRejects[reason] ?? 0) + n;
  }

  summary(): ParserSummary {
    return readSummary(this.memory, this.#extraRejects);
  }

  reset(): void {
    this.x.resetParser();
    for (const k of Object.keys(this.#extraRejects)) delete this.#extraRejects[k];
  }
}
