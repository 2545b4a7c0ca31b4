// Feed module "iex_tops": IEX TOPS 1.6 over IEX-TP (message protocol id 0x8003).
// Message formats and their ticks: assembly/parse/iex.ts; the module's loops:
// assembly/parse/iex-feed.ts.

import { IexFeed, registerIex } from "../parse/iex-feed";
import { bookOn } from "../book/instruments";
import { bookTops } from "../book/levels";

export * from "../abi";
export * from "../parse/feed-abi";
export * from "../book/abi";

class Tops implements IexFeed {
  @inline protocol(): u32 { return 0x8003; }
  @inline deep(): bool { return false; }
  // The book (assembly/book/levels.ts), from the record just written, when enabled.
  @inline book(before: u32): void { if (bookOn()) bookTops(before); }
}

registerIex<Tops>();
