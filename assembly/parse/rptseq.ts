// Per-instrument sequence numbers of SBE market data (CME MDP 3.0's RptSeq, tag 83): each
// instrument's entries are numbered 1, 2, ... across the channel's packets, so an instrument's
// loss shows even when the packet sequence was recovered (or the instrument's entries came from
// another feed). An entry whose RptSeq jumps past the instrument's next expected one is a gap
// (PS_RPT_GAPS, with the entries skipped in PS_RPT_GAP_ENTRIES); one the instrument already
// passed is stale (PS_RPT_STALE: an incremental older than the snapshot that rebuilt the book).
// A snapshot sets the instrument's RptSeq (rptSet). The channel reset forgets every instrument.
//
// Table: RPT_SLOTS entries of 8 bytes in the symbol table's region (SYMTAB_BASE: SBE feeds name
// instruments by SecurityID, not by symbol), so resetParser() clears it with the counters. Open
// addressing with linear probing on the SecurityID: key u32 (SecurityID + 1, 0 empty), next
// expected RptSeq u32. When it is full a new instrument is not tracked (PS_RPT_FULL).

import { PS_RPT_GAPS, PS_RPT_GAP_ENTRIES, PS_RPT_STALE, PS_RPT_FULL, SYMTAB_BASE } from "../layout";
import { psAdd, psAddSaturated } from "./stats";

const RPT_SLOTS: u32 = 16384;
const RPT_MASK: u32 = RPT_SLOTS - 1;
// 128 KiB of the region's 384 KiB.
const RPT_TABLE: u32 = SYMTAB_BASE;

// The slot of an instrument (its key stored), or 0 when the table is full. An instrument met
// before is almost always at its home slot: that probe inline, the rest (a new instrument, a
// collision) in slotProbe.
@inline function slot(secId: i32): u32 {
  const key = <u32>secId + 1;
  const home = (key * 0x9e3779b1) >>> 18;
  const e = RPT_TABLE + ((home & RPT_MASK) << 3);
  if (load<u32>(e) == key) return e;
  return slotProbe(key, home);
}

// Linear probing from the home slot: the key's slot, or a free one claimed for it.
function slotProbe(key: u32, home: u32): u32 {
  let i = home;
  for (let probes: u32 = 0; probes < RPT_SLOTS; probes++) {
    const e = RPT_TABLE + ((i & RPT_MASK) << 3);
    const k = load<u32>(e);
    if (k == key) return e;
    if (k == 0) {
      store<u32>(e, key);
      store<u32>(e, 0, 4);
      return e;
    }
    i++;
  }
  psAdd(PS_RPT_FULL, 1);
  return 0;
}

// An incremental entry of instrument secId numbered rpt: counts a gap or a stale entry. Returns
// false for a stale one (the book has it already, from a snapshot).
@inline export function rptCheck(secId: i32, rpt: u32): bool {
  return rptCheckAt(slot(secId), rpt);
}

// The slot of instrument secId's RptSeq, for rptCheckAt (0: not tracked, the table is full). A
// slot stays where it is until rptClear (or resetParser) clears the table, so the entries of a
// message that are one instrument's look it up once (the generated decoders do).
@inline export function rptSlot(secId: i32): u32 {
  return slot(secId);
}

// rptCheck of an entry of the instrument whose slot is e (rptSlot).
@inline export function rptCheckAt(e: u32, rpt: u32): bool {
  if (e == 0) return true;
  const next = load<u32>(e, 4);
  if (next != 0 && rpt != next) {
    if (rpt < next) {
      psAdd(PS_RPT_STALE, 1);
      return false;
    }
    psAdd(PS_RPT_GAPS, 1);
    psAddSaturated(PS_RPT_GAP_ENTRIES, <u64>(rpt - next));
  }
  store<u32>(e, rpt + 1, 4);
  return true;
}

// A snapshot of instrument secId as of rpt: its next entry is rpt + 1.
export function rptSet(secId: i32, rpt: u32): void {
  const e = slot(secId);
  if (e != 0) store<u32>(e, rpt + 1, 4);
}

// Forgets every instrument (channel reset; resetParser through the module's reset).
export function rptClear(): void {
  memory.fill(RPT_TABLE, 0, RPT_SLOTS * 8);
}
