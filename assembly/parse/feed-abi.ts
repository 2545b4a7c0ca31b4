// The parser half of the exported ABI, shared by every feed module (`export * from
// "../parse/feed-abi"`). The module registers its session framing and its payload and
// bare-message loops once, at instantiation, with registerFeed() (./feed-registry.ts, not
// exported: JavaScript cannot swap them); everything here then calls them (one indirect call per
// frame, or per batch of payloads or messages, never per message).
//
//   poll(max)                 RX frames -> records, frames kept in place until the next poll
//   run(budget, batch)        RX frames -> records, frames refilled at once (records overwritten)
//   parseFrames(first, n)     batch-table entries are Ethernet frames; returns entries parsed
//   parsePayloads(first, n, line) entries are UDP payloads (session packets) from line 0 or 1
//   arbFlush()                release everything held (declaring open gaps)
//   recoverAbandon(end)       give up the messages before `end` (a gap), release what can go
//   holdRelease()             end HOLD_ALL, release what can go
//   rxRecycle()               return the last poll's frames to FILL now (the batch table is then
//                             free for parsePayloads/parseMessages between polls)
//   parseMessages(first, n, seq, per) entries are bare messages numbered seq, seq + 1, ... (per 0),
//                             or runs of up to per u16-BE-length-prefixed messages, entry i's
//                             numbered from seq + i * per
//   recordCount()             records written since the last clear
//   clearRecords()            start writing records at 0 again
//   resetParser()             zero counters, session state, symbol table
//   messageLength(type)       the exact (or minimum) length of a message type, 0 if unknown
//   recordsOnDemand()         1 when the module honours PS_RECORDS_ON_DEMAND (src/feeds/record-filter.ts)

import { PS_RECORDS } from "../layout";
import { rxBatch, rxRun, rxRunBatches, rxTs, rxHwTs, recyclePending } from "../xsk";
import { recordsFree, clearRecords as clear } from "./record";
import { psGet32 } from "./stats";
import { parseFrame, tableFrames, setReceiveTs } from "./driver";
import { arbFlush as flushHeld, recoverAbandon as abandon, holdRelease as releaseHeld } from "./arbiter";
import { payloadHandler, payloadsHandler, messagesHandler, lengthOf, minBlock, peekHandler, recordsOnDemandKept,
  framesHandler, framesRegistered } from "./feed-registry";

export { resetParser } from "./driver";

// A frame from the RX ring: its records get the receive timestamps the receive loop read.
function onFrame(frame: u32, len: u32): bool {
  setReceiveTs(rxTs, rxHwTs);
  return parseFrame(frame, len, minBlock, payloadHandler, peekHandler);
}

// Records stay valid (their messages in place) until the next poll.
export function poll(max: u32): i32 {
  clear();
  if (framesRegistered) return framesHandler(max, true);
  return rxBatch(max, true, onFrame);
}

function onFrameRecycled(frame: u32, len: u32): bool {
  setReceiveTs(rxTs, rxHwTs);
  if (!parseFrame(frame, len, minBlock, payloadHandler, peekHandler)) {
    // Nobody reads records in this mode: start over rather than stop.
    clear();
    return parseFrame(frame, len, minBlock, payloadHandler, peekHandler);
  }
  return true;
}

export function run(budget: u32, batch: u32): i32 {
  if (framesRegistered) return rxRunBatches(budget, batch, framesHandler);
  return rxRun(budget, batch, onFrameRecycled);
}

export function parseFrames(first: u32, n: u32): u32 {
  return tableFrames(first, n, minBlock, payloadHandler, peekHandler);
}

export function parsePayloads(first: u32, n: u32, line: u32): u32 {
  return payloadsHandler(first, n, line);
}

export function arbFlush(): u32 {
  return flushHeld(payloadHandler);
}

export function recoverAbandon(end: u64): void {
  abandon(end, payloadHandler);
}

export function holdRelease(): void {
  releaseHeld(payloadHandler);
}

export function rxRecycle(): void {
  recyclePending();
}

export function parseMessages(first: u32, n: u32, firstSeq: u64, perEntry: u32): u32 {
  return messagesHandler(first, n, firstSeq, perEntry);
}

export function recordCount(): u32 {
  return psGet32(PS_RECORDS);
}

export function clearRecords(): void {
  clear();
}

export function recordsAvailable(): u32 {
  return recordsFree();
}

export function messageLength(type: u32): u32 {
  return lengthOf(type);
}

export function recordsOnDemand(): u32 {
  return recordsOnDemandKept ? 1 : 0;
}
