#!/usr/bin/env node
// The `xdpfeed` command line.

import { parseArgs } from "node:util";
import { demo, DEMO_DEFAULTS } from "./demo/packet-path.js";
import { feedDemo, FEED_DEMO_DEFAULTS } from "./demo/market.js";
import { XdpError } from "../../bridge/errors.js";
import { decode, DecodeError } from "../feeds/decode.js";
import { replay } from "./replay.js";
import { listen } from "./listen.js";

const HELP = `xdpfeed: kernel-bypass market data (AF_XDP + WebAssembly)

Usage: xdpfeed <command> [options]

Commands:
  decode    decode a capture or a NASDAQ ITCH file: one JSON object per message, or a summary
  replay    send an ITCH file (as MoldUDP64) or a capture's datagrams through AF_XDP or UDP
  demo      a generated ITCH feed, AF_XDP to AF_XDP across two namespaces, parsed and traded on
  listen    receive a feed live (AF_XDP or kernel sockets): JSON per message or a status line

Run 'xdpfeed <command> --help' for the options of a command.
`;

const DEMO_HELP = `Usage: xdpfeed demo [options]

As root: creates two network namespaces joined by a veth pair, replays a generated ITCH 5.0 session
as MoldUDP64 through AF_XDP TX in one, receives it through AF_XDP in the other (a worker thread
parses it in wasm and runs the example VWAP strategy), prints messages, gaps, drops, latency
percentiles from the wire to the strategy and the mode, then removes everything it created.
Without root: the same pipeline through kernel UDP sockets on loopback, and it says so.

Options:
  --messages N    messages in the generated session             (default ${FEED_DEMO_DEFAULTS.messages})
  --symbols N     instruments in it                             (default ${FEED_DEMO_DEFAULTS.symbols})
  --seed N        generator seed                                (default ${FEED_DEMO_DEFAULTS.seed})
  --rate R        messages per second the sender keeps to       (default ${FEED_DEMO_DEFAULTS.rate})
  --port P        UDP destination port                          (default ${FEED_DEMO_DEFAULTS.port})
  --strategy FILE a strategy module to run beside the VWAP example
  --raw           instead: the packet-path demo, generator frames at full speed, frames/s
                  (options --count N (default ${DEMO_DEFAULTS.count}), --payload N (default ${DEMO_DEFAULTS.payloadLen}))
  --json          print the summary as one JSON object          (default off)
  -h, --help      this help
`;

const DECODE_HELP = `Usage: xdpfeed decode --format FORMAT --input FILE (--json | --summary) [options]

Decodes a packet capture (pcap with micro- or nanosecond timestamps, pcapng, either gzip-compressed)
or a NASDAQ binary ITCH 5.0 file (each message preceded by its u16 length, possibly gzip-compressed)
through the compiled parser of FORMAT.

Options:
  --format F      itch50 | iex-tops | iex-deep                          (required)
  --input FILE    the file to decode                                     (required)
  --json          one JSON object per message, in feed order: type, every field, seq (a
                  binary ITCH file's messages are numbered from 1)
  --summary       one JSON object: packets, messages, byType, gaps, gapMessages, duplicates,
                  resets, rejected (by reason)
  --port N|any    decode only UDP datagrams to port N                    (default any)
  --framing F     raw | moldudp64 | iextp                                (default: detected from the
                  file: a capture uses the format's framing, anything else is read as raw ITCH)
  -h, --help      this help

Exit status: 0 decoded, 2 the file is missing, unreadable or not the named format.
`;

const REPLAY_HELP = `Usage: xdpfeed replay --input FILE --iface IF --port P [options]

Sends a NASDAQ binary ITCH 5.0 file as MoldUDP64 packets, or the UDP payloads of a capture (pcap,
pcapng, gzip) as they were, to UDP port P, through AF_XDP TX (frames built here, a transmit-only
socket, needs root) or a kernel UDP socket. A progress bar shows on a terminal.

Options:
  --input FILE    what to send                                           (required)
  --iface IF      interface to send on                                   (required for xdp)
  --port P        UDP destination port (also the source port)            (required)
  --dst IP        destination address, unicast or multicast group        (default 127.0.0.1)
  --dst-mac MAC   destination MAC for AF_XDP   (default: the group's multicast MAC, or the
                  kernel's neighbour entry for --dst)
  --rate R        packets per second, or max                             (default max)
  --via V         xdp | socket                                           (default xdp)
  --session S     MoldUDP64 session name for ITCH files                  (default XDPFEED001)
  --queue Q       AF_XDP TX queue                                        (default 0)
  --count N       stop after N packets                                   (default: all)
  -h, --help      this help
`;

