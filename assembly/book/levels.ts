// IEX books, fed from the tick record the IEX handler has just written (assembly/parse/iex.ts):
//
//   DEEP price level updates ('8' buy, '5' sell; TICK_LEVEL): the level (instrument, side, price)
//   is set to the update's size, or removed at size 0. Updates arrive in atomic events: eventFlags
//   bit 0 clear means the book is in transition, set means the event is complete. The levels change
//   at once (bookDepth sees them), but the BBO is published -- compared, and a book event written
//   when it changed -- only at the update that completes the event; until then the instrument is
//   flagged BBO_PENDING and bookBbo() reports the last published BBO.
//
//   TOPS quote updates ('Q'; TICK_QUOTE): the quote is the instrument's BBO (flag BBO_QUOTED),
//   published when it differs from the last one. TOPS has no levels.
//
// Instruments are the parser's symbol ids (0: the symbol table was full; counted as a bad
// instrument, as is an id >= BK_MAX_INSTRUMENTS). A side other than B/S or a price <= 0 (a level
// update) or < 0 (a quote; 0 is no quote) is counted as invalid; the update is skipped, but its
// event flag still counts.

import {
  RECORDS_BASE, PS_RECORDS, BK_MAX_INSTRUMENTS, PS_BOOK_BAD_INSTRUMENT, PS_BOOK_INVALID, PS_BOOK_UPDATES,
} from "../layout";
import {
  RECORD_SIZE, R_KIND, R_PRICE, R_QUANTITY, R_PRICE2, R_QUANTITY2, R_INSTRUMENT, R_SIDE, R_FLAGS,
  TICK_LEVEL, TICK_QUOTE,
} from "../records";
import { BBO_PENDING, BBO_QUOTED } from "./events";
import { I_FLAGS, ctl, instAddr } from "./instruments";
import { LV_SHARES, levelFind, levelGet, levelRemove } from "./level-nodes";
import { beginMessage, touchLevel, finishMessage, takePendingDepth } from "./message";
import { isPublished, publish, setBbo } from "./publish";
import { psAdd, psGet32 } from "../parse/stats";

// The record the handler wrote for this message, or 0 when it wrote none (a rejected message).
@inline function written(before: u32): u32 {
  return psGet32(PS_RECORDS) > before ? RECORDS_BASE + before * RECORD_SIZE : 0;
}

@inline function instrumentOf(r: u32): u32 {
  const inst = load<u32>(r, R_INSTRUMENT);
  if (inst == 0 || inst >= ctl(BK_MAX_INSTRUMENTS)) {
    psAdd(PS_BOOK_BAD_INSTRUMENT, 1);
    return 0;
  }
  return inst;
}

// The hook of the DEEP handler; `before` is the record count before the message.
export function bookDeep(before: u32): void {
  const r = written(before);
  if (r == 0 || <u32>load<u8>(r, R_KIND) != TICK_LEVEL) return;
  const inst = instrumentOf(r);
  if (inst == 0) return;
  beginMessage();
  const ia = instAddr(inst);
  const c = <u32>load<u8>(r, R_SIDE);
  const price = load<i64>(r, R_PRICE);
  const size = load<u64>(r, R_QUANTITY);
  if ((c != 0x42 && c != 0x53) || price <= 0) {
    psAdd(PS_BOOK_INVALID, 1);
  } else {
    const side: u32 = c == 0x42 ? 0 : 1;
    if (size == 0) {
      const node = levelFind(inst, side, price);
      if (node != 0) {
        touchLevel(ia, side, node);
        levelRemove(ia, node);
      }
    } else {
      const node = levelGet(ia, inst, side, price); // 0: counted, PS_BOOK_LEVELS_FULL
      if (node != 0 && load<u64>(node, LV_SHARES) != size) {
        store<u64>(node, size, LV_SHARES);
        touchLevel(ia, side, node);
      }
    }
  }
  finishMessage(inst, ia, before, false);
  const flags = load<u32>(ia, I_FLAGS);
  if ((load<u8>(r, R_FLAGS) & 1) != 0) {
    store<u32>(ia, flags & ~BBO_PENDING, I_FLAGS);
    publish(inst, ia, before, takePendingDepth(ia));
  } else {
    store<u32>(ia, flags | BBO_PENDING, I_FLAGS);
  }
}

// The hook of the TOPS handler.
export function bookTops(before: u32): void {
  const r = written(before);
  if (r == 0 || <u32>load<u8>(r, R_KIND) != TICK_QUOTE) return;
  const inst = instrumentOf(r);
  if (inst == 0) return;
  const bp = load<i64>(r, R_PRICE);
  const ap = load<i64>(r, R_PRICE2);
  if (bp < 0 || ap < 0) {
    psAdd(PS_BOOK_INVALID, 1);
    return;
  }
  const bq = load<u64>(r, R_QUANTITY);
  const aq = load<u64>(r, R_QUANTITY2);
  const ia = instAddr(inst);
  store<u32>(ia, load<u32>(ia, I_FLAGS) | BBO_QUOTED, I_FLAGS);
  if (isPublished(ia, bp, ap, bq, aq)) return;
  psAdd(PS_BOOK_UPDATES, 1);
  setBbo(inst, ia, before, bp, ap, bq, aq, 0);
}
