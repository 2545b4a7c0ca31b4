// What a live receive lost before the parser saw it, by where: on the AF_XDP rings for want of
// room (XDP_STATISTICS), or on the kernel sockets (receive buffer full, SO_MEMINFO) and by the
// socket receiver (datagrams longer than its slots). Loss at the end of a stream opens no gap, so
// these are the only trace of it: listen prints them in its status and its final summary.

import { XdpFeedSource, type FeedSource } from "../../feeds/open.js";
import { KernelFeedReceiver } from "../../feeds/kernel.js";
import { receivingPath } from "../../feeds/wrapped-source.js";

export interface Drops {
  /** Frames or datagrams lost, all causes together. */
  total: number;
  /** AF_XDP: frames dropped for want of a free UMEM frame (the FILL ring empty). */
  rxDropped?: number;
  /** AF_XDP: frames dropped because the RX ring was full (the receiver fell behind). */
  rxRingFull?: number;
  /** AF_XDP: times the kernel found the FILL ring empty. */
  fillRingEmpty?: number;
  /** Kernel sockets: datagrams the kernel dropped, the receive buffer full; null when unknown. */
  socketBufferFull?: number | null;
  /** Kernel sockets: datagrams longer than the receiver's slots, discarded. */
  tooLong?: number;
}

export function dropsOf(source: FeedSource): Drops {
  const src = receivingPath(source);
  if (src instanceof XdpFeedSource) {
    const x = src.receiver.socket.stats().xdp;
    const rxDropped = Number(x.rx_dropped);
    const rxRingFull = Number(x.rx_ring_full ?? 0n);
    return { total: rxDropped + rxRingFull, rxDropped, rxRingFull, fillRingEmpty: Number(x.rx_fill_ring_empty_descs ?? 0n) };
  }
  if (src instanceof KernelFeedReceiver) {
    const s = src.stats();
    return { total: s.dropped + (s.kernelDrops ?? 0), socketBufferFull: s.kernelDrops ?? null, tooLong: s.dropped };
  }
  return { total: 0 };
}
