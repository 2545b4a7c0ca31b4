// The streaming SoupBinTCP packet decoder: TCP chunks in, whole packets out, whatever the chunk
// boundaries (a packet split over many chunks, many packets in one chunk). A packet that lies
// whole in a chunk is handed out as a view of the chunk; only a packet split across chunks is
// copied, into one buffer sized for the longest packet allowed, so memory stays bounded whatever
// the peer sends. Each packet's length is checked as soon as its two length bytes are in, and its
// type as soon as its type byte is: a type the sending side may not send, a length over the
// maximum, or a length that does not fit the type stops the decoder with a SoupError (the owner
// closes the connection), before a byte of that packet's payload is stored.

import { SoupError } from "./errors.js";
import { HEADER, MAX_PACKET_LENGTH, PAYLOADS, typeName, type Sender } from "./packets.js";

/** Called for each packet: its type and payload buf[offset, offset + length), valid during the call only. */
export type OnPacket = (type: number, buf: Uint8Array, offset: number, length: number) => void;

export interface DecoderOptions {
  /** Who sends the packets this decoder reads. */
  from: Sender;
  /**
   * The longest packet accepted, in bytes after the length field (type byte and payload), 2 to
   * 65,535 (default DEFAULT_MAX_PACKET: 16 KiB). A longer one stops the decoder.
   */
  maxPacketLength?: number;
}

/** Default maxPacketLength: longer than any ITCH or OUCH message and any sensible Debug text. */
export const DEFAULT_MAX_PACKET = 16384;

export class SoupDecoder {
  readonly from: Sender;
  readonly maxPacketLength: number;
  readonly #payloads: Int32Array;
  readonly #onPacket: OnPacket;
  /** A packet split across chunks: its first #have bytes, length field included. */
  readonly #carry: Uint8Array;
  #have = 0;
  #error: SoupError | undefined;
  #stopped = false;
  /** Packets decoded, and bytes taken in. */
  packets = 0;
  bytes = 0;

  constructor(o: DecoderOptions, onPacket: OnPacket) {
    const max = o.maxPacketLength ?? DEFAULT_MAX_PACKET;
    if (!Number.isInteger(max) || max < 2 || max > MAX_PACKET_LENGTH) {
      throw new RangeError(`maxPacketLength ${max} must be an integer from 2 to ${MAX_PACKET_LENGTH}`);
    }
    this.from = o.from;
    this.maxPacketLength = max;
    this.#payloads = PAYLOADS[o.from];
    this.#onPacket = onPacket;
    this.#carry = new Uint8Array(2 + max);
  }

  /** The error that stopped the decoder, if one did. */
  get error(): SoupError | undefined {
    return this.#error;
  }

  /** Bytes of an unfinished packet held (0 between packets). */
  get pending(): number {
    return this.#have;
  }

  /** Decodes no further packet, from this chunk or later ones (the connection is ending). */
  stop(): void {
    this.#stopped = true;
  }

  /**
   * Decodes a chunk; returns the error that stopped the decoder (this chunk or an earlier one),
   * else undefined. Packets before the bad one were delivered.
   */
  push(chunk: Uint8Array): SoupError | undefined {
    if (this.#error || this.#stopped) return this.#error;
    this.bytes += chunk.length;
    let p = 0;
    const end = chunk.length;
    if (this.#have > 0) p = this.#resume(chunk);
    while (p < end && !this.#stopped && !this.#error) {
      if (end - p < HEADER) {
        // The start of a packet: check what is known of it, keep it.
        if (end - p === 2 && this.#checkLength((chunk[p] << 8) | chunk[p + 1])) return this.#error;
        this.#carry.set(chunk.subarray(p, end));
        this.#have = end - p;
        return undefined;
      }
      const len = (chunk[p] << 8) | chunk[p + 1];
      if (this.#checkLength(len) || this.#checkType(chunk[p + 2], len)) return this.#error;
      if (p + 2 + len <= end) {
        this.packets++;
        this.#onPacket(chunk[p + 2], chunk, p + HEADER, len - 1);
        p += 2 + len;
      } else {
        this.#carry.set(chunk.subarray(p, end));
        this.#have = end - p;
        return undefined;
      }
    }
    return this.#error;
  }

  // Adds bytes of chunk to the packet held; delivers it when whole. Returns the chunk position after what it took.
  #resume(chunk: Uint8Array): number {
    const c = this.#carry;
    let p = 0;
    while (this.#have < HEADER && p < chunk.length) {
      c[this.#have++] = chunk[p++];
      if (this.#have === 2 && this.#checkLength((c[0] << 8) | c[1])) return chunk.length;
      if (this.#have === HEADER && this.#checkType(c[2], (c[0] << 8) | c[1])) return chunk.length;
    }
    if (this.#have < HEADER) return p;
    const need = 2 + ((c[0] << 8) | c[1]);
    const take = Math.min(need - this.#have, chunk.length - p);
    if (take > 0) c.set(chunk.subarray(p, p + take), this.#have);
    this.#have += take;
    p += take;
    if (this.#have === need) {
      this.#have = 0;
      this.packets++;
      this.#onPacket(c[2], c, HEADER, need - HEADER);
    }
    return p;
  }

  #fail(e: SoupError): true {
    this.#error = e;
    this.#have = 0;
    return true;
  }

  #checkLength(len: number): boolean {
    if (len === 0) return this.#fail(new SoupError("ELENGTH", `a packet of length 0 (no type byte) from the ${this.from}: the stream lost its SoupBinTCP framing`));
    if (len > this.maxPacketLength) {
      return this.#fail(new SoupError("ELENGTH",
        `a packet of ${len} bytes from the ${this.from} exceeds the maximum of ${this.maxPacketLength} (maxPacketLength); ` +
        `raise it (up to ${MAX_PACKET_LENGTH}) if the ${this.from}'s messages are that long, else the stream lost its framing`));
    }
    return false;
  }

  #checkType(type: number, len: number): boolean {
    const want = this.#payloads[type];
    if (want === -2) {
      return this.#fail(new SoupError("ETYPE",
        `packet type ${typeName(type)} is not one a SoupBinTCP 4.0 ${this.from} sends: the peer speaks another protocol or the stream lost its framing`));
    }
    if (want >= 0 && len - 1 !== want) {
      return this.#fail(new SoupError("ELENGTH",
        `a ${typeName(type)} packet from the ${this.from} has ${len - 1} payload bytes, its type has ${want}: ` +
        `${len - 1 < want ? "cut short" : "too long"}; the peer does not follow SoupBinTCP 4.0`));
    }
    return false;
  }
}
