// Wire-to-strategy latency, side by side (npm run bench:latency, as root): five receivers of the
// same paced feed, each in a fresh process, against a C libxdp receiver and a plain Node dgram
// receiver.
//
//   node --import tsx bench/latency/run.ts [--rates 10000,100000] [--counts 100000,300000]
//       [--warmup-ms 1000] [--rounds 3] [--receivers c,xdp-busy,xdp-interrupt,socket,dgram]
//       [--retries 2] [--rx-cpu 1] [--tx-cpu 0] [--node-flags="..."] [--port 26600] [--max-late-us 1000]
//
// Set-up, the same for every receiver: two network namespaces joined by a veth pair
// (src/lab/veth.ts). In namespace A, bench/latency/sender.c (built here with make) pinned to CPU 0
// sends MoldUDP64 packets through a kernel UDP socket, each holding one ITCH 5.0 Add Order
// whose 48-bit timestamp is CLOCK_MONOTONIC ns mod 2^48 read just before sendto(), sequence
// numbers 1, 2, 3, ...; paced by busy-waiting on CLOCK_MONOTONIC to a schedule (no drift), at
// each rate of --rates: first --warmup-ms of packets that the receivers do not record, then
// --counts packets that they do (after a stall of more than --max-late-us the sender moves its
// schedule rather than send the packets due meanwhile in one burst; sender.c says more). In namespace B, pinned to CPU 1, one receiver at a time:
//
//   c              bench/latency/xsk_lat.c: busy-polling libxdp, the C baseline
//   xdp-busy       xdpfeed: openFeed(itch50, { mode: "xdp" }), runStrategy(..., { mode: "busy" })
//   xdp-interrupt  xdpfeed: the same with runStrategy mode "interrupt"
//   socket         xdpfeed: openFeed(itch50, { mode: "socket" }) (kernel UDP sockets)
//   dgram          ~30 lines of node:dgram, socket.on("message")
//
// The xdpfeed receivers are bench/latency/rx-xdpfeed.mjs, the package's public API imported as
// "xdpfeed" (the compiled dist/, as users run it; npm run bench:latency builds it first). Each
// receiver reads the monotonic clock when the packet reaches it (for xdpfeed: in the strategy's
// onOrder) and records now - stamp; the JavaScript receivers into a node:perf_hooks histogram,
// allocation-free (bench/latency/hist.mjs says how the clock was chosen; clock.mjs measures it
// and its figures go into the JSON).
//
// Rounds: each round runs every rate, and at each rate every receiver, in an order rotated by one
// each round. A run whose receiver or sender was kept off its CPU by other work for more than
// 2% of it is repeated (--retries); if the last attempt is still disturbed it is kept, marked,
// and left out of the medians when the same receiver and rate has undisturbed rounds (the table
// says how many rounds each median is over). Reported per receiver and rate, medians over rounds:
// p50/p90/p99/p99.9/max in µs, packets recorded and lost (per round, from the sequence
// numbers), the ratios to C and to dgram, and the targets met or not. Writes
// bench/results/latency.json, the .hgrm percentile distribution of every run under
// bench/results/latency/, and bench/results/latency.svg (percentile plot, medians over rounds
// per percentile level). Every wait is bounded; the namespaces go and the children are killed
// on the way out, whether it ends normally, on an error or on a signal.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, release } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createPair, destroyPair, hasXdp, type VethPair } from "../../src/lab/veth.js";
import { Child, cpuModel, killAll, waitQuiet, type SchedSummary } from "../child.js";
import {
  checkTargets, hgrm, latencyTable, medianDist, rateLabel, ratioTable, selectRounds, summarize, svgPlot, targetTable,
  type RxResult, type Summary,
} from "./report.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const HERE = `${ROOT}bench/latency/`;
const BUILD = `${ROOT}bench/.build/`;
const RESULTS = `${ROOT}bench/results/`;
/** After the sender is done, a receiver has this long to take the last packets before SIGINT. */
const DRAIN_MS = 2_000;
/** A run is disturbed (and repeated) when other work kept a child off its CPU this much of it. */
const DISTURBED = 0.02;

