// What a reader met on its way through a file. Damage is counted here rather than thrown, so a
// caller gets every whole packet and then decides what a cut or corrupt file means to it.
// Pass an instance in the options to watch it fill during the run; the generator also returns it.

/** One capture interface: a pcap file has one, a pcapng file one per Interface Description Block. */
export interface InterfaceInfo {
  /** pcapng section (0-based) the interface belongs to; 0 for pcap. */
  section: number;
  /** LINKTYPE_* value (1 = Ethernet). */
  linktype: number;
  /** Longest packet the capture kept; 0 when the file does not say. */
  snaplen: number;
  /**
   * Timestamp resolution as the pcapng if_tsresol byte: 6 = microseconds (pcap and the pcapng
   * default), 9 = nanoseconds, 0x80 | k = 2^-k seconds.
   */
  tsresol: number;
}

export class CaptureStats {
  /** Format inside the file (after decompression); "" until known. */
  format: "pcap" | "pcapng" | "" = "";
  /** The file was gzip-compressed. */
  compressed = false;
  /** Whole packets handed out. */
  packets = 0;
  /** Captured bytes of those packets. */
  packetBytes = 0;
  batches = 0;
  /** Bytes of the capture itself (decompressed) that were parsed. */
  bytesParsed = 0;
  /** Records cut short by the end of the file (0 or 1: only the last one can be). */
  truncated = 0;
  /** 1 when reading stopped at a structure that cannot be right (a bad block length...). */
  corrupt = 0;
  /** One line on why reading ended early (truncation, corruption, gzip error); "" when it did not. */
  problem = "";
  /** The gzip stream's own error ("unexpected end of file" for a cut .gz), "" when none. */
  gzipError = "";
  /** pcapng sections seen. */
  sections = 0;
  /** pcapng blocks skipped because they carry no packet (statistics, name resolution, custom...). */
  skippedBlocks = 0;
  interfaces: InterfaceInfo[] = [];
}

export class ItchStats {
  compressed = false;
  /** Whole messages handed out. */
  messages = 0;
  /** Bytes of those messages, without their length prefixes. */
  messageBytes = 0;
  batches = 0;
  bytesParsed = 0;
  /** Messages cut short by the end of the file (0 or 1). */
  truncated = 0;
  /** 1 when the gzip data is corrupt. */
  corrupt = 0;
  /**
   * Damaged stretches skipped, with a message-length table (ReadItchOptions.messageLength): each a
   * length prefix that could not be right, and the reader resynchronising on the next plausible
   * message.
   */
  resyncs = 0;
  /** Bytes in those stretches. */
  skippedBytes = 0;
  /** Whole messages read after the first resynchronisation: recovered rather than lost. */
  recoveredMessages = 0;
  problem = "";
  gzipError = "";
}
