// xdp-rx: the xdpfeed receiver of the receive-rate benchmark, with the same command line and
// output as the C reference (bench/ref/xsk_ref.c), so bench/run.ts can drive either one.
//
//   ip netns exec NS node --import tsx bench/xdp-rx.ts --iface IF --queue Q --port P \
//       --count N --timeout-ms T
//
// Opens an XdpSocket (its own XDP program, port P redirected to it), prints READY, then
// busy-loops sock.run(): the "frames" module receives, verifies each generator payload in wasm
// (sequence number + pattern bytes, the same per-frame work as xsk_ref) and returns every frame
// to FILL, with no call out of wasm per frame. Stops after N frames, after T ms (counted from
// process start, as xsk_ref) or on SIGINT/SIGTERM, prints one JSON line and closes the socket.
// Exit code 0 on success, 2 on error (one line on stderr).

import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { XdpSocket } from "../src/socket.js";

// Milliseconds as doubles (performance.now()): unlike hrtime.bigint() nothing is allocated per
// call. performance.now() counts from process start, where xsk_ref's timeout starts too.
const tStart = 0;

function die(msg: string): never {
  process.stderr.write(`xdp-rx: ${msg.replace(/\s*\n\s*/g, " ")}\n`);
  process.exit(2);
}

function num(name: string, s: string | undefined, max: number, min = 1): number {
  if (s === undefined) die(`missing --${name}; usage: xdp-rx --iface IF --queue Q --port P --count N --timeout-ms T`);
  const v = Number(s);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(v) || v < min || v > max) die(`invalid ${name}: '${s}'`);
  return v;
}

// Frames taken from RX per batch inside run(): the same as xsk_ref's BATCH.
const BATCH = 64;
// The loop yields to the event loop this often so SIGINT/SIGTERM are seen (a few µs each time).
const YIELD_MS = 20;

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        iface: { type: "string" },
        queue: { type: "string" },
        port: { type: "string" },
        count: { type: "string" },
        "timeout-ms": { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    die((e as Error).message);
  }
  if (!args.iface) die("missing --iface; usage: xdp-rx --iface IF --queue Q --port P --count N --timeout-ms T");
  const iface = args.iface;
  const queue = num("queue", args.queue, 255, 0);
  const port = num("port", args.port, 65535);
  const count = num("count", args.count, 0xffffffff);
  const timeoutMs = num("timeout-ms", args["timeout-ms"], 0xffffffff);

  let stop = false;
  // With a listener of our own, xdpfeed's lifecycle hook leaves the exit to us (it still closes
  // the socket on process exit).
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => { stop = true; });

  const sock = XdpSocket.open({ iface, queue, ports: [port] });
  try {
    const mode = sock.stats().mode;
    process.stdout.write("READY\n");

    const deadline = tStart + timeoutMs;
    let frames = 0;
    let tFirst = 0;
    let tLast = 0;
    let now = performance.now();
    let nextYield = now + YIELD_MS;
    while (!stop && frames < count) {
      const before = now;
      // Never more than still needed, so frames == count at the end (as xsk_ref).
      const n = sock.run(count - frames, BATCH);
      now = performance.now();
      if (n > 0) {
        if (frames === 0) tFirst = before;
        frames += n;
        tLast = now;
      }
      if (now >= deadline) break;
      if (now >= nextYield) {
        await new Promise<void>((r) => setImmediate(r));
        now = performance.now();
        nextYield = now + YIELD_MS;
      }
    }

    const s = sock.stats();
    const seconds = frames > 0 ? (tLast - tFirst) / 1e3 : 0;
    const xdp = Object.fromEntries(Object.entries(s.xdp).map(([k, v]) => [k, Number(v)]));
    const out = {
      frames,
      seconds,
      framesPerSecond: seconds > 0 ? frames / seconds : 0,
      ok: Number(s.verify.ok),
      bad: Number(s.verify.bad),
      missing: Number(s.verify.missing),
      late: Number(s.verify.late),
      xdpMode: mode.attach,
      bindMode: mode.bind,
      rxWakeups: s.rx.wakeups,
      stats: xdp,
    };
    process.stdout.write(JSON.stringify(out) + "\n");
  } finally {
    sock.close();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => die(e instanceof Error ? e.message : String(e)),
);
