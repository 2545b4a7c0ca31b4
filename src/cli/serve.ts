// `xdpfeed serve`: the command line of serve() (serve/serve.ts), loaded when it runs.

import { command } from "./options.js";

export const serveCommand = command({
  name: "serve",
  summary: "publish an ITCH file as MoldUDP64 with seeded loss, and answer retransmission requests",
  usage: "--input FILE --port P [--dst IP] [--rate R] [--loss P] [--retransmit-port R] [--snapshot-port S] [options]",
  description: `
The exchange's side of a feed, for tests, demos and labs: publishes a NASDAQ binary ITCH 5.0 file as
MoldUDP64 packets to UDP port P through a kernel socket, as replay does; drops a share of them at
random (seeded, so a run can be repeated); answers MoldUDP64 retransmission requests on
--retransmit-port from what it has sent; and serves a GLIMPSE 5.0 snapshot over SoupBinTCP 4.0 on
--snapshot-port: the open orders and each stock's directory and trading state as of the login. After the last packet it keeps answering for --linger
seconds, sending heartbeats with the next sequence number, then ends the session.`,
  epilogue: "Receive it with: xdpfeed listen --iface IF --port P --format itch50 --retransmit HOST:R",
  options: [
    { name: "input", type: "string", value: "FILE", description: "a NASDAQ binary ITCH 5.0 file", required: true },
    { name: "port", type: "string", value: "P", description: "UDP destination port", required: true, integer: { min: 1, max: 65535 } },
    { name: "dst", type: "string", value: "IP", description: "destination address, unicast or multicast group", default: "127.0.0.1" },
    { name: "iface", type: "string", value: "IF", description: "interface multicast goes out on", defaultText: "the route's" },
    { name: "rate", type: "string", value: "R", description: "packets per second, or max", default: 20000, integer: { min: 1, or: ["max"] } },
    { name: "loss", type: "string", value: "P", description: "drop this share of packets at random (0 to 0.99)", default: "0" },
    { name: "seed", type: "string", value: "N", description: "seed of the random loss", default: 1, integer: { min: 0 } },
    { name: "session", type: "string", value: "S", description: "MoldUDP64 session name", default: "XDPFEED001" },
    { name: "retransmit-port", type: "string", value: "R", description: "answer retransmission requests on UDP port R (0: a free one)", defaultText: "none", integer: { min: 0, max: 65535 } },
    { name: "snapshot-port", type: "string", value: "S", description: "serve a GLIMPSE snapshot over SoupBinTCP on TCP port S (0: a free one)", defaultText: "none", integer: { min: 0, max: 65535 } },
    { name: "user", type: "string", value: "U", description: "the snapshot server's one accepted login (with --password)", defaultText: "any login" },
    { name: "password", type: "string", value: "P", description: "its password", default: "" },
    { name: "request-max", type: "string", value: "N", description: "most messages one answer gives", default: 65534, integer: { min: 1, max: 65534 } },
    { name: "linger", type: "string", value: "S", description: "seconds to keep answering after the last packet", default: 2, integer: { min: 0 } },
  ],
  check(v) {
    const loss = Number(v.loss);
    return loss >= 0 && loss < 1 ? undefined : `--loss expects a share from 0 to below 1, got '${v.loss}'`;
  },
  async run(v) {
    const { serve } = await import("./serve/serve.js");
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    try {
      const r = await serve({
        input: v.input, port: v.port, dst: v.dst, iface: v.iface, rate: v.rate, loss: Number(v.loss), seed: v.seed, session: v.session,
        retransmitPort: v["retransmit-port"], requestMax: v["request-max"], lingerMs: v.linger * 1000, signal: ac.signal,
        snapshotPort: v["snapshot-port"], users: v.user !== undefined ? { [v.user]: v.password } : undefined,
        onListening: (p) => {
          if (p.retransmit !== undefined) console.error(`xdpfeed serve: answering retransmission requests on UDP port ${p.retransmit}`);
          if (p.snapshot !== undefined) console.error(`xdpfeed serve: serving GLIMPSE snapshots on TCP port ${p.snapshot}`);
        },
      });
      console.error(JSON.stringify(r));
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    }
    return 0;
  },
});