function fail(msg: string): never {
  process.stderr.write(`bench:latency: ${msg}\n`);
  process.exit(2);
}

const USAGE = "usage: bench/latency/run.ts [--rates 10000,100000] [--counts 100000,300000] [--warmup-ms 1000] [--rounds 3] " +
  "[--receivers c,xdp-busy,xdp-interrupt,socket,dgram] [--retries 2] [--rx-cpu 1] [--tx-cpu 0] [--node-flags=\"...\"] [--port 26600] [--max-late-us 1000]";

const args = (() => {
  try {
    return parseArgs({
      options: {
        rates: { type: "string", default: "10000,100000" },
        counts: { type: "string", default: "100000,300000" },
        "warmup-ms": { type: "string", default: "1000" },
        rounds: { type: "string", default: "3" },
        receivers: { type: "string", default: "c,xdp-busy,xdp-interrupt,socket,dgram" },
        retries: { type: "string", default: "2" },
        "rx-cpu": { type: "string", default: "1" },
        "tx-cpu": { type: "string", default: "0" },
        "node-flags": { type: "string", default: "" },
        port: { type: "string", default: "26600" },
        "max-late-us": { type: "string", default: "1000" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    fail(`${(e as Error).message}; ${USAGE}`);
  }
})();

function intArg(name: string, s: string, min: number, max: number): number {
  const v = Number(s);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(v) || v < min || v > max) fail(`invalid --${name} '${s}', expected ${min}..${max}`);
  return v;
}
const listArg = (name: string, s: string, min: number, max: number): number[] => s.split(",").map((x) => intArg(name, x.trim(), min, max));
function cpuArg(name: string, s: string): string {
  if (!/^\d+([-,]\d+)*$/.test(s)) fail(`invalid --${name} '${s}', expected a taskset CPU list such as 1`);
  return s;
}

const RATES = listArg("rates", args.rates, 100, 1_000_000);
const COUNTS = listArg("counts", args.counts, 1000, 10_000_000);
if (COUNTS.length !== RATES.length) fail(`--counts needs one count per rate (${RATES.length})`);
const WARMUP_MS = intArg("warmup-ms", args["warmup-ms"], 0, 60_000);
const ROUNDS = intArg("rounds", args.rounds, 1, 100);
const RETRIES = intArg("retries", args.retries, 0, 10);
const RX_CPU = cpuArg("rx-cpu", args["rx-cpu"]);
const TX_CPU = cpuArg("tx-cpu", args["tx-cpu"]);
const NODE_FLAGS = args["node-flags"].split(/\s+/).filter(Boolean);
const PORT = intArg("port", args.port, 1024, 65535);
const MAX_LATE_US = intArg("max-late-us", args["max-late-us"], 1, 60_000_000);

interface Receiver {
  id: string;
  label: string;
  argv: string[];
}

const ALL_RECEIVERS: Receiver[] = [
  { id: "c", label: "C libxdp busy-poll", argv: [`${BUILD}xsk_lat`, "--queue", "0"] },
  { id: "xdp-busy", label: "xdpfeed XDP busy", argv: ["node", ...NODE_FLAGS, `${HERE}rx-xdpfeed.mjs`, "--mode", "xdp-busy"] },
  { id: "xdp-interrupt", label: "xdpfeed XDP interrupt", argv: ["node", ...NODE_FLAGS, `${HERE}rx-xdpfeed.mjs`, "--mode", "xdp-interrupt"] },
  { id: "socket", label: "xdpfeed socket", argv: ["node", ...NODE_FLAGS, `${HERE}rx-xdpfeed.mjs`, "--mode", "socket"] },
  { id: "dgram", label: "Node dgram", argv: ["node", ...NODE_FLAGS, `${HERE}rx-dgram.mjs`] },
];
const RECEIVERS = args.receivers.split(",").map((id) => ALL_RECEIVERS.find((r) => r.id === id.trim()) ?? fail(`unknown receiver '${id}' in --receivers (${ALL_RECEIVERS.map((r) => r.id).join(", ")})`));

// ---------------------------------------------------------------- runs

interface SenderResult {
  sent: number;
  seconds: number;
  packetsPerSecond: number;
  sendErrors: number;
  timedOut: boolean;
  late: { over1us: number; over10us: number; over100us: number; maxUs: number };
  /** Packets more than --max-late-us late, after which the schedule moved (sender.c). */
  rescheduled: number;
}

interface Trial {
  receiver: string;
  rate: number;
  round: number;
  /** Packets sent after the warm-up and not recorded by the receiver. */
  lost: number;
  interrupted: boolean;
  rx: RxResult;
  sender: SenderResult;
  sched: { rx: SchedSummary; sender: SchedSummary };
  disturbed: boolean;
  hgrm?: string;
}

const live: { pair?: VethPair } = {};
process.on("exit", killAll);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(sig, () => {
    process.stderr.write(`bench:latency: ${sig}, cleaning up\n`);
    killAll();
    if (live.pair) destroyPair(live.pair);
    process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const)[sig]);
  });
}

