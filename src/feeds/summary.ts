// Parser counters (PSTATS, assembly/layout.ts) as a report: the same for files and sockets.
import * as L from "../../assembly/layout.js";
import { REJECT_REASONS } from "./reasons.js";
import type { WasmMemory } from "../../bridge/wasm.js";

/**
 * Counters are exact numbers: those that wire values can push far (gapMessages, truncatedMessages,
 * a line's missing) stop at 2^53 - 1 rather than wrap. A sequence number above 2^53 - 1 is given
 * as its exact decimal string.
 */
export interface ParserSummary {
  /** Frames (or UDP payloads) offered: each became a packet or was rejected under one reason. */
  frames: number;
  packets: number;
  messages: number;
  byType: Record<string, number>;
  gaps: number;
  gapMessages: number;
  duplicates: number;
  /** Sequence restarts within a session (IEX-TP starting again at 1). */
  resets: number;
  /** Packets whose frame a capture cut short: their whole messages were delivered. */
  truncatedPackets: number;
  /** Messages those packets declared but did not hold: lost to the cut, not counted as gaps. */
  truncatedMessages: number;
  rejected: Record<string, number>;
  /** Each session's own sequence space: present once a session packet was parsed. */
  sessions?: SessionStats[];
  /** Sessions forgotten to make room for newer ones (only with more than 32 sessions). */
  evictedSessions?: number;
  /** A/B arbitration, per line: present when two lines are configured. */
  lines?: LineStats[];
  /** Live packets dropped unparsed because the hold was full while a snapshot loaded (present when any). */
  heldDropped?: number;
  /** What the retransmission server's answers held: present with retransmission on. */
  retransmitted?: Omit<LineStats, "port" | "missing">;
  /** Per-instrument sequence (SBE feeds' RptSeq, assembly/parse/rptseq.ts): present when any counted. */
  instrumentSequence?: InstrumentSequenceStats;
}

/** Per-instrument sequence numbers (CME MDP 3.0's RptSeq) apart from the packets' sequence. */
export interface InstrumentSequenceStats {
  /** Jumps of an instrument's RptSeq past its next expected one. */
  gaps: number;
  /** Entries those jumps skipped. */
  gapEntries: number;
  /** Entries older than the instrument's snapshot (recorded, not applied to its book). */
  stale: number;
  /** Instruments not tracked: the table was full. */
  untracked: number;
}

/** One session (a MoldUDP64 session name, an IEX-TP session id): its share of the counters. */
export interface SessionStats {
  session: string;
  /** Next sequence number expected in it. */
  nextSeq: number | string;
  packets: number;
  messages: number;
  gaps: number;
  gapMessages: number;
  duplicates: number;
  resets: number;
  truncatedMessages: number;
}

export interface LineStats {
  port: number;
  /** Messages found in the line's packets (not what their headers claim). */
  received: number;
  /** Of them, taken first: delivered, or rejected for their content. */
  won: number;
  /** Of them, already delivered from the other line (dropped). */
  late: number;
  /** Messages the line itself skipped. */
  missing: number;
}

/**
 * numericTypes: message types are numbers (an SBE feed's template ids, their low 8 bits), keyed
 * by their decimal value rather than as characters.
 */
export function readSummary(memory: WasmMemory, extraRejects: Record<string, number> = {}, numericTypes = false): ParserSummary {
  const ps = new BigUint64Array(memory.buffer, L.PSTATS_BASE, L.PSTATS_SIZE / 8);
  const at = (off: number) => Number(ps[off / 8]);
  const byType: Record<string, number> = {};
  for (let t = 0; t < 256; t++) {
    const v = at(L.PS_BY_TYPE + t * 8);
    if (v) byType[numericTypes ? String(t) : String.fromCharCode(t)] = v;
  }
  const rejected: Record<string, number> = { ...extraRejects };
  for (const [i, name] of Object.entries(REJECT_REASONS)) {
    const v = at(L.PS_REJECTED + Number(i) * 8);
    if (v) rejected[name] = v;
  }
  const s: ParserSummary = {
    frames: at(L.PS_FRAMES), packets: at(L.PS_PACKETS), messages: at(L.PS_MESSAGES), byType,
    gaps: at(L.PS_GAPS), gapMessages: at(L.PS_GAP_MESSAGES), duplicates: at(L.PS_DUPLICATES),
    resets: at(L.PS_RESETS), truncatedPackets: at(L.PS_TRUNCATED_PACKETS), truncatedMessages: at(L.PS_TRUNCATED_MESSAGES),
    rejected,
  };
  const rpt: InstrumentSequenceStats = { gaps: at(L.PS_RPT_GAPS), gapEntries: at(L.PS_RPT_GAP_ENTRIES), stale: at(L.PS_RPT_STALE), untracked: at(L.PS_RPT_FULL) };
  if (rpt.gaps + rpt.stale + rpt.untracked > 0) s.instrumentSequence = rpt;
  const sessions = readSessions(memory, ps);
  if (sessions.length > 0) s.sessions = sessions;
  const evicted = Number(new BigUint64Array(memory.buffer, L.SESSIONS_BASE + L.SS_EVICTED, 1)[0]);
  if (evicted > 0) s.evictedSessions = evicted;
  const ports = new Uint32Array(memory.buffer, L.PSTATS_BASE + L.PS_ARB_PORTS, 1)[0];
  const lineStats = (l: number, port: number): LineStats => {
    const b = L.PS_LINES + l * L.LINE_SIZE;
    return { port, received: at(b + L.LN_RECEIVED), won: at(b + L.LN_WON), late: at(b + L.LN_LATE), missing: at(b + L.LN_MISSING) };
  };
  if (ports !== 0) s.lines = [lineStats(L.LINE_A, ports & 0xffff), lineStats(L.LINE_B, ports >>> 16)];
  const heldDropped = at(L.PS_HOLD_DROPPED);
  if (heldDropped > 0) s.heldDropped = heldDropped;
  const flags = new Uint32Array(memory.buffer, L.PSTATS_BASE + L.PS_HOLD_FLAGS, 1)[0];
  if ((flags & L.HOLD_RECOVER) !== 0 || at(L.PS_LINES + L.LINE_RETRANSMIT * L.LINE_SIZE + L.LN_RECEIVED) > 0) {
    const { port: _port, missing: _missing, ...r } = lineStats(L.LINE_RETRANSMIT, 0);
    s.retransmitted = r;
  }
  return s;
}

