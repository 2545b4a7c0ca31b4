// xdpfeed/itchgen: the deterministic ITCH 5.0 session generator and its writers.
export { generateSession, summarizeSession, sessionMessages, forEachMessage, minSessionMessages, type SessionOptions, type SessionSummary } from "./itch-session.js";
export { moldFrames, moldPackets, pcapChunks, writePcap, itchFileChunks, writeItchFile, type MoldOptions, type PcapOptions } from "./itch-writers.js";
export { ITCH50, ITCH_TYPES, encode, encodeInto, type ItchMessage, type ItchType } from "./itch-encode.js";
export { Rng } from "./rng.js";
