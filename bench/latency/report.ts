// The latency benchmark's report (bench/latency/run.ts): medians over rounds, the tables, the
// targets, HdrHistogram percentile files (.hgrm) and the SVG percentile plot. Pure functions of
// the receivers' JSON lines; no dependencies.

/** A receiver's JSON line (xsk_lat.c, rx-xdpfeed.mjs, rx-dgram.mjs): latencies in ns. */
export interface RxResult {
  receiver: string;
  count: number;
  warmup: number;
  received: number;
  warmupReceived: number;
  duplicates: number;
  outOfRange: number;
  stopped: string;
  ns: { min: number; p50: number; p90: number; p99: number; p999: number; max: number; mean: number; stddev?: number } | null;
  /** HdrHistogram's percentile rows: [percentile 0..100, value ns, count of samples <= value]. */
  dist: Array<[number, number, number]>;
  gc?: { count: number; ms: number; maxMs: number; all: number };
  [k: string]: unknown;
}

export const STATS = ["p50", "p90", "p99", "p999", "max"] as const;
export type Stat = (typeof STATS)[number];
export const STAT_LABEL: Record<Stat, string> = { p50: "p50", p90: "p90", p99: "p99", p999: "p99.9", max: "max" };

/** One receiver at one rate, medians over its rounds. */
export interface Summary {
  receiver: string;
  label: string;
  rate: number;
  /** Rounds measured, and those the medians are over: the undisturbed ones, if any (see selectRounds). */
  rounds: number;
  used: number;
  /** The medians include runs disturbed by other work (every round of this cell was). */
  disturbed: boolean;
  /** Medians over the rounds used, µs. */
  us: Record<Stat, number>;
  /** Per round used: packets recorded and packets lost (sent after the warm-up - recorded). */
  received: number[];
  lost: number[];
  /** Median over rounds of the ratio's numerator / the C receiver's and dgram's medians. */
  toC: Record<Stat, number> | null;
  toDgram: Record<Stat, number> | null;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * The rounds a cell's medians are over: those whose run was not disturbed by other work on the
 * machine (run.ts repeats a disturbed run, --retries times, and keeps the last attempt), or all
 * of them when every round was.
 */
export function selectRounds<T extends { disturbed: boolean }>(rs: T[]): T[] {
  const clean = rs.filter((r) => !r.disturbed);
  return clean.length ? clean : rs;
}

export function summarize(
  results: Array<{ receiver: string; rate: number; rx: RxResult; lost: number; disturbed: boolean }>,
  receivers: Array<{ id: string; label: string }>,
  rates: number[],
): Summary[] {
  const out: Summary[] = [];
  for (const rate of rates) {
    for (const r of receivers) {
      const all = results.filter((x) => x.receiver === r.id && x.rate === rate && x.rx.ns);
      if (!all.length) continue;
      const rs = selectRounds(all);
      const us = Object.fromEntries(STATS.map((s) => [s, median(rs.map((x) => x.rx.ns![s] / 1000))])) as Record<Stat, number>;
      out.push({ receiver: r.id, label: r.label, rate, rounds: all.length, used: rs.length, disturbed: rs.some((x) => x.disturbed), us, received: rs.map((x) => x.rx.received), lost: rs.map((x) => x.lost), toC: null, toDgram: null });
    }
    const base = (id: string) => out.find((s) => s.rate === rate && s.receiver === id);
    const c = base("c");
    const d = base("dgram");
    for (const s of out.filter((x) => x.rate === rate)) {
      const ratio = (b: Summary | undefined) => (b ? (Object.fromEntries(STATS.map((k) => [k, s.us[k] / b.us[k]])) as Record<Stat, number>) : null);
      s.toC = ratio(c);
      s.toDgram = ratio(d);
    }
  }
  return out;
}

/** The targets, for the xdpfeed receivers: each a ratio (or count) and its bound. */
export interface TargetCheck {
  receiver: string;
  label: string;
  rate: number;
  checks: Array<{ target: string; value: number | null; bound: number; met: boolean | null }>;
}

export const TARGETS = [
  { target: "p50 <= 1.1x C", of: "toC", stat: "p50", bound: 1.1 },
  { target: "p99 <= 1.5x C", of: "toC", stat: "p99", bound: 1.5 },
  { target: "p99 <= 1/10 dgram", of: "toDgram", stat: "p99", bound: 0.1 },
  { target: "p99.9 <= 1/3 dgram", of: "toDgram", stat: "p999", bound: 1 / 3 },
  { target: "max <= dgram", of: "toDgram", stat: "max", bound: 1 },
] as const;

export function checkTargets(summaries: Summary[], which: (id: string) => boolean): TargetCheck[] {
  return summaries.filter((s) => which(s.receiver)).map((s) => ({
    receiver: s.receiver,
    label: s.label,
    rate: s.rate,
    checks: [
      ...TARGETS.map((t) => {
        const v = s[t.of]?.[t.stat] ?? null;
        return { target: t.target, value: v, bound: t.bound, met: v === null ? null : v <= t.bound };
      }),
      { target: "lost 0", value: Math.max(...s.lost), bound: 0, met: s.lost.every((l) => l === 0) },
    ],
  }));
}

// ---------------------------------------------------------------- text

const int = (n: number): string => Math.round(n).toLocaleString("en-US");
/** µs with 3 significant digits (at least one decimal below 100). */
export const us = (v: number): string => (!Number.isFinite(v) ? "-" : v >= 1000 ? int(v) : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const x = (v: number | undefined | null): string => (v === undefined || v === null || !Number.isFinite(v) ? "-" : v >= 10 ? `${v.toFixed(0)}x` : `${v.toFixed(2)}x`);
export const rateLabel = (r: number): string => (r % 1000 === 0 ? `${r / 1000}k` : String(r));

function mdTable(head: string[], rows: string[][], align: Array<"l" | "r">): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length), 3));
  const cell = (c: string, i: number) => (align[i] === "l" ? c.padEnd(w[i]) : c.padStart(w[i]));
  return [
    `| ${head.map(cell).join(" | ")} |`,
    `|${w.map((n, i) => (align[i] === "l" ? "-".repeat(n + 2) : "-".repeat(n + 1) + ":")).join("|")}|`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ].join("\n");
}

