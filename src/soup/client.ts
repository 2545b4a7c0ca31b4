// The SoupBinTCP 4.0 client: logs in (username, password, requested session and sequence
// number), then receives the session's sequenced messages in batches until End of Session, a
// logout, or an error. Sends a Client Heartbeat whenever it has sent nothing for a second; fails
// with EHEARTBEAT when the server sends nothing (not even a heartbeat) for timeoutMs.
//
// Messages arrive as batches, each an InputChunk of bare messages (data, count, offsets, lengths)
// that a FeedParser parses as kind "messages": the messages of the packets decoded from one TCP
// chunk, copied into one reused buffer (nothing is allocated per message). A batch is valid
// during the "batch" event only; batches() hands out owned copies, pausing the socket while its
// consumer is behind.
//
//   const client = new SoupClient({ host, port, username, password });
//   client.on("batch", (b) => parser.parse(b, "messages", onRecords, Number(b.firstSequence)));
//   await client.connect();          // Login Accepted (or a SoupError: rejected, closed, timeout)
//   await client.done;               // "endOfSession" or "logout"; a SoupError otherwise

import { EventEmitter } from "node:events";
import { connect as netConnect, type Socket } from "node:net";
import type { InputChunk } from "../feeds/parser.js";
import { SoupError, rejectedError, connectError } from "./errors.js";
import { SoupLink } from "./link.js";
import {
  CLIENT_HEARTBEAT, DEBUG, END_OF_SESSION, LOGIN_ACCEPTED, LOGIN_REJECTED, LOGOUT_REQUEST, SEQUENCED_DATA,
  SERVER_HEARTBEAT, SESSION_WIDTH, SEQUENCE_WIDTH, UNSEQUENCED_DATA, emptyPacket, loginRequestPacket, packet, readNumber,
  readText, type LoginRequest,
} from "./packets.js";

export interface SoupClientOptions extends LoginRequest {
  host: string;
  port: number;
  /** Send a Client Heartbeat after this long without sending (ms, default 1000). */
  heartbeatMs?: number;
  /** Fail with EHEARTBEAT after this long without a packet from the server (ms, default 15,000). */
  timeoutMs?: number;
  /** Fail with ETIMEOUT when the login is not answered within this long of connecting (ms, default timeoutMs). */
  loginTimeoutMs?: number;
  /** The longest packet accepted (bytes after the length field, default 16 KiB, at most 65,535). */
  maxPacketLength?: number;
  /** Bytes of messages per batch at most (default 256 KiB). */
  batchBytes?: number;
}

/** Sequenced messages: an InputChunk of bare messages and the sequence number of its first. */
export interface SoupBatch extends InputChunk {
  offsets: Uint32Array;
  lengths: Uint32Array;
  firstSequence: bigint;
}

export type SoupEnd = "endOfSession" | "logout";

export interface SoupClientEvents {
  batch: [SoupBatch];
  debug: [string];
  end: [];
  error: [SoupError];
}

const BATCH_MESSAGES = 8192;
const QUEUE_HIGH = 8;

export class SoupClient extends EventEmitter<SoupClientEvents> {
  readonly options: Readonly<SoupClientOptions>;
  /** The session logged into (after connect()). */
  session = "";
  /** Resolves when the session ends normally; rejects with the SoupError that ended it otherwise. */
  readonly done: Promise<SoupEnd>;
  #resolve!: (how: SoupEnd) => void;
  #reject!: (e: SoupError) => void;
  #link: SoupLink | undefined;
  #loggedIn = false;
  #ended = false;
  #next = 0;
  #onLogin: ((e?: SoupError) => void) | undefined;
  // The batch being filled: messages copied into #buf at #offsets[i], #lengths[i].
  readonly #buf: Uint8Array;
  readonly #offsets = new Uint32Array(BATCH_MESSAGES);
  readonly #lengths = new Uint32Array(BATCH_MESSAGES);
  #count = 0;
  #used = 0;
  #first = 0;

