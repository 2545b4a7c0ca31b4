// SoupBinTCP 4.0 logical packets: a 2-byte big-endian length (the bytes that follow it: the
// type byte and the payload), a 1-byte packet type, a payload. The types, who may send each,
// their payload lengths, and the encoders of the packets with fields.
//
//   sent by either     '+' Debug             text (variable)
//   sent by the server 'A' Login Accepted    session alpha 10, sequence number numeric 20 (the next message's)
//                      'J' Login Rejected    reason code alpha 1: 'A' not authorized, 'S' session not available
//                      'S' Sequenced Data    one message (variable)
//                      'H' Server Heartbeat  none
//                      'Z' End of Session    none
//   sent by the client 'L' Login Request     username alpha 6, password alpha 10, requested session alpha 10,
//                                            requested sequence number numeric 20
//                      'U' Unsequenced Data  one message (variable)
//                      'R' Client Heartbeat  none
//                      'O' Logout Request    none
//
// Alpha fields are ASCII, left-justified and padded with spaces on the right; numeric fields are
// ASCII digits, right-justified and padded with spaces on the left. Sessions are written as the
// Login Accepted packet gives them (padded on the left); they are read with the padding of
// either side trimmed, as are all fields. A blank requested session asks for the current one; a
// requested sequence number of 0 for the most recent message (1 for the session's first).

import { SoupError } from "./errors.js";

export const DEBUG = 0x2b; // '+'
export const LOGIN_ACCEPTED = 0x41; // 'A'
export const LOGIN_REJECTED = 0x4a; // 'J'
export const SEQUENCED_DATA = 0x53; // 'S'
export const SERVER_HEARTBEAT = 0x48; // 'H'
export const END_OF_SESSION = 0x5a; // 'Z'
export const LOGIN_REQUEST = 0x4c; // 'L'
export const UNSEQUENCED_DATA = 0x55; // 'U'
export const CLIENT_HEARTBEAT = 0x52; // 'R'
export const LOGOUT_REQUEST = 0x4f; // 'O'

export const USERNAME_WIDTH = 6;
export const PASSWORD_WIDTH = 10;
export const SESSION_WIDTH = 10;
export const SEQUENCE_WIDTH = 20;

/** Bytes before a packet's payload: the length (2) and the type (1). */
export const HEADER = 3;
/** The longest packet the length field can give: 65,535 bytes after the length. */
export const MAX_PACKET_LENGTH = 0xffff;

export const LOGIN_REQUEST_PAYLOAD = USERNAME_WIDTH + PASSWORD_WIDTH + SESSION_WIDTH + SEQUENCE_WIDTH;
export const LOGIN_ACCEPTED_PAYLOAD = SESSION_WIDTH + SEQUENCE_WIDTH;

/** Who sends a packet: the side whose decoder reads it is the other. */
export type Sender = "server" | "client";

/**
 * Payload length of each type a sender may send, by type byte: -1 variable, -2 not sent by that
 * side (a decoder refuses it as an unknown type).
 */
function table(entries: [number, number][]): Int32Array {
  const t = new Int32Array(256).fill(-2);
  for (const [type, len] of entries) t[type] = len;
  return t;
}
export const PAYLOADS: Readonly<Record<Sender, Int32Array>> = Object.freeze({
  server: table([[DEBUG, -1], [LOGIN_ACCEPTED, LOGIN_ACCEPTED_PAYLOAD], [LOGIN_REJECTED, 1], [SEQUENCED_DATA, -1], [SERVER_HEARTBEAT, 0], [END_OF_SESSION, 0]]),
  client: table([[DEBUG, -1], [LOGIN_REQUEST, LOGIN_REQUEST_PAYLOAD], [UNSEQUENCED_DATA, -1], [CLIENT_HEARTBEAT, 0], [LOGOUT_REQUEST, 0]]),
});

/** A packet type byte as the specification writes it, for messages: 'S' (0x53). */
export function typeName(type: number): string {
  return type >= 0x20 && type < 0x7f ? `'${String.fromCharCode(type)}' (0x${type.toString(16).padStart(2, "0")})` : `0x${type.toString(16).padStart(2, "0")}`;
}

/** A packet with no payload (heartbeats, End of Session, Logout Request): shared, never written to. */
const EMPTY = new Map<number, Uint8Array>();
export function emptyPacket(type: number): Uint8Array {
  let p = EMPTY.get(type);
  if (!p) {
    p = Uint8Array.of(0, 1, type);
    EMPTY.set(type, p);
  }
  return p;
}

/** A packet of the given type and payload, in a new buffer. */
export function packet(type: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (payload.length + 1 > MAX_PACKET_LENGTH) {
    throw new SoupError("ELENGTH", `a payload of ${payload.length} bytes does not fit a SoupBinTCP packet (at most ${MAX_PACKET_LENGTH - 1})`);
  }
  const out = new Uint8Array(HEADER + payload.length);
  out[0] = (payload.length + 1) >> 8;
  out[1] = (payload.length + 1) & 0xff;
  out[2] = type;
  out.set(payload, HEADER);
  return out;
}

/**
 * Writes a Sequenced Data (or other variable) packet carrying src[offset, offset + length) at
 * out[at ..]; returns the position after it. The caller leaves HEADER + length bytes of room.
 */
