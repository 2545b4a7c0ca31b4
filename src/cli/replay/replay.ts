// `xdpfeed replay`: a NASDAQ binary ITCH file sent as MoldUDP64, or the UDP payloads of a
// capture sent as they were, to a port through AF_XDP TX (a transmit-only socket, frames built
// here) or through a kernel UDP socket; paced to a rate or as fast as it goes, bounded by the
// input.

import dgram from "node:dgram";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { isIPv4 } from "node:net";
import { XdpSocket } from "../../socket/socket.js";
import { udpFrame, udpPayloadOf, type UdpEndpoints } from "../../socket/frame.js";
import { pacer } from "../../socket/pacer.js";
import { moldFrames } from "../../itchgen/itch-writers.js";
import { readPackets, readItchBinary, InputError, ProgressBar, CaptureStats } from "../../input/index.js";
import { XdpError } from "../../../bridge/errors.js";

export interface ReplayOptions {
  input: string;
  iface: string;
  port: number;
  /** Destination address (unicast or multicast group); default 127.0.0.1 via socket. */
  dst?: string;
  /** Destination MAC for AF_XDP; default: the multicast MAC of a group, or the neighbour table. */
  dstMac?: string;
  /** Packets per second, or "max". */
  rate: number | "max";
  via: "xdp" | "socket";
  /** MoldUDP64 session for ITCH files. */
  session?: string;
  queue?: number;
  /** Stop after this many packets. */
  count?: number;
}

export interface ReplayResult {
  packets: number;
  messages: number;
  bytes: number;
  seconds: number;
}

/** A destination's MAC: 01:00:5e + low 23 bits for IPv4 multicast, else the kernel's neighbour entry. */
export function resolveMac(dst: string, iface: string): string {
  const o = dst.split(".").map(Number);
  if (o[0] >= 224 && o[0] <= 239) {
    return ["01", "00", "5e", (o[1] & 0x7f).toString(16), o[2].toString(16), o[3].toString(16)].map((h) => h.padStart(2, "0")).join(":");
  }
  const arp = readFileSync("/proc/net/arp", "utf8").split("\n").slice(1).map((l) => l.trim().split(/\s+/));
  const row = arp.find((r) => r[0] === dst && r[5] === iface && r[3] !== "00:00:00:00:00:00");
  if (!row) throw new XdpError("ECONFIG", `no MAC known for ${dst} on ${iface}: pass --dst-mac (or ping ${dst} once so the kernel learns it)`);
  return row[3];
}

function ifaceInfo(iface: string): { mac: string; ip: string } {
  const mac = readFileSync(`/sys/class/net/${iface}/address`, "utf8").trim();
  const ip = networkInterfaces()[iface]?.find((a) => a.family === "IPv4")?.address ?? "0.0.0.0";
  return { mac, ip };
}

type Sender = { send(payload: Uint8Array): Promise<void> | void; finish(): Promise<void> | void };

function xdpSender(o: ReplayOptions, dst: string): Sender {
  const sock = XdpSocket.open({ iface: o.iface, queue: o.queue, program: false });
  const me = ifaceInfo(o.iface);
  const ends: UdpEndpoints = { srcMac: me.mac, dstMac: o.dstMac ?? resolveMac(dst, o.iface), srcIp: me.ip, dstIp: dst, srcPort: o.port, dstPort: o.port };
  let queued = 0;
  return {
    send(payload) {
      const frame = udpFrame(ends, payload);
      const end = Date.now() + 5000;
      while (!sock.send(frame)) {
        sock.flush();
        if (Date.now() > end) throw new XdpError("ESYSCALL", `AF_XDP TX on ${o.iface} made no progress for 5 s`);
      }
      if (++queued % 32 === 0) sock.flush();
    },
    finish() {
      const end = Date.now() + 5000;
      do sock.flush(); while (sock.inFlight > 0 && Date.now() < end);
      sock.close();
    },
  };
}

function socketSender(o: ReplayOptions, dst: string): Sender {
  const s = dgram.createSocket({ type: "udp4" });
  let pending = 0;
  return {
    async send(payload) {
      pending++;
      s.send(payload, o.port, dst, () => pending--);
      // Let the event loop drain the socket's queue now and then.
      if (pending > 256) while (pending > 16) await new Promise((r) => setImmediate(r));
    },
    async finish() {
      while (pending > 0) await new Promise((r) => setImmediate(r));
      s.close();
      await once(s, "close");
    },
  };
}

export async function replay(o: ReplayOptions): Promise<ReplayResult> {
  const dst = o.dst ?? "127.0.0.1";
  if (!isIPv4(dst)) throw new XdpError("ECONFIG", `invalid destination '${dst}', expected an IPv4 address`);
  const sender = o.via === "xdp" ? xdpSender(o, dst) : socketSender(o, dst);
  const bar = new ProgressBar(`replay ${o.input}`);
  const limit = o.count ?? Infinity;
  const t0 = process.hrtime.bigint();
  let packets = 0;
  let messages = 0;
  let bytes = 0;
  const pace = pacer(o.rate);
  const out = async (payload: Uint8Array, n: number) => {
    await pace(packets);
    await sender.send(payload);
    packets++;
    messages += n;
    bytes += payload.length;
  };
  try {
    try {
      const stats = new CaptureStats();
      for await (const b of readPackets(o.input, { stats, onProgress: bar.update })) {
        for (let i = 0; i < b.count && packets < limit; i++) {
          const payload = udpPayloadOf(b.data.subarray(b.offsets[i], b.offsets[i] + b.lengths[i]));
          if (payload) await out(payload, 0);
        }
        if (packets >= limit) break;
      }
    } catch (e) {
      if (!(e instanceof InputError && e.code === "EFORMAT")) throw e;
      // Not a capture: a NASDAQ binary ITCH file, sent as MoldUDP64 packets.
      let seq = 1;
      for await (const b of readItchBinary(o.input, { onProgress: bar.update })) {
        if (b.count === 0) continue;
        const chunk = b.data.subarray(b.offsets[0] - 2, b.offsets[b.count - 1] + b.lengths[b.count - 1]);
        for (const p of moldFrames([chunk], { session: o.session ?? "XDPFEED001", firstSequence: seq, endOfSession: false })) {
          if (packets >= limit) break;
          await out(p.payload, p.count);
        }
        seq += b.count;
        if (packets >= limit) break;
      }
    }
  } finally {
    bar.done();
    await sender.finish();
  }
  return { packets, messages, bytes, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}
