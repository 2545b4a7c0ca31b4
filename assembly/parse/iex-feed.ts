// The IEX feed modules (assembly/feeds/iex_tops.as.ts, iex_deep.as.ts), one source: IEX-TP
// segments (./iextp.ts) of IEX messages (./iex.ts), each message followed by the module's book
// hook. A module states what differs -- its message protocol id, its message set, its hook -- as
// the @inline methods of a class (IexFeed below) and calls registerIex<ThatClass>() once, at
// instantiation: the message handler, the framing and the functions registered with
// registerFeed() (./feed-registry.ts) are instantiated for that class, its constants folded in.
//
// AssemblyScript cannot call static members through a type parameter, so those methods are
// instance methods, and so are the handler's and the framing's, which the generic loops take an
// instance of (./blocks.ts, ./driver.ts). None of these classes has fields and every method is
// @inline, reading nothing of `this`: they are called on stateless<T>(), a null reference of the
// type, so no object is allocated or loaded.

import { PS_RECORDS } from "../layout";
import { iexMessage, iexLength, IEX_MIN_BLOCK } from "./iex";
import { iextpSegment, iextpPeek } from "./iextp";
import { registerFeed, payloadHandler, peekHandler } from "./feed-registry";
import { tableMessages, tablePayloads } from "./driver";
import { psGet32 } from "./stats";

// What an IEX feed module supplies: a class without fields whose methods are all @inline.
export interface IexFeed {
  // The messageProtocolId its IEX-TP segments carry (0x8003 TOPS 1.6, 0x8004 DEEP 1.0).
  protocol(): u32;
  // Whether it takes DEEP's message types (else TOPS's; ./iex.ts).
  deep(): bool;
  // After each message, with the record count before it: the index of the record the message
  // wrote, if it wrote one (the book hooks read it).
  book(before: u32): void;
}

// A reference of type T for calling methods that read nothing of `this` (see above).
@inline function stateless<T>(): T {
  return changetype<T>(0);
}

// The message handler (Messages, ./blocks.ts) and framing (Payloads, ./driver.ts) of feed F:
// inlined into the framing's loop (and the bare-message loop), no call per message.
class Iex<F extends IexFeed> {
  @inline onMessage(m: u32, len: u32, seq: u64): void {
    const before = psGet32(PS_RECORDS);
    iexMessage(m, len, seq, stateless<F>().deep());
    stateless<F>().book(before);
  }

  @inline onPayload(p: u32, len: u32): void {
    iextpSegment<Iex<F>>(p, len, stateless<F>().protocol(), this);
  }
}

// Registers feed F's loops as the module's (./feed-registry.ts). The payload loop hands what A/B
// arbitration releases to the registered framing and peek (payloadHandler, peekHandler: the first
// and last functions below), as feed-abi.ts does for frames.
export function registerIex<F extends IexFeed>(): void {
  registerFeed(
    (p: u32, len: u32): void => {
      stateless<Iex<F>>().onPayload(p, len);
    },
    (first: u32, n: u32, line: u32): u32 => tablePayloads<Iex<F>>(first, n, line, IEX_MIN_BLOCK,
      stateless<Iex<F>>(), payloadHandler, peekHandler),
    (first: u32, n: u32, firstSeq: u64, perEntry: u32): u32 =>
      tableMessages<Iex<F>>(first, n, firstSeq, perEntry, stateless<Iex<F>>()),
    (type: u32): u32 => iexLength(type, stateless<F>().deep()),
    IEX_MIN_BLOCK,
    (p: u32, len: u32): bool => iextpPeek(p, len, stateless<F>().protocol()),
  );
}
