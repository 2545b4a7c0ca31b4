// Feed module "iex_deep": IEX DEEP 1.0 over IEX-TP (message protocol id 0x8004).
// Message formats and their ticks: assembly/parse/iex.ts.

import { iexMessage, iexLength, IEX_MIN_BLOCK } from "../parse/iex";
import { iextpSegment, iextpPeek } from "../parse/iextp";
import { registerFeed } from "../parse/feed-registry";
import { tableMessages, tablePayloads } from "../parse/driver";
import { PS_RECORDS } from "../layout";
import { psGet32 } from "../parse/stats";
import { bookOn } from "../book/instruments";
import { bookDeep } from "../book/levels";

export * from "../abi";
export * from "../parse/feed-abi";
export * from "../book/abi";

const PROTOCOL: u32 = 0x8004;

// Inlined into the framing's loop (and the bare-message loop): no call per message.
@inline function onMessage(m: u32, len: u32, seq: u64): void {
  const before = psGet32(PS_RECORDS);
  iexMessage(m, len, seq, true);
  // The book (assembly/book/levels.ts), from the record just written, when enabled.
  if (bookOn()) bookDeep(before);
}

class Handler {
  @inline onMessage(m: u32, len: u32, seq: u64): void {
    onMessage(m, len, seq);
  }
}
const handler = new Handler();

class Framing {
  @inline onPayload(p: u32, len: u32): void {
    iextpSegment<Handler>(p, len, PROTOCOL, handler);
  }
}
const framing = new Framing();

function onPayload(p: u32, len: u32): void {
  framing.onPayload(p, len);
}

function messageLength(type: u32): u32 {
  return iexLength(type, true);
}

function peek(p: u32, len: u32): bool {
  return iextpPeek(p, len, PROTOCOL);
}

function onMessages(first: u32, n: u32, firstSeq: u64, perEntry: u32): u32 {
  return tableMessages<Handler>(first, n, firstSeq, perEntry, handler);
}

function onPayloads(first: u32, n: u32, line: u32): u32 {
  return tablePayloads<Framing>(first, n, line, IEX_MIN_BLOCK, framing, onPayload, peek);
}

registerFeed(onPayload, onPayloads, onMessages, messageLength, IEX_MIN_BLOCK, peek);