// Each session's entry, the current one's counters brought up to date: its entry holds what was
// counted before it last became current, the global counters less their snapshot the rest.
function readSessions(memory: WasmMemory, ps: BigUint64Array): SessionStats[] {
  const u32 = new Uint32Array(memory.buffer, L.SESSIONS_BASE, L.SESSIONS_SIZE / 4);
  const u64 = new BigUint64Array(memory.buffer, L.SESSIONS_BASE, L.SESSIONS_SIZE / 8);
  const bytes = new Uint8Array(memory.buffer, L.SESSIONS_BASE, L.SESSIONS_SIZE);
  const current = u32[L.SS_CURRENT / 4] - 1;
  const mold = u32[L.SS_FRAMING / 4] === L.SS_MOLD;
  const out: SessionStats[] = [];
  for (let i = 0; i < u32[L.SS_COUNT / 4]; i++) {
    const e = L.SS_ENTRIES + i * L.SESSION_ENTRY;
    const c = (k: number): number => {
      let v = u64[(e + L.SN_COUNTERS) / 8 + k];
      if (i === current) v += ps[k] - u64[L.SS_SNAP / 8 + k];
      return Number(v);
    };
    const id = mold ? moldSession(bytes.subarray(e + L.SN_ID, e + L.SN_ID + 10)) : String(u32[(e + L.SN_ID) / 4]);
    const next = i === current ? ps[L.PS_NEXT_SEQ / 8] : u64[(e + L.SN_NEXT) / 8];
    // SESSION_COUNTERS are PSTATS' first u64s, in this order (assembly/layout.ts).
    out.push({
      session: id, nextSeq: exact(next), packets: c(0), messages: c(1), gaps: c(2), gapMessages: c(3), duplicates: c(4),
      resets: c(5), truncatedMessages: c(6),
    });
  }
  return out;
}

// A MoldUDP64 session name: ASCII, space padded; other bytes as \xHH so that none is hidden.
function moldSession(b: Uint8Array): string {
  let s = "";
  for (const c of b) s += c >= 0x21 && c <= 0x7e ? String.fromCharCode(c) : c === 0x20 ? " " : `\\x${c.toString(16).padStart(2, "0")}`;
  return s.trimEnd();
}

/** A u64 as a number when that is exact, else as its decimal string. */
export function exact(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** A/B arbitration between two UDP ports carrying the same sequence space (lines A and B). */
export function setLines(memory: WasmMemory, lines: [number, number] | undefined): void {
  new Uint32Array(memory.buffer, L.PSTATS_BASE + L.PS_ARB_PORTS, 1)[0] = lines ? (lines[0] & 0xffff) | ((lines[1] & 0xffff) << 16) : 0;
}

/** Accept only UDP datagrams to this destination port (port 0 included); undefined: any. */
export function setFilterPort(memory: WasmMemory, port: number | undefined): void {
  new Uint32Array(memory.buffer, L.PSTATS_BASE + L.PS_FILTER_PORT, 1)[0] = port === undefined ? 0 : (port & 0xffff) | L.FILTER_ON;
}

/** Whether a message whose sequence was delivered before is dropped (the default) or delivered again. */
export function setDedup(memory: WasmMemory, on: boolean): void {
  new Uint32Array(memory.buffer, L.PSTATS_BASE + L.PS_NO_DEDUP, 1)[0] = on ? 0 : 1;
}
