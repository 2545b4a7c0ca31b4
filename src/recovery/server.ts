// The other side of retransmission, for tests, demos and labs: the messages a publisher has sent,
// by sequence number, and a UDP server answering MoldUDP64 retransmission requests from them with
// ordinary MoldUDP64 packets to the requester's address. Requests for another session, for
// nothing, or beyond what was sent are counted and get no answer (as a real server's limit would).

import dgram from "node:dgram";
import { once } from "node:events";
import { decodeRequest, forEachBlock, MOLD_HEADER } from "./moldudp64.js";

/** Every message of one MoldUDP64 session sent so far, by sequence number (from `first`). */
export class MoldStore {
  readonly session: Uint8Array;
  readonly first: number;
  readonly #messages: Uint8Array[] = [];

  constructor(session: Uint8Array, first = 1) {
    this.session = session;
    this.first = first;
  }

  /** Sequence number of the next message added. */
  get next(): number {
    return this.first + this.#messages.length;
  }

  /** Adds the messages of a MoldUDP64 packet's blocks (they are copied). */
  addPacket(payload: Uint8Array): void {
    forEachBlock(payload, (at, len) => this.#messages.push(payload.slice(at, at + len)));
  }

  /** MoldUDP64 packets of at most maxPayload bytes holding messages [seq, seq + count) that were sent. */
  packets(seq: number, count: number, maxPayload = 1400): Uint8Array[] {
    const out: Uint8Array[] = [];
    const end = Math.min(seq + count, this.next);
    let i = Math.max(seq, this.first);
    while (i < end) {
      const first = i;
      let bytes = MOLD_HEADER;
      while (i < end && bytes + 2 + this.#messages[i - this.first].length <= maxPayload) bytes += 2 + this.#messages[i++ - this.first].length;
      if (i === first) bytes += 2 + this.#messages[i++ - this.first].length; // one message longer than maxPayload
      const pkt = new Uint8Array(bytes);
      pkt.set(this.session, 0);
      const v = new DataView(pkt.buffer);
      v.setBigUint64(10, BigInt(first));
      v.setUint16(18, i - first);
      let p = MOLD_HEADER;
      for (let k = first; k < i; k++) {
        const m = this.#messages[k - this.first];
        v.setUint16(p, m.length);
        pkt.set(m, p + 2);
        p += 2 + m.length;
      }
      out.push(pkt);
    }
    return out;
  }
}

export interface RetransmissionServerStats {
  requests: number;
  /** Requests answered with at least one packet. */
  answered: number;
  /** Requests not answered: another session, malformed, or nothing of them sent yet. */
  refused: number;
  packets: number;
  messages: number;
}

/** Answers retransmission requests on a UDP port from a MoldStore. */
export class RetransmissionServer {
  readonly stats: RetransmissionServerStats = { requests: 0, answered: 0, refused: 0, packets: 0, messages: 0 };
  readonly #socket: dgram.Socket;
  readonly #store: MoldStore;
  readonly #requestMax: number;

  private constructor(socket: dgram.Socket, store: MoldStore, requestMax: number) {
    this.#socket = socket;
    this.#store = store;
    this.#requestMax = requestMax;
    socket.on("message", (msg, from) => this.#answer(msg, from));
  }

  /** Binds address:port (0: a free port) and answers from the store; at most requestMax messages a request. */
  static async listen(store: MoldStore, port: number, address = "0.0.0.0", requestMax = 65534): Promise<RetransmissionServer> {
    const socket = dgram.createSocket({ type: "udp4" });
    socket.bind(port, address);
    await once(socket, "listening");
    return new RetransmissionServer(socket, store, requestMax);
  }

  get port(): number {
    return this.#socket.address().port;
  }

  #answer(msg: Buffer, from: dgram.RemoteInfo): void {
    this.stats.requests++;
    const r = decodeRequest(msg);
    const store = this.#store;
    if (r === null || r.count === 0 || !r.session.every((b, i) => b === store.session[i]) || r.seq >= BigInt(store.next)) {
      this.stats.refused++;
      return;
    }
    const packets = store.packets(Number(r.seq), Math.min(r.count, this.#requestMax));
    this.stats.answered++;
    for (const p of packets) {
      this.stats.packets++;
      this.stats.messages += (p[18] << 8) | p[19];
      this.#socket.send(p, from.port, from.address);
    }
  }

  async close(): Promise<void> {
    this.#socket.close();
    await once(this.#socket, "close");
  }
}
