// Book events and the bookBbo() result: written by the order books (assembly/book/), read in
// place by TypeScript (src/book/book.ts). Both import this file (valid AssemblyScript and
// TypeScript), so it holds plain integer constants only. Prices are i64 in the feed's units
// (ITCH price4 fits in u32, IEX prices are signed 64-bit), 0 when a side is empty.
//
// Book event (BOOK_EVENT_SIZE bytes at BK_EVENTS + k * BOOK_EVENT_SIZE, little-endian): one per
// message that changed an instrument's published best bid and offer (EV_BBO) or, when
// BK_DEPTH_EVENTS is on, a level among the best BK_DEPTH_N of a side (EV_DEPTH_BID, EV_DEPTH_ASK),
// written in message order. For IEX DEEP both are published when the price-level event completes,
// at the update that completes it.
// PS_BOOK_EVENTS counts them since the records were last cleared, so event k belongs to record
// recordIndex (non-decreasing in k) and the two streams interleave in order.
//
//   offset  field        type  meaning
//   0       recordIndex  u32   the tick record of the message that made the change
//   4       instrument   u32   ITCH stock locate, IEX symbol id
//   8       bidPx        i64   the published best bid price after the message
//   16      askPx        i64   best offer price
//   24      bidQty       u64   shares at the best bid, 0 when there is no bid
//   32      askQty       u64   shares at the best offer
//   40      flags        u32   EV_* below
//   44      (zero)       u32
//
// bookBbo(instrument) result at BOOK_CTL_BASE + BK_BBO + offset (the published BBO: for IEX DEEP,
// as of the last completed event; orders and levels are the book's current ones):
//
//   offset  field        type
//   0       bidPx        i64
//   8       askPx        i64
//   16      bidQty       u64
//   24      askQty       u64
//   32      bidOrders    u32   orders at the best bid (ITCH; 0 for price-level feeds)
//   36      askOrders    u32
//   40      bidLevels    u32   price levels on the bid side
//   44      askLevels    u32
//   48      flags        u32   BBO_REGISTERED, BBO_PENDING, BBO_QUOTED

export const BOOK_EVENT_SIZE: u32 = 48;
export const BE_RECORD: u32 = 0;
export const BE_INSTRUMENT: u32 = 4;
export const BE_BID_PX: u32 = 8;
export const BE_ASK_PX: u32 = 16;
export const BE_BID_QTY: u32 = 24;
export const BE_ASK_QTY: u32 = 32;
export const BE_FLAGS: u32 = 40;

// Event flags (BE_FLAGS): what the message changed.
export const EV_BBO: u32 = 1; // the published best bid or offer (price or quantity)
export const EV_DEPTH_BID: u32 = 2; // a level among the best BK_DEPTH_N bids
export const EV_DEPTH_ASK: u32 = 4; // a level among the best BK_DEPTH_N offers
export const EV_DEPTH: u32 = EV_DEPTH_BID | EV_DEPTH_ASK;

export const BBO_BID_PX: u32 = 0;
export const BBO_ASK_PX: u32 = 8;
export const BBO_BID_QTY: u32 = 16;
export const BBO_ASK_QTY: u32 = 24;
export const BBO_BID_ORDERS: u32 = 32;
export const BBO_ASK_ORDERS: u32 = 36;
export const BBO_BID_LEVELS: u32 = 40;
export const BBO_ASK_LEVELS: u32 = 44;
export const BBO_FLAGS: u32 = 48;
export const BBO_SIZE: u32 = 56;

// Instrument flags (BBO_FLAGS).
export const BBO_REGISTERED: u32 = 1; // named by a directory message (ITCH R)
export const BBO_PENDING: u32 = 2; // IEX DEEP: an event is in progress, its BBO not yet published
export const BBO_QUOTED: u32 = 4; // IEX TOPS: the BBO comes from quote updates, not levels
export const BBO_MDP: u32 = 8; // CME MDP 3.0: levels by MDPriceLevel (assembly/book/mbp.ts); bookDepth reads them

// Sides, as bookDepth() takes them.
export const BOOK_BID: u32 = 0;
export const BOOK_ASK: u32 = 1;

// bookCheck() results: 0 when every invariant holds, else the first one found broken.
export const CHECK_OK: u32 = 0;
export const CHECK_NO_BOOK: u32 = 1;
export const CHECK_LIST_LINKS: u32 = 2; // prev/next disagree, or a node of another instrument/side
export const CHECK_LIST_ORDER: u32 = 3; // prices not strictly best-first
export const CHECK_LEVEL_HASH: u32 = 4; // a listed level is not found by its key
export const CHECK_LEVEL_COUNT: u32 = 5; // levels listed disagree with the counts
export const CHECK_ORDER_HASH: u32 = 6; // a live order is not found by its reference from its home
export const CHECK_ORDER_LEVEL: u32 = 7; // an order's level node has another key
export const CHECK_ORDER_SUMS: u32 = 8; // level shares / orders disagree with their orders
export const CHECK_FREE_LISTS: u32 = 9; // free + live != used
export const CHECK_HASH_COUNT: u32 = 10; // hash entries disagree with the live counts
export const CHECK_PUBLISHED: u32 = 11; // a published BBO differs from the book (no event pending)