export function writePacket(out: Uint8Array, at: number, type: number, src: Uint8Array, offset: number, length: number): number {
  const n = length + 1;
  out[at] = n >> 8;
  out[at + 1] = n & 0xff;
  out[at + 2] = type;
  const to = at + HEADER;
  // Short messages (all of ITCH's) byte by byte: a subarray for set() would be an allocation each.
  if (length <= 64) for (let i = 0; i < length; i++) out[to + i] = src[offset + i];
  else out.set(src.subarray(offset, offset + length), to);
  return to + length;
}

function checkText(field: string, value: string, width: number): void {
  if (value.length > width) throw new SoupError("EFIELD", `the ${field} '${value}' is longer than its ${width}-character field; shorten it`);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new SoupError("EFIELD", `the ${field} ${JSON.stringify(value)} has a character that is not printable ASCII; SoupBinTCP fields are ASCII`);
  }
}

/** Alpha field: left-justified, spaces on the right. */
function putLeft(out: Uint8Array, at: number, width: number, value: string): void {
  for (let i = 0; i < width; i++) out[at + i] = i < value.length ? value.charCodeAt(i) : 0x20;
}

/** Right-justified, spaces on the left (numeric fields; sessions). */
function putRight(out: Uint8Array, at: number, width: number, value: string): void {
  const pad = width - value.length;
  for (let i = 0; i < width; i++) out[at + i] = i < pad ? 0x20 : value.charCodeAt(i - pad);
}

const MAX_SEQUENCE = 10n ** BigInt(SEQUENCE_WIDTH) - 1n;

function sequenceText(field: string, value: bigint | number): string {
  const v = typeof value === "bigint" ? value : Number.isSafeInteger(value) ? BigInt(value) : -1n;
  if (v < 0n || v > MAX_SEQUENCE) throw new SoupError("EFIELD", `the ${field} ${String(value)} is not an integer from 0 to ${MAX_SEQUENCE}`);
  return v.toString();
}

export interface LoginRequest {
  username: string;
  password: string;
  /** Blank (default): the current session. */
  session?: string;
  /** The next sequence number wanted (default 1: from the session's first message; 0: the most recent). */
  sequence?: bigint | number;
}

export function loginRequestPacket(l: LoginRequest): Uint8Array {
  const session = l.session ?? "";
  checkText("username", l.username, USERNAME_WIDTH);
  checkText("password", l.password, PASSWORD_WIDTH);
  checkText("session", session, SESSION_WIDTH);
  const seq = sequenceText("requested sequence number", l.sequence ?? 1);
  const p = packet(LOGIN_REQUEST, new Uint8Array(LOGIN_REQUEST_PAYLOAD));
  let at = HEADER;
  putLeft(p, at, USERNAME_WIDTH, l.username);
  putLeft(p, (at += USERNAME_WIDTH), PASSWORD_WIDTH, l.password);
  putRight(p, (at += PASSWORD_WIDTH), SESSION_WIDTH, session.trim());
  putRight(p, (at += SESSION_WIDTH), SEQUENCE_WIDTH, seq);
  return p;
}

export function loginAcceptedPacket(session: string, sequence: bigint | number): Uint8Array {
  checkText("session", session, SESSION_WIDTH);
  const seq = sequenceText("sequence number", sequence);
  const p = packet(LOGIN_ACCEPTED, new Uint8Array(LOGIN_ACCEPTED_PAYLOAD));
  putRight(p, HEADER, SESSION_WIDTH, session.trim());
  putRight(p, HEADER + SESSION_WIDTH, SEQUENCE_WIDTH, seq);
  return p;
}

export function loginRejectedPacket(reason: "A" | "S"): Uint8Array {
  return packet(LOGIN_REJECTED, Uint8Array.of(reason.charCodeAt(0)));
}

export function debugPacket(text: string): Uint8Array {
  return packet(DEBUG, new TextEncoder().encode(text));
}

/** An alpha field's text with the padding of both sides trimmed. */
export function readText(buf: Uint8Array, at: number, width: number): string {
  let a = at;
  let b = at + width;
  while (a < b && buf[a] === 0x20) a++;
  while (b > a && buf[b - 1] === 0x20) b--;
  return String.fromCharCode(...buf.subarray(a, b));
}

/** A numeric field's value (spaces on either side; blank reads 0), or -1n when it is not a number. */
export function readNumber(buf: Uint8Array, at: number, width: number): bigint {
  let v = 0n;
  let digits = 0;
  let i = at;
  const end = at + width;
  while (i < end && buf[i] === 0x20) i++;
  for (; i < end && buf[i] >= 0x30 && buf[i] <= 0x39; i++, digits++) v = v * 10n + BigInt(buf[i] - 0x30);
  while (i < end && buf[i] === 0x20) i++;
  return i === end ? v : -1n;
}

export interface LoginFields {
  username: string;
  password: string;
  /** The requested session, trimmed ("" asks for the current one). */
  session: string;
  /** The requested sequence number (-1n when the field is no number). */
  sequence: bigint;
}

/** The fields of a Login Request payload at buf[at ..]. */
export function readLoginRequest(buf: Uint8Array, at: number): LoginFields {
  return {
    username: readText(buf, at, USERNAME_WIDTH),
    password: readText(buf, at + USERNAME_WIDTH, PASSWORD_WIDTH),
    session: readText(buf, at + USERNAME_WIDTH + PASSWORD_WIDTH, SESSION_WIDTH),
    sequence: readNumber(buf, at + USERNAME_WIDTH + PASSWORD_WIDTH + SESSION_WIDTH, SEQUENCE_WIDTH),
  };
}
