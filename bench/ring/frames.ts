// The frames the ring benchmark pre-fills into the UMEM, one set per kind of traffic:
//
//   itch1     ITCH 5.0 in MoldUDP64, one message per frame (the 14 M frames/s case: a NIC's
//             small-packet rate), from the middle of a generated session (src/itchgen)
//   itch      ITCH 5.0 in MoldUDP64 payloads of at most 1400 bytes (tens of messages per frame)
//   iex-deep  IEX DEEP 1.0 over IEX-TP: the UDP payloads of the IEX sample capture
//             (/work/shared/data/iex/DEEP10.pcap.gz, IEX's data; attribution in its README)
//
// Frames come from the middle of the session or capture (past the start-of-day directory), as
// Ethernet/IPv4/UDP frames to one port. Each carries where its sequence number is, which the
// simulated kernel rewrites on every pass (bench/ring/producer.h), so the parser sees one
// contiguous stream however many times the ring's worth of frames goes round.

import { moldPackets } from "../../src/itchgen/itch-writers.js";
import { readPackets } from "../../src/input/index.js";
import { udpFrame, udpPayloadOf } from "../../src/socket/frame.js";
import { SEQ_BE64, SEQ_LE64, type SimFrame } from "./sim.js";

export const SETS = ["itch1", "itch", "iex-deep"] as const;
export type FrameSet = (typeof SETS)[number];

/** The feed module and the C decoder's format for each set. */
export const SET_FORMAT: Record<FrameSet, { module: "itch50" | "iex_deep"; format: "itch50" | "iex-deep"; iex: boolean }> = {
  itch1: { module: "itch50", format: "itch50", iex: false },
  itch: { module: "itch50", format: "itch50", iex: false },
  "iex-deep": { module: "iex_deep", format: "iex-deep", iex: true },
};

export const DEEP_CAPTURE = "/work/shared/data/iex/DEEP10.pcap.gz";
export const PORT = 26400;
const ENDS = { srcMac: "02:00:00:00:00:01", dstMac: "02:00:00:00:00:02", srcIp: "198.18.0.1", dstIp: "198.18.0.2", srcPort: 26400, dstPort: PORT };
const HEADERS = 42;

const mold = (payload: Uint8Array): SimFrame => ({
  bytes: udpFrame(ENDS, payload), seqAt: HEADERS + 10, seqKind: SEQ_BE64,
  count: new DataView(payload.buffer, payload.byteOffset).getUint16(18),
});

/** n ITCH frames of at most maxPayload bytes (maxMessages per frame) from the middle of a seeded session. */
export function itchFrames(n: number, o: { seed?: number; maxMessages?: number; maxPayload?: number } = {}): SimFrame[] {
  const perFrame = o.maxMessages ?? 1;
  // Enough messages that the middle n frames lie past the directory and before the close.
  const messages = Math.max(20_000, n * (perFrame === 1 ? 1 : 45) * 3);
  const all: Uint8Array[] = [];
  for (const p of moldPackets({ seed: o.seed ?? 1, symbols: 1000, messages }, { maxPayload: o.maxPayload ?? 1400, maxMessages: perFrame, endOfSession: false })) {
    all.push(p);
  }
  const from = Math.max(0, Math.floor(all.length / 2 - n / 2));
  return all.slice(from, from + n).map(mold);
}

/** Up to n IEX DEEP frames from the middle of the sample capture, none longer than maxFrame. */
export async function deepFrames(n: number, maxFrame: number): Promise<SimFrame[]> {
  const payloads: Uint8Array[] = [];
  for await (const b of readPackets(DEEP_CAPTURE)) {
    for (let i = 0; i < b.count; i++) {
      if (b.linktypes[i] !== 1) continue;
      const p = udpPayloadOf(b.data.subarray(b.offsets[i], b.offsets[i] + b.lengths[i]));
      if (p && p.length >= 40 && HEADERS + p.length <= maxFrame) payloads.push(p.slice());
    }
  }
  const from = Math.max(0, Math.floor(payloads.length / 2 - n / 2));
  return payloads.slice(from, from + n).map((p) => ({
    bytes: udpFrame(ENDS, p), seqAt: HEADERS + 24, seqKind: SEQ_LE64, count: new DataView(p.buffer, p.byteOffset).getUint16(14, true),
  }));
}

export async function framesOf(set: FrameSet, n: number, maxFrame: number): Promise<SimFrame[]> {
  if (set === "itch1") return itchFrames(n, { maxMessages: 1 });
  if (set === "itch") return itchFrames(n, { maxMessages: 0xfffe, maxPayload: 1400 });
  return deepFrames(n, maxFrame);
}