export function latencyTable(ss: Summary[]): string {
  return mdTable(
    ["receiver", "packets/s", "rounds", "p50 µs", "p90", "p99", "p99.9", "max", "received", "lost"],
    ss.map((s) => [s.label, rateLabel(s.rate), `${s.used}/${s.rounds}${s.disturbed ? " (disturbed)" : ""}`, ...STATS.map((k) => us(s.us[k])),
      s.received.map(int).join(" / "), s.lost.map(int).join(" / ")]),
    ["l", "r", "r", "r", "r", "r", "r", "r", "r", "r"],
  );
}

export function ratioTable(ss: Summary[]): string {
  const ks: Stat[] = ["p50", "p99", "p999", "max"];
  return mdTable(
    ["receiver", "packets/s", ...ks.map((k) => `${STAT_LABEL[k]} / C`), ...ks.map((k) => `${STAT_LABEL[k]} / dgram`)],
    ss.map((s) => [s.label, rateLabel(s.rate), ...ks.map((k) => x(s.toC?.[k])), ...ks.map((k) => x(s.toDgram?.[k]))]),
    ["l", "r", "r", "r", "r", "r", "r", "r", "r", "r"],
  );
}

export function targetTable(ts: TargetCheck[]): string {
  if (!ts.length) return "(no xdpfeed receiver measured)";
  const head = ["receiver", "packets/s", ...ts[0].checks.map((c) => c.target)];
  return mdTable(
    head,
    ts.map((t) => [t.label, rateLabel(t.rate), ...t.checks.map((c) =>
      c.met === null ? "-" : `${c.met ? "met" : "NOT met"} (${c.target === "lost 0" ? int(c.value!) : x(c.value)})`)]),
    head.map((_, i) => (i === 0 ? "l" : "r")),
  );
}

// ---------------------------------------------------------------- .hgrm

/**
 * HdrHistogram's percentile distribution text (as HistogramLogProcessor and the plotter at
 * hdrhistogram.github.io/HdrHistogram/plotFiles.html read it), values in µs.
 */
export function hgrm(rx: RxResult): string {
  const lines = [`${"Value".padStart(12)} ${"Percentile".padStart(14)} ${"TotalCount".padStart(10)} ${"1/(1-Percentile)".padStart(14)}`, ""];
  for (const [p, v, c] of rx.dist) {
    const q = p / 100;
    const row = `${(v / 1000).toFixed(3).padStart(12)} ${q.toFixed(12).padStart(14)} ${String(c).padStart(10)}`;
    lines.push(q < 1 ? `${row} ${(1 / (1 - q)).toFixed(2).padStart(14)}` : row);
  }
  const n = rx.ns;
  if (n) {
    lines.push(`#[Mean    = ${(n.mean / 1000).toFixed(3).padStart(12)}, StdDeviation   = ${((n.stddev ?? 0) / 1000).toFixed(3).padStart(12)}]`);
    lines.push(`#[Max     = ${(n.max / 1000).toFixed(3).padStart(12)}, Total count    = ${String(rx.received).padStart(12)}]`);
  }
  return lines.join("\n") + "\n";
}

/** Per percentile level, the median over rounds of the value (µs): what the plot draws. */
export function medianDist(rs: RxResult[]): Array<[number, number]> {
  if (!rs.length) return [];
  const levels = rs[0].dist.map(([p]) => p).filter((p) => rs.every((r) => r.dist.some(([q]) => q === p)));
  return levels.map((p) => [p, median(rs.map((r) => r.dist.find(([q]) => q === p)![1] / 1000))]);
}

// ---------------------------------------------------------------- SVG

export interface Series {
  id: string;
  label: string;
  /** [percentile 0..100, µs] */
  points: Array<[number, number]>;
}

