// IEX TOPS 1.6 and DEEP 1.0 messages (little-endian; timestamps ns since the epoch; prices i64
// with 4 implied decimals; symbols 8 bytes space-padded). Both feeds share the formats; each
// accepts its own set of types. IEX may grow a message by appending fields, so a message at
// least its spec length is accepted and a shorter one counted as a bad length.
//
//   type  message                       min  feeds      tick
//   S     System Event                  10   both       SYSTEM (status = systemEvent)
//   D     Security Directory            31   both       DIRECTORY (quantity = roundLotSize, price = adjustedPocPrice)
//   H     Trading Status                22   both       STATUS (status = tradingStatus)
//   O     Operational Halt Status       18   both       STATUS (status = operationalHaltStatus)
//   P     Short Sale Price Test Status  19   both       OTHER (status = shortSalePriceTestStatus)
//   Q     Quote Update                  42   TOPS       QUOTE
//   T     Trade Report                  38   both       TRADE (matchId = tradeId)
//   X     Official Price                26   both       OTHER (status = priceType, price = officialPrice)
//   B     Trade Break                   38   both       BROKEN
//   A     Auction Information           80   both       IMBALANCE
//   E     Security Event                18   DEEP       SYSTEM (status = securityEvent)
//   8     Price Level Update, buy       30   DEEP       LEVEL (side B)
//   5     Price Level Update, sell      30   DEEP       LEVEL (side S)

import { REJ_UNKNOWN_TYPE, REJ_BAD_LENGTH } from "../layout";
import {
  TICK_OTHER, TICK_TRADE, TICK_QUOTE, TICK_LEVEL, TICK_STATUS, TICK_SYSTEM, TICK_DIRECTORY,
  TICK_BROKEN, TICK_IMBALANCE, R_MATCH_ID, R_QUANTITY, R_QUANTITY2, R_PRICE, R_PRICE2, R_FLAGS,
  R_STATUS, R_SIDE,
} from "../records";
import { le32, le64, sym8 } from "./bytes";
import { reject } from "./stats";
import { beginRecord, setU64, setU8 } from "./record";
import { symbolId } from "./symbols";

const P4: u32 = 4;
export const IEX_MIN_BLOCK: u32 = 12; // u16 length + the 10-byte system event

// Minimum length of each message type by its byte (0: not a type of that feed): one load.
const TOPS_LENGTHS = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 80, 38, 0, 31, 0, 0, 0, 22, 0, 0, 0, 0, 0, 0, 18,
  19, 42, 0, 10, 38, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);
const DEEP_LENGTHS = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 30, 0, 0, 30, 0, 0, 0, 0, 0, 0, 0,
  0, 80, 38, 0, 31, 18, 0, 0, 22, 0, 0, 0, 0, 0, 0, 18,
  19, 0, 0, 10, 38, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);

@inline export function iexLength(type: u32, deep: bool): u32 {
  return <u32>load<u8>((deep ? DEEP_LENGTHS : TOPS_LENGTHS) + (type & 0xff));
}

@inline export function iexMessage(m: u32, len: u32, seq: u64, deep: bool): void {
  const type = <u32>load<u8>(m);
  const need = iexLength(type, deep);
  if (need == 0) {
    reject(REJ_UNKNOWN_TYPE);
    return;
  }
  if (len < need) {
    reject(REJ_BAD_LENGTH);
    return;
  }
  const ts = le64(m + 2);
  const flag = <u32>load<u8>(m, 1);
  if (type == 0x53) {
    const r = beginRecord(m, len, seq, type, TICK_SYSTEM, ts, 0, P4);
    setU8(r, R_STATUS, flag);
    return;
  }
  const inst = symbolId(sym8(m + 10));
  let r: u32;
  switch (type) {
    case 0x51: // Q: flags, bidSize, bidPrice, askPrice, askSize
      r = beginRecord(m, len, seq, type, TICK_QUOTE, ts, inst, P4);
      setU8(r, R_FLAGS, flag);
      setU64(r, R_QUANTITY, le32(m + 18));
      setU64(r, R_PRICE, le64(m + 22));
      setU64(r, R_PRICE2, le64(m + 30));
      setU64(r, R_QUANTITY2, le32(m + 38));
      break;
    case 0x38: // 8 / 5: eventFlags, size, price
    case 0x35:
      r = beginRecord(m, len, seq, type, TICK_LEVEL, ts, inst, P4);
      setU8(r, R_FLAGS, flag);
      setU8(r, R_SIDE, type == 0x38 ? 0x42 : 0x53);
      setU64(r, R_QUANTITY, le32(m + 18));
      setU64(r, R_PRICE, le64(m + 22));
      break;
    case 0x54: // T / B: saleConditionFlags, size, price, tradeId
    case 0x42:
      r = beginRecord(m, len, seq, type, type == 0x54 ? TICK_TRADE : TICK_BROKEN, ts, inst, P4);
      setU8(r, R_FLAGS, flag);
      setU64(r, R_QUANTITY, le32(m + 18));
      setU64(r, R_PRICE, le64(m + 22));
      setU64(r, R_MATCH_ID, le64(m + 30));
      break;
    case 0x48: // H: tradingStatus, reason
    case 0x4f: // O: operationalHaltStatus
      r = beginRecord(m, len, seq, type, TICK_STATUS, ts, inst, P4);
      setU8(r, R_STATUS, flag);
      break;
    case 0x45: // E: securityEvent
      r = beginRecord(m, len, seq, type, TICK_SYSTEM, ts, inst, P4);
      setU8(r, R_STATUS, flag);
      break;
    case 0x44: // D: flags, roundLotSize, adjustedPocPrice, luldTier
      r = beginRecord(m, len, seq, type, TICK_DIRECTORY, ts, inst, P4);
      setU8(r, R_FLAGS, flag);
      setU64(r, R_QUANTITY, le32(m + 18));
      setU64(r, R_PRICE, le64(m + 22));
      break;
    case 0x58: // X: priceType, officialPrice
      r = beginRecord(m, len, seq, type, TICK_OTHER, ts, inst, P4);
      setU8(r, R_STATUS, flag);
      setU64(r, R_PRICE, le64(m + 18));
      break;
    case 0x41: // A: auctionType, pairedShares, referencePrice, indicativeClearingPrice, imbalanceShares, imbalanceSide, ...
      r = beginRecord(m, len, seq, type, TICK_IMBALANCE, ts, inst, P4);
      setU8(r, R_STATUS, flag);
      setU64(r, R_QUANTITY, le32(m + 18));
      setU64(r, R_PRICE, le64(m + 22));
      setU64(r, R_PRICE2, le64(m + 30));
      setU64(r, R_QUANTITY2, le32(m + 38));
      setU8(r, R_SIDE, load<u8>(m, 42));
      break;
    default: // P: shortSalePriceTestStatus, detail
      r = beginRecord(m, len, seq, type, TICK_OTHER, ts, inst, P4);
      setU8(r, R_STATUS, flag);
  }
}