  constructor(options: SoupClientOptions) {
    super();
    this.options = { heartbeatMs: 1000, timeoutMs: 15000, ...options };
    // Checked now: a bad field is the caller's, not the server's.
    loginRequestPacket(this.options);
    const bytes = options.batchBytes ?? 256 * 1024;
    this.#buf = new Uint8Array(Math.max(bytes, options.maxPacketLength ?? 16384));
    this.done = new Promise<SoupEnd>((res, rej) => {
      this.#resolve = res;
      this.#reject = rej;
    });
    this.done.catch(() => {}); // observed through done by whoever cares; never an unhandled rejection
  }

  /** The sequence number of the next message. */
  get nextSequence(): bigint {
    return BigInt(this.#next);
  }

  /** Connects and logs in; resolves with the session and the sequence number of the next message. */
  connect(): Promise<{ session: string; sequence: bigint }> {
    if (this.#link || this.#ended) return Promise.reject(new SoupError("EORDER", "connect() was called twice; make a new SoupClient to connect again"));
    const o = this.options;
    return new Promise((resolve, reject) => {
      const socket: Socket = netConnect({ host: o.host, port: o.port });
      const loginMs = o.loginTimeoutMs ?? o.timeoutMs!;
      const timer = setTimeout(() => this.#finish(new SoupError("ETIMEOUT",
        `no answer to the login from ${o.host}:${o.port} within ${loginMs} ms; is it a SoupBinTCP server?`)), loginMs);
      this.#onLogin = (e) => {
        clearTimeout(timer);
        this.#onLogin = undefined;
        if (e) reject(e);
        else resolve({ session: this.session, sequence: BigInt(this.#next) });
      };
      let connected = false;
      socket.once("connect", () => {
        connected = true;
        socket.write(loginRequestPacket(o));
      });
      // Before the link's own listener: a connection that never opened is ECONNECT, not ECLOSED.
      socket.once("error", (err) => {
        if (!connected) this.#finish(connectError(o.host, o.port, err));
      });
      this.#link = new SoupLink(socket, { peer: "server", heartbeatType: CLIENT_HEARTBEAT, heartbeatMs: o.heartbeatMs!, timeoutMs: o.timeoutMs!, maxPacketLength: o.maxPacketLength },
        (type, buf, off, len) => this.#packet(type, buf, off, len),
        (e) => this.#finish(e ?? (this.#loggedIn ? undefined : new SoupError("ECLOSED", `${o.host}:${o.port} closed the connection before answering the login`))));
      // After the link's own "data" listener has decoded the chunk: hand out what it filled.
      socket.on("data", () => this.#flush());
    });
  }

  /** Sends a message as Unsequenced Data. */
  send(message: Uint8Array): void {
    if (!this.#loggedIn || this.#ended) throw new SoupError("EORDER", "send() before the login was accepted or after the session ended");
    this.#link!.send(packet(UNSEQUENCED_DATA, message));
  }

  /** Logs out: sends a Logout Request and closes; done resolves "logout". */
  logout(): void {
    if (this.#ended || !this.#link) return;
    this.#flush();
    this.#link.send(emptyPacket(LOGOUT_REQUEST));
    this.#finish(undefined, "logout");
  }

  /** Drops the connection at once (done rejects with ECLOSED unless the session had ended). */
  close(): void {
    this.#finish(new SoupError("ECLOSED", "the client closed the connection"));
  }

  /**
   * Batches as owned copies, from this call until the session ends (call it before connect() to
   * miss none); the iterator returns how the session ended or throws its SoupError.
   */
  batches(): AsyncGenerator<SoupBatch, SoupEnd, undefined> {
    const queue: SoupBatch[] = [];
    let wake: (() => void) | undefined;
    let over = false;
    const onBatch = (b: SoupBatch): void => {
      const end = b.count ? b.offsets[b.count - 1] + b.lengths[b.count - 1] : 0;
      queue.push({ data: b.data.slice(0, end), count: b.count, offsets: b.offsets.slice(0, b.count), lengths: b.lengths.slice(0, b.count), firstSequence: b.firstSequence });
      if (queue.length >= QUEUE_HIGH) this.#link?.socket.pause();
      wake?.();
    };
    // Listening from now, not from the first next(): a generator's body runs only then.
    this.on("batch", onBatch);
    this.done.then(() => {}, () => {}).finally(() => {
      over = true;
      wake?.();
    });
    const self = this;
    return (async function* () {
      try {
        for (;;) {
          if (queue.length > 0) {
            const b = queue.shift()!;
            if (queue.length < QUEUE_HIGH / 2) self.#link?.socket.resume();
            yield b;
          } else if (over) {
            return await self.done;
          } else {
            await new Promise<void>((r) => (wake = r));
            wake = undefined;
          }
        }
      } finally {
        self.off("batch", onBatch);
        self.#link?.socket.resume();
      }
    })();
  }

  #packet(type: number, buf: Uint8Array, off: number, len: number): void {
    if (type === SEQUENCED_DATA) {
      if (!this.#loggedIn) return this.#protocol(`a Sequenced Data packet before the login was accepted`);
      if (this.#count === BATCH_MESSAGES || this.#used + len > this.#buf.length) this.#flush();
      if (this.#count === 0) this.#first = this.#next;
      const b = this.#buf;
      const at = this.#used;
      // Short messages (all of ITCH's) byte by byte: a subarray for set() would be an allocation each.
      if (len <= 64) for (let i = 0; i < len; i++) b[at + i] = buf[off + i];
      else b.set(buf.subarray(off, off + len), at);
      this.#offsets[this.#count] = at;
      this.#lengths[this.#count] = len;
      this.#count++;
      this.#used = at + len;
      this.#next++;
      return;
    }
    this.#flush();
    switch (type) {
      case SERVER_HEARTBEAT:
        return;
      case LOGIN_ACCEPTED: {
        if (this.#loggedIn) return this.#protocol("a second Login Accepted packet");
        const seq = readNumber(buf, off + SESSION_WIDTH, SEQUENCE_WIDTH);
        if (seq < 0n) return this.#finish(new SoupError("EFIELD", `the Login Accepted packet's sequence number ${JSON.stringify(readText(buf, off + SESSION_WIDTH, SEQUENCE_WIDTH))} is not a number`));
        this.session = readText(buf, off, SESSION_WIDTH);
        this.#next = Number(seq);
        this.#loggedIn = true;
        this.#link!.startHeartbeats();
        this.#onLogin?.();
        return;
      }
      case LOGIN_REJECTED:
        if (this.#loggedIn) return this.#protocol("a Login Rejected packet after the login was accepted");
        return this.#finish(rejectedError(String.fromCharCode(buf[off]), this.options.username, this.options.session ?? ""));
      case END_OF_SESSION:
        if (!this.#loggedIn) return this.#protocol("End of Session before the login was answered");
        this.emit("end");
        return this.#finish(undefined, "endOfSession");
      case DEBUG:
        this.emit("debug", new TextDecoder().decode(buf.subarray(off, off + len)));
        return;
    }
  }

  #protocol(what: string): void {
    this.#finish(new SoupError("EORDER", `${what} from ${this.options.host}:${this.options.port}: the server does not follow SoupBinTCP 4.0`));
  }

  // Hands out the batch being filled, if any.
  #flush(): void {
    if (this.#count === 0) return;
    const batch: SoupBatch = {
      data: this.#buf, count: this.#count, offsets: this.#offsets, lengths: this.#lengths, firstSequence: BigInt(this.#first),
    };
    this.#count = 0;
    this.#used = 0;
    this.emit("batch", batch);
  }

  // Ends the client once: normally (how) or with an error.
  #finish(e: SoupError | undefined, how: SoupEnd = "endOfSession"): void {
    if (this.#ended) return;
    if (!e) this.#flush();
    this.#ended = true;
    const link = this.#link;
    if (e) {
      link?.fail(e);
      this.#onLogin?.(e);
      if (this.listenerCount("error") > 0) this.emit("error", e);
      this.#reject(e);
    } else {
      link?.finished();
      link?.end();
      this.#resolve(how);
    }
  }
}