const LISTEN_HELP = `Usage: xdpfeed listen --iface IF --port P[,P2] --format FORMAT [options]

Receives a feed live and parses it with the compiled parser of FORMAT: through AF_XDP (the XDP
program redirects the ports to the socket, everything else stays with the kernel) or through
kernel UDP sockets. Two ports are the A and B lines of one feed, arbitrated (first arrival wins).

Options:
  --iface IF        interface the feed arrives on                        (required)
  --port P[,P2]     UDP port, or the two ports of the A/B lines          (required)
  --format F        itch50 | iex-tops | iex-deep                         (required)
  --group G         IPv4 multicast group to join (and to match in XDP)   (default: none)
  --queue Q         AF_XDP RX queue                                      (default 0)
  --mode M          auto | xdp | socket: auto uses AF_XDP when it can    (default auto)
  --json            print each message as decode --json does             (default: status line)
  --count N         stop after N messages                                (default: no limit)
  --duration S      stop after S seconds                                 (default: no limit)
  --strategy FILE   a module whose default export is a strategy (or returns one);
                    one with onBbo or onBook gets an order book (default capacities)
  -h, --help        this help

Ctrl-C stops it cleanly; the summary (counts, gaps, duplicates, resets, rejections, per-line
stats) is printed at the end (stderr with --json, stdout otherwise).
`;

