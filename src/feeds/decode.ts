// `xdpfeed decode`: a capture (pcap, pcapng, gzip) or a NASDAQ binary ITCH file through a
// compiled feed parser; one JSON object per message in feed order, or a summary. The input is
// opened once (a pipe can be read only once) and its format told from its first bytes.

import { once } from "node:events";
import { readPackets, readItchBinary, CaptureStats, ItchStats, InputError, ProgressBar } from "../input/index.js";
import { openInput, joinProblems, type ByteSource } from "../input/source.js";
import { FeedParser, type ParserSummary } from "./parser.js";
import { FEEDS, type Feed } from "./feeds.js";
import { XdpfeedError } from "../../bridge/errors.js";

export type Framing = "raw" | "moldudp64" | "iextp" | "mdp3";

export interface DecodeOptions {
  format: string;
  /** A file, a FIFO, or "-" for standard input. */
  input: string;
  /** Decode only UDP datagrams to this destination port (0 included); default any. */
  port?: number;
  /** Drop messages whose sequence was delivered before (default true); see FeedParserOptions.dedup. */
  dedup?: boolean;
  output: "json" | "summary";
  framing?: Framing;
  out?: NodeJS.WritableStream;
}

/** What --summary prints: the parser's report (src/feeds/summary.ts) less its internal frame count. */
export type DecodeSummary = Omit<ParserSummary, "frames" | "lines"> & {
  /** A binary ITCH file's damage: stretches skipped to resynchronise, their bytes, messages read after. */
  resyncs?: number;
  skippedBytes?: number;
  recoveredMessages?: number;
  /** One line on what was wrong with the input (empty, cut, corrupt, damage skipped), when something was. */
  problem?: string;
};

/** A problem with the input itself (one line, exit status 2): the input or the options do not fit the format (unknown format, wrong framing, not the format). */
export class DecodeError extends XdpfeedError {
  constructor(message: string, cause?: unknown) {
    super("EDECODE", message, { cause });
    this.name = "DecodeError";
  }
}

const ETHERNET = 1;
const FLUSH_BYTES = 1 << 16;
const READ_BYTES = 1 << 20;

export async function decode(o: DecodeOptions): Promise<DecodeSummary> {
  const feed = FEEDS[o.format];
  if (!feed) throw new DecodeError(`unknown format '${o.format}', expected one of ${Object.keys(FEEDS).join(", ")}`);
  if (o.framing && o.framing !== "raw" && o.framing !== feed.framing) {
    throw new DecodeError(`${feed.name} is framed by ${feed.framing}, not ${o.framing}`);
  }
  if (o.framing === "raw" && feed.framing !== "moldudp64") {
    throw new DecodeError(`--framing raw reads NASDAQ binary ITCH files; ${feed.name} has no such file format`);
  }
  const parser = new FeedParser(feed, { port: o.port, dedup: o.dedup });
  const out = o.out ?? process.stdout;
  const bar = new ProgressBar(`decode ${o.input}`);
  let text = "";
  const flush = async (): Promise<void> => {
    if (text && !out.write(text)) await once(out, "drain");
    text = "";
  };
  const onRecords = o.output === "json"
    ? (n: number) => {
      // An SBE feed writes a record per group entry: its message is printed once, at its first.
      let last = -1;
      for (let i = 0; i < n; i++) {
        const t = parser.ticks.at(i);
        if (t.msgOffset === last) continue;
        last = t.msgOffset;
        const seq = t.seq;
        // A binary file's messages are numbered from 1: the sequence replay gives them.
        text += JSON.stringify(parser.message.at(t.msgOffset, t.msgLength).toJSON(seq)) + "\n";
      }
    }
    : () => {};
  const after = async (): Promise<void> => {
    if (text.length >= FLUSH_BYTES) await flush();
  };
  let raw = false;
  let problem = "";
  let itch: ItchStats | null = null;
  try {
    const { source, format } = await openInput(o.input, { bufferBytes: READ_BYTES, onProgress: bar.update, buffer: parser.input });
    const capture = format === "pcap" || format === "pcapng";
    if (format === "empty") {
      await source.close();
      problem = `${o.input} is empty`;
    } else if (capture && o.framing !== "raw") {
      problem = await decodeCapture(o.input, source, parser, bar, onRecords, after);
    } else if (feed.framing === "moldudp64" && (o.framing === undefined || o.framing === "raw")) {
      // Not a capture: an ITCH feed's input may be a NASDAQ binary file instead.
      raw = true;
      itch = await decodeItchFile(o.input, source, parser, bar, onRecords, after);
      problem = itch.problem;
    } else {
      await source.close();
      throw new DecodeError(capture ? `${o.input} is a ${format} capture, not a NASDAQ binary ITCH file`
        : source.compressed ? `${o.input} is gzip-compressed but holds no pcap or pcapng file` : `${o.input} is not a pcap, pcapng or gzip file`);
    }
  } catch (e) {
    if (e instanceof InputError) throw new DecodeError(e.message, e);
    throw e;
  } finally {
    bar.done();
  }
  // The format is judged on the whole input: non-feed traffic before the feed is no reason to stop.
  checkFormat(parser, feed, o.input, raw);
  await flush();
  const s: DecodeSummary = summarize(parser.summary(), raw);
  if (s.truncatedPackets > 0) {
    problem = joinProblems(problem, `${s.truncatedPackets} packets cut short by the capture (its snaplen): ` +
      `${s.truncatedMessages} messages lost to the cut, counted apart from gaps`);
  }
  if (itch !== null && itch.resyncs > 0) Object.assign(s, { resyncs: itch.resyncs, skippedBytes: itch.skippedBytes, recoveredMessages: itch.recoveredMessages });
  if (problem !== "") s.problem = problem;
  return s;
}

