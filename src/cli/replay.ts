// `xdpfeed replay`: the command line of replay() (replay/replay.ts), loaded when it runs.

import { command } from "./options.js";

export const replayCommand = command({
  name: "replay",
  summary: "send an ITCH file (as MoldUDP64) or a capture's datagrams through AF_XDP or UDP",
  usage: "--input FILE --iface IF --port P [options]",
  description: `
Sends a NASDAQ binary ITCH 5.0 file as MoldUDP64 packets, or the UDP payloads of a capture (pcap,
pcapng, gzip) as they were, to UDP port P, through AF_XDP TX (frames built here, a transmit-only
socket, needs root) or a kernel UDP socket. A progress bar shows on a terminal.`,
  options: [
    { name: "input", type: "string", value: "FILE", description: "what to send", required: true },
    { name: "iface", type: "string", value: "IF", description: "interface to send on", required: "with --via xdp" },
    { name: "port", type: "string", value: "P", description: "UDP destination port (also the source port)", required: true, integer: { min: 1, max: 65535 } },
    { name: "dst", type: "string", value: "IP", description: "destination address, unicast or multicast group", default: "127.0.0.1" },
    {
      name: "dst-mac", type: "string", value: "MAC", description: "destination MAC for AF_XDP",
      defaultText: "the group's multicast MAC, or the kernel's neighbour entry for --dst",
    },
    { name: "rate", type: "string", value: "R", description: "packets per second, or max", default: "max", integer: { min: 1, or: ["max"] } },
    { name: "via", type: "string", value: "V", description: "how to send", choices: ["xdp", "socket"], default: "xdp" },
    { name: "session", type: "string", value: "S", description: "MoldUDP64 session name for ITCH files", default: "XDPFEED001" },
    { name: "queue", type: "string", value: "Q", description: "AF_XDP TX queue", default: 0, integer: { min: 0 } },
    { name: "count", type: "string", value: "N", description: "stop after N packets", defaultText: "all", integer: { min: 1 } },
  ],
  check(v) {
    return v.via === "xdp" && v.iface === undefined ? "replay --via xdp needs --iface IF" : undefined;
  },
  async run(v) {
    const { replay } = await import("./replay/replay.js");
    const r = await replay({
      input: v.input, iface: v.iface ?? "", port: v.port, dst: v.dst, dstMac: v["dst-mac"], rate: v.rate, via: v.via,
      session: v.session, queue: v.queue, count: v.count,
    });
    console.error(`replayed ${r.packets} packets (${r.messages} messages, ${r.bytes} bytes) in ${r.seconds.toFixed(2)} s via ${v.via}`);
    return 0;
  },
});
