// SoupBinTCP 4.0: the packet codec, the streaming decoder, the client and the server.
export { SoupError, REJECT_REASONS, type SoupErrorCode } from "./errors.js";
export {
  DEBUG, LOGIN_ACCEPTED, LOGIN_REJECTED, SEQUENCED_DATA, SERVER_HEARTBEAT, END_OF_SESSION, LOGIN_REQUEST, UNSEQUENCED_DATA,
  CLIENT_HEARTBEAT, LOGOUT_REQUEST, HEADER, MAX_PACKET_LENGTH, packet, emptyPacket, loginRequestPacket, loginAcceptedPacket,
  loginRejectedPacket, debugPacket, readLoginRequest, readNumber, readText, type LoginRequest, type LoginFields, type Sender,
} from "./packets.js";
export { SoupDecoder, DEFAULT_MAX_PACKET, type DecoderOptions, type OnPacket } from "./decoder.js";
export { SoupClient, type SoupClientOptions, type SoupBatch, type SoupEnd, type SoupClientEvents } from "./client.js";
export { SoupServer, type SoupServerOptions, type SoupServerStats, type SoupLogin, type Authorize, type SoupSource, type SoupServerEvents } from "./server.js";
