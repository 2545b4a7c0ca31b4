// A compiled feed parser bound to memory buffers and files. Input lies in the module's input
// region (wasm memory from L.DYNAMIC_BASE, `inputCapacity` bytes): either put there by the caller
// (parsePlaced: e.g. a file read straight into `input`, as the socket path has its UMEM) or
// copied there chunk by chunk (parse). The entries are listed in the batch table and parsed where
// they lie; the resulting tick records (and the messages they point at) are read in place until
// the next chunk. The same module runs on a socket's RX ring through XdpSocket (module option)
// and poll().

import * as L from "../../assembly/layout.js";
import { XdpError } from "../../bridge/errors.js";
import { instantiate, type FeedExports } from "../socket/module.js";
import { TickView } from "./tick.js";
import { MessageView } from "./message.js";
import { readSummary, setFilterPort, setLines, setDedup, type ParserSummary } from "./summary.js";
import { setRecordFilter, type RecordFilter } from "./record-filter.js";

export type { ParserSummary };
import type { Feed } from "./feeds.js";
import { Wasm, type WasmMemory } from "../../bridge/wasm.js";

/** What the parser ABI (assembly/parse/feed-abi.ts) adds to every feed module. */
export interface ParserExports extends FeedExports {
  parseFrames(first: number, n: number): number;
  parsePayloads(first: number, n: number, line: number): number;
  arbFlush(): number;
  recoverAbandon(end: bigint): void;
  holdRelease(): void;
  parseMessages(first: number, n: number, firstSeq: bigint, perEntry: number): number;
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

/**
 * What the entries are: Ethernet frames, UDP payloads (session packets), bare messages, or bare
 * messages each directly preceded in the data by its length as a u16 big-endian and following one
 * another (NASDAQ's binary ITCH files, MoldUDP64 message blocks): "prefixed" entries are handed to
 * wasm PREFIXED_RUN at a time, as one batch-table entry, which it walks by their prefixes.
 * Messages of either kind are numbered firstSeq, firstSeq + 1, ...
 */
export type EntryKind = "frames" | "payloads" | "messages" | "prefixed";

/** Prefixed messages per batch-table entry (EntryKind "prefixed"). */
export const PREFIXED_RUN = 256;

// What the batch table holds: "runs" are PREFIXED_RUN prefixed messages per entry.
type TableKind = Exclude<EntryKind, "prefixed"> | "runs";

/** Default size of a parser's input region in bytes (the inputCapacity option). */
export const INPUT_CAPACITY = 4 << 20;

/**
 * Largest input region: the rest of a 4 GiB memory (wasm addresses are u32) but two pages, so that
 * no address a parser computes inside an entry (a position plus a 16-bit length) wraps past 2^32.
 */
const MAX_INPUT_CAPACITY = (65536 - 2) * L.WASM_PAGE - L.DYNAMIC_BASE;

export interface FeedParserOptions {
  /** Accept only UDP datagrams to this port, 0 included (default any). */
  port?: number;
  /** Arbitrate between two UDP ports carrying the same sequence space (A/B lines). */
  lines?: [number, number];
  /**
   * Drop messages whose sequence number was delivered before (default true). Off for captures
   * whose sequence numbers are not real (anonymised ones carry 0 in every packet); not with lines.
   */
  dedup?: boolean;
  /**
   * Which messages get a tick record (default "all"): "book" for only those that book events name,
   * or a list of message types (plus those). The others are parsed, counted and applied to the
   * book without a record. Feeds that support it: itch50.
   */
  records?: RecordFilter;
  debug?: boolean;
  /** Bytes of the input region (default INPUT_CAPACITY, 4 MiB): what `input` holds at once. */
  inputCapacity?: number;
}

export class FeedParser {
  readonly feed: Feed;
  readonly memory: WasmMemory;
  readonly x: ParserExports;
  /** Flyweight over the current records: ticks.at(i). */
  readonly ticks: TickView;
  /** Flyweight full-message view: message.at(tick.msgOffset, tick.msgLength). */
  readonly message: MessageView;
  /** Wasm address of the input region, and its size in bytes. */
  readonly inputBase = L.DYNAMIC_BASE;
  readonly inputCapacity: number;
  /**
   * The input region: bytes written here (by fs.readSync, a socket, set()) are parsed where they
   * lie with parsePlaced, offsets counted from input[0]. The region is inside the memory's initial
   * pages, so this view stays valid when the memory grows (shared memory never detaches; only
   * views made later see pages added later).
   */
  readonly input: Uint8Array;
  readonly #u8: Uint8Array;
  readonly #ctl: Uint32Array;
  readonly #table: Uint32Array;
  readonly #ts: BigUint64Array;
  readonly #extraRejects: Record<string, number> = {};

