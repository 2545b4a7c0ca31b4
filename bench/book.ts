// Order-book rate (npm run bench:book): ITCH messages parsed with the wasm order book
// (assembly/book/l3.ts) against decode only, and against the C reference book with the same
// features (bench/book/c_book.c, cc -O2), each case in a fresh process, on one generated session.
//
//   node --import tsx bench/book.ts [--messages 20000000] [--profile uniform,realistic] [--symbols 1000]
//       [--seed 1] [--rounds 3] [--input messages|payloads|both] [--max-orders 1048576] [--max-levels 262144]
//
// Sessions: for each --profile (default both) a day of --messages from the project's generator:
// "uniform" over each --symbols count, "realistic" a NASDAQ-shaped day over 8,000 symbols
// (src/itchgen/day-profile.ts). Each is generated once and written to bench/.build/ (not timed): as a NASDAQ binary ITCH file (input "messages", parsed as
// "prefixed" messages: wasm walks their length prefixes) and, for input "payloads", as MoldUDP64
// packets of up to 1400 bytes (one entry per packet, as they come off a socket; the decoder
// benchmark's file format). The cases (bench/book/child.ts for wasm, bench/.build/c_book for C)
// read their file whole, make a first pass, then a second, timed pass from an empty book:
//
//   decode  the wasm parser, records only
//   book    with the wasm book (BBO events)
//   depth   with the wasm book detecting depth changes and writing depth events too (onBook)
//   events  with the wasm book (BBO events) and records on demand: a record only for the
//           messages the events name (records: "book", what a consumer of book events alone runs)
//   c       the C book on the NASDAQ file (both inputs' rows: it reads the messages themselves)
//
// The five alternate their order each round; medians are reported, as a table on stdout and in
// bench/results/book.json, with each case's peak memory (its process's max RSS; the wasm cases'
// includes the input file, read whole into the parser's memory), the order table's memory at the
// end, the rates of the wasm book relative to the C book's in the same run, and the machine's
// dependent-load latency at a few buffer sizes (bench/book/mem_latency.c): the floor under any
// book's ns per message once its orders outgrow the caches. Agreement: every book run must report
// the same BBO events (count and checksum over their message, instrument and BBO), counters,
// orders and levels at the end as the C book's; a mismatch is printed loudly and the exit status
// is 1.

import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { markdownTable, median } from "./decode/common.js";
import { prepareItch, prepareItchFile } from "./decode/inputs.js";
import { SHARED_COUNTERS, type BookCaseResult, type Mode } from "./book/common.js";
import { DAY_SYMBOLS } from "../src/itchgen/day-profile.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BUILD = `${ROOT}bench/.build`;
const C_BOOK = `${BUILD}/c_book`;
const MEM_LATENCY = `${BUILD}/mem_latency`;
/** Buffer sizes (MiB) of the dependent-load latency printed beside the rates: the caches, and order tables' sizes. */
const LATENCY_MIB = [1, 8, 32];
const CHILD = `${ROOT}bench/book/child.ts`;
const RESULTS = `${ROOT}bench/results`;

const { values: o } = parseArgs({
  options: {
    messages: { type: "string", default: "20000000" },
    symbols: { type: "string", default: "1000" },
    seed: { type: "string", default: "1" },
    rounds: { type: "string", default: "3" },
    input: { type: "string", default: "messages" },
    profile: { type: "string", default: "uniform,realistic" },
    "max-orders": { type: "string", default: String(1 << 20) },
    "max-levels": { type: "string", default: String(1 << 18) },
  },
  strict: true,
});
const messages = Number(o.messages);
const seed = Number(o.seed);
const rounds = Number(o.rounds);
const profiles = o.profile!.split(",") as Array<"uniform" | "realistic">;
const maxOrders = Number(o["max-orders"]);
const maxLevels = Number(o["max-levels"]);
for (const p of profiles) if (p !== "uniform" && p !== "realistic") throw new Error(`--profile: uniform, realistic or both, got '${p}'`);
if (!["messages", "payloads", "both"].includes(o.input!)) throw new Error(`--input: messages, payloads or both, got '${o.input}'`);
const inputs = o.input === "both" ? ["messages", "payloads"] : [o.input!];
const symbolList = o.symbols!.split(",").map(Number);

const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

