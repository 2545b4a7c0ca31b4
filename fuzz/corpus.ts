// The seed inputs the fuzzer mutates, per feed: streams of session packets in order, as Ethernet
// frames and as UDP payloads, with the messages each declares, and every message of them bare.
// Generated streams come from the project's seeded generators (a generated ITCH session over
// MoldUDP64; IEX-TP segments of every message type); captured ones are the first frames of the
// real IEX captures in ../shared/data/iex (next to the repository), skipped with a note when the
// files are not there.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Feed } from "../src/feeds/feeds.js";
import { frameOf, syntheticPayloads } from "../src/feeds/encode.js";
import { moldPackets } from "../src/itchgen/itch-writers.js";
import { readPackets } from "../src/input/index.js";
import { udpPayloadOf } from "../src/socket/frame.js";
import { FRAMINGS, declaredCount, messagesOf, type Framing } from "./fields.js";

/** A stream of session packets in sequence order. */
export interface SeedStream {
  name: string;
  /** Each packet as an Ethernet frame. */
  frames: Uint8Array[];
  /** Each packet's UDP payload (a view of its frame). */
  payloads: Uint8Array[];
  /** Messages each packet declares (0 for heartbeats and the end of a session). */
  declared: number[];
}

export interface Corpus {
  feed: Feed;
  framing: Framing;
  streams: SeedStream[];
  /** Every whole message of the streams, bare. */
  messages: Uint8Array[];
  /** The feed's message type bytes. */
  types: number[];
  /** What was left out, and why (captures not found). */
  notes: string[];
}

export interface CorpusOptions {
  /** Seed of the generated streams. */
  seed: number;
  /** Messages of each generated stream (default 20,000). */
  generatedMessages?: number;
  /** Frames taken from the start of each capture (default 4,000; 0: none). */
  capturedFrames?: number;
  /** Directory of the captures (default ../shared/data next to the repository). */
  dataDir?: string;
}

/** The shared data directory next to the repository (resolved from the repository's root). */
export const DATA_DIR = fileURLToPath(new URL("../../shared/data/", import.meta.url));

/** The real capture of each IEX feed, under the data directory. */
export const CAPTURES: Record<string, string> = {
  "iex-tops": "iex/TOPS16.pcapng.gz",
  "iex-deep": "iex/DEEP10.pcap.gz",
};

const LINKTYPE_ETHERNET = 1;

function stream(name: string, frames: Uint8Array[], framing: Framing): SeedStream {
  const payloads = frames.map((f) => udpPayloadOf(f)!);
  return { name, frames, payloads, declared: payloads.map((p) => declaredCount(p, framing)) };
}

/** Streams generated from the seed: two ITCH sessions (one in small packets with heartbeats), or one IEX-TP stream. */
export function generatedStreams(feed: Feed, seed: number, messages: number): SeedStream[] {
  const framing = FRAMINGS[feed.framing];
  const out = [stream(`generated ${feed.name} seed ${seed}`, [...syntheticPayloads(feed, messages, seed)].map(frameOf), framing)];
  if (feed.framing === "moldudp64") {
    const small = moldPackets({ seed: seed + 1, symbols: 8, messages: Math.max(200, messages >>> 2) }, {
      session: "FUZZ000002", maxPayload: 120, firstSequence: 2 ** 40, heartbeatNs: 60e9,
    });
    out.push(stream(`generated ${feed.name} seed ${seed + 1}, small packets from sequence 2^40`, [...small].map(frameOf), framing));
  }
  return out;
}

/** The first `max` Ethernet frames carrying UDP of a capture (copies). */
export async function capturedFrames(path: string, max: number): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  for await (const b of readPackets(path)) {
    for (let i = 0; i < b.count && frames.length < max; i++) {
      const f = b.data.subarray(b.offsets[i], b.offsets[i] + b.lengths[i]);
      if (b.linktypes[i] === LINKTYPE_ETHERNET && udpPayloadOf(f)) frames.push(f.slice());
    }
    if (frames.length >= max) break;
  }
  return frames;
}

/** The seed inputs of a feed. */
export async function loadCorpus(feed: Feed, o: CorpusOptions): Promise<Corpus> {
  const framing = FRAMINGS[feed.framing];
  const streams = generatedStreams(feed, o.seed, o.generatedMessages ?? 20_000);
  const notes: string[] = [];
  const capture = CAPTURES[feed.name];
  const max = o.capturedFrames ?? 4000;
  if (capture && max > 0) {
    const path = join(o.dataDir ?? DATA_DIR, capture);
    if (existsSync(path)) streams.push(stream(`captured ${capture}`, await capturedFrames(path, max), framing));
    else notes.push(`${feed.name}: no captured seeds, ${path} not found`);
  }
  const messages = streams.flatMap((s) => s.payloads.flatMap((p) => messagesOf(p, framing)));
  const types = Object.keys(feed.schema.messages).map((t) => t.charCodeAt(0));
  return { feed, framing, streams, messages, types, notes };
}