const COLORS: Record<string, string> = {
  c: "#222222", "xdp-busy": "#d62728", "xdp-interrupt": "#ff7f0e", socket: "#1f77b4", dgram: "#8c8c8c",
};
const DASH: Record<string, string> = { dgram: "6 4", c: "2 3" };

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * One SVG: a panel per rate, x = percentile on the usual scale 1/(1 - p) (log) from 50% to
 * 99.999%, y = latency µs (log), one line per receiver, one legend.
 */
export function svgPlot(title: string, subtitle: string, panels: Array<{ title: string; series: Series[] }>): string {
  const W = 480, H = 380, M = { l: 62, r: 16, t: 36, b: 58 };
  const legendH = 28;
  const total = { w: W * panels.length, h: H + 56 + legendH };
  const xMin = Math.log10(2), xMax = Math.log10(1e5);
  const all = panels.flatMap((p) => p.series.flatMap((s) => s.points.filter(([q]) => q >= 50 && q <= 99.999).map(([, v]) => v))).filter((v) => v > 0);
  const yLo = Math.floor(Math.log10(Math.min(...all, 1)));
  const yHi = Math.ceil(Math.log10(Math.max(...all, 10)));
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${total.w}" height="${total.h}" viewBox="0 0 ${total.w} ${total.h}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  out.push(`<text x="${total.w / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="${total.w / 2}" y="38" text-anchor="middle" fill="#555">${esc(subtitle)}</text>`);
  const ids = [...new Map(panels.flatMap((p) => p.series.map((s) => [s.id, s.label] as const))).entries()];
  const legendY = 58;
  const step = total.w / (ids.length + 1);
  ids.forEach(([id, label], i) => {
    const lx = step * (i + 0.5) + 10;
    out.push(`<line x1="${lx}" y1="${legendY}" x2="${lx + 24}" y2="${legendY}" stroke="${COLORS[id] ?? "#000"}" stroke-width="2.5"${DASH[id] ? ` stroke-dasharray="${DASH[id]}"` : ""}/>`);
    out.push(`<text x="${lx + 30}" y="${legendY + 4}">${esc(label)}</text>`);
  });
  panels.forEach((panel, pi) => {
    const ox = pi * W, oy = 56 + legendH - 10;
    const px = (q: number) => ox + M.l + ((Math.log10(1 / (1 - q / 100)) - xMin) / (xMax - xMin)) * (W - M.l - M.r);
    const py = (v: number) => oy + M.t + (1 - (Math.log10(v) - yLo) / (yHi - yLo)) * (H - M.t - M.b);
    out.push(`<text x="${ox + M.l + (W - M.l - M.r) / 2}" y="${oy + M.t - 10}" text-anchor="middle" font-weight="bold">${esc(panel.title)}</text>`);
    out.push(`<rect x="${ox + M.l}" y="${oy + M.t}" width="${W - M.l - M.r}" height="${H - M.t - M.b}" fill="none" stroke="#999"/>`);
    for (const [q, lab] of [[50, "50%"], [90, "90%"], [99, "99%"], [99.9, "99.9%"], [99.99, "99.99%"], [99.999, "99.999%"]] as const) {
      const X = px(q);
      out.push(`<line x1="${X}" y1="${oy + M.t}" x2="${X}" y2="${oy + H - M.b}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${X}" y="${oy + H - M.b + 16}" text-anchor="middle">${lab}</text>`);
    }
    out.push(`<text x="${ox + M.l + (W - M.l - M.r) / 2}" y="${oy + H - M.b + 36}" text-anchor="middle" fill="#555">percentile</text>`);
    for (let e = yLo; e <= yHi; e++) {
      const Y = py(10 ** e);
      out.push(`<line x1="${ox + M.l}" y1="${Y}" x2="${ox + W - M.r}" y2="${Y}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${ox + M.l - 6}" y="${Y + 4}" text-anchor="end">${10 ** e >= 1 ? (10 ** e).toLocaleString("en-US") : 10 ** e}</text>`);
      if (e < yHi) {
        for (const m of [2, 5]) {
          const Ym = py(m * 10 ** e);
          out.push(`<line x1="${ox + M.l}" y1="${Ym}" x2="${ox + W - M.r}" y2="${Ym}" stroke="#f3f3f3"/>`);
        }
      }
    }
    const cy = oy + M.t + (H - M.t - M.b) / 2;
    out.push(`<text x="${ox + 16}" y="${cy}" text-anchor="middle" fill="#555" transform="rotate(-90 ${ox + 16} ${cy})">latency µs (wire to strategy)</text>`);
    for (const s of panel.series) {
      const pts = s.points.filter(([q, v]) => q >= 50 && q <= 99.999 && v > 0);
      if (pts.length < 2) continue;
      const d = pts.map(([q, v], i) => `${i ? "L" : "M"}${px(q).toFixed(1)},${py(v).toFixed(1)}`).join(" ");
      out.push(`<path d="${d}" fill="none" stroke="${COLORS[s.id] ?? "#000"}" stroke-width="2"${DASH[s.id] ? ` stroke-dasharray="${DASH[s.id]}"` : ""}><title>${esc(s.label)}</title></path>`);
    }
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