async function trial(p: VethPair, rx: Receiver, rate: number, count: number, round: number): Promise<Trial> {
  const warmup = Math.round((rate * WARMUP_MS) / 1000);
  const total = warmup + count;
  const sendMs = (total / rate) * 1000;
  const r = new Child(rx.id, p.nsB, RX_CPU, [
    ...rx.argv, "--iface", p.ifB, "--port", String(PORT), "--count", String(total), "--warmup", String(warmup),
    "--timeout-ms", String(Math.round(60_000 + sendMs)),
  ]);
  let s: Child | undefined;
  try {
    await r.waitLine("READY", 30_000);
    r.measure();
    const senderTimeout = Math.round(sendMs + 20_000);
    s = new Child("sender", p.nsA, TX_CPU, [
      `${BUILD}lat_sender`, "--dst", p.ipB, "--port", String(PORT), "--src-port", String(PORT), "--count", String(total),
      "--rate", String(rate), "--max-late-us", String(MAX_LATE_US), "--timeout-ms", String(senderTimeout),
    ]);
    s.measure();
    if (!(await s.waitExit(senderTimeout + 10_000))) throw new Error(`the sender did not finish within ${senderTimeout + 10_000} ms`);
    const sender = s.result<SenderResult>();
    const interrupted = await r.stopAfter(DRAIN_MS);
    const res = r.result<RxResult>();
    if (hasXdp(p.nsB, p.ifB)) throw new Error(`an XDP program is still attached to ${p.ifB} after ${rx.id} exited`);
    const sched = { rx: r.sched(), sender: s.sched() };
    const disturbed = sched.rx.external > DISTURBED || sched.sender.external > DISTURBED;
    return { receiver: rx.id, rate, round, lost: Math.max(0, sender.sent - warmup) - res.received, interrupted, rx: res, sender, sched, disturbed };
  } finally {
    r.kill("SIGKILL");
    s?.kill("SIGKILL");
    await r.waitExit(5_000);
    await s?.waitExit(5_000);
  }
}

const f1 = (ns: number): string => (ns / 1000).toFixed(1);
function describe(t: Trial): string {
  const n = t.rx.ns;
  const gc = t.rx.gc ? `, ${t.rx.gc.count} GCs after the warm-up (${t.rx.gc.ms} ms; ${t.rx.gc.all} in all)` : "";
  return `${t.receiver} ${rateLabel(t.rate)}/s: ` +
    (n ? `p50 ${f1(n.p50)} p90 ${f1(n.p90)} p99 ${f1(n.p99)} p99.9 ${f1(n.p999)} max ${f1(n.max)} µs` : "no packet recorded") +
    `, recorded ${t.rx.received.toLocaleString("en-US")}, lost ${t.lost}${t.rx.duplicates ? `, duplicates ${t.rx.duplicates}` : ""}${gc}` +
    `; sender ${Math.round(t.sender.packetsPerSecond).toLocaleString("en-US")}/s, late >10 µs ${t.sender.late.over10us}, max ${t.sender.late.maxUs} µs${t.sender.rescheduled ? `, rescheduled ${t.sender.rescheduled}x` : ""}` +
    `; rx waited ${t.sched.rx.mainWaitMs.toFixed(1)} ms for CPU ${RX_CPU} (${(t.sched.rx.external * 100).toFixed(1)}% external)` +
    `, sender ${t.sched.sender.mainWaitMs.toFixed(1)} ms (${(t.sched.sender.external * 100).toFixed(1)}%)` +
    (t.disturbed ? " -- DISTURBED by other work" : "");
}

