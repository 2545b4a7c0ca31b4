// A feed module's handlers, registered once at instantiation by its top-level code and called by
// the parser ABI (./feed-abi.ts). Kept out of feed-abi.ts, whose functions every module exports:
// registerFeed is for the module itself, not for JavaScript, which could otherwise replace the
// handlers with arbitrary table indices and make the next call_indirect trap.

import { PayloadHandler } from "./driver";
import { SequencePeek } from "./arbiter";
import { BatchHandler } from "../xsk";

export let payloadHandler: PayloadHandler = (p: u32, len: u32): void => {};
// Bare messages: batch-table entries [first, first + n) numbered from firstSeq, one message each
// (perEntry 0) or runs of length-prefixed messages (driver.ts tableMessages); returns entries parsed.
export type MessagesHandler = (first: u32, n: u32, firstSeq: u64, perEntry: u32) => u32;

export let messagesHandler: MessagesHandler = (first: u32, n: u32, firstSeq: u64, perEntry: u32): u32 => 0;
// UDP payloads: batch-table entries [first, first + n) from line 0 or 1; returns entries parsed.
export type PayloadsHandler = (first: u32, n: u32, line: u32) => u32;

export let payloadsHandler: PayloadsHandler = (first: u32, n: u32, line: u32): u32 => 0;
export let lengthOf: (type: u32) => u32 = (type: u32): u32 => 0;
export let minBlock: u32 = 1;
export let peekHandler: SequencePeek = (p: u32, len: u32): bool => false;

export function registerFeed(onPayload: PayloadHandler, onPayloads: PayloadsHandler, onMessages: MessagesHandler,
  length: (type: u32) => u32, smallestBlock: u32, peek: SequencePeek): void {
  payloadHandler = onPayload;
  payloadsHandler = onPayloads;
  messagesHandler = onMessages;
  lengthOf = length;
  minBlock = smallestBlock;
  peekHandler = peek;
}

// Whether the module writes records on demand (PS_RECORDS_ON_DEMAND, assembly/parse/record.ts):
// a module whose handler asks recordWanted() registers it.
export let recordsOnDemandKept: bool = false;

export function registerRecordsOnDemand(): void {
  recordsOnDemandKept = true;
}

// A module's own receive loop (assembly/xsk.ts rxBatchOf over driver.ts rxFrame): poll and run
// then make one indirect call per batch instead of one per frame (and their framing call is
// direct). A module without one is served by feed-abi.ts's loop over payloadHandler.
export let framesHandler: BatchHandler = (max: u32, keep: bool): i32 => 0;
export let framesRegistered: bool = false;

export function registerFrames(frames: BatchHandler): void {
  framesHandler = frames;
  framesRegistered = true;
}