  /**
   * port: accept only UDP datagrams to this port (default any). lines: arbitrate between two
   * UDP ports carrying the same sequence space (A/B lines; frames to other ports are rejected).
   */
  constructor(feed: Feed, opts: FeedParserOptions = {}) {
    if (opts.lines && opts.dedup === false) {
      throw new XdpError("ECONFIG", "A/B arbitration (lines) needs de-duplication: it is how the later copy of a message is dropped");
    }
    const cap = opts.inputCapacity ?? INPUT_CAPACITY;
    if (!Number.isInteger(cap) || cap < 1 || cap > MAX_INPUT_CAPACITY) {
      throw new XdpError("ECONFIG", `inputCapacity ${cap} must be an integer from 1 to ${MAX_INPUT_CAPACITY} bytes`);
    }
    this.inputCapacity = cap;
    // Never smaller than with the default region: the modules declare a minimum memory size
    // (asconfig.json initialMemory) that a tiny region would fall below.
    const pages = Math.ceil((this.inputBase + Math.max(cap, INPUT_CAPACITY)) / L.WASM_PAGE);
    this.feed = feed;
    // Maximum 4 GiB: enableBook (src/book/book.ts) grows the memory for an order book.
    this.memory = new Wasm.Memory({ initial: pages, maximum: 65536, shared: true });
    this.x = instantiate(feed.modulePath(opts.debug), this.memory) as ParserExports;
    this.ticks = new TickView(this.memory);
    this.message = new MessageView(this.memory, feed.schema);
    this.#u8 = new Uint8Array(this.memory.buffer);
    this.input = this.#u8.subarray(this.inputBase, this.inputBase + cap);
    this.#ctl = new Uint32Array(this.memory.buffer, L.BOOK_CTL_BASE, L.BOOK_CTL_SIZE / 4);
    this.#table = new Uint32Array(this.memory.buffer, L.BATCH_BASE, L.BATCH_MAX * 2);
    this.#ts = new BigUint64Array(this.memory.buffer, L.BATCH_TS_BASE, L.BATCH_MAX);
    this.setPort(opts.lines ? undefined : opts.port);
    setLines(this.memory, opts.lines);
    setDedup(this.memory, opts.dedup ?? true);
    setRecordFilter(this.memory, this.x, feed.name, opts.records);
  }

