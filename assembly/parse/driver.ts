// Runs a feed's session framing over its inputs: frames from the RX ring (poll/run), or
// frames, UDP payloads or bare messages placed in memory by TypeScript and listed in the batch
// table (files, buffers). A frame is taken only when the record region has room for the most
// messages it could hold, so a batch stops early (and resumes) instead of overflowing. One longer
// than any UDP datagram can be (FRAME_MAX, PAYLOAD_MAX) is counted and skipped unread: it would
// never fit, and it cannot be a feed's.

import {
  BATCH_BASE, BATCH_ENTRY, BATCH_TS_BASE, PSTATS_BASE, PSTATS_SIZE, PS_FILTER_PORT, PS_FRAMES,
  PS_RECEIVE_TS, PS_ARB_PORTS, PS_HELD_MESSAGES, SYMTAB_BASE, SYMTAB_SIZE, REJ_OTHER_PORT,
  REJ_LENGTH_OVERRUN, REJ_ZERO_LENGTH, REJ_TRAILING, PS_HW_TS, PS_HW_USED, PS_NO_DEDUP, REJ_OVERSIZED, FRAME_MAX, PS_HOLD_LIMIT, PS_HOLD_FLAGS, HOLD_RECOVER,
  PS_RECORDS_ON_DEMAND, PS_RECORD_TYPES,
  PAYLOAD_MAX,
} from "../layout";
import { be16 } from "./bytes";
import { udpPayload, payloadLen, wholePayload, dstPort, cutShort } from "./net";
import { arbitrate, arbitrating, lineOfPort, SequencePeek } from "./arbiter";
import { recordsFree, clearRecords } from "./record";
import { rxTs, rxHwTs } from "../xsk";
import { psAdd, psGet, psSet, psGet32, psSet32, reject } from "./stats";
import { Messages } from "./blocks";
import { clearSessions } from "./sessions";

export type PayloadHandler = (p: u32, len: u32) => void;

// Whether the records have room for the most messages a block of len bytes can hold (each takes
// at least minBlock bytes), and for every message held: a packet may release them all.
@inline function fits(len: u32, minBlock: u32): bool {
  return recordsFree() > len / minBlock + psGet32(PS_HELD_MESSAGES);
}

@inline export function parseFrame(frame: u32, len: u32, minBlock: u32, onPayload: PayloadHandler, peek: SequencePeek): bool {
  if (len > FRAME_MAX) return oversized();
  if (!fits(len, minBlock)) return false;
  psAdd(PS_FRAMES, 1);
  const p = udpPayload(frame, len);
  if (p != 0) toLine(p, onPayload, peek);
  return true;
}

// Payload p (of udpPayload(): payloadLen, dstPort, cutShort) to the arbitration of the line its
// port names; a port of no line is counted.
@inline function toLine(p: u32, onPayload: PayloadHandler, peek: SequencePeek): void {
  const line = lineOfPort(dstPort);
  if (line < 0) reject(REJ_OTHER_PORT);
  else arbitrate(p, payloadLen, <u32>line, cutShort, onPayload, peek);
}

// A frame from the RX ring (assembly/xsk.ts rxBatchOf, in a feed module's own batch loop), its
// records stamped with the receive timestamps the loop read. As parseFrame, with the framing f
// called directly when nothing is arbitrated (as tablePayloads). With keep (poll) a frame the
// records have no room for is refused (it stays on RX); without (run: nobody reads the records)
// they start over instead. With checked, the caller found that nothing is arbitrated (arbitrating()
// is false) for the whole batch: the frame goes to f without asking again.
@inline export function rxFrame<F extends Payloads>(frame: u32, len: u32, keep: bool, minBlock: u32, f: F,
  onPayload: PayloadHandler, peek: SequencePeek, checked: bool = false): bool {
  setReceiveTs(rxTs, rxHwTs);
  if (len > FRAME_MAX) return oversized();
  if (!fits(len, minBlock)) {
    if (keep) return false;
    clearRecords();
    if (!fits(len, minBlock)) return false;
  }
  psAdd(PS_FRAMES, 1);
  const p = udpPayload(frame, len);
  if (p == 0) return true;
  // Without lines or a hold mode every port is line A and arbitrate() would pass it straight on.
  if (checked || !arbitrating()) f.onPayload(p, payloadLen);
  else toLine(p, onPayload, peek);
  return true;
}

// Counts a frame or payload too long for any UDP datagram; it is skipped (true: taken).
function oversized(): bool {
  psAdd(PS_FRAMES, 1);
  reject(REJ_OVERSIZED);
  return true;
}

// The receive timestamps of what is parsed next (the records' receiveTs, and their NIC timestamp
// in HWTS_BASE once any frame has had one: records.ts beginRecord).
@inline export function setReceiveTs(ts: u64, hw: u64): void {
  psSet(PS_RECEIVE_TS, ts);
  psSet(PS_HW_TS, hw);
  if (hw != 0) psSet32(PS_HW_USED, 1);
}

// Entry i of the batch table: (wasm address, length), its receive time set for the records.
@inline function entry(i: u32): u32 {
  psSet(PS_RECEIVE_TS, load<u64>(BATCH_TS_BASE + (i << 3)));
  return BATCH_BASE + i * BATCH_ENTRY;
}