function checkBuilds(log: (s: string) => void): void {
  execFileSync("make", ["-s", "-C", `${ROOT}bench/latency`], { stdio: ["ignore", "inherit", "inherit"] });
  const entry = `${ROOT}dist/src/index.js`;
  if (!existsSync(entry)) fail("dist/ is missing: run npm run build (npm run bench:latency does)");
  // The receivers run the compiled package: say so when a source is newer than its build.
  const mtime = (f: string): number => (existsSync(f) ? statSync(f).mtimeMs : 0);
  const stale = ["src", "bridge"].flatMap((dir) => readdirSync(`${ROOT}${dir}`, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .filter((f) => mtime(`${ROOT}${dir}/${f}`) > mtime(`${ROOT}dist/${dir}/${f.slice(0, -3)}.js`))
    .map((f) => `${dir}/${f}`));
  if (stale.length) log(`WARNING: ${stale.slice(0, 3).join(", ")}${stale.length > 3 ? ` and ${stale.length - 3} more` : ""} newer than dist/: the xdpfeed receivers run the older build (npm run build)`);
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) fail("needs root (network namespaces, XDP, AF_XDP)");
  const log = (s: string): void => void process.stderr.write(`bench:latency: ${s}\n`);
  checkBuilds(log);
  const started = new Date();
  log("measuring the JavaScript receivers' clock candidates (bench/latency/clock.mjs)");
  const clock = JSON.parse(execFileSync(process.execPath, [`${HERE}clock.mjs`, "--json"], { encoding: "utf8", timeout: 120_000 }).trim()) as {
    rows: Array<{ name: string; nsPerCall: number; gcsPer10M: number }>;
  };

  const p = (live.pair = createPair({ prefix: "xlat" }));
  log(`veth ${p.ifA} (${p.nsA}, sender on CPU ${TX_CPU}) <-> ${p.ifB} (${p.nsB}, receivers on CPU ${RX_CPU})`);
  const trials: Trial[] = [];
  const discarded: Trial[] = [];
  const runs = ROUNDS * RATES.length * RECEIVERS.length;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = RECEIVERS.map((_, i) => RECEIVERS[(i + round) % RECEIVERS.length]);
      for (let k = 0; k < RATES.length; k++) {
        for (const rx of order) {
          const what = `run ${trials.length + 1}/${runs} (round ${round + 1})`;
          for (let attempt = 0; ; attempt++) {
            await waitQuiet(log, 30_000, 0.1);
            const t = await trial(p, rx, RATES[k], COUNTS[k], round + 1);
            log(`${what} ${describe(t)}`);
            if (!t.disturbed || attempt >= RETRIES) {
              trials.push(t);
              break;
            }
            discarded.push(t);
          }
        }
      }
    }
  } finally {
    destroyPair(p);
    live.pair = undefined;
  }
  const left = execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n").map((l) => l.split(" ")[0]).filter((n) => n === p.nsA || n === p.nsB);
  if (left.length) throw new Error(`namespaces left behind: ${left.join(", ")}`);

  // ---- report
  const summaries = summarize(trials, RECEIVERS, RATES);
  const targets = checkTargets(summaries, (id) => id.startsWith("xdp") || id === "socket");
  const modes = [...new Set(trials.map((t) => `${t.receiver}: ${(t.rx.modeReason as string | undefined) ?? (t.rx.xdpMode ? `XDP ${t.rx.xdpMode}, ${t.rx.bindMode} bind` : "kernel UDP socket")}`))];
  const keptDisturbed = trials.filter((t) => t.disturbed).length;
  const header = [
    `Wire-to-strategy latency, ${started.toISOString()}: one ITCH Add Order per MoldUDP64 packet over veth, sender (C, kernel UDP) on CPU ${TX_CPU}, ` +
      `receiver on CPU ${RX_CPU}, each receiver a fresh process; ${RATES.map((r, i) => `${rateLabel(r)} packets/s: ${COUNTS[i].toLocaleString("en-US")} packets recorded after ${WARMUP_MS} ms of warm-up`).join("; ")}; ` +
      `medians of ${ROUNDS} round${ROUNDS > 1 ? "s" : ""}, left out: runs still disturbed by other work after ${RETRIES} retries (rounds: used/measured; received and lost: per round used)`,
    `${cpus().length} x ${cpuModel()}, Linux ${release()}, Node ${process.version}${NODE_FLAGS.length ? `, node flags ${NODE_FLAGS.join(" ")}` : ""}`,
    ...modes.map((m) => `  ${m}`),
  ];
  const text = [
    ...header,
    ...(discarded.length ? [`${discarded.length} run(s) repeated because other work took the CPU (kept under "discarded" in the JSON)`] : []),
    ...(keptDisturbed ? [`WARNING: ${keptDisturbed} run(s) still disturbed by other work after ${RETRIES} retries: left out of the medians where their receiver and rate has undisturbed rounds`] : []),
    "",
    latencyTable(summaries),
    "",
    "Ratios (medians over rounds):",
    "",
    ratioTable(summaries),
    "",
    "Targets:",
    "",
    targetTable(targets),
  ].join("\n");
  process.stdout.write(text + "\n");

  mkdirSync(`${RESULTS}latency`, { recursive: true });
  for (const f of readdirSync(`${RESULTS}latency`)) if (f.endsWith(".hgrm")) rmSync(`${RESULTS}latency/${f}`);
  for (const t of trials) {
    if (!t.rx.dist.length) continue;
    t.hgrm = `latency/${t.receiver}-${rateLabel(t.rate)}-r${t.round}.hgrm`;
    writeFileSync(`${RESULTS}${t.hgrm}`, hgrm(t.rx));
  }
  const panels = RATES.map((rate) => ({
    title: `${rate.toLocaleString("en-US")} packets/s`,
    series: RECEIVERS.map((r) => ({ id: r.id, label: r.label, points: medianDist(selectRounds(trials.filter((t) => t.receiver === r.id && t.rate === rate)).map((t) => t.rx)) })),
  }));
  writeFileSync(`${RESULTS}latency.svg`, svgPlot(
    "xdpfeed wire-to-strategy latency, one ITCH message per packet over veth",
    `${started.toISOString().slice(0, 10)}, ${cpus().length} x ${cpuModel()}, Linux ${release()}, Node ${process.version}; median of ${ROUNDS} round${ROUNDS > 1 ? "s" : ""} per percentile${keptDisturbed ? `; ${keptDisturbed} of ${trials.length} runs disturbed by other work` : ""}`,
    panels,
  ));
  const strip = (t: Trial) => ({ ...t, rx: { ...t.rx, dist: undefined } });
  writeFileSync(`${RESULTS}latency.json`, JSON.stringify({
    date: started.toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpuModel(), kernel: release(), node: process.version },
    options: { rates: RATES, counts: COUNTS, warmupMs: WARMUP_MS, rounds: ROUNDS, receivers: RECEIVERS.map((r) => r.id), retries: RETRIES, rxCpu: RX_CPU, txCpu: TX_CPU, nodeFlags: NODE_FLAGS, port: PORT, maxLateUs: MAX_LATE_US },
    clock,
    summary: summaries satisfies Summary[],
    targets,
    trials: trials.map(strip),
    discarded: discarded.map(strip),
    table: text,
  }, null, 2) + "\n");
  log(`wrote bench/results/latency.json, latency.svg and ${trials.filter((t) => t.hgrm).length} .hgrm files in bench/results/latency/`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench:latency: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