function runCase(mode: Mode, input: string, files: Record<string, string>, symbols: number): BookCaseResult {
  const caps = [String(maxOrders), String(maxLevels), String(symbols + 1)];
  const argv = mode === "c"
    ? [C_BOOK, files.messages, ...caps]
    : [process.execPath, "--import", "tsx", CHILD, "--mode", mode, "--input", input, "--file", files[input],
      "--max-orders", caps[0], "--max-levels", caps[1], "--max-instruments", caps[2]];
  const out = execFileSync(argv[0], argv.slice(1), { encoding: "utf8", cwd: ROOT, maxBuffer: 1 << 20 });
  const r = JSON.parse(out.trim().split("\n").pop()!) as BookCaseResult;
  r.mode = mode;
  if (r.messages !== messages) throw new Error(`${mode} ${input}: ${r.messages} messages parsed, expected ${messages}`);
  return r;
}

/** What every book run must agree on with the C book, as one comparable string. */
function agreementKey(r: BookCaseResult): string {
  return JSON.stringify({
    events: r.events, eventChecksum: r.eventChecksum, orders: r.orders, levels: r.levels,
    counters: SHARED_COUNTERS.map((k) => [k, r.counters[k]]),
  });
}

const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;
const rate = (ns: number): string => `${(1e3 / ns).toFixed(1)} M/s`;

mkdirSync(BUILD, { recursive: true });
log(`building ${C_BOOK} (make -C bench/book)`);
execFileSync("make", ["-s", "-C", `${ROOT}bench/book`], { stdio: "inherit" });

// The floor under both books' rates: a lookup of an order whose entry is not cached waits this long.
const memoryLatencyNs = JSON.parse(execFileSync(MEM_LATENCY, LATENCY_MIB.map(String), { encoding: "utf8" })) as Record<string, number>;
log(`dependent-load latency: ${LATENCY_MIB.map((m) => `${memoryLatencyNs[m]} ns at ${m} MiB`).join(", ")}`);

