// `xdpfeed decode`: a capture (pcap, pcapng, gzip) or a NASDAQ binary ITCH file through a
// compiled feed parser; one JSON object per message in feed order, or a summary.

import { once } from "node:events";
import { readPackets, readItchBinary, CaptureStats, ItchStats, InputError, ProgressBar } from "../input/index.js";
import { FeedParser, type ParserSummary } from "./parser.js";
import { FEEDS, type Feed } from "./feeds.js";
import { XdpfeedError } from "../../bridge/errors.js";

export type Framing = "raw" | "moldudp64" | "iextp";

export interface DecodeOptions {
  format: string;
  input: string;
  /** UDP destination port to decode (0: any). */
  port: number;
  output: "json" | "summary";
  framing?: Framing;
  out?: NodeJS.WritableStream;
}

/** What --summary prints: the parser's report (src/feeds/summary.ts) less its internal frame count. */
export type DecodeSummary = Omit<ParserSummary, "frames" | "lines">;

/** A problem with the input itself (one line, exit status 2): the input or the options do not fit the format (unknown format, wrong framing, not the format). */
export class DecodeError extends XdpfeedError {
  constructor(message: string, cause?: unknown) {
    super("EDECODE", message, { cause });
    this.name = "DecodeError";
  }
}

const ETHERNET = 1;
const FLUSH_BYTES = 1 << 16;

export async function decode(o: DecodeOptions): Promise<DecodeSummary> {
  const feed = FEEDS[o.format];
  if (!feed) throw new DecodeError(`unknown format '${o.format}', expected one of ${Object.keys(FEEDS).join(", ")}`);
  if (o.framing && o.framing !== "raw" && o.framing !== feed.framing) {
    throw new DecodeError(`${feed.name} is framed by ${feed.framing}, not ${o.framing}`);
  }
  if (o.framing === "raw" && feed.framing !== "moldudp64") {
    throw new DecodeError(`--framing raw reads NASDAQ binary ITCH files; ${feed.name} has no such file format`);
  }
  const parser = new FeedParser(feed, { port: o.port });
  const out = o.out ?? process.stdout;
  const bar = new ProgressBar(`decode ${o.input}`);
  let text = "";
  const flush = async (): Promise<void> => {
    if (text && !out.write(text)) await once(out, "drain");
    text = "";
  };
  const onRecords = o.output === "json"
    ? (n: number) => {
      for (let i = 0; i < n; i++) {
        const t = parser.ticks.at(i);
        const seq = t.seq;
        // A binary file's messages are numbered from 1: the sequence replay gives them.
        text += JSON.stringify(parser.message.at(t.msgOffset, t.msgLength).toJSON(seq)) + "\n";
      }
    }
    : () => {};
  let raw = o.framing === "raw";
  let checked = false;
  try {
    if (!raw) {
      try {
        await decodeCapture(o.input, parser, bar, onRecords, async () => {
          if (!checked) checked = checkFormat(parser, feed, o.input, false);
          if (text.length >= FLUSH_BYTES) await flush();
        });
      } catch (e) {
        // Not a capture: an ITCH feed's input may be a NASDAQ binary file instead.
        if (!(e instanceof InputError && e.code === "EFORMAT" && feed.framing === "moldudp64" && !o.framing)) throw e;
        raw = true;
      }
    }
    if (raw) {
      await decodeItchFile(o.input, parser, bar, onRecords, async () => {
        if (!checked) checked = checkFormat(parser, feed, o.input, true);
        if (text.length >= FLUSH_BYTES) await flush();
      });
    }
  } catch (e) {
    if (e instanceof InputError) throw new DecodeError(e.message, e);
    throw e;
  } finally {
    bar.done();
  }
  checkFormat(parser, feed, o.input, raw);
  await flush();
  return summarize(parser.summary(), raw);
}

async function decodeCapture(path: string, parser: FeedParser, bar: ProgressBar, onRecords: (n: number) => void, after: () => Promise<void>): Promise<void> {
  const stats = new CaptureStats();
  // A plain file is read straight into the parser's input region and parsed where it lies.
  for await (const b of readPackets(path, { stats, onProgress: bar.update, buffer: parser.input })) {
    // Only Ethernet frames are parsed; a capture of another link type is counted, not misread.
    let first = 0;
    for (let i = 0; i <= b.count; i++) {
      if (i < b.count && b.linktypes[i] === ETHERNET) continue;
      if (i > first) parser.parse({ ...b, count: i - first, offsets: b.offsets.subarray(first, i), lengths: b.lengths.subarray(first, i), timestampsNs: b.timestampsNs.subarray(first, i) }, "frames", onRecords);
      if (i < b.count) parser.rejectOutside("notEthernet");
      first = i + 1;
    }
    await after();
  }
  // A record cut short with no bytes of it in the file never reached the parser.
  if (stats.truncated && parser.summary().rejected.truncated === undefined) parser.rejectOutside("truncated");
  if (stats.corrupt) parser.rejectOutside("corruptCapture");
}

async function decodeItchFile(path: string, parser: FeedParser, bar: ProgressBar, onRecords: (n: number) => void, after: () => Promise<void>): Promise<void> {
  const stats = new ItchStats();
  let seq = 1;
  for await (const b of readItchBinary(path, { stats, onProgress: bar.update, buffer: parser.input })) {
    parser.parse(b, "prefixed", onRecords, seq);
    seq += b.count;
    await after();
  }
  if (stats.truncated) parser.rejectOutside("truncated");
  if (stats.corrupt) parser.rejectOutside("corruptFile");
}

// Input that yields rejections and not one message is not the named format; say so early.
// Datagrams to other ports are the user's filter, not the input's fault.
function checkFormat(parser: FeedParser, feed: Feed, input: string, raw: boolean): boolean {
  const s = parser.summary();
  const { otherPort = 0, ...problems } = s.rejected;
  const rejected = Object.values(problems).reduce((a, b) => a + b, 0);
  if (s.messages === 0 && rejected > 0) {
    const what = raw ? `a NASDAQ binary ITCH file` : `${feed.name} over ${feed.framing}`;
    throw new DecodeError(`${input} is not ${what}: no message parsed, ${rejected} rejected (${Object.keys(problems).join(", ")})`);
  }
  return s.frames + s.messages > otherPort;
}

function summarize(s: ParserSummary, raw: boolean): DecodeSummary {
  return {
    packets: raw ? 0 : s.frames, messages: s.messages, byType: s.byType, gaps: s.gaps, gapMessages: s.gapMessages,
    duplicates: s.duplicates, resets: s.resets, rejected: s.rejected,
  };
}