// Entries [first, first + n) of the batch table; returns how many were parsed.
export function tableFrames(first: u32, n: u32, minBlock: u32, onPayload: PayloadHandler, peek: SequencePeek): u32 {
  for (let i: u32 = 0; i < n; i++) {
    const e = entry(first + i);
    if (!parseFrame(load<u32>(e), load<u32>(e, 4), minBlock, onPayload, peek)) return i;
  }
  return n;
}

// A feed's session framing as a type, like Messages (./blocks.ts): the payload loop below is
// instantiated per feed, so a payload is parsed by a direct, inlined call rather than through
// arbitrate() and a function reference (which costs several ns a packet: IEX DEEP packets carry
// about three messages).
export interface Payloads {
  onPayload(p: u32, len: u32): void;
}

// UDP payloads that arrived on `line` (0 A, 1 B: the kernel-socket path knows it per socket).
// Without A/B arbitration each goes straight to the framing; with it, through arbitrate().
@inline export function tablePayloads<F extends Payloads>(first: u32, n: u32, line: u32, minBlock: u32, f: F,
  onPayload: PayloadHandler, peek: SequencePeek): u32 {
  for (let i: u32 = 0; i < n; i++) {
    const e = entry(first + i);
    const len = load<u32>(e, 4);
    if (len > PAYLOAD_MAX) {
      oversized();
      continue;
    }
    if (!fits(len, minBlock)) return i;
    psAdd(PS_FRAMES, 1);
    wholePayload();
    if (!arbitrating()) f.onPayload(load<u32>(e), len);
    else arbitrate(load<u32>(e), len, line, false, onPayload, peek);
  }
  return n;
}

// Bare messages (no session framing). perEntry 0: each entry is one message, numbered firstSeq,
// firstSeq + 1, ... Otherwise each entry is a run of up to perEntry messages, each preceded by its
// length (u16 big-endian: NASDAQ's binary files, the MoldUDP64 block framing), those of entry i
// numbered from firstSeq + i * perEntry: one entry per few hundred messages instead of one per
// message. A run is taken when perEntry records are free, whatever its bytes, and yields at most
// perEntry messages (bytes past them are counted as trailing); a length running past the entry is
// counted and ends it.
@inline export function tableMessages<H extends Messages>(first: u32, n: u32, firstSeq: u64, perEntry: u32, h: H): u32 {
  if (perEntry == 0) {
    for (let i: u32 = 0; i < n; i++) {
      if (recordsFree() == 0) return i;
      const e = entry(first + i);
      const len = load<u32>(e, 4);
      // A message has at least its type byte: an empty entry is counted, never read.
      if (len == 0) reject(REJ_ZERO_LENGTH);
      else h.onMessage(load<u32>(e), len, firstSeq + i);
    }
    return n;
  }
  for (let i: u32 = 0; i < n; i++) {
    if (recordsFree() < perEntry) return i;
    const e = entry(first + i);
    let at = load<u32>(e);
    const end = at + load<u32>(e, 4);
    let seq = firstSeq + <u64>i * perEntry;
    for (let k: u32 = 0; k < perEntry && at + 2 <= end; k++) {
      const mlen = be16(at);
      at += 2;
      if (at + mlen > end) {
        reject(REJ_LENGTH_OVERRUN);
        at = end;
        break;
      }
      if (mlen == 0) reject(REJ_ZERO_LENGTH);
      else h.onMessage(at, mlen, seq);
      seq++;
      at += mlen;
    }
    if (at != end) reject(REJ_TRAILING);
  }
  return n;
}

// Zeroes every counter, the sessions, the held packets and the symbol table; keeps the port
// filter, the arbitration ports, de-duplication, the hold limit, retransmission, which messages
// get records, and PS_HW_USED (records' NIC timestamps stay written).
export function resetParser(): void {
  const onDemand = psGet32(PS_RECORDS_ON_DEMAND);
  const t0 = psGet(PS_RECORD_TYPES);
  const t1 = psGet(PS_RECORD_TYPES + 8);
  const t2 = psGet(PS_RECORD_TYPES + 16);
  const t3 = psGet(PS_RECORD_TYPES + 24);
  const port = psGet32(PS_FILTER_PORT);
  const lines = psGet32(PS_ARB_PORTS);
  const hwUsed = psGet32(PS_HW_USED);
  const noDedup = psGet32(PS_NO_DEDUP);
  const limit = psGet32(PS_HOLD_LIMIT);
  const recover = psGet32(PS_HOLD_FLAGS) & HOLD_RECOVER;
  memory.fill(PSTATS_BASE, 0, PSTATS_SIZE);
  memory.fill(SYMTAB_BASE, 0, SYMTAB_SIZE);
  clearSessions();
  psSet32(PS_FILTER_PORT, port);
  psSet32(PS_ARB_PORTS, lines);
  psSet32(PS_HW_USED, hwUsed);
  psSet32(PS_NO_DEDUP, noDedup);
  psSet32(PS_HOLD_LIMIT, limit);
  psSet32(PS_HOLD_FLAGS, recover);
  psSet32(PS_RECORDS_ON_DEMAND, onDemand);
  psSet(PS_RECORD_TYPES, t0);
  psSet(PS_RECORD_TYPES + 8, t1);
  psSet(PS_RECORD_TYPES + 16, t2);
  psSet(PS_RECORD_TYPES + 24, t3);
  clearRecords();
}
