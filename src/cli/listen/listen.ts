// `xdpfeed listen`: live receive through AF_XDP or kernel sockets, with the compiled parser of
// the format; one JSON object per message (as decode --json), or a status line refreshing once a
// second on a terminal; a strategy module may ride along. Stops after N messages, S seconds or
// Ctrl-C, and detaches everything on the way out.

import { once } from "node:events";
import { openFeed, type FeedSource } from "../../feeds/open.js";
import { dropsOf, type Drops } from "./drops.js";
import type { RetransmitOptions } from "../../recovery/retransmitter.js";
import { LateStartSource } from "../../glimpse/late-start.js";
import type { SnapshotServer } from "../../glimpse/load.js";
import { FEEDS } from "../../feeds/feeds.js";
import { runStrategy, type RunResult } from "../../strategy/runner.js";
import { bookHook } from "../../strategy/book-hook.js";
import type { Strategy } from "../../strategy/strategy.js";
import { loadStrategy } from "../../strategy/load.js";
import { ExchangeLatency, type LatencyReport } from "../../strategy/exchange-latency.js";
import type { ParserSummary } from "../../feeds/summary.js";
import { DecodeError } from "../../feeds/decode.js";

export interface ListenOptions {
  iface: string;
  ports: number[];
  group?: string;
  format: string;
  queue?: number;
  mode: "auto" | "xdp" | "socket";
  json: boolean;
  count?: number;
  durationMs?: number;
  strategy?: string;
  /** Receive time minus the exchange's timestamp, as an HDR histogram (status line, summary). */
  latency?: boolean;
  /** Pin the polling thread to this CPU (RunOptions.cpu). */
  cpu?: number;
  out?: NodeJS.WritableStream;
  /** Status line on stderr once a second; default: when stderr is a terminal and not --json. */
  status?: boolean;
  /**
   * Seconds between status reports (default 1). On a terminal the status line refreshes at this
   * interval; otherwise, when given, the status is one JSON line on stderr at each.
   */
  statsIntervalS?: number;
  /** Fill gaps from a MoldUDP64 retransmission server (openFeed's retransmit). */
  retransmit?: RetransmitOptions;
  /** Start late from a GLIMPSE snapshot (openFeed's snapshot). */
  snapshot?: SnapshotServer;
  signal?: AbortSignal;
}

export interface ListenResult {
  mode: string;
  modeReason: string;
  run: RunResult;
  summary: ParserSummary;
  /** What was lost before the parser saw it: no gap shows loss at the end of a stream. */
  drops: Drops;
  latency?: LatencyReport;
}

function both(a: Strategy, b: Strategy | undefined): Strategy {
  if (!b) return a;
  const out: Strategy = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof Strategy>) {
    // Handlers take (event, ctx): two fixed parameters, no rest array allocated per call.
    const fa = a[k] as ((x: unknown, c: unknown) => void) | undefined;
    const fb = b[k] as ((x: unknown, c: unknown) => void) | undefined;
    (out as Record<string, unknown>)[k] = fa && fb ? (x: unknown, c: unknown) => { fa(x, c); fb(x, c); } : fa ?? fb;
  }
  return out;
}

