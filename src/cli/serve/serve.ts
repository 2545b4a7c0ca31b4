// `xdpfeed serve`: the exchange's side of a feed, for tests, demos and labs. Publishes a NASDAQ
// binary ITCH file as MoldUDP64 through a kernel UDP socket, as replay does, dropping packets at
// random (seeded) when asked, and answers retransmission requests for what it has sent
// (src/recovery/server.ts) and, on request, serves a GLIMPSE snapshot of the book as of each login
// over SoupBinTCP (src/glimpse/server.ts). After the last packet it sends a heartbeat carrying the next sequence
// number every 100 ms (so a receiver sees loss at the very end) while it lingers, then the end of
// the session.

import dgram from "node:dgram";
import { once } from "node:events";
import { isIPv4 } from "node:net";
import { networkInterfaces } from "node:os";
import { readItchBinary, ProgressBar } from "../../input/index.js";
import { moldFrames } from "../../itchgen/itch-writers.js";
import { Rng } from "../../itchgen/rng.js";
import { pacer } from "../../socket/pacer.js";
import { MoldStore, RetransmissionServer, type RetransmissionServerStats } from "../../recovery/server.js";
import { forEachBlock } from "../../recovery/moldudp64.js";
import { XdpError } from "../../../bridge/errors.js";
import { SnapshotTracker, serveSnapshot } from "../../glimpse/index.js";


export interface ServeOptions {
  input: string;
  port: number;
  /** Destination address, unicast or multicast group (default 127.0.0.1). */
  dst?: string;
  /** Interface whose address multicast goes out from. */
  iface?: string;
  rate: number | "max";
  /** Share of packets dropped at random, 0 to 1. */
  loss?: number;
  seed?: number;
  session?: string;
  /** UDP port answering retransmission requests (0: a free one; undefined: none). */
  retransmitPort?: number;
  /** Most messages one answer holds. */
  requestMax?: number;
  /** Milliseconds to keep answering after the last packet. */
  lingerMs?: number;
  /** TCP port serving a GLIMPSE snapshot of the book as of each login (0: a free one; undefined: none). */
  snapshotPort?: number;
  /** SoupBinTCP logins the snapshot server accepts (default: any). */
  users?: Record<string, string>;
  /** Called once the servers listen, before the first packet: their ports. */
  onListening?: (ports: { retransmit?: number; snapshot?: number }) => void;
  signal?: AbortSignal;
}

export interface ServeResult {
  packets: number;
  dropped: number;
  messages: number;
  seconds: number;
  retransmit?: RetransmissionServerStats;
  /** Snapshots served. */
  snapshots?: number;
}

export async function serve(o: ServeOptions): Promise<ServeResult> {
  const dst = o.dst ?? "127.0.0.1";
  if (!isIPv4(dst)) throw new XdpError("ECONFIG", `invalid destination '${dst}', expected an IPv4 address`);
  const loss = o.loss ?? 0;
  if (!(loss >= 0 && loss < 1)) throw new XdpError("ECONFIG", `loss must be from 0 to below 1, got ${loss}`);
  const sessionName = (o.session ?? "XDPFEED001").padEnd(10, " ");
  const session = Uint8Array.from(sessionName.slice(0, 10), (c) => c.charCodeAt(0));
  const store = new MoldStore(session);
  const server = o.retransmitPort !== undefined ? await RetransmissionServer.listen(store, o.retransmitPort, "0.0.0.0", o.requestMax) : undefined;
  // The snapshot follows every message published, lost on the wire or not: the session's state.
  const tracker = o.snapshotPort !== undefined ? new SnapshotTracker() : undefined;
  const glimpse = tracker ? await serveSnapshot(tracker, { host: "0.0.0.0", port: o.snapshotPort, ...(o.users ? { users: o.users } : { authorize: () => true }) }) : undefined;
  const socket = dgram.createSocket({ type: "udp4" });
  await new Promise<void>((r) => socket.bind(0, r));
  if (o.iface !== undefined) {
    const ip = networkInterfaces()[o.iface]?.find((a) => a.family === "IPv4")?.address;
    if (ip === undefined) throw new XdpError("ENODEV", `interface ${o.iface} has no IPv4 address to send from`);
    socket.setMulticastInterface(ip);
  }
  o.onListening?.({ retransmit: server?.port, snapshot: glimpse?.port });
  const rng = new Rng(o.seed ?? 1);
  const pace = pacer(o.rate, server !== undefined);
  const bar = new ProgressBar(`serve ${o.input}`);
  const t0 = performance.now();
  let packets = 0;
  let dropped = 0;
  let messages = 0;
  let pending = 0;
  const send = async (payload: Uint8Array): Promise<void> => {
    pending++;
    socket.send(payload, o.port, dst, () => pending--);
    if (pending > 256) while (pending > 16) await new Promise((r) => setImmediate(r));
  };
  try {
    for await (const b of readItchBinary(o.input, { onProgress: bar.update })) {
      if (b.count === 0) continue;
      const chunk = b.data.subarray(b.offsets[0] - 2, b.offsets[b.count - 1] + b.lengths[b.count - 1]);
      for (const p of moldFrames([chunk], { session: sessionName, firstSequence: store.next, endOfSession: false })) {
        if (o.signal?.aborted) break;
        if (p.count === 0) continue;
        await pace(packets + dropped);
        store.addPacket(p.payload);
        // Applied and sent in one synchronous step: a snapshot never holds half a packet.
        if (tracker) forEachBlock(p.payload, (at, len) => tracker.apply(p.payload, at, len));
        messages += p.count;
        if (loss > 0 && rng.next() < loss) {
          dropped++;
          continue;
        }
        await send(p.payload);
        packets++;
      }
    }
    bar.done();
    // Heartbeats with the next sequence number while lingering, then the end of the session.
    const heartbeat = (count: number): Uint8Array => {
      const h = new Uint8Array(20);
      h.set(session, 0);
      new DataView(h.buffer).setBigUint64(10, BigInt(store.next));
      new DataView(h.buffer).setUint16(18, count);
      return h;
    };
    for (const end = performance.now() + (o.lingerMs ?? 1000); performance.now() < end && !o.signal?.aborted;) {
      await send(heartbeat(0));
      await new Promise((r) => setTimeout(r, 100));
    }
    await send(heartbeat(0xffff));
    while (pending > 0) await new Promise((r) => setImmediate(r));
  } finally {
    bar.done();
    socket.close();
    await once(socket, "close");
    await server?.close();
    await glimpse?.close();
  }
  return {
    packets, dropped, messages, seconds: (performance.now() - t0) / 1000, ...(server ? { retransmit: server.stats } : {}),
    ...(glimpse ? { snapshots: glimpse.snapshots } : {}),
  };
}