async function decodeCapture(path: string, source: ByteSource, parser: FeedParser, bar: ProgressBar, onRecords: (n: number) => void, after: () => Promise<void>): Promise<string> {
  const stats = new CaptureStats();
  // A plain file is read straight into the parser's input region and parsed where it lies.
  for await (const b of readPackets(path, { stats, onProgress: bar.update, buffer: parser.input, source })) {
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
  const s = parser.summary();
  if (stats.truncated && s.rejected.truncated === undefined && s.truncatedPackets === 0) parser.rejectOutside("truncated");
  if (stats.corrupt) parser.rejectOutside("corruptCapture");
  return stats.problem;
}

async function decodeItchFile(path: string, source: ByteSource, parser: FeedParser, bar: ProgressBar, onRecords: (n: number) => void, after: () => Promise<void>): Promise<ItchStats> {
  const stats = new ItchStats();
  let seq = 1;
  const messageLength = (t: number): number => parser.x.messageLength(t);
  for await (const b of readItchBinary(path, { stats, onProgress: bar.update, buffer: parser.input, source, messageLength })) {
    parser.parse(b, "prefixed", onRecords, seq);
    seq += b.count;
    await after();
  }
  if (stats.truncated) parser.rejectOutside("truncated");
  if (stats.corrupt) parser.rejectOutside("corruptFile");
  // Each damaged stretch skipped is one rejection (its bytes and what followed: DecodeSummary).
  if (stats.resyncs) parser.rejectOutside("damaged", stats.resyncs);
  return stats;
}

// Input that yields rejections and not one message is not the named format. Datagrams to other
// ports are the user's filter, not the input's fault.
function checkFormat(parser: FeedParser, feed: Feed, input: string, raw: boolean): void {
  const s = parser.summary();
  const { otherPort = 0, ...problems } = s.rejected;
  const rejected = Object.values(problems).reduce((a, b) => a + b, 0);
  if (s.messages === 0 && rejected > 0) {
    const what = raw ? `a NASDAQ binary ITCH file` : `${feed.name} over ${feed.framing}`;
    throw new DecodeError(`${input} is not ${what}: no message parsed, ${rejected} rejected (${Object.keys(problems).join(", ")})`);
  }
}

function summarize(s: ParserSummary, raw: boolean): DecodeSummary {
  const { frames, lines: _lines, ...rest } = s;
  return { ...rest, packets: raw ? 0 : frames };
}
