// Parser counters (PSTATS, assembly/layout.ts) as a report: the same for files and sockets.
import * as L from "../../assembly/layout.js";
import { REJECT_REASONS } from "./reasons.js";
import type { WasmMemory } from "../../bridge/wasm.js";

export interface ParserSummary {
  frames: number;
  packets: number;
  messages: number;
  byType: Record<string, number>;
  gaps: number;
  gapMessages: number;
  duplicates: number;
  resets: number;
  rejected: Record<string, number>;
  /** A/B arbitration, per line: present when two lines are configured. */
  lines?: LineStats[];
}

export interface LineStats {
  port: number;
  /** Messages that arrived on the line. */
  received: number;
  /** Of them, delivered first. */
  won: number;
  /** Of them, already delivered from the other line (dropped). */
  late: number;
  /** Messages the line itself skipped. */
  missing: number;
}

export function readSummary(memory: WasmMemory, extraRejects: Record<string, number> = {}): ParserSummary {
  const ps = new BigUint64Array(memory.buffer, L.PSTATS_BASE, L.PSTATS_SIZE / 8);
  const at = (off: number) => Number(ps[off / 8]);
  const byType: Record<string, number> = {};
  for (let t = 0; t < 256; t++) {
    const v = at(L.PS_BY_TYPE + t * 8);
    if (v) byType[String.fromCharCode(t)] = v;
  }
  const rejected: Record<string, number> = { ...extraRejects };
  for (const [i, name] of Object.entries(REJECT_REASONS)) {
    const v = at(L.PS_REJECTED + Number(i) * 8);
    if (v) rejected[name] = v;
  }
  const s: ParserSummary = {
    frames: at(L.PS_FRAMES), packets: at(L.PS_PACKETS), messages: at(L.PS_MESSAGES), byType,
    gaps: at(L.PS_GAPS), gapMessages: at(L.PS_GAP_MESSAGES), duplicates: at(L.PS_DUPLICATES),
    resets: at(L.PS_RESETS), rejected,
  };
  const ports = new Uint32Array(memory.buffer, L.PSTATS_BASE + L.PS_ARB_PORTS, 1)[0];
  if (ports !== 0) {
    s.lines = [0, 1].map((l) => {
      const b = L.PS_LINES + l * L.LINE_SIZE;
      return {
        port: l === 0 ? ports & 0xffff : ports >>> 16, received: at(b + L.LN_RECEIVED), won: at(b + L.LN_WON),
        late: at(b + L.LN_LATE), missing: at(b + L.LN_MISSING),
      };
    });
  }
  return s;
}

/** A/B arbitration between two UDP ports carrying the same sequence space (lines A and B). */
export function setLines(memory: WasmMemory, lines: [number, number] | undefined): void {
  new Uint32Array(memory.buffer, L.PSTATS_BASE + L.PS_ARB_PORTS, 1)[0] = lines ? (lines[0] & 0xffff) | ((lines[1] & 0xffff) << 16) : 0;
}

/** Accept only UDP datagrams to this destination port (0: any). */
export function setFilterPort(memory: WasmMemory, port: number): void {
  new Uint32Array(memory.buffer, L.PSTATS_BASE + L.PS_FILTER_PORT, 1)[0] = port;
}
