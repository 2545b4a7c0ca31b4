// The tick record: one per delivered message, written by the feed parsers, read in place by
// TypeScript (src/feeds/tick.ts). Both import this file (valid AssemblyScript and TypeScript).
//
// Record (RECORD_SIZE bytes at RECORDS_BASE + i * RECORD_SIZE, little-endian):
//
//   offset  field        type  meaning
//   0       seq          u64   feed sequence number of the message (0 for unsequenced input)
//   8       exchangeTs   u64   exchange timestamp: ITCH ns since midnight, IEX ns since epoch
//   16      receiveTs    u64   receive timestamp, wall-clock ns: live, the XDP program's stamp of
//                                the frame at the driver (or the poll's time for a frame without
//                                it); from files, the capture's time of the packet
//
// The NIC's own timestamp, where there is one, has no room here: a parallel array (HWTS_BASE in
// layout.ts), TickView.hwReceiveTs.
//   24      orderId      u64   order reference (new reference for a replace)
//   32      matchId      u64   match number / trade id
//   40      refOrderId   u64   original order reference of a replace
//   48      price        i64   price as an integer, scaled by 10^priceScale (bid for a quote)
//   56      quantity     u64   shares (bid size for a quote, paired shares for an imbalance)
//   64      price2       i64   ask price (quote), near/indicative price (imbalance)
//   72      quantity2    u64   ask size (quote), imbalance shares
//   80      instrument   u32   ITCH stock locate; IEX: id from the symbol table (0: none)
//   84      msgOffset    u32   wasm address of the message itself (valid until the next batch)
//   88      msgLength    u16   its length
//   90      kind         u8    TICK_* below
//   91      side         u8    'B', 'S' (or the feed's own side char), 0 when none
//   92      msgType      u8    the message type byte
//   93      priceScale   u8    decimal places of price and price2
//   94      flags        u8    feed flags (ITCH printable, IEX sale condition / event flags)
//   95      status       u8    trading state, event code or halt action for STATUS/SYSTEM

export const RECORD_SIZE: u32 = 96;
export const R_SEQ: u32 = 0;
export const R_EXCHANGE_TS: u32 = 8;
export const R_RECEIVE_TS: u32 = 16;
export const R_ORDER_ID: u32 = 24;
export const R_MATCH_ID: u32 = 32;
export const R_REF_ORDER_ID: u32 = 40;
export const R_PRICE: u32 = 48;
export const R_QUANTITY: u32 = 56;
export const R_PRICE2: u32 = 64;
export const R_QUANTITY2: u32 = 72;
export const R_INSTRUMENT: u32 = 80;
export const R_MSG_OFFSET: u32 = 84;
export const R_MSG_LENGTH: u32 = 88;
export const R_KIND: u32 = 90;
export const R_SIDE: u32 = 91;
export const R_MSG_TYPE: u32 = 92;
export const R_PRICE_SCALE: u32 = 93;
export const R_FLAGS: u32 = 94;
export const R_STATUS: u32 = 95;

// Normalized tick kinds.
export const TICK_OTHER: u32 = 0; // a message with no normalized meaning (its full view has it all)
export const TICK_ADD: u32 = 1;
export const TICK_MODIFY: u32 = 2; // replace: refOrderId -> orderId with new price and quantity
export const TICK_CANCEL: u32 = 3; // partial cancel of quantity
export const TICK_DELETE: u32 = 4;
export const TICK_EXECUTE: u32 = 5; // order executed (quantity), at price if the message has one
export const TICK_TRADE: u32 = 6; // trade not against a displayed order (or a feed trade report)
export const TICK_QUOTE: u32 = 7; // best bid (price, quantity) and offer (price2, quantity2)
export const TICK_LEVEL: u32 = 8; // price level: side, price, aggregate quantity (0: removed)
export const TICK_STATUS: u32 = 9; // trading status or halt, in status
export const TICK_SYSTEM: u32 = 10; // system or security event, in status
export const TICK_DIRECTORY: u32 = 11; // instrument definition
export const TICK_BROKEN: u32 = 12; // trade break of matchId
export const TICK_IMBALANCE: u32 = 13; // auction / imbalance information
