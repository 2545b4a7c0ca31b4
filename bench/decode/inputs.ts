// Inputs of the decoder benchmark, prepared once by run.ts (outside every timed region) and
// written to bench/.build/ for the cases (common.ts has the file format):
//   itch50    a generated ITCH 5.0 session (src/itchgen/itch-session.ts; profile uniform or realistic)
//             as MoldUDP64 payloads of at most 1400 bytes (src/itchgen/itch-writers.ts moldPackets),
//             end-of-session packet included
//   iex-tops  the UDP payloads of /work/shared/data/iex/TOPS16.pcapng.gz
//   iex-deep  the UDP payloads of /work/shared/data/iex/DEEP10.pcap.gz (its last frame is cut short
//             in the file: its payload is what the file holds, so each decoder counts one overrun)

import { moldPackets } from "../../src/itchgen/itch-writers.js";
import { readPackets } from "../../src/input/index.js";
import { udpPayloadOf } from "../../src/socket/frame.js";
import { writeEntries, type Format } from "./common.js";

export const IEX_FILES: Record<"iex-tops" | "iex-deep", string> = {
  "iex-tops": "/work/shared/data/iex/TOPS16.pcapng.gz",
  "iex-deep": "/work/shared/data/iex/DEEP10.pcap.gz",
};

export interface Prepared {
  format: Format;
  path: string;
  source: string;
  entries: number;
  bytes: number;
  /** Frames of the capture that are not Ethernet/IPv4-or-IPv6/UDP (not in the file). */
  skipped?: number;
}

export function prepareItch(
  path: string,
  o: { seed: number; symbols: number; messages: number; maxPayload: number; profile?: "uniform" | "realistic" },
): Prepared {
  const payloads: Uint8Array[] = [];
  const profile = o.profile ?? "uniform";
  for (const p of moldPackets({ seed: o.seed, symbols: o.symbols, messages: o.messages, profile }, { maxPayload: o.maxPayload })) payloads.push(p);
  const bytes = writeEntries(path, payloads);
  return {
    format: "itch50", path, entries: payloads.length, bytes,
    source: `generated session (${profile}): seed ${o.seed}, ${o.symbols} symbols, ${o.messages} messages, MoldUDP64 payloads <= ${o.maxPayload} bytes`,
  };
}

export async function prepareIex(format: "iex-tops" | "iex-deep", path: string): Promise<Prepared> {
  const payloads: Uint8Array[] = [];
  let skipped = 0;
  for await (const b of readPackets(IEX_FILES[format])) {
    for (let i = 0; i < b.count; i++) {
      const p = b.linktypes[i] === 1 ? udpPayloadOf(b.data.subarray(b.offsets[i], b.offsets[i] + b.lengths[i]))?.slice() : undefined;
      if (p) payloads.push(p);
      else skipped++;
    }
  }
  const bytes = writeEntries(path, payloads);
  return { format, path, source: `UDP payloads of ${IEX_FILES[format]}`, entries: payloads.length, bytes, skipped };
}
