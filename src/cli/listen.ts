// `xdpfeed listen`: the command line of listen() (listen/listen.ts), loaded when it runs.

import { command } from "./options.js";
import { FORMATS } from "./decode.js";

function hostPort(s: string): { host: string; port: number } | undefined {
  const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(s);
  const port = m ? Number(m[2]) : 0;
  return m && port >= 1 && port <= 65535 ? { host: m[1], port } : undefined;
}

const portList = (s: string): number[] => s.split(",").map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));

export const listenCommand = command({
  name: "listen",
  summary: "receive a feed live (AF_XDP or kernel sockets): JSON per message or a status line",
  usage: "--iface IF --port P[,P2] --format FORMAT [options]",
  description: `
Receives a feed live and parses it with the compiled parser of FORMAT: through AF_XDP (the XDP
program redirects the ports to the socket, everything else stays with the kernel) or through
kernel UDP sockets. Two ports are the A and B lines of one feed, arbitrated (first arrival wins).`,
  epilogue: `
Ctrl-C stops it cleanly; the summary (counts, gaps, duplicates, resets, rejections, per-session and
per-line stats, and drops: what the rings or sockets lost before the parser saw it, which opens no
gap when it is at the end) is printed at the end (stderr with --json, stdout otherwise).`,
  options: [
    { name: "iface", type: "string", value: "IF", description: "interface the feed arrives on", required: true },
    { name: "port", type: "string", value: "P[,P2]", description: "UDP port, or the two ports of the A/B lines", required: true },
    { name: "format", type: "string", value: "F", description: `the feed: ${FORMATS.join(" | ")}`, required: true },
    { name: "group", type: "string", value: "G", description: "IPv4 multicast group to join (and to match in XDP)", defaultText: "none" },
    { name: "queue", type: "string", value: "Q", description: "AF_XDP RX queue", default: 0, integer: { min: 0 } },
    { name: "mode", type: "string", value: "M", description: "auto uses AF_XDP when it can", choices: ["auto", "xdp", "socket"], default: "auto" },
    { name: "json", type: "boolean", description: "print each message as decode --json does", defaultText: "status line" },
    { name: "count", type: "string", value: "N", description: "stop after N messages", defaultText: "no limit", integer: { min: 1 } },
    { name: "duration", type: "string", value: "S", description: "stop after S seconds", defaultText: "no limit", integer: { min: 1 } },
    {
      name: "latency", type: "boolean",
      description: "receive time minus the exchange's timestamp (HDR histogram, p50 to max) in the status line and the summary; needs this host's clock synchronised to the exchange's",
      defaultText: "off",
    },
    {
      name: "stats-interval", type: "string", value: "S",
      description: "status every S seconds: the status line on a terminal, else one JSON line on stderr ({\"status\":{...}})",
      defaultText: "1 on a terminal, none otherwise", integer: { min: 1 },
    },
    {
      name: "retransmit", type: "string", value: "HOST:PORT",
      description: "fill gaps from this MoldUDP64 retransmission server: a gap's packets are held while its messages are requested",
      defaultText: "gaps are only counted",
    },
    { name: "request-max", type: "string", value: "N", description: "most messages one retransmission request asks for", default: 1000, integer: { min: 1, max: 65534 } },
    { name: "request-timeout", type: "string", value: "MS", description: "milliseconds before an unanswered request is sent again (doubling; 4 retries, then the gap is given up)", default: 20, integer: { min: 1 } },
    { name: "hold-max", type: "string", value: "MESSAGES", description: "most messages held while a gap waits; with the hold full, live packets wait in the kernel's buffer", default: 14336, integer: { min: 1, max: 14336 } },
    {
      name: "snapshot", type: "string", value: "HOST:PORT",
      description: "start late from a GLIMPSE snapshot over SoupBinTCP: the live feed is held while the book is loaded, then applied from the snapshot's sequence",
      defaultText: "the feed from its first packet",
    },
    { name: "user", type: "string", value: "U", description: "SoupBinTCP username for --snapshot", default: "" },
    { name: "password", type: "string", value: "P", description: "SoupBinTCP password for --snapshot", default: "" },
    { name: "cpu", type: "string", value: "N", description: "pin the polling thread to CPU N (the process's other threads move off it)", defaultText: "not pinned", integer: { min: 0 } },
    {
      name: "strategy", type: "string", value: "FILE",
      description: "a module whose default export is a strategy (or returns one); one with onBbo or onBook gets an order book (default capacities)",
    },
  ],
  check(v) {
    if (v.snapshot !== undefined && hostPort(v.snapshot) === undefined) return `--snapshot expects HOST:PORT (an IPv4 address and a port), got '${v.snapshot}'`;
    if (v.retransmit !== undefined && hostPort(v.retransmit) === undefined) return `--retransmit expects HOST:PORT (an IPv4 address and a port), got '${v.retransmit}'`;
    const ports = portList(v.port);
    if (ports.length > 2 || ports.some((p) => !(p >= 1 && p <= 65535))) return `--port expects P or P,P2 (integers from 1 to 65535), got '${v.port}'`;
    return undefined;
  },
  async run(v) {
    const { listen } = await import("./listen/listen.js");
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    try {
      const r = await listen({
        iface: v.iface, ports: portList(v.port), group: v.group, format: v.format, queue: v.queue, mode: v.mode, json: v.json,
        count: v.count, durationMs: v.duration === undefined ? undefined : v.duration * 1000, strategy: v.strategy, signal: ac.signal, latency: v.latency, cpu: v.cpu,
        statsIntervalS: v["stats-interval"],
        snapshot: v.snapshot === undefined ? undefined : { ...hostPort(v.snapshot)!, user: v.user, password: v.password },
        retransmit: v.retransmit === undefined ? undefined : {
          ...hostPort(v.retransmit)!, requestMax: v["request-max"], requestTimeoutMs: v["request-timeout"], holdMax: v["hold-max"],
        },
      });
      const report = JSON.stringify({
        mode: r.mode, modeReason: r.modeReason, records: r.run.records, stopped: r.run.reason, ...r.summary, drops: r.drops,
        ...(r.latency ? { latency: r.latency } : {}),
      });
      if (v.json) console.error(report);
      else console.log(report);
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    }
    return 0;
  },
});
