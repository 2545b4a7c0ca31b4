// Inputs of the decoder benchmark, prepared once by run.ts (outside every timed region) and
// written to bench/.build/ for the cases (common.ts has the file format):
//   itch50    a generated ITCH 5.0 session (src/itchgen/itch-session.ts; profile uniform or realistic)
//             as MoldUDP64 payloads of at most 1400 bytes (src/itchgen/itch-writers.ts moldPackets),
//             end-of-session packet included
//   iex-tops  the UDP payloads of /work/shared/data/iex/TOPS16.pcapng.gz
//   iex-deep  the UDP payloads of /work/shared/data/iex/DEEP10.pcap.gz (its last frame is cut short
//             in the file: its payload is what the file holds, so each decoder counts one overrun)

import { closeSync, openSync, writeSync } from "node:fs";
import { generateSession, type SessionOptions } from "../../src/itchgen/itch-session.js";
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

/** A generated session: its options, and the generator's profile ("uniform": the default day). */
export interface ItchSession {
  seed: number;
  symbols: number;
  messages: number;
  profile?: SessionOptions["profile"];
}

// The generator's options for a session ("uniform": the sessions it has always given).
function sessionOptions(o: ItchSession): SessionOptions {
  return { seed: o.seed, symbols: o.symbols, messages: o.messages, profile: o.profile ?? "uniform" };
}

const describe = (o: ItchSession): string =>
  `generated session: seed ${o.seed}, ${o.symbols} symbols, ${o.messages} messages, profile ${o.profile ?? "uniform"}`;

export function prepareItch(path: string, o: ItchSession & { maxPayload: number }): Prepared {
  const payloads: Uint8Array[] = [];
  for (const p of moldPackets(sessionOptions(o), { maxPayload: o.maxPayload })) payloads.push(p);
  const bytes = writeEntries(path, payloads);
  return { format: "itch50", path, entries: payloads.length, bytes, source: `${describe(o)}, MoldUDP64 payloads <= ${o.maxPayload} bytes` };
}

/**
 * The session as a NASDAQ binary ITCH file (each message after its u16 big-endian length: the
 * generator's chunks as they are), written chunk by chunk; entries are the messages.
 */
export function prepareItchFile(path: string, o: ItchSession): Prepared {
  const fd = openSync(path, "w");
  let bytes = 0;
  try {
    const it = generateSession(sessionOptions(o));
    for (let r = it.next(); !r.done; r = it.next()) {
      for (let at = 0; at < r.value.length;) at += writeSync(fd, r.value, at);
      bytes += r.value.length;
    }
  } finally {
    closeSync(fd);
  }
  return { format: "itch50", path, entries: o.messages, bytes, source: `${describe(o)}, NASDAQ binary file` };
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
