// The demos' defaults, apart from the demos so that `xdpfeed demo --help` shows them without
// loading the sockets, the lab and the workers.

/** The market demo (`xdpfeed demo`). */
export const MARKET_DEMO = { messages: 300_000, symbols: 100, seed: 1, rate: 100_000, port: 26400 } as const;

/** The packet-path demo (`xdpfeed demo --raw`). */
export const PACKET_PATH_DEMO = { count: 1_000_000, payloadLen: 64, rate: "max", port: 5000 } as const;
