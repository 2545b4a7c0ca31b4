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
import { XdpSocket } from "../src/socket/socket.js";

// Times are milliseconds as doubles (performance.now()): unlike hrtime.bigint(), nothing is
// allocated per call. performance.now() counts from process start, where xsk_ref's timeout
// starts too.
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
// Clock reads in the receive loop (see spin()): every CLOCK_POLLS polls (an empty poll takes
// ~12 ns here, so ~6 µs) and every CLOCK_FRAMES frames (~0.5 ms at 500k frames/s).
const CLOCK_POLLS = 512;
const CLOCK_FRAMES = 256;
// Warm-up of the receive loop before READY (see warmUp()).
const WARMUP_MS = 300;

/** The receive loop's state: one object, so the hot loop can be warmed up on throwaway ones. */
class Meter {
  frames = 0;
  tFirst = 0;
  tLast = 0;
}

interface Runner {
  run(budget: number, batch: number): number;
}

/**
 * The hot loop: sock.run() (receive, verify, refill: all in wasm) until count frames or `until`.
 * The clock is read only now and then: performance.now() costs ~60 ns and allocates a 16-byte
 * heap number per call, so reading it on every poll (then ~14 million times/s when idle) means
 * a minor GC every ~20 ms. Each is a pause on the one CPU the receiver is pinned to (V8's GC
 * helper threads are pinned there too), and with them the receiver lost hundreds to thousands
 * of frames in most full-speed runs. Read instead: right after the first frames, when the count
 * is reached, every CLOCK_FRAMES frames and every CLOCK_POLLS polls.
 */
function spin(sock: Runner, m: Meter, count: number, until: number): void {
  let polls = 0;
  let stamped = m.frames; // frames counted at the last clock read
  while (m.frames < count) {
    // Never more than still needed, so frames == count at the end (as xsk_ref).
    m.frames += sock.run(count - m.frames, BATCH);
    polls++;
    const fresh = m.frames - stamped;
    if (polls < CLOCK_POLLS && fresh < CLOCK_FRAMES && !(fresh > 0 && (stamped === 0 || m.frames >= count))) continue;
    const now = performance.now();
    polls = 0;
    if (fresh > 0) {
      if (stamped === 0) m.tFirst = now;
      m.tLast = now;
      stamped = m.frames;
    }
    if (now >= until) return;
  }
}

/** Stands in for the socket while spin() is warmed up: a batch of "frames" every other call. */
class WarmUpFrames implements Runner {
  #i = 0;
  run(budget: number, batch: number): number {
    return (this.#i++ & 1) === 0 ? 0 : Math.min(budget, batch);
  }
}

/**
 * Runs spin() on the real socket (nothing arrives yet) and on WarmUpFrames (frames every other
 * call) until V8 has optimized it with feedback for both paths. Without this, the first frames
 * take spin() down a path it never ran: V8 deoptimizes it and recompiles, and on the one CPU
 * the receiver is pinned to that stall of a few ms overflows the rings (thousands of frames
 * lost at 500k frames/s).
 */
function warmUp(sock: XdpSocket): void {
  const fake = new WarmUpFrames();
  const end = performance.now() + WARMUP_MS;
  while (performance.now() < end) {
    spin(fake, new Meter(), 1e9, performance.now() + 1);
    spin(sock, new Meter(), 1e9, performance.now() + 1);
  }
}

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
    warmUp(sock);
    process.stdout.write("READY\n");

    const deadline = tStart + timeoutMs;
    const m = new Meter();
    while (!stop && m.frames < count) {
      const now = performance.now();
      if (now >= deadline) break;
      spin(sock, m, count, Math.min(deadline, now + YIELD_MS));
      if (m.frames < count) await new Promise<void>((r) => setImmediate(r));
    }
    const { frames, tFirst, tLast } = m;

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
