// Recognising an input file by its first bytes, never by its name: captures are often renamed,
// and IEX's own TOPS16.pcapng.gz sample is in fact a classic pcap.

export type InputFormat = "pcap" | "pcapng" | "gzip" | "unknown";

/** Bytes needed to tell every format apart (a pcap or pcapng magic is 4 bytes, gzip's is 2). */
export const MAGIC_BYTES = 4;

/** pcapng Section Header Block type; palindromic, so it reads the same in both byte orders. */
export const PCAPNG_SHB = 0x0a0d0d0a;

/** What a pcap file header's magic says about the rest of the file. */
export interface PcapMagic {
  littleEndian: boolean;
  /** true: timestamps' second field is in nanoseconds (0xa1b23c4d); false: microseconds (0xa1b2c3d4). */
  nanoseconds: boolean;
}

/** Reads a pcap magic in both byte orders; null when the 4 bytes are not one. */
export function pcapMagic(b: Uint8Array): PcapMagic | null {
  if (b.length < 4) return null;
  const be = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  const le = ((b[3] << 24) | (b[2] << 16) | (b[1] << 8) | b[0]) >>> 0;
  if (be === 0xa1b2c3d4) return { littleEndian: false, nanoseconds: false };
  if (le === 0xa1b2c3d4) return { littleEndian: true, nanoseconds: false };
  if (be === 0xa1b23c4d) return { littleEndian: false, nanoseconds: true };
  if (le === 0xa1b23c4d) return { littleEndian: true, nanoseconds: true };
  return null;
}

/** Detects the format from the first bytes of a file (at least MAGIC_BYTES of them when available). */
export function detectFormat(firstBytes: Uint8Array): InputFormat {
  const b = firstBytes;
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return "gzip";
  if (pcapMagic(b) !== null) return "pcap";
  if (b.length >= 4 && b[0] === 0x0a && b[1] === 0x0d && b[2] === 0x0d && b[3] === 0x0a) return "pcapng";
  return "unknown";
}
