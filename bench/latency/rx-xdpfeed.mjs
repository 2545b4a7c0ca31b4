// The xdpfeed receivers of the latency benchmark (bench/latency/run.ts), written as a user writes
// them: the package's public API as README.md documents it, imported as "xdpfeed" (the package's
// own exports, so the compiled dist/ that `npm run build` writes, which is what users run), in
// plain JavaScript run by node with no loader.
//
//   ip netns exec NS taskset -c 1 node bench/latency/rx-xdpfeed.mjs --mode xdp-busy|xdp-interrupt|socket \
//       --iface IF --port P --count N --warmup W --timeout-ms T
//
// xdp-busy       openFeed(itch50, { mode: "xdp" }), runStrategy(..., { mode: "busy" })
// xdp-interrupt  openFeed(itch50, { mode: "xdp" }), runStrategy(..., { mode: "interrupt" })
// socket         openFeed(itch50, { mode: "socket" }), runStrategy(..., { mode: "busy" })
//
// The strategy's onOrder (each packet holds one Add Order) reads the clock first, then hands the
// tick's sequence number and exchangeTs (the ITCH timestamp: the sender's CLOCK_MONOTONIC ns
// mod 2^48) to the recorder (hist.mjs). Prints READY once the feed is open, stops after the last
// packet, after T ms or on SIGINT/SIGTERM, and prints one JSON line. Exit 2 on a usage error.

import { parseArgs } from "node:util";
import { openFeed, itch50, runStrategy } from "xdpfeed";
import { now48, Recorder, watchGc, report, OPTIONS, intOption } from "./hist.mjs";

const { values } = parseArgs({ options: OPTIONS, strict: true });
const MODES = { "xdp-busy": ["xdp", "busy"], "xdp-interrupt": ["xdp", "interrupt"], socket: ["socket", "busy"] };
const receiver = values.mode;
if (!(receiver in MODES) || !values.iface) {
  process.stderr.write("usage: rx-xdpfeed.mjs --mode xdp-busy|xdp-interrupt|socket --iface IF --port P --count N --warmup W --timeout-ms T\n");
  process.exit(2);
}
const [feedMode, runMode] = MODES[receiver];
const port = intOption(values, "port", 1, 65535);
const count = intOption(values, "count", 2, 1e8);
const warmup = intOption(values, "warmup", 0, count - 1);
const timeoutMs = intOption(values, "timeout-ms", 1, 864e5);

const rec = new Recorder(count, warmup);
const strategy = {
  onOrder(t, ctx) {
    const now = now48();
    rec.packet(now, t.seq, t.exchangeTs);
    if (rec.done) ctx.stop();
  },
};

const src = openFeed(itch50, { iface: values.iface, ports: [port], mode: feedMode });
const ac = new AbortController();
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => ac.abort());
const gc = watchGc();
console.log("READY");
const run = await runStrategy(strategy, src, { mode: runMode, signal: ac.signal, durationMs: timeoutMs });
const summary = src.summary();
const stats = src.mode === "xdp" ? src.receiver.socket.stats() : src.stats?.();
src.close();
// Let the observer deliver the last GC entries.
await new Promise((r) => setImmediate(r));
gc.stop();
console.log(JSON.stringify(report(receiver, rec, {
  stopped: rec.done ? "last" : run.reason === "duration" ? "timeout" : "signal",
  modeReason: src.modeReason,
  gc: gc.after(rec.measureStart),
  parser: { gaps: summary.gaps, gapMessages: summary.gapMessages, duplicates: summary.duplicates, rejected: summary.rejected },
  stats: stats && JSON.parse(JSON.stringify(stats, (_k, v) => (typeof v === "bigint" ? Number(v) : v))),
  node: process.version,
  execArgv: process.execArgv,
})));
