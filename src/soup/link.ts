// One SoupBinTCP connection, either side: the socket, the packet decoder, our heartbeats and the
// watch on the peer's. A heartbeat goes out whenever we have sent nothing for heartbeatMs (the
// specification's second) once heartbeats are started; the link fails with EHEARTBEAT when
// nothing has come from the peer for timeoutMs (15 s by the specification). One timer per link,
// ticking at a quarter of the shorter period. The owner (client, server connection) gets each
// packet and, once, how the link ended.

import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { SoupError } from "./errors.js";
import { SoupDecoder, type OnPacket } from "./decoder.js";
import { emptyPacket, type Sender } from "./packets.js";

export interface LinkOptions {
  /** Who the peer is (the sender of what this link reads). */
  peer: Sender;
  /** Our heartbeat packet type ('R' for a client, 'H' for a server). */
  heartbeatType: number;
  /** Send a heartbeat after this long without sending (ms; 0: never). */
  heartbeatMs: number;
  /** Fail when nothing has come from the peer for this long (ms; 0: never). */
  timeoutMs: number;
  maxPacketLength?: number;
}

/** How a link ended: undefined when the owner ended it (end(), or the peer closed after the owner's finished()). */
export type OnClose = (error: SoupError | undefined) => void;

export class SoupLink {
  readonly socket: Socket;
  readonly decoder: SoupDecoder;
  readonly #o: LinkOptions;
  readonly #onClose: OnClose;
  readonly #heartbeat: Uint8Array;
  #timer: NodeJS.Timeout | undefined;
  #heartbeats = false;
  #finished = false;
  #closed = false;
  #error: SoupError | undefined;
  lastReceived = performance.now();
  lastSent = performance.now();
  /** Heartbeats sent. */
  heartbeatsSent = 0;

  constructor(socket: Socket, o: LinkOptions, onPacket: OnPacket, onClose: OnClose) {
    this.socket = socket;
    this.#o = o;
    this.#onClose = onClose;
    this.#heartbeat = emptyPacket(o.heartbeatType);
    this.decoder = new SoupDecoder({ from: o.peer, maxPacketLength: o.maxPacketLength }, onPacket);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      this.lastReceived = performance.now();
      const e = this.decoder.push(chunk);
      if (e) this.fail(e);
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      if (this.#finished) return; // a reset after the protocol's end: the close that follows reports it ended well
      this.fail(new SoupError("ECLOSED", `the connection to the ${o.peer} failed: ${err.code ?? err.message}`, { cause: err }));
    });
    socket.on("end", () => {
      // The peer closed its side: nothing more will come. Normal once the owner has seen the protocol's end.
      if (this.#finished) this.end();
      else this.fail(new SoupError("ECLOSED", `the ${o.peer} closed the connection before the end of the ${o.peer === "server" ? "session" : "login"}`));
    });
    socket.on("close", () => this.#closedNow());
    const periods = [o.heartbeatMs, o.timeoutMs].filter((x) => x > 0);
    if (periods.length > 0) {
      const tick = Math.max(5, Math.min(250, Math.min(...periods) / 4));
      this.#timer = setInterval(() => this.#tick(), tick);
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Starts sending heartbeats (a client once logged in; a server once it accepted the login). */
  startHeartbeats(): void {
    this.#heartbeats = this.#o.heartbeatMs > 0;
  }

  /** The protocol reached its end (End of Session, logout): the peer closing is no longer an error. */
  finished(): void {
    this.#finished = true;
  }

  /** Writes bytes; false when the socket's buffer is full (wait for "drain"). */
  send(bytes: Uint8Array): boolean {
    if (this.#closed || this.socket.destroyed) return false;
    this.lastSent = performance.now();
    return this.socket.write(bytes);
  }

  /** Ends the link normally: what was written is flushed, then the connection closes. */
  end(): void {
    if (this.#closed) return;
    this.#finished = true;
    this.decoder.stop();
    this.#stopTimer();
    this.socket.end();
    // A peer that never closes its side must not hold the socket open.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** Ends the link with an error: the connection is dropped at once. */
  fail(e: SoupError): void {
    if (this.#closed || this.#error) return;
    this.#error = e;
    this.decoder.stop();
    this.#stopTimer();
    this.socket.destroy();
    // "close" follows destroy(); report from there, once.
  }

  #tick(): void {
    const now = performance.now();
    // Paused by our reader (a consumer behind): the peer's silence is ours.
    if (this.socket.isPaused()) this.lastReceived = now;
    if (this.#o.timeoutMs > 0 && now - this.lastReceived > this.#o.timeoutMs) {
      this.fail(new SoupError("EHEARTBEAT",
        `nothing from the ${this.#o.peer} for ${Math.round(now - this.lastReceived)} ms (the heartbeat timeout is ${this.#o.timeoutMs} ms): ` +
        `the ${this.#o.peer} or the path to it stalled; reconnect, or raise the timeout if it is merely slow`));
      return;
    }
    if (this.#heartbeats && now - this.lastSent >= this.#o.heartbeatMs && this.socket.writableLength === 0) {
      this.heartbeatsSent++;
      this.send(this.#heartbeat);
    }
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #closedNow(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimer();
    this.decoder.stop();
    if (!this.#error && !this.#finished) {
      this.#error = new SoupError("ECLOSED", `the connection to the ${this.#o.peer} closed before the end of the ${this.#o.peer === "server" ? "session" : "login"}`);
    }
    this.#onClose(this.#error);
  }
}
