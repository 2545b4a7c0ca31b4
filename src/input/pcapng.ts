// pcapng files: a sequence of blocks (type, total length, body, total length again), grouped in
// sections that each begin with a Section Header Block setting the byte order. Packets come
// from Enhanced Packet Blocks (and Simple and obsolete Packet Blocks); Interface Description
// Blocks give each interface's link type, snaplen and timestamp resolution; anything else
// (statistics, name resolution, decryption secrets, custom blocks) is skipped.
//
// A file that ends inside a packet block is cut, like a pcap whose last record is short: counted
// as truncated. A length that cannot be right (under 12, not a multiple of 4, over the maximum,
// not repeated at the block's end) or a non-packet block running past the end of the file is
// corruption: reading stops there, counted, and every packet before it has been handed out.

import { BatchArrays, MAX_PACKET_BYTES, type BatchLimits, type PacketBatch } from "./batch.js";
import type { ByteSource } from "./source.js";
import type { CaptureStats } from "./stats.js";

const SHB = 0x0a0d0d0a;
const IDB = 1;
const OPB = 2; // obsolete Packet Block, still written by old tools
const SPB = 3;
const EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const MIN_BLOCK = 12;
const MAX_BLOCK = MAX_PACKET_BYTES + 1024 * 1024; // room for options around the largest packet
const OPT_TSRESOL = 9;
const OPT_TSOFFSET = 14;

interface Iface {
  linktype: number;
  snaplen: number;
  /** Nanoseconds per timestamp unit when that is a whole number and there is no offset; else 0. */
  nsPerUnit: number;
  tsresol: number;
  /** if_tsoffset: seconds added to every timestamp. */
  offsetSec: bigint;
}

const hex = (v: number): string => "0x" + v.toString(16).padStart(8, "0");

/** Nanoseconds of a timestamp in an unusual unit (2^-k s, 10^-k s with k > 9) or with an offset. */
function slowNs(iface: Iface, hi: number, lo: number): bigint {
  const units = (BigInt(hi) << 32n) | BigInt(lo);
  const r = iface.tsresol;
  let ns: bigint;
  if (r & 0x80) ns = (units * 1_000_000_000n) >> BigInt(r & 0x7f);
  else if (r > 9) ns = units / 10n ** BigInt(r - 9);
  else ns = units * 10n ** BigInt(9 - r);
  return ns + iface.offsetSec * 1_000_000_000n;
}