function int(name: string, v: string | undefined, def: number, min = 1): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} expects an integer >= ${min}, got '${v}'`);
  return n;
}

class UsageError extends Error {}

const json = (v: unknown): string => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? (x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x.toString()) : x));

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "-h" || cmd === "--help" || cmd === "help") {
    process.stdout.write(HELP);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === "demo") {
    const { values } = parseArgs({
      args: rest,
      options: {
        count: { type: "string" }, payload: { type: "string" }, rate: { type: "string" }, port: { type: "string" },
        json: { type: "boolean" }, help: { type: "boolean", short: "h" }, raw: { type: "boolean" },
        messages: { type: "string" }, symbols: { type: "string" }, seed: { type: "string" }, strategy: { type: "string" },
      },
    });
    if (values.help) {
      process.stdout.write(DEMO_HELP);
      return 0;
    }
    if (!values.raw) {
      const summary = await feedDemo({
        ...FEED_DEMO_DEFAULTS,
        messages: int("messages", values.messages, FEED_DEMO_DEFAULTS.messages),
        symbols: int("symbols", values.symbols, FEED_DEMO_DEFAULTS.symbols),
        seed: int("seed", values.seed, FEED_DEMO_DEFAULTS.seed, 0),
        rate: int("rate", values.rate, FEED_DEMO_DEFAULTS.rate),
        port: int("port", values.port, FEED_DEMO_DEFAULTS.port),
        json: values.json ?? false,
        strategy: values.strategy,
      });
      if (values.json) console.log(json(summary));
      return summary.parser.rejected && Object.keys(summary.parser.rejected).length === 0 ? 0 : 1;
    }
    const rate = values.rate === undefined || values.rate === "max" ? "max" : int("rate", values.rate, 0);
    const summary = await demo({
      ...DEMO_DEFAULTS,
      count: int("count", values.count, DEMO_DEFAULTS.count),
      payloadLen: int("payload", values.payload, DEMO_DEFAULTS.payloadLen, 8),
      port: int("port", values.port, DEMO_DEFAULTS.port),
      rate,
      json: values.json ?? false,
    });
    if (values.json) console.log(json(summary));
    // Frames dropped under load are reported, not an error; a corrupted payload is.
    return summary.receiver.verify.bad === 0n ? 0 : 1;
  }
  if (cmd === "decode") {
    const { values } = parseArgs({
      args: rest,
      options: {
        format: { type: "string" }, input: { type: "string" }, json: { type: "boolean" }, summary: { type: "boolean" },
        port: { type: "string" }, framing: { type: "string" }, help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      process.stdout.write(DECODE_HELP);
      return 0;
    }
    if (!values.format) throw new UsageError("decode needs --format");
    if (!values.input) throw new UsageError("decode needs --input FILE");
    if (values.json === values.summary) throw new UsageError("decode needs exactly one of --json and --summary");
    const framing = values.framing;
    if (framing !== undefined && framing !== "raw" && framing !== "moldudp64" && framing !== "iextp") {
      throw new UsageError(`--framing expects raw, moldudp64 or iextp, got '${framing}'`);
    }
    const port = values.port === undefined || values.port === "any" ? 0 : int("port", values.port, 0);
    if (port > 65535) throw new UsageError(`--port expects 1..65535 or any, got '${values.port}'`);
    const summary = await decode({ format: values.format, input: values.input, port, output: values.json ? "json" : "summary", framing });
    if (values.summary) console.log(JSON.stringify(summary));
    return 0;
  }
  if (cmd === "replay") {
    const { values } = parseArgs({
      args: rest,
      options: {
        input: { type: "string" }, iface: { type: "string" }, port: { type: "string" }, dst: { type: "string" },
        "dst-mac": { type: "string" }, rate: { type: "string" }, via: { type: "string" }, session: { type: "string" },
        queue: { type: "string" }, count: { type: "string" }, help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      process.stdout.write(REPLAY_HELP);
      return 0;
    }
    if (!values.input) throw new UsageError("replay needs --input FILE");
    if (!values.port) throw new UsageError("replay needs --port P");
    const via = values.via ?? "xdp";
    if (via !== "xdp" && via !== "socket") throw new UsageError(`--via expects xdp or socket, got '${via}'`);
    if (via === "xdp" && !values.iface) throw new UsageError("replay --via xdp needs --iface IF");
    const r = await replay({
      input: values.input, iface: values.iface ?? "", port: int("port", values.port, 0), dst: values.dst, dstMac: values["dst-mac"],
      rate: values.rate === undefined || values.rate === "max" ? "max" : int("rate", values.rate, 0), via, session: values.session,
      queue: values.queue === undefined ? 0 : int("queue", values.queue, 0, 0), count: values.count === undefined ? undefined : int("count", values.count, 0),
    });
    console.error(`replayed ${r.packets} packets (${r.messages} messages, ${r.bytes} bytes) in ${r.seconds.toFixed(2)} s via ${via}`);
    return 0;
  }
  if (cmd === "listen") {
    const { values } = parseArgs({
      args: rest,
      options: {
        iface: { type: "string" }, port: { type: "string" }, group: { type: "string" }, format: { type: "string" },
        queue: { type: "string" }, mode: { type: "string" }, json: { type: "boolean" }, count: { type: "string" },
        duration: { type: "string" }, strategy: { type: "string" }, help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      process.stdout.write(LISTEN_HELP);
      return 0;
    }
    if (!values.iface) throw new UsageError("listen needs --iface IF");
    if (!values.port) throw new UsageError("listen needs --port P");
    if (!values.format) throw new UsageError("listen needs --format");
    const mode = values.mode ?? "auto";
    if (mode !== "auto" && mode !== "xdp" && mode !== "socket") throw new UsageError(`--mode expects auto, xdp or socket, got '${mode}'`);
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    try {
      const r = await listen({
        iface: values.iface, ports: values.port.split(",").map((p) => int("port", p, 0)), group: values.group, format: values.format,
        queue: values.queue === undefined ? 0 : int("queue", values.queue, 0, 0), mode, json: values.json ?? false,
        count: values.count === undefined ? undefined : int("count", values.count, 0),
        durationMs: values.duration === undefined ? undefined : int("duration", values.duration, 0) * 1000,
        strategy: values.strategy, signal: ac.signal,
      });
      const report = JSON.stringify({ mode: r.mode, modeReason: r.modeReason, records: r.run.records, stopped: r.run.reason, ...r.summary });
      if (values.json) console.error(report);
      else console.log(report);
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    }
    return 0;
  }
  throw new UsageError(`unknown command '${cmd}'`);
}

// A reader that stops early (| head) closes the pipe: that ends the output, it is no error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => {
    const usage = e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    console.error(`xdpfeed: ${(e as Error).message}${usage ? " (see xdpfeed --help)" : ""}`);
    process.exitCode = e instanceof XdpError || e instanceof DecodeError || usage ? 2 : 1;
  },
);
