// Test traffic: UDP frames with verifiable payloads (assembly/traffic.ts builds them in
// the TX frames), at a chosen rate or as fast as the TX ring drains, always bounded in count
// and in time.

import * as L from "../../assembly/layout.js";
import { XdpError } from "../../bridge/errors.js";
import { udpHeaders, type UdpEndpoints } from "./frame.js";
import type { XdpSocket } from "./socket.js";

export interface TrafficOptions extends UdpEndpoints {
  count: number;
  /** UDP payload bytes per frame, at least 8 (the sequence number). Default 64. */
  payloadLen?: number;
  /** Frames per second, or "max". Default "max". */
  rate?: number | "max";
  /** Give up after this long even if not all frames were sent. Default 30 s. */
  timeoutMs?: number;
  /** First sequence number. Default 0. */
  firstSeq?: number;
  /** Frames queued per TX submit. Default 64. */
  batch?: number;
  /** Called between batches (e.g. to drain a receiver in the same thread). */
  onBatch?: (sent: number) => void;
}

export interface TrafficResult {
  sent: number;
  seconds: number;
  framesPerSecond: number;
  timedOut: boolean;
}

export function sendTraffic(sock: XdpSocket, o: TrafficOptions): TrafficResult {
  const payloadLen = o.payloadLen ?? 64;
  if (payloadLen < L.GEN_SEQ_BYTES || L.GEN_HEADERS + payloadLen > sock.xsk.map.frameSize) {
    throw new XdpError("ECONFIG", `invalid payload length ${payloadLen}, expected ${L.GEN_SEQ_BYTES}..${sock.xsk.map.frameSize - L.GEN_HEADERS}`);
  }
  if (!Number.isSafeInteger(o.count) || o.count < 0) throw new XdpError("ECONFIG", `invalid frame count ${o.count}`);
  sock.u8.set(udpHeaders(o, payloadLen), L.TEMPLATE_BASE);
  const rate = o.rate ?? "max";
  const batch = o.batch ?? 64;
  const timeoutNs = BigInt(Math.round((o.timeoutMs ?? 30_000) * 1e6));
  const first = BigInt(o.firstSeq ?? 0);
  const t0 = process.hrtime.bigint();
  let sent = 0;
  let now = t0;
  while (sent < o.count && now - t0 < timeoutNs) {
    let want = Math.min(batch, o.count - sent);
    if (rate !== "max") {
      const due = Math.floor((Number(now - t0) / 1e9) * rate) + 1;
      want = Math.min(want, due - sent);
    }
    if (want > 0) {
      const n = sock.module.genFrames(want, first + BigInt(sent), payloadLen);
      sent += n;
    }
    sock.flush();
    o.onBatch?.(sent);
    now = process.hrtime.bigint();
  }
  // Frames still in flight are sent once the kernel is kicked; wait for their completions.
  while (sock.inFlight > 0 && process.hrtime.bigint() - t0 < timeoutNs) {
    sock.flush();
    o.onBatch?.(sent);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { sent, seconds, framesPerSecond: sent / seconds, timedOut: sent < o.count || sock.inFlight > 0 };
}
