// Classic pcap (libpcap) files: a 24-byte file header, then records of a 16-byte header
// (seconds, microseconds or nanoseconds, captured length, original length) and the packet.
// Both magics (µs 0xa1b2c3d4, ns 0xa1b23c4d) in both byte orders; any snaplen, since writers do
// not all honour their own (a record longer than snaplen is kept as it is).

import { BatchArrays, MAX_PACKET_BYTES, type BatchLimits, type PacketBatch } from "./batch.js";
import { pcapMagic } from "./format.js";
import type { ByteSource } from "./source.js";
import type { CaptureStats } from "./stats.js";

const FILE_HEADER = 24;
const RECORD_HEADER = 16;

/** Packets of a pcap file whose first byte is at src.pos, in batches. Damage ends it, counted in stats. */
export async function* readPcap(
  src: ByteSource,
  arr: BatchArrays,
  lim: BatchLimits,
  stats: CaptureStats,
): AsyncGenerator<PacketBatch, void, undefined> {
  if (!(await src.fill(FILE_HEADER))) {
    stats.corrupt = 1;
    stats.problem = `pcap file header cut short: ${src.end - src.pos} of ${FILE_HEADER} bytes`;
    return;
  }
  const magic = pcapMagic(src.buf.subarray(src.pos, src.pos + 4))!;
  const le = magic.littleEndian;
  const fractionNs = magic.nanoseconds ? 1 : 1000;
  const snaplen = src.view.getUint32(src.pos + 16, le);
  // The upper bits of the link-type field carry FCS information (pcap spec), not the type.
  const linktype = src.view.getUint32(src.pos + 20, le) & 0xffff;
  stats.interfaces.push({ section: 0, linktype, snaplen, tsresol: magic.nanoseconds ? 9 : 6 });
  src.pos += FILE_HEADER;

  const { offsets, lengths, origLengths, linktypes } = arr;
  let buf = src.buf;
  let dv = src.view;
  let pos = src.pos;
  let end = src.end;
  let n = 0; // packets in the current batch
  let start = pos; // where the current batch's data begins
  let bytes = 0; // captured bytes in the current batch

  const flush = (): PacketBatch => {
    const batch = arr.take(buf, start, pos, n);
    stats.packets += n;
    stats.packetBytes += bytes;
    stats.batches++;
    stats.bytesParsed = src.offsetOf(pos);
    n = 0;
    bytes = 0;
    return batch;
  };

  for (;;) {
    let need = RECORD_HEADER;
    if (end - pos >= RECORD_HEADER) {
      const caplen = dv.getUint32(pos + 8, le);
      if (caplen > MAX_PACKET_BYTES) {
        stats.corrupt = 1;
        stats.problem = `record ${stats.packets + n + 1} at offset ${src.offsetOf(pos)}: captured length ${caplen} is over ${MAX_PACKET_BYTES} bytes`;
        break;
      }
      need = RECORD_HEADER + caplen;
      if (end - pos >= need) {
        if (n === 0) start = pos;
        offsets[n] = pos + RECORD_HEADER - start;
        lengths[n] = caplen;
        origLengths[n] = dv.getUint32(pos + 12, le);
        linktypes[n] = linktype;
        arr.setTimeScaled(n, dv.getUint32(pos, le), 0, 1e9, dv.getUint32(pos + 4, le) * fractionNs);
        bytes += caplen;
        pos += need;
        n++;
        if (n === lim.packets || pos - start >= lim.bytes) yield flush();
        continue;
      }
    }
    // The record runs past the buffer: hand out what is whole before fill() moves the bytes.
    if (n > 0) yield flush();
    src.pos = pos;
    const whole = await src.fill(need);
    buf = src.buf;
    dv = src.view;
    pos = src.pos;
    end = src.end;
    if (!whole) {
      const left = end - pos;
      if (left > 0) {
        stats.truncated = 1;
        const at = `record ${stats.packets + 1} at offset ${src.offsetOf(pos)}`;
        stats.problem = left < RECORD_HEADER
          ? `${at}: header cut short, ${left} of ${RECORD_HEADER} bytes`
          : `${at}: captured length ${need - RECORD_HEADER}, only ${left - RECORD_HEADER} bytes of it in the file`;
        // A record cut short by the end of the file is still handed out with the bytes it has
        // (lengths < origLengths): the parser delivers the whole messages in it.
        if (left > RECORD_HEADER) {
          start = pos;
          offsets[0] = RECORD_HEADER;
          lengths[0] = left - RECORD_HEADER;
          origLengths[0] = dv.getUint32(pos + 12, le);
          linktypes[0] = linktype;
          arr.setTimeScaled(0, dv.getUint32(pos, le), 0, 1e9, dv.getUint32(pos + 4, le) * fractionNs);
          bytes = left - RECORD_HEADER;
          n = 1;
          pos = end;
        }
      }
      break;
    }
  }
  if (n > 0) yield flush();
  src.pos = pos;
  stats.bytesParsed = src.offsetOf(pos);
}
