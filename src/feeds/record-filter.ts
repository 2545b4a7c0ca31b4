// Which messages get a tick record: every one (the default), or -- records on demand -- only the
// types a consumer asked for and the messages that book events name. A consumer that reads only
// book events (onBbo, onBook) or a few message types then does not pay for a 96-byte record of
// every message: the others are parsed, counted and applied to the book without one. The wasm
// side: PS_RECORDS_ON_DEMAND and PS_RECORD_TYPES (assembly/layout.ts), recordWanted()
// (assembly/parse/record.ts); a feed module that supports it says so through recordsOnDemand().

import * as L from "../../assembly/layout.js";
import { XdpError } from "../../bridge/errors.js";
import type { WasmMemory } from "../../bridge/wasm.js";

/**
 * "all": a record for every message (default). "book": records only for the messages that wrote
 * book events (what onBbo / onBook read). A list of message types (ITCH type letters such as "P",
 * or type bytes): records for those, and for the messages book events name.
 */
export type RecordFilter = "all" | "book" | ReadonlyArray<string | number>;

/** The type bytes a filter names (none for "book"), checked. */
function typeBytes(filter: ReadonlyArray<string | number>): number[] {
  return filter.map((t) => {
    const b = typeof t === "string" && t.length === 1 ? t.charCodeAt(0) : t;
    if (typeof b !== "number" || !Number.isInteger(b) || b < 0 || b > 255) {
      throw new XdpError("ECONFIG", `records: ${JSON.stringify(t)} is not a message type (one character, or a type byte 0..255)`);
    }
    return b;
  });
}

/** Sets which messages get records in a parser's (or socket's) memory. */
export function setRecordFilter(memory: WasmMemory, exports: unknown, feedName: string, filter: RecordFilter = "all"): void {
  const ps = new Uint8Array(memory.buffer, L.PSTATS_BASE, L.PSTATS_SIZE);
  const on = new Uint32Array(memory.buffer, L.PSTATS_BASE + L.PS_RECORDS_ON_DEMAND, 1);
  if (filter !== "all" && filter !== "book" && !Array.isArray(filter)) {
    throw new XdpError("ECONFIG", `records: "all", "book" or a list of message types, got ${JSON.stringify(filter)}`);
  }
  const types = filter === "all" || filter === "book" ? [] : typeBytes(filter);
  const x = exports as { recordsOnDemand?: () => number };
  if (filter !== "all" && (typeof x.recordsOnDemand !== "function" || x.recordsOnDemand() !== 1)) {
    throw new XdpError("ECONFIG", `records: ${JSON.stringify(filter)} needs a feed module that writes records on demand; ${feedName} writes one for every message (use records: "all")`);
  }
  ps.fill(0, L.PS_RECORD_TYPES, L.PS_RECORD_TYPES + L.RECORD_TYPES_SIZE);
  for (const b of types) ps[L.PS_RECORD_TYPES + (b >> 3)] |= 1 << (b & 7);
  on[0] = filter === "all" ? 0 : 1;
}