/** Packets of a pcapng file whose first byte is at src.pos, in batches. Damage ends it, counted in stats. */
export async function* readPcapng(
  src: ByteSource,
  arr: BatchArrays,
  lim: BatchLimits,
  stats: CaptureStats,
): AsyncGenerator<PacketBatch, void, undefined> {
  const { offsets, lengths, origLengths, linktypes } = arr;
  let buf = src.buf;
  let dv = src.view;
  let pos = src.pos;
  let end = src.end;
  let le = true; // set by each Section Header Block
  let ifaces: Iface[] = [];
  let n = 0;
  let start = pos;
  let last = pos; // end of the last packet block in the batch
  let bytes = 0;

  const flush = (): PacketBatch => {
    const batch = arr.take(buf, start, last, n);
    stats.packets += n;
    stats.packetBytes += bytes;
    stats.batches++;
    stats.bytesParsed = src.offsetOf(last);
    n = 0;
    bytes = 0;
    return batch;
  };
  const corrupt = (why: string): void => {
    stats.corrupt = 1;
    stats.problem = `block at offset ${src.offsetOf(pos)}: ${why}`;
  };

  for (;;) {
    // Make the whole block available, first its 12-byte minimum, then its declared length.
    let len = MIN_BLOCK;
    let type = -1;
    if (end - pos >= MIN_BLOCK) {
      type = dv.getUint32(pos, le);
      if (type === SHB) {
        const bom = dv.getUint32(pos + 8, true);
        if (bom === BYTE_ORDER_MAGIC) le = true;
        else if (bom === 0x4d3c2b1a) le = false;
        else {
          corrupt(`section header byte-order magic ${hex(bom)} is not 0x1a2b3c4d in either byte order`);
          break;
        }
      }
      len = dv.getUint32(pos + 4, le);
      if (len < MIN_BLOCK || len % 4 !== 0 || len > MAX_BLOCK) {
        corrupt(`type ${hex(type)} has length ${len} (must be a multiple of 4 from ${MIN_BLOCK} to ${MAX_BLOCK})`);
        break;
      }
    }
    if (end - pos < len) {
      if (n > 0) yield flush();
      src.pos = pos;
      const whole = await src.fill(len);
      buf = src.buf;
      dv = src.view;
      pos = src.pos;
      end = src.end;
      if (whole) continue;
      const left = end - pos;
      if (left === 0) break; // the file ends between blocks: the normal end
      if (left < MIN_BLOCK || type === EPB || type === SPB || type === OPB) {
        stats.truncated = 1;
        stats.problem = `block at offset ${src.offsetOf(pos)}: the file ends ${left} bytes into a ` +
          (type === -1 ? "block" : `packet block of ${len} bytes`);
      } else {
        corrupt(`type ${hex(type)} has length ${len} but only ${left} bytes are left in the file`);
      }
      break;
    }
    if (dv.getUint32(pos + len - 4, le) !== len) {
      corrupt(`type ${hex(type)} has length ${len} at its start but ${dv.getUint32(pos + len - 4, le)} at its end`);
      break;
    }

    if (type === EPB || type === OPB) {
      if (len < 32) {
        corrupt(`packet block of ${len} bytes is shorter than its 32-byte header`);
        break;
      }
      const ifid = type === EPB ? dv.getUint32(pos + 8, le) : dv.getUint16(pos + 8, le);
      const caplen = dv.getUint32(pos + 20, le);
      if (ifid >= ifaces.length) {
        corrupt(`packet on interface ${ifid}, but the section describes ${ifaces.length}`);
        break;
      }
      if (caplen > len - 32) {
        corrupt(`captured length ${caplen} does not fit in a block of ${len} bytes`);
        break;
      }
      const iface = ifaces[ifid];
      if (n === 0) start = pos;
      offsets[n] = pos + 28 - start;
      lengths[n] = caplen;
      origLengths[n] = dv.getUint32(pos + 24, le);
      linktypes[n] = iface.linktype;
      const hi = dv.getUint32(pos + 12, le);
      const lo = dv.getUint32(pos + 16, le);
      if (iface.nsPerUnit !== 0) arr.setTimeScaled(n, lo, hi, iface.nsPerUnit, 0);
      else arr.setTimeBig(n, slowNs(iface, hi, lo));
      bytes += caplen;
      n++;
      last = pos + len;
    } else if (type === SPB) {
      if (ifaces.length === 0) {
        corrupt("simple packet block in a section with no interface");
        break;
      }
      // No captured length field: it is the original length, cut to the snaplen and the block.
      const orig = dv.getUint32(pos + 8, le);
      const snap = ifaces[0].snaplen;
      const caplen = Math.min(orig, len - 16, snap > 0 ? snap : orig);
      if (n === 0) start = pos;
      offsets[n] = pos + 12 - start;
      lengths[n] = caplen;
      origLengths[n] = orig;
      linktypes[n] = ifaces[0].linktype;
      arr.setTimeScaled(n, 0, 0, 1, 0);
      bytes += caplen;
      n++;
      last = pos + len;
    } else if (type === IDB) {
      const why = addInterface(dv, pos, len, le, ifaces, stats);
      if (why !== "") {
        corrupt(why);
        break;
      }
    } else if (type === SHB) {
      if (len < 28) {
        corrupt(`section header of ${len} bytes is shorter than 28`);
        break;
      }
      const major = dv.getUint16(pos + 12, le);
      if (major !== 1) {
        corrupt(`section header has version ${major}.${dv.getUint16(pos + 14, le)}; only 1.x is known`);
        break;
      }
      ifaces = []; // interface ids are numbered per section
      stats.sections++;
    } else {
      stats.skippedBlocks++;
    }
    pos += len;
    if (n > 0 && (n === lim.packets || last - start >= lim.bytes)) yield flush();
  }
  if (n > 0) yield flush();
  src.pos = pos;
  stats.bytesParsed = src.offsetOf(pos);
}

/** Reads an Interface Description Block into `ifaces`; returns why it is corrupt, or "". */
function addInterface(dv: DataView, pos: number, len: number, le: boolean, ifaces: Iface[], stats: CaptureStats): string {
  if (len < 20) return `interface description of ${len} bytes is shorter than 20`;
  const linktype = dv.getUint16(pos + 8, le);
  const snaplen = dv.getUint32(pos + 12, le);
  let tsresol = 6; // microseconds unless the if_tsresol option says otherwise
  let offsetSec = 0n;
  const optEnd = pos + len - 4;
  for (let o = pos + 16; o + 4 <= optEnd; ) {
    const code = dv.getUint16(o, le);
    const olen = dv.getUint16(o + 2, le);
    if (code === 0) break; // opt_endofopt
    if (o + 4 + olen > optEnd) return `interface option ${code} of ${olen} bytes runs past the block`;
    if (code === OPT_TSRESOL && olen >= 1) tsresol = dv.getUint8(o + 4);
    if (code === OPT_TSOFFSET && olen >= 8) offsetSec = dv.getBigInt64(o + 4, le);
    o += 4 + ((olen + 3) & ~3);
  }
  let nsPerUnit = 0;
  if (offsetSec === 0n && (tsresol & 0x80) === 0 && tsresol <= 9) nsPerUnit = 10 ** (9 - tsresol);
  ifaces.push({ linktype, snaplen, nsPerUnit, tsresol, offsetSec });
  stats.interfaces.push({ section: stats.sections - 1, linktype, snaplen, tsresol });
  return "";
}
