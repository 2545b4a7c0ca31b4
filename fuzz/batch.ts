// A batch: the inputs one pair of fresh parsers sees, drawn from the corpus by a seeded
// generator. Packets come as a run of a seed stream, so the session and sequence state builds up
// as on a wire: some duplicated, reordered or dropped, sent on line A, line B or both when A/B
// arbitration is on, and a share of them mutated or replaced by garbage. Bare messages and runs
// of prefixed messages come as runs of the corpus's messages, mutated alike. A snaplen batch is
// the exception: a contiguous run of frames, unmutated, each cut to the same length.

import type { Feed } from "../src/feeds/feeds.js";
import type { Rng } from "../src/itchgen/rng.js";
import type { Corpus } from "./corpus.js";
import { mutate, junk, type Shape, type Target } from "./mutate.js";
import { MIN_FRAME_HEADERS, setBe16, udpOffset, be16 } from "./fields.js";

export type Mode = "frames" | "payloads" | "messages" | "prefixed";
export const MODES: Mode[] = ["frames", "payloads", "messages", "prefixed"];

const SHAPE: Record<Mode, Shape> = { frames: "frame", payloads: "payload", messages: "message", prefixed: "prefixed" };

/** The UDP ports of lines A and B when a batch has A/B arbitration. */
export const LINE_PORTS: [number, number] = [26400, 26401];

/** Most bytes of inputs in a batch: with their guard bytes they fit a parser's input region. */
export const MAX_BATCH_BYTES = 3 << 20;

/** Most messages in a run of prefixed messages (one batch-table entry of the parser). */
const RUN_MAX = 256;

export interface Batch {
  feed: Feed;
  mode: Mode;
  entries: Uint8Array[];
  /** The input number of each entry, counted from the start of its feed and mode. */
  inputs: number[];
  /** A/B arbitration between LINE_PORTS. */
  lines?: [number, number];
  /** Payloads mode with lines: the line (0 A, 1 B) each entry arrived on. */
  lineOf?: number[];
  /** Accept only this UDP destination port (frames mode, no lines). */
  port?: number;
  book: boolean;
  /** Sequence number of the first bare message (messages and prefixed modes). */
  firstSeq: number;
  /** Seed of the second run's guard bytes. */
  guardSeed: number;
  /** A snaplen batch: the length every frame was cut to, and the messages each of its packets declares. */
  snaplen?: { bytes: number; declared: number[] };
}

export interface BatchConfig {
  /** Inputs in the batch, at most. */
  size: number;
  lines: boolean;
  book: boolean;
  /** A snaplen batch (frames mode) instead of mutated inputs. */
  snaplen: boolean;
  /** Share of the inputs mutated (default 0.4). */
  mutateRate?: number;
}

interface Sent {
  bytes: Uint8Array;
  line: number;
  key: number;
}

// A run of packets from a stream as they arrive: one line, or each on A, B, both or neither
// (a second copy up to three packets late), some duplicated, reordered or lost.
function arrivals(src: Uint8Array[], size: number, lines: boolean, rng: Rng): Sent[] {
  const out: Sent[] = [];
  let at = rng.int(src.length);
  for (let i = 0; out.length < size; i++, at++) {
    const bytes = src[at % src.length];
    const r = rng.next();
    if (!lines) {
      if (r < 0.03) continue;
      out.push({ bytes, line: 0, key: i });
      if (r < 0.06) out.push({ bytes, line: 0, key: i + rng.int(4) + 0.5 });
      else if (r < 0.09) out[out.length - 1].key = i - 1.5;
    } else if (r < 0.6) {
      const first = rng.int(2);
      out.push({ bytes, line: first, key: i }, { bytes, line: first ^ 1, key: i + rng.int(4) + 0.5 });
    } else if (r < 0.95) {
      out.push({ bytes, line: r < 0.775 ? 0 : 1, key: i });
    }
  }
  return out.sort((a, b) => a.key - b.key).slice(0, size);
}

function withPort(frame: Uint8Array, port: number): Uint8Array {
  const f = frame.slice();
  const udp = udpOffset(f);
  if (udp >= 0) setBe16(f, udp + 2, port);
  return f;
}

function prefixedRun(messages: Uint8Array[], from: number, n: number): Uint8Array {
  let size = 0;
  for (let k = 0; k < n; k++) size += 2 + messages[(from + k) % messages.length].length;
  const out = new Uint8Array(size);
  let at = 0;
  for (let k = 0; k < n; k++) {
    // Byte by byte: messages are short, and a copy call costs more than the loop.
    const m = messages[(from + k) % messages.length];
    out[at] = m.length >>> 8;
    out[at + 1] = m.length & 0xff;
    for (let i = 0; i < m.length; i++) out[at + 2 + i] = m[i];
    at += 2 + m.length;
  }
  return out;
}

