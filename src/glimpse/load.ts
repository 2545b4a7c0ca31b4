// The client side of GLIMPSE 5.0: logs in to the snapshot server (current session, sequence
// number 1, as GLIMPSE requires), hands every snapshot message to the caller in batches, and
// resolves at End of Snapshot with the live sequence number the snapshot reflects; then logs out.
//
// Each batch is an InputChunk of bare ITCH 5.0 messages (End of Snapshot left out), valid during
// the call only, for the compiled parser:
//
//   const parser = new FeedParser(itch50);
//   const book = enableBook(parser);
//   const snap = await loadSnapshot({ host, port, user, password }, (chunk) => parser.parse(chunk, "messages", () => {}));
//   // the book now holds the snapshot; apply live messages with sequence > snap.sequence
//
// Every way it can fail is a SoupError: EREJECTED (with the reason), ECLOSED (the server closed
// or ended the session before End of Snapshot, with the messages received so far), EHEARTBEAT
// (the server went silent), ETIMEOUT (the whole load took longer than timeoutMs), ECONNECT, and
// the protocol errors of SoupClient. An exception thrown by onMessages ends the load with that
// exception. The connection is closed whichever way the load ends.

import type { InputChunk } from "../feeds/parser.js";
import { SoupClient, type SoupBatch } from "../soup/client.js";
import { SoupError } from "../soup/errors.js";
import { END_OF_SNAPSHOT, readEndOfSnapshot } from "./messages.js";

export interface SnapshotServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The whole load, from connecting to End of Snapshot (ms, default 60,000). */
  timeoutMs?: number;
  /** The server's silence that ends the load (ms, default 15,000: SoupBinTCP's). */
  heartbeatTimeoutMs?: number;
  /** The SoupBinTCP session (default blank: the current one). */
  session?: string;
  /** The longest packet accepted (default 16 KiB). */
  maxPacketLength?: number;
}

export interface SnapshotResult {
  /** The live sequence number the snapshot reflects (End of Snapshot's): apply live messages after it. */
  sequence: bigint;
  /** Snapshot messages handed to onMessages (End of Snapshot not counted). */
  messages: number;
  /** The SoupBinTCP session logged into. */
  session: string;
}

export function loadSnapshot(o: SnapshotServer, onMessages: (chunk: InputChunk) => void): Promise<SnapshotResult> {
  const timeoutMs = o.timeoutMs ?? 60_000;
  const heartbeat = o.heartbeatTimeoutMs ?? 15_000;
  const where = `${o.host}:${o.port}`;
  let client: SoupClient;
  try {
    client = new SoupClient({
      host: o.host, port: o.port, username: o.user, password: o.password, session: o.session, sequence: 1,
      timeoutMs: heartbeat, loginTimeoutMs: Math.min(timeoutMs, heartbeat), maxPacketLength: o.maxPacketLength,
    });
  } catch (e) {
    return Promise.reject(e);
  }
  let messages = 0;
  let settled = false;
  return new Promise<SnapshotResult>((resolve, reject) => {
    const timer = setTimeout(() => fail(new SoupError("ETIMEOUT",
      `the snapshot from ${where} did not end within ${timeoutMs} ms (${messages} messages so far); raise timeoutMs for a large book or a slow link`)), timeoutMs);
    const finish = (): void => {
      settled = true;
      clearTimeout(timer);
    };
    function fail(e: unknown): void {
      if (settled) return;
      finish();
      client.close();
      reject(e);
    }
    client.on("batch", (b: SoupBatch) => {
      if (settled) return;
      let end = -1;
      for (let i = 0; i < b.count; i++) {
        if (b.data[b.offsets[i]] === END_OF_SNAPSHOT) {
          end = i;
          break;
        }
      }
      const count = end < 0 ? b.count : end;
      try {
        if (count > 0) onMessages(count === b.count ? b : { data: b.data, count, offsets: b.offsets, lengths: b.lengths });
        messages += count;
        if (end < 0) return;
        const sequence = readEndOfSnapshot(b.data, b.offsets[end], b.lengths[end]);
        finish();
        client.logout();
        resolve({ sequence, messages, session: client.session });
      } catch (e) {
        fail(e);
      }
    });
    client.connect().catch(fail);
    client.done.then(
      () => fail(new SoupError("ECLOSED", `${where} ended the session after ${messages} snapshot messages without an End of Snapshot; the snapshot is incomplete, load it again`)),
      (e: SoupError) => fail(e.code === "ECLOSED" && client.session !== ""
        ? new SoupError("ECLOSED", `the connection to ${where} closed mid-snapshot after ${messages} messages; the snapshot is incomplete, load it again`, { cause: e })
        : e),
    );
  });
}
