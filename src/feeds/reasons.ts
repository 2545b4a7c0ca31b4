// Names of the rejection reasons counted by the parsers (REJ_* in assembly/layout.ts), as they
// appear in summaries, plus reasons counted on the TypeScript side.
import * as L from "../../assembly/layout.js";

export const REJECT_REASONS: Record<number, string> = {
  [L.REJ_FRAME_SHORT]: "frameTooShort",
  [L.REJ_NOT_IP]: "notIp",
  [L.REJ_NOT_UDP]: "notUdp",
  [L.REJ_IP_FRAGMENT]: "ipFragment",
  [L.REJ_BAD_IP_LENGTH]: "badIpLength",
  [L.REJ_OTHER_PORT]: "otherPort",
  [L.REJ_SESSION_SHORT]: "sessionHeaderTooShort",
  [L.REJ_COUNT_OVERRUN]: "countOverrun",
  [L.REJ_LENGTH_OVERRUN]: "lengthOverrun",
  [L.REJ_ZERO_LENGTH]: "zeroLength",
  [L.REJ_UNKNOWN_TYPE]: "unknownType",
  [L.REJ_BAD_LENGTH]: "badLength",
  [L.REJ_PROTOCOL]: "otherProtocol",
  [L.REJ_TRAILING]: "trailingBytes",
  [L.REJ_TRUNCATED]: "truncated",
  [L.REJ_OVERSIZED]: "oversized",
  [L.REJ_RECORDS_FULL]: "recordsFull",
};