// The inputs before mutation, with their lines.
function seeds(corpus: Corpus, mode: Mode, c: BatchConfig, rng: Rng): Sent[] {
  if (mode === "frames" || mode === "payloads") {
    const s = rng.pick(corpus.streams);
    const sent = arrivals(mode === "frames" ? s.frames : s.payloads, c.size, c.lines, rng);
    return mode === "frames" && c.lines ? sent.map((x) => ({ ...x, bytes: withPort(x.bytes, LINE_PORTS[x.line]) })) : sent;
  }
  const msgs = corpus.messages;
  let at = rng.int(msgs.length);
  return Array.from({ length: c.size }, (_, i) => {
    if (mode === "messages") return { bytes: msgs[at++ % msgs.length], line: 0, key: i };
    const n = rng.pick([1, 1 + rng.int(16), 1 + rng.int(RUN_MAX), RUN_MAX]);
    at += n;
    return { bytes: prefixedRun(msgs, at - n, n), line: 0, key: i };
  });
}

// A contiguous run of a stream's frames, each cut to one snaplen that leaves the session header whole.
function snaplenBatch(corpus: Corpus, size: number, rng: Rng): { entries: Uint8Array[]; snaplen: { bytes: number; declared: number[] } } {
  const s = rng.pick(corpus.streams);
  const from = rng.int(s.frames.length);
  const to = Math.min(s.frames.length, from + size);
  const min = MIN_FRAME_HEADERS + corpus.framing.header;
  const bytes = rng.int(2) === 0 ? Math.max(90, min) : rng.range(min, min + 120);
  return { entries: s.frames.slice(from, to).map((f) => f.subarray(0, bytes)), snaplen: { bytes, declared: s.declared.slice(from, to) } };
}

/** A batch of given entries, numbered from 0: no lines, no book, bare messages numbered from 0. */
export function batchOf(feed: Feed, mode: Mode, entries: Uint8Array[], more: Partial<Batch> = {}): Batch {
  return { feed, mode, entries, inputs: entries.map((_, k) => k), book: false, firstSeq: 0, guardSeed: 1, ...more };
}

/** A batch of up to c.size inputs of a feed and mode, numbered from firstInput, drawn with rng. */
export function makeBatch(corpus: Corpus, mode: Mode, firstInput: number, c: BatchConfig, rng: Rng): Batch {
  const lines = c.lines && (mode === "frames" || mode === "payloads");
  const base = {
    feed: corpus.feed, mode, book: c.book, guardSeed: rng.u32(),
    firstSeq: rng.pick([0, 1, rng.int(2 ** 31), 2 ** 53 - 2 ** 20]),
  };
  if (c.snaplen && mode === "frames") {
    const { entries, snaplen } = snaplenBatch(corpus, c.size, rng);
    return { ...base, entries, inputs: entries.map((_, k) => firstInput + k), snaplen };
  }
  const shape = SHAPE[mode];
  const anyInput = (): Uint8Array => {
    const s = rng.pick(corpus.streams);
    if (mode === "frames") return rng.pick(s.frames);
    if (mode === "payloads") return rng.pick(s.payloads);
    return mode === "messages" ? rng.pick(corpus.messages) : prefixedRun(corpus.messages, rng.int(corpus.messages.length), 1 + rng.int(8));
  };
  const t: Target = { shape, framing: corpus.framing, types: corpus.types, partner: anyInput };
  const rate = c.mutateRate ?? 0.4;
  const entries: Uint8Array[] = [];
  const lineOf: number[] = [];
  let bytes = 0;
  const sent = seeds(corpus, mode, { ...c, lines }, rng);
  for (const s of sent) {
    const r = rng.next();
    const b = r < 0.03 ? junk(t, s.bytes, rng) : r < 0.03 + rate ? mutate(s.bytes, t, rng).bytes : s.bytes;
    if (bytes + b.length > MAX_BATCH_BYTES) break;
    bytes += b.length;
    entries.push(b);
    lineOf.push(s.line);
  }
  const batch: Batch = { ...base, entries, inputs: entries.map((_, k) => firstInput + k) };
  if (lines) {
    batch.lines = LINE_PORTS;
    if (mode === "payloads") batch.lineOf = lineOf;
  } else if (mode === "frames" && sent.length > 0 && rng.int(4) === 0) {
    // The stream's own port: mutated ports are then rejected as other ports.
    const udp = udpOffset(sent[0].bytes);
    if (udp >= 0) batch.port = be16(sent[0].bytes, udp + 2);
  }
  return batch;
}
