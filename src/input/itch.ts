// NASDAQ's historical ITCH 5.0 files (e.g. 01302019.NASDAQ_ITCH50.gz): nothing but messages, each
// preceded by its length as a big-endian u16, usually gzip-compressed. Batches are handed out
// like packet batches (see batch.ts): `data` is a view of the working buffer, length prefixes
// included, and offsets/lengths locate each message without its prefix. Valid until the next one.

import { sizeOption } from "./batch.js";
import { InputError } from "./errors.js";
import { detectFormat, MAGIC_BYTES } from "./format.js";
import { openSource, type ByteSource, type ProgressFn } from "./source.js";
import { ItchStats } from "./stats.js";

export { ItchStats } from "./stats.js";

/** ITCH messages of one batch. Every array has exactly `count` entries; offsets are into `data`. */
export interface ItchBatch {
  readonly data: Uint8Array;
  readonly count: number;
  /** Offset in `data` of message i's first byte (its type letter), past its length prefix. */
  readonly offsets: Uint32Array;
  readonly lengths: Uint32Array;
}

export interface ReadItchOptions {
  onProgress?: ProgressFn;
  /** Filled in as the file is read (and returned by the generator); a fresh one when omitted. */
  stats?: ItchStats;
  /** Most messages in a batch (default 4096). */
  batchMessages?: number;
  /** A batch is handed out once it holds this many bytes; also the read size (default 1 MiB). */
  batchBytes?: number;
  /**
   * A working buffer to read a plain (not gzip) file into, of at least batchBytes bytes and at
   * least 65537 (the largest message and its length): e.g. a FeedParser's `input`, so that
   * batches are views of it that FeedParser.parse() parses where they lie. Left alone for a gzip
   * file.
   */
  buffer?: Uint8Array;
  /** The input opened already (openInput): read from where it is, and closed at the end. */
  source?: ByteSource;
  /**
   * The exact length of each message type (0: no such type), e.g. a parser's messageLength. With
   * it a length prefix that cannot be right (a known type of another length, or an unknown type
   * not followed by a plausible message) is taken as damage: the reader resynchronises on the next
   * plausible message (a known type with its exact length, followed by another or the end) and
   * counts the bytes skipped (ItchStats). Without it every prefix is taken as it is.
   */
  messageLength?: (type: number) => number;
}

/**
 * Reads a NASDAQ ITCH 5.0 binary file (u16 big-endian length + message, repeated), gzip or not,
 * as batches of whole messages. Throws InputError when the file cannot be opened or is a packet
 * capture; a final message cut short ends the batches and is counted in stats.truncated.
 */
export async function* readItchBinary(path: string, opts: ReadItchOptions = {}): AsyncGenerator<ItchBatch, ItchStats, undefined> {
  const maxCount = sizeOption("batchMessages", opts.batchMessages, 4096, 1 << 20);
  const maxBytes = sizeOption("batchBytes", opts.batchBytes, 1 << 20, 1 << 30);
  const stats = opts.stats ?? new ItchStats();
  // The largest record is 2 + 65535 bytes, so the buffer never has to grow past that.
  const src = opts.source ?? await openSource(path, { bufferBytes: Math.max(maxBytes, 2 + 0xffff), onProgress: opts.onProgress, buffer: opts.buffer });
  const exact = opts.messageLength ? lengthTable(opts.messageLength) : null;
  try {
    stats.compressed = src.compressed;
    await src.fill(MAGIC_BYTES);
    const inner = detectFormat(src.buf.subarray(src.pos, Math.min(src.end, src.pos + MAGIC_BYTES)));
    if (inner === "pcap" || inner === "pcapng") {
      throw new InputError("EFORMAT", path, `${path} is a ${inner} capture, not a NASDAQ binary ITCH file`);
    }
    if (src.end === src.pos && src.gzipError !== null) {
      throw new InputError("EFORMAT", path, `${path} is not a valid gzip file: ${src.gzipError.message}`);
    }

    const offsets = new Uint32Array(maxCount);
    const lengths = new Uint32Array(maxCount);
    let buf = src.buf;
    let pos = src.pos;
    let end = src.end;
    let n = 0;
    let start = pos;
    let bytes = 0;
    const flush = (): ItchBatch => {
      const batch = { data: buf.subarray(start, pos), count: n, offsets: offsets.subarray(0, n), lengths: lengths.subarray(0, n) };
      stats.messages += n;
      if (stats.resyncs > 0) stats.recoveredMessages += n;
      stats.messageBytes += bytes;
      stats.batches++;
      stats.bytesParsed = src.offsetOf(pos);
      n = 0;
      bytes = 0;
      return batch;
    };

    // Damage at pos (see ReadItchOptions.messageLength): skipped, once what is whole went out.
    const skip = async (): Promise<void> => {
      src.pos = pos;
      await resync(src, exact!, stats);
      buf = src.buf;
      pos = src.pos;
      end = src.end;
    };

    for (;;) {
      let need = 2;
      if (end - pos >= 2) {
        const len = (buf[pos] << 8) | buf[pos + 1];
        need = 2 + len;
        const whole = end - pos >= need;
        if (exact !== null && (whole ? !plausible(exact, buf, pos, end, src.eof) : wrongLength(exact, buf, pos, end))) {
          if (n > 0) yield flush();
          await skip();
          continue;
        }
        if (whole) {
          if (n === 0) start = pos;
          offsets[n] = pos + 2 - start;
          lengths[n] = len;
          bytes += len;
          pos += need;
          n++;
          if (n === maxCount || pos - start >= maxBytes) yield flush();
          continue;
        }
      }
      if (n > 0) yield flush(); // before fill() moves the bytes
      src.pos = pos;
      const whole = await src.fill(need);
      buf = src.buf;
      pos = src.pos;
      end = src.end;
      if (!whole) {
        const left = end - pos;
        // An unknown type whose length runs past the end of the file is damage, not a cut message.
        if (exact !== null && left >= 3 && exact[buf[pos + 2]] === 0) {
          await skip();
          continue;
        }
        if (left > 0) {
          stats.truncated = 1;
          stats.problem = `message ${stats.messages + 1} at offset ${src.offsetOf(pos)}: ` +
            (left < 2 ? "length prefix cut short" : `length ${need - 2}, only ${left - 2} bytes of it in the file`);
        }
        break;
      }
    }
    if (n > 0) yield flush();
    src.pos = pos;
    stats.bytesParsed = src.offsetOf(pos);
    src.finish(stats, opts.onProgress);
    return stats;
  } finally {
    await src.close();
  }
}

