// Reading packet captures (pcap, pcapng, either gzip-compressed) as batches of whole packets.
// This module stops at packets: what is inside them (Ethernet/IP/UDP, MoldUDP64, IEX-TP) is the
// caller's business, which is why every packet carries its link type.
//
//   const stats = new CaptureStats();
//   for await (const batch of readPackets("DEEP10.pcap.gz", { stats })) {
//     for (let i = 0; i < batch.count; i++) {
//       const frame = batch.data.subarray(batch.offsets[i], batch.offsets[i] + batch.lengths[i]);
//     }
//   }
//   if (stats.truncated || stats.corrupt) console.warn(stats.problem);
//
// A batch is valid until the loop asks for the next one (see batch.ts).

import { BatchArrays, DEFAULT_LIMITS, sizeOption, type PacketBatch } from "./batch.js";
import { InputError } from "./errors.js";
import { detectFormat, MAGIC_BYTES } from "./format.js";
import { readPcap } from "./pcap.js";
import { readPcapng } from "./pcapng.js";
import { openSource, type ByteSource, type ProgressFn } from "./source.js";
import { CaptureStats } from "./stats.js";

export { detectFormat, type InputFormat } from "./format.js";
export type { PacketBatch } from "./batch.js";
export { CaptureStats, type InterfaceInfo } from "./stats.js";
export { InputError, type InputErrorCode } from "./errors.js";
export type { ProgressFn } from "./source.js";

export interface ReadPacketsOptions {
  /** Called after each read of the file (about every MiB): file bytes read, file size. */
  onProgress?: ProgressFn;
  /** Filled in as the file is read (and returned by the generator); a fresh one when omitted. */
  stats?: CaptureStats;
  /** Most packets in a batch (default 4096). */
  batchPackets?: number;
  /** A batch is handed out once it holds this many bytes; also the read size (default 1 MiB). */
  batchBytes?: number;
  /**
   * A working buffer to read a plain (not gzip) file into, of at least batchBytes bytes: e.g. a
   * FeedParser's `input`, so that batches are views of it that FeedParser.parse() parses where
   * they lie. Left alone for a gzip file, and for a packet larger than it.
   */
  buffer?: Uint8Array;
  /** The input opened already (openInput): read from where it is, and closed at the end. */
  source?: ByteSource;
}

/**
 * Reads the packets of a pcap or pcapng file, gzip-compressed or not (told by its magic, not its
 * name), as batches of whole packets. Throws InputError when the file cannot be opened
 * (`cannot open FILE: no such file`) or is no capture (`FILE is not a pcap, pcapng or gzip file`);
 * a cut or corrupt file ends the batches early and is counted in the returned stats.
 */
export async function* readPackets(path: string, opts: ReadPacketsOptions = {}): AsyncGenerator<PacketBatch, CaptureStats, undefined> {
  const lim = {
    packets: sizeOption("batchPackets", opts.batchPackets, DEFAULT_LIMITS.packets, 1 << 20),
    bytes: sizeOption("batchBytes", opts.batchBytes, DEFAULT_LIMITS.bytes, 1 << 30),
  };
  const stats = opts.stats ?? new CaptureStats();
  const src = opts.source ?? await openSource(path, { bufferBytes: lim.bytes, onProgress: opts.onProgress, buffer: opts.buffer });
  try {
    stats.compressed = src.compressed;
    await src.fill(MAGIC_BYTES);
    const format = detectFormat(src.buf.subarray(src.pos, Math.min(src.end, src.pos + MAGIC_BYTES)));
    if (format !== "pcap" && format !== "pcapng") throw notCapture(path, src, format);
    stats.format = format;
    const arr = new BatchArrays(lim.packets);
    if (format === "pcap") yield* readPcap(src, arr, lim, stats);
    else yield* readPcapng(src, arr, lim, stats);
    src.finish(stats, opts.onProgress);
    return stats;
  } finally {
    await src.close();
  }
}

function notCapture(path: string, src: ByteSource, inner: string): InputError {
  if (!src.compressed) return new InputError("EFORMAT", path, `${path} is not a pcap, pcapng or gzip file`);
  if (src.gzipError !== null) return new InputError("EFORMAT", path, `${path} is not a valid gzip file: ${src.gzipError.message}`);
  return new InputError("EFORMAT", path, `${path} is gzip-compressed but holds ${inner === "gzip" ? "another gzip file" : "no pcap or pcapng file"}`);
}
