// `xdpfeed decode`: the command line of decode() (src/feeds/decode.ts), loaded when it runs.

import { command } from "./options.js";

/**
 * The feeds' names, for the help (the feeds themselves, src/feeds/feeds.ts, load their modules;
 * a test keeps this list equal to their names).
 */
export const FORMATS = ["itch50", "iex-tops", "iex-deep", "cme-mdp3"] as const;

export const decodeCommand = command({
  name: "decode",
  summary: "decode a capture or a NASDAQ ITCH file: one JSON object per message, or a summary",
  usage: "--format FORMAT --input FILE (--json | --summary) [options]",
  description: `
Decodes a packet capture (pcap with micro- or nanosecond timestamps, pcapng, either gzip-compressed)
or a NASDAQ binary ITCH 5.0 file (each message preceded by its u16 length, possibly gzip-compressed)
through the compiled parser of FORMAT.`,
  epilogue: `Damage inside the input (a cut or corrupt file, bytes skipped) is counted in the summary and
reported in one line on stderr; it does not stop the decode.
Exit status: 0 decoded, 2 the file is missing, unreadable or not the named format.`,
  options: [
    { name: "format", type: "string", value: "F", description: `the feed: ${FORMATS.join(" | ")}`, required: true },
    { name: "input", type: "string", value: "FILE", description: "the file to decode: a file, a FIFO, or - for standard input (tcpdump -w - | ...)", required: true },
    {
      name: "json", type: "boolean",
      description: "one JSON object per message, in feed order: type, every field, seq (a binary ITCH file's messages are numbered from 1)",
    },
    {
      name: "summary", type: "boolean",
      description: "one JSON object: packets, messages, byType, gaps, gapMessages, duplicates, resets, truncatedPackets, truncatedMessages, rejected (by reason), sessions (each its own sequence space)",
    },
    { name: "port", type: "string", value: "N|any", description: "decode only UDP datagrams to port N (0 too: anonymised captures use it)", default: "any", integer: { min: 0, max: 65535, or: ["any"] } },
    {
      name: "no-dedup", type: "boolean",
      description: "deliver every message, even one whose sequence number was seen before: for captures whose sequence numbers are not real (anonymised ones carry 0)",
    },
    {
      name: "framing", type: "string", value: "F", description: "how the packets are framed", choices: ["raw", "moldudp64", "iextp", "mdp3"],
      defaultText: "detected from the file: a capture uses the format's framing, anything else is read as raw ITCH",
    },
  ],
  check(v) {
    return v.json === v.summary ? "decode needs exactly one of --json and --summary" : undefined;
  },
  async run(v) {
    const { decode } = await import("../feeds/decode.js");
    const summary = await decode({
      format: v.format, input: v.input, port: v.port === "any" ? undefined : v.port, dedup: !v["no-dedup"],
      output: v.json ? "json" : "summary", framing: v.framing,
    });
    if (v.summary) console.log(JSON.stringify(summary));
    if (summary.problem !== undefined) console.error(`xdpfeed decode: ${summary.problem}`);
    return 0;
  },
});
