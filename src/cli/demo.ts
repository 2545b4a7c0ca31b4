// `xdpfeed demo`: the market demo (demo/market.ts), or with --raw the packet-path demo
// (demo/packet-path.ts); each is loaded only when it runs.

import { command } from "./options.js";
import { MARKET_DEMO, PACKET_PATH_DEMO } from "./demo/defaults.js";

// JSON with bigints as numbers when they fit, else as strings.
const json = (v: unknown): string =>
  JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? (x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x.toString()) : x));

export const demoCommand = command({
  name: "demo",
  summary: "a generated ITCH feed, AF_XDP to AF_XDP across two namespaces, parsed and traded on",
  usage: "[options]",
  description: `
As root: creates two network namespaces joined by a veth pair, replays a generated ITCH 5.0 session
as MoldUDP64 through AF_XDP TX in one, receives it through AF_XDP in the other (a worker thread
parses it in wasm and runs the example VWAP strategy), prints messages, gaps, drops, latency
percentiles from the wire to the strategy and the mode, then removes everything it created.
Without root: the same pipeline through kernel UDP sockets on loopback, and it says so.

With --raw, the packet-path demo instead: generator frames sent through AF_XDP at full speed from
one namespace to the other, verified in wasm on arrival, reported in frames/s.`,
  epilogue: "Exit status: 0 done, 1 the parser rejected packets (with --raw: a frame arrived corrupted).",
  options: [
    { name: "messages", type: "string", value: "N", description: "messages in the generated session", default: MARKET_DEMO.messages, integer: { min: 1 } },
    { name: "symbols", type: "string", value: "N", description: "instruments in it", default: MARKET_DEMO.symbols, integer: { min: 1 } },
    { name: "seed", type: "string", value: "N", description: "generator seed", default: MARKET_DEMO.seed, integer: { min: 0 } },
    {
      name: "rate", type: "string", value: "R", description: "messages per second the sender keeps to (with --raw: frames per second, or max)",
      defaultText: `${MARKET_DEMO.rate}; with --raw ${PACKET_PATH_DEMO.rate}`, integer: { min: 1, or: ["max"] },
    },
    {
      name: "port", type: "string", value: "P", description: "UDP destination port",
      defaultText: `${MARKET_DEMO.port}; with --raw ${PACKET_PATH_DEMO.port}`, integer: { min: 1, max: 65535 },
    },
    { name: "strategy", type: "string", value: "FILE", description: "a strategy module to run beside the VWAP example" },
    { name: "loss", type: "string", value: "P", description: "drop this share of packets at random (seeded); the receiver requests them from a retransmission server and shows the gaps recovered", default: "0" },
    { name: "raw", type: "boolean", description: "instead: the packet-path demo, generator frames at full speed, frames/s" },
    { name: "count", type: "string", value: "N", description: "with --raw: frames to send", default: PACKET_PATH_DEMO.count, integer: { min: 1 } },
    { name: "payload", type: "string", value: "N", description: "with --raw: UDP payload bytes per frame", default: PACKET_PATH_DEMO.payloadLen, integer: { min: 8 } },
    { name: "json", type: "boolean", description: "print the summary as one JSON object", defaultText: "off" },
  ],
  check(v) {
    const loss = Number(v.loss);
    if (!(loss >= 0 && loss < 1)) return `--loss expects a share from 0 to below 1, got '${v.loss}'`;
    if (!v.raw && v.rate === "max") return "--rate expects an integer >= 1 without --raw, got 'max'";
    return undefined;
  },
  async run(v) {
    if (!v.raw) {
      const { feedDemo, FEED_DEMO_DEFAULTS } = await import("./demo/market.js");
      const summary = await feedDemo({
        ...FEED_DEMO_DEFAULTS,
        messages: v.messages, symbols: v.symbols, seed: v.seed,
        rate: (v.rate ?? MARKET_DEMO.rate) as number, // check() refuses max without --raw
        port: v.port ?? MARKET_DEMO.port, json: v.json, strategy: v.strategy, loss: Number(v.loss),
      });
      if (v.json) console.log(json(summary));
      return summary.parser.rejected && Object.keys(summary.parser.rejected).length === 0 ? 0 : 1;
    }
    const { demo, DEMO_DEFAULTS } = await import("./demo/packet-path.js");
    const summary = await demo({
      ...DEMO_DEFAULTS,
      count: v.count, payloadLen: v.payload, port: v.port ?? PACKET_PATH_DEMO.port, rate: v.rate ?? PACKET_PATH_DEMO.rate, json: v.json,
    });
    if (v.json) console.log(json(summary));
    // Frames dropped under load are reported, not an error; a corrupted payload is.
    return summary.receiver.verify.bad === 0n ? 0 : 1;
  },
});
