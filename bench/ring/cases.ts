// The ring benchmark's cases (run by bench/ring/run.ts) and what is reported of them: medians per
// frame set and layout, the rate relative to the C case doing the same work, and where the time
// goes, from differences of the medians (bench/README.md, "Receive loop ceiling").

import { markdownTable, median } from "../decode/common.js";
import type { FrameSet } from "./frames.js";

export interface CaseDef {
  id: string;
  impl: "xdpfeed" | "c";
  mode: string;
  book?: boolean;
  label: string;
}

export const CASES: CaseDef[] = [
  { id: "x-run", impl: "xdpfeed", mode: "run", label: "xdpfeed run (decode)" },
  { id: "x-poll", impl: "xdpfeed", mode: "poll", label: "xdpfeed poll" },
  { id: "x-strategy", impl: "xdpfeed", mode: "strategy", label: "xdpfeed poll + strategy" },
  { id: "x-headers", impl: "xdpfeed", mode: "headers", label: "xdpfeed ring + headers" },
  { id: "x-ring", impl: "xdpfeed", mode: "ring", label: "xdpfeed ring only" },
  { id: "x-run-book", impl: "xdpfeed", mode: "run", book: true, label: "xdpfeed run + book" },
  { id: "x-strategy-book", impl: "xdpfeed", mode: "strategy", book: true, label: "xdpfeed poll + strategy + book" },
  { id: "c-run", impl: "c", mode: "run", label: "C run (decode)" },
  { id: "c-poll", impl: "c", mode: "poll", label: "C poll + strategy" },
  { id: "c-headers", impl: "c", mode: "headers", label: "C ring + headers" },
  { id: "c-ring", impl: "c", mode: "ring", label: "C ring only" },
];
/** xdpfeed case -> the C case doing the same work. */
export const VS_C: Record<string, string> = { "x-run": "c-run", "x-strategy": "c-poll", "x-headers": "c-headers", "x-ring": "c-ring" };

export interface CaseResult {
  cores: number;
  frames: number;
  messages: number;
  seconds: number;
  nsPerFrame: number;
  framesPerSecond: number;
  messagesPerSecond: number;
  producer: { produced: number; rounds: number; idleFill: number; idleRx: number; ns: number; cpuNs: number };
  parser: { gaps: number; duplicates: number; rejected: Record<string, number> };
  cpu: { busyJiffies: number; ownSeconds: number };
}

export interface Run {
  set: FrameSet;
  cores: number;
  id: string;
  round: number;
  result: CaseResult;
  ownShare: number;
  producerShare: number;
  disturbed: boolean;
}


export interface CaseSummary {
  id: string;
  label: string;
  nsPerFrame: number;
  framesPerSecond: number;
  messagesPerSecond: number;
  messagesPerFrame: number;
  /** Rate relative to the C case doing the same work (> 1: xdpfeed faster). */
  vsC?: number;
  /** Share of the producer's rounds that found no buffer on FILL: it was waiting for the consumer. */
  producerWaiting: number;
  runs: number[];
}

export interface SetSummary {
  set: FrameSet;
  cores: number;
  cases: CaseSummary[];
  /** ns per frame by where it goes, from differences of the medians. */
  xdpfeedShares: Record<string, number>;
  cShares: Record<string, number>;
}

export const fmtRate = (r: number): string => (r >= 1e6 ? `${(r / 1e6).toFixed(2)} M` : `${(r / 1e3).toFixed(0)} k`);

export function summarize(set: FrameSet, cores: number, runs: Run[]): SetSummary {
  const cases: CaseSummary[] = [];
  for (const c of CASES) {
    const rs = runs.filter((r) => r.set === set && r.cores === cores && r.id === c.id);
    if (rs.length === 0) continue;
    const ns = median(rs.map((r) => r.result.nsPerFrame));
    const mpf = median(rs.map((r) => r.result.messages / Math.max(1, r.result.frames)));
    const waiting = median(rs.map((r) => {
      const p = r.result.producer;
      const all = p.rounds + p.idleFill + p.idleRx;
      return all > 0 ? p.idleFill / all : 0;
    }));
    cases.push({
      id: c.id, label: c.label, nsPerFrame: ns, framesPerSecond: 1e9 / ns, messagesPerSecond: (1e9 / ns) * mpf,
      messagesPerFrame: mpf, producerWaiting: waiting, runs: rs.map((r) => r.result.nsPerFrame),
    });
  }
  const ns = (id: string): number => cases.find((c) => c.id === id)?.nsPerFrame ?? NaN;
  for (const c of cases) {
    const vs = VS_C[c.id];
    if (vs && Number.isFinite(ns(vs))) c.vsC = ns(vs) / c.nsPerFrame;
  }
  const xdpfeedShares = {
    ring: ns("x-ring"),
    headers: ns("x-headers") - ns("x-ring"),
    parsingAndRecords: ns("x-run") - ns("x-headers"),
    book: ns("x-run-book") - ns("x-run"),
    javascriptPoll: ns("x-poll") - ns("x-run"),
    javascriptStrategy: ns("x-strategy") - ns("x-poll"),
  };
  const cShares = {
    ring: ns("c-ring"),
    headers: ns("c-headers") - ns("c-ring"),
    parsingAndRecords: ns("c-run") - ns("c-headers"),
    pollAndStrategy: ns("c-poll") - ns("c-run"),
  };
  return { set, cores, cases, xdpfeedShares, cShares };
}

export function caseTable(s: SetSummary): string {
  const rows = [["case", "ns/frame", "frames/s", "messages/s", "msgs/frame", "rate vs C", "producer waiting"]];
  for (const c of s.cases) {
    rows.push([
      c.label, c.nsPerFrame.toFixed(1), fmtRate(c.framesPerSecond), fmtRate(c.messagesPerSecond), c.messagesPerFrame.toFixed(2),
      c.vsC !== undefined ? `${c.vsC.toFixed(2)}x` : "-", s.cores === 2 ? `${(c.producerWaiting * 100).toFixed(0)}%` : "-",
    ]);
  }
  return markdownTable(rows, (i) => i >= 1);
}

export function shareTable(s: SetSummary): string {
  const x = s.xdpfeedShares;
  const c = s.cShares;
  const fmt = (v: number, total: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ns (${((v / total) * 100).toFixed(0)}%)` : "-");
  const xt = s.cases.find((k) => k.id === "x-strategy-book")?.nsPerFrame ?? s.cases.find((k) => k.id === "x-strategy")?.nsPerFrame ?? NaN;
  const ct = s.cases.find((k) => k.id === "c-poll")?.nsPerFrame ?? NaN;
  const rows = [
    ["where the time goes (per frame)", "xdpfeed", "C"],
    ["ring handling (peek, metadata, release, refill)", fmt(x.ring, xt), fmt(c.ring, ct)],
    ["frame headers (Ethernet, IP, UDP)", fmt(x.headers, xt), fmt(c.headers, ct)],
    ["session parsing + records", fmt(x.parsingAndRecords, xt), fmt(c.parsingAndRecords, ct)],
    ["order book", fmt(x.book, xt), "-"],
    ["JavaScript: poll per batch, frames kept", fmt(x.javascriptPoll, xt), "-"],
    ["JavaScript: strategy reads every tick", fmt(x.javascriptStrategy, xt), "-"],
    ["C: poll + strategy reads every record", "-", fmt(c.pollAndStrategy, ct)],
  ];
  return `${markdownTable(rows, (i) => i >= 1)}\n(percent of the full case: xdpfeed poll + strategy${s.cases.some((k) => k.id === "x-strategy-book") ? " + book" : ""}, C poll + strategy)`;
}
