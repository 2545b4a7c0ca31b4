// NASDAQ's historical ITCH 5.0 files (e.g. 01302019.NASDAQ_ITCH50.gz): nothing but messages, each
// preceded by its length as a big-endian u16, usually gzip-compressed. Batches are handed out
// like packet batches (see batch.ts): `data` is a view of the working buffer, length prefixes
// included, and offsets/lengths locate each message without its prefix. Valid until the next one.

import { sizeOption } from "./batch.js";
import { InputError } from "./errors.js";
import { detectFormat, MAGIC_BYTES } from "./format.js";
import { openSource, type ProgressFn } from "./source.js";
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
  const src = await openSource(path, { bufferBytes: Math.max(maxBytes, 2 + 0xffff), onProgress: opts.onProgress, buffer: opts.buffer });
  try {
    stats.compressed = src.compressed;
    await src.fill(MAGIC_BYTES);
    const inner = detectFormat(src.buf.subarray(src.pos, Math.min(src.end, src.pos + MAGIC_BYTES)));
    if (inner === "pcap" || inner === "pcapng") {
      throw new InputError("EFORMAT", path, `${path} is a ${inner} capture, not an ITCH binary file (read it with readPackets)`);
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
      stats.messageBytes += bytes;
      stats.batches++;
      stats.bytesParsed = src.offsetOf(pos);
      n = 0;
      bytes = 0;
      return batch;
    };

    for (;;) {
      let need = 2;
      if (end - pos >= 2) {
        const len = (buf[pos] << 8) | buf[pos + 1];
        need = 2 + len;
        if (end - pos >= need) {
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