const report: Record<string, unknown> = {
  date: new Date().toISOString(), messages, seed, rounds, profiles, maxOrders, maxLevels, node: process.version, memoryLatencyNs, cases: [],
};
const rows: string[][] = [[
  "profile", "symbols", "input", "decode only", "with L3 book", "ns/msg (book)", "book + depth events", "book, records on demand", "ns/msg (on demand)",
  "C book ns/msg", "wasm book vs C", "on demand vs C", "peak RSS book", "peak RSS C", "order table", "BBO events", "orders at end",
]];
const mismatches: string[] = [];
const days: Array<["uniform" | "realistic", number]> = profiles.flatMap((p): Array<["uniform" | "realistic", number]> => (p === "realistic" ? [[p, DAY_SYMBOLS]] : symbolList.map((n) => [p, n])));
for (const [profile, symbols] of days) {
  const session = { seed, symbols, messages, profile };
  const files: Record<string, string> = { messages: `${BUILD}/book-messages.itch`, payloads: `${BUILD}/book-payloads.bin` };
  let t0 = performance.now();
  const file = prepareItchFile(files.messages, session);
  log(`input: ${(file.bytes / 1e6).toFixed(1)} MB (${file.source}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (inputs.includes("payloads")) {
    t0 = performance.now();
    const p = prepareItch(files.payloads, { ...session, maxPayload: 1400 });
    log(`input: ${p.entries.toLocaleString("en-US")} packets, ${(p.bytes / 1e6).toFixed(1)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  for (const input of inputs) {
    const runs: Record<Mode, BookCaseResult[]> = { decode: [], book: [], depth: [], events: [], c: [] };
    for (let r = 0; r < rounds; r++) {
      const order: Mode[] = ["decode", "book", "depth", "events", "c"];
      for (let k = 0; k < order.length; k++) {
        const mode = order[(k + r) % order.length];
        const res = runCase(mode, input, files, symbols);
        runs[mode].push(res);
        log(`${profile} ${symbols} symbols, ${input}, round ${r + 1}, ${mode}: ${res.nsPerMessage.toFixed(1)} ns/msg, ${rate(res.nsPerMessage)}, peak ${mib(res.maxRssKiB)}`);
      }
    }
    // Agreement with the C book, run by run.
    const expect = agreementKey(runs.c[0]);
    for (const res of [...runs.c, ...runs.book, ...runs.depth, ...runs.events]) {
      const k = agreementKey(res);
      if (k !== expect) mismatches.push(`${profile} ${symbols} symbols, ${input}, ${res.impl} ${res.mode}:\n    got      ${k}\n    C book   ${expect}`);
    }
    const ns = (m: Mode) => median(runs[m].map((x) => x.nsPerMessage));
    const rss = (m: Mode) => median(runs[m].map((x) => x.maxRssKiB));
    const d = ns("decode");
    const b = ns("book");
    const bd = ns("depth");
    const be = ns("events");
    const c = ns("c");
    const last = runs.c[runs.c.length - 1];
    const table = runs.book[runs.book.length - 1].orderTable;
    const cell = {
      profile, symbols, input,
      decodeMsgsPerSec: Math.round(1e9 / d), bookMsgsPerSec: Math.round(1e9 / b), bookOverDecode: +(d / b).toFixed(3),
      bookNsPerMsgTotal: +b.toFixed(1), bookNsPerMsg: +(b - d).toFixed(1), bookDepthEventsMsgsPerSec: Math.round(1e9 / bd),
      onDemandNsPerMsg: +be.toFixed(1), onDemandMsgsPerSec: Math.round(1e9 / be),
      cBookNsPerMsg: +c.toFixed(1), cBookMsgsPerSec: Math.round(1e9 / c), wasmBookVsC: +(c / b).toFixed(3), onDemandVsC: +(c / be).toFixed(3),
      peakRssKiB: { decode: rss("decode"), book: rss("book"), depth: rss("depth"), events: rss("events"), c: rss("c") },
      orderTable: table,
      bboEvents: last.events, eventChecksum: last.eventChecksum, counters: last.counters,
      ordersAtEnd: last.orders, levelsAtEnd: last.levels,
      decodeRuns: runs.decode.map((x) => Math.round(1e9 / x.nsPerMessage)), bookRuns: runs.book.map((x) => Math.round(1e9 / x.nsPerMessage)),
      bookDepthEventsRuns: runs.depth.map((x) => Math.round(1e9 / x.nsPerMessage)), onDemandRuns: runs.events.map((x) => Math.round(1e9 / x.nsPerMessage)),
      cBookRuns: runs.c.map((x) => Math.round(1e9 / x.nsPerMessage)),
    };
    (report.cases as unknown[]).push(cell);
    rows.push([
      profile, String(symbols), input, rate(d), rate(b), b.toFixed(1), rate(bd), rate(be), be.toFixed(1),
      c.toFixed(1), `${cell.wasmBookVsC.toFixed(2)}x`, `${cell.onDemandVsC.toFixed(2)}x`, mib(cell.peakRssKiB.book), mib(cell.peakRssKiB.c),
      table ? `${(table.bytes / 1048576).toFixed(1)} MiB (${table.pages} pages, ${table.hashed.toLocaleString("en-US")} hashed)` : "-",
      cell.bboEvents.toLocaleString("en-US"), cell.ordersAtEnd.toLocaleString("en-US"),
    ]);
  }
}
report.agreement = mismatches.length === 0 ? "ok" : mismatches;
console.log(`ITCH book-building rate, ${messages.toLocaleString("en-US")} generated messages per day (seed ${seed}), median of ${rounds} fresh processes per cell`);
console.log(markdownTable(rows, (i) => i >= 3));
console.log(`\n"wasm book vs C": the wasm book's rate (decode into records included) over the C book's, same run (1.00x: as fast); "on demand vs C": the same with records on demand`);
console.log(`dependent-load latency on this machine (bench/book/mem_latency.c): ${LATENCY_MIB.map((m) => `${memoryLatencyNs[m]} ns at ${m} MiB`).join(", ")}; an order lookup that misses the caches costs about that`);
mkdirSync(RESULTS, { recursive: true });
writeFileSync(`${RESULTS}/book.json`, JSON.stringify(report, null, 2) + "\n");
if (mismatches.length > 0) {
  const bar = "!".repeat(78);
  console.log(`\n${bar}\nMISMATCH: the wasm book and the C book do not agree\n${mismatches.join("\n")}\n${bar}`);
  process.exit(1);
}
console.log(`agreement: every wasm book run (BBO and depth events) wrote the C book's BBO events, counters, orders and levels`);