export async function listen(o: ListenOptions): Promise<ListenResult> {
  const feed = FEEDS[o.format];
  if (!feed) throw new DecodeError(`unknown format '${o.format}', expected one of ${Object.keys(FEEDS).join(", ")}`);
  if (o.ports.length < 1 || o.ports.length > 2) throw new DecodeError("--port takes one port, or two (A and B lines of one feed)");
  const user = o.strategy ? await loadStrategy(o.strategy) : undefined;
  // A strategy that follows the book (onBbo, onBook) gets one, with the default capacities.
  const wantsBook = !!(user?.onBbo || user?.onBook);
  const src: FeedSource = openFeed(feed, {
    iface: o.iface, ports: o.ports, lines: o.ports.length === 2 ? [o.ports[0], o.ports[1]] : undefined,
    group: o.group, queue: o.queue, mode: o.mode, book: wantsBook || o.snapshot !== undefined || undefined, retransmit: o.retransmit,
    snapshot: o.snapshot,
  });
  const out = o.out ?? process.stdout;
  const tty = process.stderr.isTTY === true;
  const showStatus = o.status ?? (!o.json && tty);
  // Off a terminal, status only when an interval was asked for: one JSON line each time.
  const jsonStatus = !tty && o.statsIntervalS !== undefined;
  process.stderr.write(`xdpfeed listen: ${feed.name} on ${o.iface} port ${o.ports.join(",")}${o.group ? ` group ${o.group}` : ""}, ${src.modeReason}\n`);
  if (src instanceof LateStartSource) {
    try {
      const snap = await src.ready;
      process.stderr.write(`xdpfeed listen: snapshot loaded: ${snap.messages} messages up to sequence ${snap.sequence}; live from ${snap.sequence + 1n}\n`);
    } catch (e) {
      src.close();
      throw e;
    }
  }
  let text = "";
  let pending: Promise<unknown> | undefined;
  // An SBE feed writes a tick per group entry: its message is printed once, at its first tick.
  let lastOffset = -1;
  let lastSeq = -1;
  const printer: Strategy = o.json
    ? {
      onTick(t) {
        if (t.msgOffset === lastOffset && t.seq === lastSeq) return;
        lastOffset = t.msgOffset;
        lastSeq = t.seq;
        text += JSON.stringify(src.message.at(t.msgOffset, t.msgLength).toJSON(t.seq)) + "\n";
        if (text.length >= 1 << 16 && !pending) {
          if (!out.write(text)) pending = once(out, "drain").then(() => (pending = undefined));
          text = "";
        }
      },
    }
    : {};
  const latency = o.latency ? new ExchangeLatency(feed.framing) : undefined;
  if (latency) {
    process.stderr.write("xdpfeed listen: --latency is receive time minus the exchange's timestamp: it means something only " +
      "with this host's clock synchronised to the exchange's (PTP); otherwise it shows the clocks' offset\n");
  }
  const latencyLine = (): string => {
    if (!latency) return "";
    const r = latency.report();
    return `  latency µs p50 ${r.p50} p99 ${r.p99} max ${r.max}${r.negative ? ` (${r.negative} <= 0)` : ""}`;
  };
  let timer: NodeJS.Timeout | undefined;
  if (showStatus || jsonStatus) {
    let last = { packets: 0, messages: 0, t: performance.now() };
    timer = setInterval(() => {
      const s = src.summary();
      const now = performance.now();
      const dt = (now - last.t) / 1000;
      const drops = dropsOf(src);
      const packetsPerS = Math.round((s.packets - last.packets) / dt);
      const messagesPerS = Math.round((s.messages - last.messages) / dt);
      if (jsonStatus) {
        process.stderr.write(JSON.stringify({
          status: { mode: src.mode, packetsPerS, messagesPerS, packets: s.packets, messages: s.messages, gaps: s.gaps, gapMessages: s.gapMessages,
            duplicates: s.duplicates, drops, ...(latency ? { latency: latency.report() } : {}) },
        }) + "\n");
      } else {
        process.stderr.write(`\r\x1b[2K${src.mode}  ${packetsPerS} packets/s  ${messagesPerS} messages/s  ` +
          `gaps ${s.gaps}  duplicates ${s.duplicates}  drops ${drops.total}  messages ${s.messages}${latencyLine()}`);
      }
      last = { packets: s.packets, messages: s.messages, t: now };
    }, (o.statsIntervalS ?? 1) * 1000);
  }
  try {
    const measured = latency ? both({ onTick: (t) => latency.record(t) }, printer) : printer;
    const run = await runStrategy(both(measured, user), src, {
      mode: "interrupt", cpu: o.cpu, count: o.count, durationMs: o.durationMs, signal: o.signal,
      book: src.book && bookHook(src.book),
    });
    if (pending) await pending;
    if (text && !out.write(text)) await once(out, "drain");
    return { mode: src.mode, modeReason: src.modeReason, run, summary: src.summary(), drops: dropsOf(src), ...(latency ? { latency: latency.report() } : {}) };
  } finally {
    if (timer) {
      clearInterval(timer);
      if (!jsonStatus) process.stderr.write("\n");
    }
    src.close();
  }
}
