// The SoupBinTCP 4.0 server: accepts logins through a check the owner gives (Login Rejected 'A'
// when it refuses, 'S' for a session it does not have), then sends the session's messages from a
// source as Sequenced Data, from the sequence number the client asked for, with Server
// Heartbeats whenever it has sent nothing for a second, and End of Session when the source ends.
// A client that sends nothing for timeoutMs (no heartbeat), or anything outside SoupBinTCP 4.0
// (an unknown type, a bad length, data before its login), is dropped and counted; it never
// affects other connections.
//
// The source is called once per accepted login and gives the session's messages from its first
// (sequence number 1): one message per item (framing "message"), or chunks of messages each
// preceded by its length as a u16 big-endian (framing "prefixed": NASDAQ's binary ITCH files,
// generateSession's chunks). An item is copied out before the next is asked for, so a source may
// reuse its buffer. The server writes up to 64 KiB of packets at a time and waits for the socket
// to drain, so a slow client holds its own connection back, nobody else's.

import { EventEmitter } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { SoupError } from "./errors.js";
import { SoupLink } from "./link.js";
import {
  DEBUG, END_OF_SESSION, HEADER, LOGIN_REQUEST, LOGOUT_REQUEST, CLIENT_HEARTBEAT, SEQUENCED_DATA, SERVER_HEARTBEAT,
  UNSEQUENCED_DATA, emptyPacket, loginAcceptedPacket, loginRejectedPacket, readLoginRequest, typeName,
} from "./packets.js";

export interface SoupLogin {
  username: string;
  password: string;
  /** The requested session, trimmed ("": the current one). */
  session: string;
  /** The requested sequence number (0: the most recent, served as 1 here). */
  sequence: bigint;
  /** The client's address and port. */
  remote: string;
}

/** true: accept; false or "A": reject as not authorized; "S": reject as session not available. */
export type Authorize = (login: SoupLogin) => boolean | "A" | "S" | Promise<boolean | "A" | "S">;

export type SoupSource = Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

export interface SoupServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port (see SoupServer.port). */
  port?: number;
  /** The session's name, at most 10 characters. */
  session: string;
  authorize: Authorize;
  /** The session's messages for one accepted login, from sequence number 1. */
  source: (login: SoupLogin) => SoupSource;
  /** How the source's items hold messages (default "message"). */
  framing?: "message" | "prefixed";
  /** Send End of Session, then close, when the source ends (default true). */
  endOfSession?: boolean;
  /** Send a Server Heartbeat after this long without sending (ms, default 1000). */
  heartbeatMs?: number;
  /** Drop a client that sends nothing (not even a heartbeat) for this long (ms, default 15,000). */
  timeoutMs?: number;
  /** The longest packet accepted from a client (bytes after the length field, default 16 KiB). */
  maxPacketLength?: number;
  /** Unsequenced Data from a logged-in client. */
  onUnsequenced?: (message: Uint8Array, login: SoupLogin) => void;
}

export interface SoupServerStats {
  connections: number;
  logins: number;
  rejected: number;
  /** Sessions sent to their end (End of Session written). */
  completed: number;
  logouts: number;
  messagesSent: number;
  /** Connections dropped for what the client did, by SoupError code (EHEARTBEAT, ETYPE, ELENGTH, EORDER, EFIELD, ECLOSED). */
  clientErrors: Record<string, number>;
  /** Sources that threw. */
  sourceErrors: number;
}

export interface SoupServerEvents {
  login: [SoupLogin, boolean];
  clientError: [SoupError, SoupLogin | undefined];
  sourceError: [unknown];
}

const WRITE_BYTES = 64 * 1024;
/** The longest message a Sequenced Data packet carries (the length field counts the type byte too). */
const MAX_MESSAGE = 0xffff - 1;
/** Yield to the event loop after this many bytes written without waiting. */
const YIELD_BYTES = 1 << 20;