  /** Where an order book goes in this memory: the first page after the input region (enableBook). */
  get bookBase(): number {
    return Math.ceil((this.inputBase + this.inputCapacity) / L.WASM_PAGE) * L.WASM_PAGE;
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

  /** Accept only UDP datagrams to this destination port (0 included); undefined: any. */
  setPort(port: number | undefined): void {
    setFilterPort(this.memory, port);
  }

  /**
   * Parses a chunk; onRecords(n) is called for each run of n records (this.ticks.at(0..n-1)),
   * which stay valid until it returns. Returns the number of records delivered.
   *
   * A chunk whose data is a view of `input` is parsed where it lies; any other is copied into
   * the input region first, as many entries at a time as the region holds.
   */
  parse(chunk: InputChunk, kind: EntryKind, onRecords: (n: number) => void, firstSeq = 0, line = 0): number {
    const { data } = chunk;
    const { count, offsets, lengths, timestampsNs, table } = this.#entries(chunk.count, chunk.offsets, chunk.lengths, kind, chunk.timestampsNs);
    const at = this.#placedAt(data);
    if (at >= 0) return this.#parseEntries(0, count, offsets, lengths, at, at, at + data.length, table, onRecords, firstSeq, line, timestampsNs);
    const cap = this.inputCapacity;
    const endOf = (i: number): number => offsets[i] + lengths[i];
    let total = 0;
    for (let start = 0; start < count;) {
      // The longest run of entries from `start` whose bytes fit the region together, found by
      // bisection on the entries' ends, which readers hand out ascending. An entry that is not
      // (or that lies outside its run) fails #parseEntries' check: it is never read from
      // outside what was copied.
      const lo = offsets[start];
      let end = count;
      if (!(endOf(count - 1) - lo <= cap)) {
        let fits = start;
        while (end - fits > 1) {
          const mid = (fits + end) >>> 1;
          if (endOf(mid - 1) - lo <= cap) fits = mid;
          else end = mid;
        }
        end = fits;
      }
      if (end === start) {
        // Longer than any UDP datagram: rejected unread, as wasm rejects one in the region.
        if (this.#oversized(table, lengths[start])) {
          start++;
          continue;
        }
        throw new XdpError("ECONFIG", `entry ${start} of ${lengths[start]} bytes exceeds the parser's ${cap}-byte input region (inputCapacity)`);
      }
      const hi = endOf(end - 1);
      if (!(lo >= 0 && hi >= lo && hi <= data.length)) {
        throw new XdpError("ECONFIG", `entries ${start} to ${end - 1} span offsets ${lo} to ${hi}, not a run within the chunk's ${data.length} bytes`);
      }
      // One copy into wasm memory. The destination keeps the source's alignment mod 8: V8 copies
      // into shared memory byte by byte otherwise (5-10x slower); a run too long for the shift
      // is copied to the region's start, slowly but correctly.
      let shift = (data.byteOffset + lo) & 7;
      if (hi - lo + shift > cap) shift = 0;
      this.#u8.set(data.subarray(lo, hi), this.inputBase + shift);
      total += this.#parseEntries(start, end - start, offsets, lengths, shift - lo, shift, shift + hi - lo, table, onRecords, firstSeq, line, timestampsNs);
      start = end;
    }
    return total;
  }

  /**
   * Parses count entries already in the input region, zero copy: entry i is
   * input[offsets[i], offsets[i] + lengths[i]). Records as parse(); messages (kinds "messages"
   * and "prefixed") are numbered firstSeq + i; timestampsNs gives each entry's receive time
   * (default 0; "prefixed" messages take none). Throws
   * XdpError ECONFIG when an entry lies outside the region: it never reaches wasm, nor does any
   * entry of its batch (BATCH_MAX entries); the records of earlier batches were delivered.
   */
  parsePlaced(
    count: number, offsets: ArrayLike<number>, lengths: ArrayLike<number>, kind: EntryKind, onRecords: (n: number) => void,
    firstSeq = 0, line = 0, timestampsNs?: ArrayLike<bigint>,
  ): number {
    const e = this.#entries(count, offsets, lengths, kind, timestampsNs);
    return this.#parseEntries(0, e.count, e.offsets, e.lengths, 0, 0, this.inputCapacity, e.table, onRecords, firstSeq, line, e.timestampsNs);
  }

  // The batch-table entries for a kind: as given, or for "prefixed" messages one entry per run of
  // PREFIXED_RUN of them, from the first one's length prefix to the last one's end.
  #entries(count: number, offsets: ArrayLike<number>, lengths: ArrayLike<number>, kind: EntryKind, timestampsNs: ArrayLike<bigint> | undefined) {
    if (kind !== "prefixed") return { count, offsets, lengths, timestampsNs, table: kind as TableKind };
    const runs = Math.ceil(count / PREFIXED_RUN);
    const ro = new Uint32Array(runs);
    const rl = new Uint32Array(runs);
    for (let j = 0; j < runs; j++) {
      const a = j * PREFIXED_RUN;
      const b = Math.min(count, a + PREFIXED_RUN) - 1;
      const start = offsets[a] - 2;
      const end = offsets[b] + lengths[b];
      if (!(start >= 0 && end >= start + 2)) {
        throw new XdpError("ECONFIG", `prefixed messages ${a} to ${b} span offsets ${start} to ${end}: not a run of messages each after its 2-byte length`);
      }
      ro[j] = start;
      rl[j] = end - start;
    }
    return { count: runs, offsets: ro, lengths: rl, timestampsNs: undefined, table: "runs" as TableKind };
  }

  // Offset of data in the input region when it is a view of `input`, else -1.
  #placedAt(data: Uint8Array): number {
    if (data.buffer !== this.input.buffer) return -1;
    const at = data.byteOffset - this.inputBase;
    return at >= 0 && at + data.length <= this.inputCapacity ? at : -1;
  }