// exact[t]: the length of message type t, 0 for none.
function lengthTable(messageLength: (type: number) => number): Uint16Array {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) t[i] = messageLength(i);
  return t;
}

// A length prefix at `at` whose message is of a known type and exactly that type's length.
function exactAt(exact: Uint16Array, buf: Uint8Array, at: number, end: number): boolean {
  if (end - at < 3) return false;
  const len = (buf[at] << 8) | buf[at + 1];
  return len !== 0 && exact[buf[at + 2]] === len;
}

// A message whose type is known and whose length prefix is not that type's length.
function wrongLength(exact: Uint16Array, buf: Uint8Array, pos: number, end: number): boolean {
  if (end - pos < 3) return false;
  const known = exact[buf[pos + 2]];
  return known !== 0 && known !== ((buf[pos] << 8) | buf[pos + 1]);
}

// Whether the message at `pos` (whole in the buffer) can be taken as it is: a known type of exactly
// its length; or an unknown type (the parser counts it) followed by a message of a known type,
// the end of the file, or bytes not read yet.
function plausible(exact: Uint16Array, buf: Uint8Array, pos: number, end: number, eof: boolean): boolean {
  const len = (buf[pos] << 8) | buf[pos + 1];
  if (len === 0) return false;
  const known = exact[buf[pos + 2]];
  if (known !== 0) return known === len;
  const next = pos + 2 + len;
  if (end - next < 3) return !(eof && next < end);
  return exactAt(exact, buf, next, end);
}

// The bytes at src.pos are no message: skips to the next position holding a known type with its
// exact length, followed by another such message or the end of the file (or bytes not read yet),
// or to the end of the file. Counted in stats.
async function resync(src: ByteSource, exact: Uint16Array, stats: ItchStats): Promise<void> {
  const from = src.offsetOf(src.pos);
  stats.resyncs++;
  for (let at = src.pos + 1; ; at++) {
    if (src.end - at < 3 + 0xffff + 3 && !src.eof) {
      // Room to see a candidate, its message and the next one's start; fill() moves the bytes.
      src.pos = at;
      await src.fill(3 + 0xffff + 3);
      at = src.pos;
    }
    const { buf, end } = src;
    if (end - at < 3) {
      src.pos = end;
      break;
    }
    if (!exactAt(exact, buf, at, end)) continue;
    const next = at + 2 + ((buf[at] << 8) | buf[at + 1]);
    if (next === end || exactAt(exact, buf, next, end) || (end - next < 3 && !src.eof)) {
      src.pos = at;
      break;
    }
  }
  const skipped = src.offsetOf(src.pos) - from;
  stats.skippedBytes += skipped;
  if (stats.problem === "") stats.problem = `${skipped} bytes at offset ${from} are no ITCH messages: skipped to the next plausible message`;
}
