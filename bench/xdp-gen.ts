// xdp-gen: the traffic generator of the receive-rate benchmark. Run it inside the sender's
// network namespace:
//
//   ip netns exec NS node --import tsx bench/xdp-gen.ts --iface IF --count N [--rate PPS|max]
//       [--payload BYTES] --dst-mac MAC --src-mac MAC --src-ip IP --dst-ip IP --port P
//       [--src-port P] [--queue Q] [--timeout-ms T]
//
// Opens a transmit-only AF_XDP socket (no XDP program), sends N UDP frames whose payloads
// carry a sequence number and a verifiable pattern (src/socket/traffic.ts), and prints one JSON
// line {sent, seconds, framesPerSecond, timedOut, ...}. Exit code 0 on success (even when timed
// out: the JSON says so), 2 on error (one line on stderr).

import { parseArgs } from "node:util";
import { XdpSocket } from "../src/socket/socket.js";
import { sendTraffic } from "../src/socket/traffic.js";

const USAGE = "usage: xdp-gen --iface IF --count N [--rate PPS|max] [--payload BYTES] --dst-mac MAC --src-mac MAC --src-ip IP --dst-ip IP --port P [--src-port P] [--queue Q] [--timeout-ms T]";

function die(msg: string): never {
  process.stderr.write(`xdp-gen: ${msg.replace(/\s*\n\s*/g, " ")}\n`);
  process.exit(2);
}

function num(name: string, s: string | undefined, max: number, min = 1): number {
  if (s === undefined) die(`missing --${name}; ${USAGE}`);
  const v = Number(s);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(v) || v < min || v > max) die(`invalid ${name}: '${s}'`);
  return v;
}

function str(name: string, s: string | undefined): string {
  if (!s) die(`missing --${name}; ${USAGE}`);
  return s;
}

function main(): void {
  let a;
  try {
    a = parseArgs({
      options: {
        iface: { type: "string" },
        queue: { type: "string", default: "0" },
        count: { type: "string" },
        rate: { type: "string", default: "max" },
        payload: { type: "string", default: "64" },
        "dst-mac": { type: "string" },
        "src-mac": { type: "string" },
        "src-ip": { type: "string" },
        "dst-ip": { type: "string" },
        port: { type: "string" },
        "src-port": { type: "string", default: "4000" },
        "timeout-ms": { type: "string", default: "30000" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    die((e as Error).message);
  }
  const iface = str("iface", a.iface);
  const queue = num("queue", a.queue, 255, 0);
  const count = num("count", a.count, Number.MAX_SAFE_INTEGER);
  const rate = a.rate === "max" ? "max" : num("rate", a.rate, 1e9);
  const payloadLen = num("payload", a.payload, 4096, 8);
  const dstPort = num("port", a.port, 65535);
  const srcPort = num("src-port", a["src-port"], 65535);
  const timeoutMs = num("timeout-ms", a["timeout-ms"], 0xffffffff);
  const endpoints = {
    dstMac: str("dst-mac", a["dst-mac"]),
    srcMac: str("src-mac", a["src-mac"]),
    srcIp: str("src-ip", a["src-ip"]),
    dstIp: str("dst-ip", a["dst-ip"]),
    srcPort,
    dstPort,
  };

  const sock = XdpSocket.open({ iface, queue, program: false });
  try {
    const r = sendTraffic(sock, { ...endpoints, count, rate, payloadLen, timeoutMs });
    const s = sock.stats();
    process.stdout.write(JSON.stringify({
      ...r,
      rate,
      payload: payloadLen,
      bindMode: s.mode.bind,
      tx: { frames: Number(s.tx.frames), completed: Number(s.tx.completed), wakeups: s.tx.wakeups },
      stats: Object.fromEntries(Object.entries(s.xdp).map(([k, v]) => [k, Number(v)])),
    }) + "\n");
  } finally {
    sock.close();
  }
}

try {
  main();
} catch (e) {
  die(e instanceof Error ? e.message : String(e));
}
