// Batches of whole packets, handed out without copying the packet bytes.
//
// A batch's `data` is a view of the reader's working buffer from the first packet's record to the
// end of the last packet, so it also holds the capture's own record headers (16 bytes a packet
// in pcap, an EPB header and trailer in pcapng) between packets; offsets/lengths locate each
// packet. That costs a WebAssembly consumer a few extra bytes in its one memcpy of `data`, and
// saves a second copy of every packet here, plus a native call per packet.
//
// Reuse: `data` and every array of a batch are overwritten once the generator is resumed (the
// buffer is compacted and refilled, the arrays refilled). Use a batch before asking for the next,
// or copy what must outlive it (`batch.data.slice()`, `batch.offsets.slice()`...).

/** Packets of one batch. Every array has exactly `count` entries; offsets are into `data`. */
export interface PacketBatch {
  /** Contiguous bytes holding every packet of the batch (and the capture's headers between them). */
  readonly data: Uint8Array;
  readonly count: number;
  /** Byte offset of packet i in `data`. */
  readonly offsets: Uint32Array;
  /** Captured (stored) length of packet i: its bytes are data[offsets[i], offsets[i] + lengths[i]). */
  readonly lengths: Uint32Array;
  /** Length of packet i on the wire; larger than lengths[i] when the capture's snaplen cut it. */
  readonly origLengths: Uint32Array;
  /**
   * Capture time of packet i in nanoseconds since the Unix epoch, exact (a u64, not a double).
   * 0 for a pcapng Simple Packet Block, which has no timestamp.
   */
  readonly timestampsNs: BigUint64Array;
  /** LINKTYPE_* of packet i's interface (1 = Ethernet). Per packet: a pcapng file may mix them. */
  readonly linktypes: Uint16Array;
}

/** Limits on one batch. */
export interface BatchLimits {
  /** Most packets in a batch. */
  packets: number;
  /** A batch is handed out once its data reaches this many bytes. */
  bytes: number;
}

/**
 * A record claiming more than this is taken as corruption (Wireshark's own ceiling is 256 KiB for
 * most link types), so a damaged length field cannot make the reader buffer gigabytes.
 */
export const MAX_PACKET_BYTES = 64 * 1024 * 1024;

export const DEFAULT_LIMITS: BatchLimits = { packets: 4096, bytes: 1 << 20 };

/** Checks a size option: an integer from 1 to max, or the default when omitted. */
export function sizeOption(name: string, v: number | undefined, dflt: number, max: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1 || v > max) throw new RangeError(`invalid ${name} ${v}, expected an integer from 1 to ${max}`);
  return v;
}

// BigUint64Array stores host-order words; write its halves through a Uint32Array alias.
const LITTLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const LO = LITTLE ? 0 : 1;
const HI = 1 - LO;
const TWO32 = 4294967296;

/** The per-packet arrays, allocated once per reader and filled in place by the parsers. */
export class BatchArrays {
  readonly max: number;
  readonly offsets: Uint32Array;
  readonly lengths: Uint32Array;
  readonly origLengths: Uint32Array;
  readonly timestampsNs: BigUint64Array;
  readonly linktypes: Uint16Array;
  private readonly ts32: Uint32Array;

  constructor(max: number) {
    this.max = max;
    this.offsets = new Uint32Array(max);
    this.lengths = new Uint32Array(max);
    this.origLengths = new Uint32Array(max);
    this.timestampsNs = new BigUint64Array(max);
    this.ts32 = new Uint32Array(this.timestampsNs.buffer);
    this.linktypes = new Uint16Array(max);
  }

  /**
   * Stores (hi·2^32 + lo)·m + add nanoseconds, modulo 2^64, for packet i, in double arithmetic
   * split into 16-bit limbs so every product is exact (< 2^53): the BigInt way costs an allocation
   * per packet. Needs m < 2^31 and add < 2^42. pcap: (seconds, 0, 1e9, fraction·unit);
   * pcapng: (ts low, ts high, ns per unit, 0).
   */
  setTimeScaled(i: number, lo: number, hi: number, m: number, add: number): void {
    const p0 = (lo & 0xffff) * m + add;
    const p1 = (lo >>> 16) * m;
    const t = p0 + (p1 % 65536) * 65536;
    // Uint32Array stores reduce modulo 2^32, which is exactly the carry-free part wanted here.
    this.ts32[2 * i + LO] = t;
    this.ts32[2 * i + HI] = Math.floor(t / TWO32) + Math.floor(p1 / 65536) + Math.imul(hi, m);
  }

  /** Stores an arbitrary timestamp (the slow path for unusual pcapng resolutions and offsets). */
  setTimeBig(i: number, ns: bigint): void {
    this.timestampsNs[i] = BigInt.asUintN(64, ns);
  }

  /** The batch of packets [0, count), whose bytes are buf[start, end); offsets are already from start. */
  take(buf: Uint8Array, start: number, end: number, count: number): PacketBatch {
    return {
      data: buf.subarray(start, end),
      count,
      offsets: this.offsets.subarray(0, count),
      lengths: this.lengths.subarray(0, count),
      origLengths: this.origLengths.subarray(0, count),
      timestampsNs: this.timestampsNs.subarray(0, count),
      linktypes: this.linktypes.subarray(0, count),
    };
  }
}