export class SoupServer extends EventEmitter<SoupServerEvents> {
  readonly options: Readonly<SoupServerOptions>;
  readonly stats: SoupServerStats = { connections: 0, logins: 0, rejected: 0, completed: 0, logouts: 0, messagesSent: 0, clientErrors: {}, sourceErrors: 0 };
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  /** Links the server itself dropped (its source failed): not the client's doing. */
  readonly #dropped = new WeakSet<SoupLink>();
  #port = 0;

  private constructor(options: SoupServerOptions) {
    super();
    loginAcceptedPacket(options.session, 1); // the session name is checked now
    this.options = { host: "127.0.0.1", port: 0, framing: "message", endOfSession: true, heartbeatMs: 1000, timeoutMs: 15000, ...options };
    this.#server = createServer((socket) => this.#accept(socket));
  }

  /** A server listening on options.host:options.port. */
  static async listen(options: SoupServerOptions): Promise<SoupServer> {
    const s = new SoupServer(options);
    await new Promise<void>((resolve, reject) => {
      s.#server.once("error", reject);
      s.#server.listen(s.options.port, s.options.host, () => {
        s.#server.off("error", reject);
        resolve();
      });
    });
    const a = s.#server.address();
    s.#port = typeof a === "object" && a ? a.port : 0;
    return s;
  }

  get host(): string {
    return this.options.host!;
  }

  get port(): number {
    return this.#port;
  }

  /** Connections open now. */
  get connections(): number {
    return this.#sockets.size;
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    this.stats.connections++;
    this.#sockets.add(socket);
    socket.once("close", () => this.#sockets.delete(socket));
    const o = this.options;
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    let login: SoupLogin | undefined;
    let answering = false;
    const link: SoupLink = new SoupLink(socket,
      { peer: "client", heartbeatType: SERVER_HEARTBEAT, heartbeatMs: o.heartbeatMs!, timeoutMs: o.timeoutMs!, maxPacketLength: o.maxPacketLength },
      (type, buf, off, len) => {
        switch (type) {
          case CLIENT_HEARTBEAT:
          case DEBUG:
            return;
          case LOGIN_REQUEST: {
            if (login || answering) return link.fail(new SoupError("EORDER", `a second Login Request from ${remote}`));
            answering = true;
            const f = readLoginRequest(buf, off);
            const l: SoupLogin = { ...f, remote };
            if (f.sequence < 0n) return link.fail(new SoupError("EFIELD", `the requested sequence number from ${remote} is not a number`));
            void this.#answer(link, l, (ok) => {
              if (ok) login = l;
            });
            return;
          }
          case UNSEQUENCED_DATA:
            if (!login) return link.fail(new SoupError("EORDER", `Unsequenced Data from ${remote} before its login was accepted`));
            o.onUnsequenced?.(buf.slice(off, off + len), login);
            return;
          case LOGOUT_REQUEST:
            if (!login) return link.fail(new SoupError("EORDER", `a Logout Request from ${remote} before its login was accepted`));
            this.stats.logouts++;
            link.end();
            return;
          default:
            return link.fail(new SoupError("ETYPE", `packet type ${typeName(type)} from ${remote}`));
        }
      },
      (e) => {
        if (!e || this.#dropped.has(link)) return;
        this.stats.clientErrors[e.code] = (this.stats.clientErrors[e.code] ?? 0) + 1;
        this.emit("clientError", e, login);
      });
  }

  async #answer(link: SoupLink, l: SoupLogin, loggedIn: (ok: boolean) => void): Promise<void> {
    const o = this.options;
    let verdict: boolean | "A" | "S";
    try {
      verdict = l.session !== "" && l.session !== o.session.trim() ? "S" : await o.authorize(l);
    } catch {
      verdict = "A";
    }
    if (link.closed) return;
    if (verdict !== true) {
      this.stats.rejected++;
      this.emit("login", l, false);
      link.send(loginRejectedPacket(verdict === "S" ? "S" : "A"));
      link.end();
      return;
    }
    const first = l.sequence === 0n ? 1n : l.sequence;
    this.stats.logins++;
    loggedIn(true);
    this.emit("login", l, true);
    link.send(loginAcceptedPacket(o.session, first));
    link.startHeartbeats();
    try {
      await this.#pump(link, o.source(l), first);
    } catch (err) {
      this.stats.sourceErrors++;
      this.emit("sourceError", err);
      this.#dropped.add(link);
      link.fail(new SoupError("ECLOSED", `the session's source failed: ${(err as Error)?.message ?? String(err)}`, { cause: err }));
      return;
    }
    if (link.closed) return;
    if (o.endOfSession) {
      link.send(emptyPacket(END_OF_SESSION));
      this.stats.completed++;
      link.end();
    }
  }

  // Sends the source's messages from sequence number `first` until it ends or the link closes.
  // A sync source is read without an await per item; the loop waits only to flush.
  async #pump(link: SoupLink, source: SoupSource, first: bigint): Promise<void> {
    let skip = Number(first - 1n);
    let buf = new Uint8Array(WRITE_BYTES);
    let used = 0;
    let sinceYield = 0;
    const flush = async (): Promise<void> => {
      if (used === 0) return;
      const full = !link.send(buf.subarray(0, used));
      sinceYield += used;
      buf = new Uint8Array(WRITE_BYTES); // the socket holds the last one until it is written
      used = 0;
      if (full) {
        await drained(link);
        sinceYield = 0;
      } else if (sinceYield >= YIELD_BYTES) {
        await new Promise((r) => setImmediate(r));
        sinceYield = 0;
      }
    };
    // One message into the buffer; false when it does not fit (flush, then again).
    const put = (src: Uint8Array, off: number, len: number): boolean => {
      if (len > MAX_MESSAGE) throw new RangeError(`a message of ${len} bytes is longer than a SoupBinTCP packet carries (${MAX_MESSAGE})`);
      if (skip > 0) {
        skip--;
        return true;
      }
      if (used + HEADER + len > buf.length) {
        if (used === 0) buf = new Uint8Array(HEADER + len); // longer than a write: a buffer of its own
        else return false;
      }
      writeSequenced(buf, used, src, off, len);
      used += HEADER + len;
      this.stats.messagesSent++;
      return true;
    };
    const prefixed = this.options.framing === "prefixed";
    // Item's messages from position p into the buffer: -1 when all went, else where the buffer filled.
    const fill = (item: Uint8Array, p: number): number => {
      if (!prefixed) return put(item, 0, item.length) ? -1 : 0;
      while (p + 2 <= item.length) {
        const len = (item[p] << 8) | item[p + 1];
        if (p + 2 + len > item.length) throw new RangeError(`a message at ${p} of a prefixed chunk runs past its end (length ${len})`);
        if (!put(item, p + 2, len)) return p;
        p += 2 + len;
      }
      if (p !== item.length) throw new RangeError(`a prefixed chunk ends with ${item.length - p} stray byte(s)`);
      return -1;
    };
    const each = async (item: Uint8Array): Promise<boolean> => {
      for (let p = fill(item, 0); p >= 0; p = fill(item, p)) {
        await flush();
        if (link.closed) return false;
      }
      return !link.closed;
    };
    if (typeof (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === "function") {
      for await (const item of source as AsyncIterable<Uint8Array>) if (!(await each(item))) return;
    } else {
      for (const item of source as Iterable<Uint8Array>) {
        if (link.closed) return;
        for (let p = fill(item, 0); p >= 0; p = fill(item, p)) {
          await flush();
          if (link.closed) return;
        }
      }
    }
    await flush();
  }
}

function writeSequenced(out: Uint8Array, at: number, src: Uint8Array, off: number, len: number): void {
  out[at] = (len + 1) >> 8;
  out[at + 1] = (len + 1) & 0xff;
  out[at + 2] = SEQUENCED_DATA;
  for (let i = 0; i < len; i++) out[at + HEADER + i] = src[off + i];
}

function drained(link: SoupLink): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      link.socket.off("drain", done);
      link.socket.off("close", done);
      resolve();
    };
    link.socket.on("drain", done);
    link.socket.on("close", done);
  });
}
