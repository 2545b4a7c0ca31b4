// xdpfeed/feeds: the compiled feed parsers and how to read what they produce.
export { itch50, iexTops, iexDeep, cmeMdp3, FEEDS, feedFromModule, type Feed } from "./feeds.js";
export { FeedParser, INPUT_CAPACITY, type FeedParserOptions, type InputChunk, type EntryKind, type ParserExports } from "./parser.js";
export type { RecordFilter } from "./record-filter.js";
export { FeedReceiver, type ReceiveTimestamps } from "./receiver.js";
export { TickView, TickKind, TICK_KIND_NAMES } from "./tick.js";
export { MessageView } from "./message.js";
export { IEX_TOPS16, IEX_DEEP10, type Schema, type MessageDef, type FieldDef, type FieldKind } from "./schema.js";
export { ITCH50_SCHEMA } from "./itch50-schema.js";
export { CME_MDP3_SCHEMA, CME_MDP3_SBE } from "./cme_mdp3-schema.js";
export { readSummary, type ParserSummary } from "./summary.js";
export { REJECT_REASONS } from "./reasons.js";
export { KernelFeedReceiver, type KernelFeedOptions, type KernelFeedStats } from "./kernel.js";
export { openFeed, XdpFeedSource, XDP_FALLBACK_CODES, type FeedSource, type FeedMode, type OpenFeedOptions } from "./open.js";
