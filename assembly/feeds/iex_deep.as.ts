// Feed module "iex_deep": IEX DEEP 1.0 over IEX-TP (message protocol id 0x8004).
// Message formats and their ticks: assembly/parse/iex.ts; the module's loops:
// assembly/parse/iex-feed.ts.

import { IexFeed, registerIex } from "../parse/iex-feed";
import { bookOn } from "../book/instruments";
import { bookDeep } from "../book/levels";

export * from "../abi";
export * from "../parse/feed-abi";
export * from "../book/abi";

class Deep implements IexFeed {
  @inline protocol(): u32 { return 0x8004; }
  @inline deep(): bool { return true; }
  // The book (assembly/book/levels.ts), from the record just written, when enabled.
  @inline book(before: u32): void { if (bookOn()) bookDeep(before); }
}

registerIex<Deep>();
