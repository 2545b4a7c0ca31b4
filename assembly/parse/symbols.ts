// Instrument ids for feeds that name instruments by an 8-byte symbol (IEX): a dense id per
// symbol, assigned on first sight, in an open-addressing table that never allocates.
// Layout (SYMTAB_BASE): SYM_SLOTS slots of (symbol u64, id u32, pad u32); at SYM_BY_ID the
// symbol of each id (u64), whose entry 0 holds the number of ids assigned.

import { SYMTAB_BASE, SYM_SLOTS, SYM_SLOT, SYM_BY_ID } from "../layout";

const BY_ID: u32 = SYMTAB_BASE + SYM_BY_ID;
// One slot is always left empty so that a probe for an unknown symbol terminates.
const MAX_IDS: u32 = SYM_SLOTS - 1;

// The symbol's id (1-based), or 0 when the table is full.
export function symbolId(sym: u64): u32 {
  let slot = <u32>((sym * 0x9e3779b97f4a7c15) >> 50) & (SYM_SLOTS - 1);
  for (;;) {
    const at = SYMTAB_BASE + slot * SYM_SLOT;
    const id = load<u32>(at, 8);
    if (id == 0) break;
    if (load<u64>(at) == sym) return id;
    slot = (slot + 1) & (SYM_SLOTS - 1);
  }
  const n = <u32>load<u64>(BY_ID);
  if (n >= MAX_IDS) return 0;
  const id = n + 1;
  const at = SYMTAB_BASE + slot * SYM_SLOT;
  store<u64>(at, sym);
  store<u32>(at, id, 8);
  store<u64>(BY_ID + (id << 3), sym);
  store<u64>(BY_ID, id);
  return id;
}