  // Entries [first, first + n): entry i at input region offset offsets[i] + delta, which must
  // lie in region bytes [from, end): what the caller placed or parse() copied. The one loop behind
  // parse() and parsePlaced(): fills the batch table BATCH_MAX entries at a time, checking each
  // entry as it goes (one pass: a separate one cost ~1.5 ns an entry, a message in ITCH files),
  // and lets wasm parse each batch once all of it is checked.
  #parseEntries(
    first: number, n: number, offsets: ArrayLike<number>, lengths: ArrayLike<number>, delta: number, from: number, end: number,
    kind: TableKind, onRecords: (n: number) => void, firstSeq: number, line: number, timestampsNs: ArrayLike<bigint> | undefined,
  ): number {
    this.#checkBook();
    const table = this.#table;
    let total = 0;
    for (let start = 0; start < n; start += L.BATCH_MAX) {
      const k = Math.min(L.BATCH_MAX, n - start);
      const e0 = first + start;
      for (let i = 0; i < k; i++) {
        const o = offsets[e0 + i] + delta;
        const len = lengths[e0 + i];
        // Written as a negation so that NaN (an offsets array too short) fails too.
        if (!(o >= from && len >= 0 && o + len <= end)) throw this.#outside(e0 + i, o, len, from, end);
        table[i * 2] = this.inputBase + o;
        table[i * 2 + 1] = len;
      }
      if (timestampsNs instanceof BigUint64Array) this.#ts.set(timestampsNs.subarray(e0, e0 + k));
      else if (timestampsNs) for (let i = 0; i < k; i++) this.#ts[i] = timestampsNs[e0 + i];
      else this.#ts.fill(0n, 0, k);
      for (let done = 0; done < k;) {
        this.x.clearRecords();
        const m = kind === "frames" ? this.x.parseFrames(done, k - done)
          : kind === "payloads" ? this.x.parsePayloads(done, k - done, line)
          : kind === "messages" ? this.x.parseMessages(done, k - done, BigInt(firstSeq + e0 + done), 0)
          : this.x.parseMessages(done, k - done, BigInt(firstSeq + (e0 + done) * PREFIXED_RUN), PREFIXED_RUN);
        const r = this.x.recordCount();
        if (r > 0) onRecords(r);
        total += r;
        done += m;
        if (m === 0 && r === 0) throw new XdpError("ECONFIG", "parser made no progress on its input");
      }
    }
    return total;
  }

  #outside(i: number, o: number, len: number, from: number, end: number): XdpError {
    const where = from === 0 && end === this.inputCapacity ? `the parser's ${end}-byte input region` : `its chunk (input region bytes ${from} to ${end})`;
    return new XdpError("ECONFIG", `entry ${i} (input offset ${o}, ${len} bytes) lies outside ${where}`);
  }

  // A book laid over the input region (attachBook at a base below bookBase) would be corrupted
  // by the input and corrupt the parse: refused before wasm sees either.
  #checkBook(): void {
    const base = this.#ctl[L.BK_BASE / 4];
    if (base !== 0 && base < this.inputBase + this.inputCapacity && base + this.#ctl[L.BK_BYTES / 4] > this.inputBase) {
      throw new XdpError("ECONFIG", `the order book at ${base} overlaps the parser's input region ` +
        `[${this.inputBase}, ${this.inputBase + this.inputCapacity}): attach it at parser.bookBase (${this.bookBase}) with attachBook()`);
    }
  }

  // Counts a frame or payload longer than any UDP datagram (FRAME_MAX, PAYLOAD_MAX) as wasm does.
  #oversized(kind: TableKind, len: number): boolean {
    const max = kind === "frames" ? L.FRAME_MAX : kind === "payloads" ? L.PAYLOAD_MAX : -1;
    if (max < 0 || len <= max) return false;
    const ps = new BigUint64Array(this.memory.buffer, L.PSTATS_BASE, L.PSTATS_SIZE / 8);
    ps[L.PS_FRAMES / 8]++;
    ps[(L.PS_REJECTED + L.REJ_OVERSIZED * 8) / 8]++;
    return true;
  }

  /** Counts a rejection decided outside wasm (e.g. a capture record cut short). */
  rejectOutside(reason: string, n = 1): void {
    this.#extraRejects[reason] = (this.#extraRejects[reason] ?? 0) + n;
  }

  summary(): ParserSummary {
    return readSummary(this.memory, this.#extraRejects, this.feed.schema.sbe !== undefined);
  }

  reset(): void {
    this.x.resetParser();
    for (const k of Object.keys(this.#extraRejects)) delete this.#extraRejects[k];
  }
}
