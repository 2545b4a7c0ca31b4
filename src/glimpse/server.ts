// A GLIMPSE 5.0 server: a SoupBinTCP server whose session is the snapshot of a SnapshotTracker
// taken when the client logs in (the tracker's messages, then End of Snapshot), followed by End
// of Session. A publisher applies every message it sends to the tracker and serves this on its
// snapshot port; a late receiver loads the snapshot (loadSnapshot) and applies the live feed
// from the sequence number after End of Snapshot's.
//
//   const tracker = new SnapshotTracker();
//   const glimpse = await GlimpseServer.listen({ tracker, port: 9001, users: { user1: "secret" } });
//   for each message sent: tracker.apply(message, offset, length);
//   ...
//   await glimpse.close();

import { SoupServer, type Authorize, type SoupServerStats } from "../soup/server.js";
import type { SnapshotTracker } from "./tracker.js";

export interface GlimpseServerOptions {
  tracker: SnapshotTracker;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port (see GlimpseServer.port). */
  port?: number;
  /** The SoupBinTCP session's name (default "GLIMPSE", at most 10 characters). */
  session?: string;
  /** Username to password; a login with any other pair is rejected as not authorized. */
  users?: Readonly<Record<string, string>>;
  /** A login check instead of users (see SoupServer). */
  authorize?: Authorize;
  /** Server Heartbeat period (ms, default 1000) and client heartbeat timeout (ms, default 15,000). */
  heartbeatMs?: number;
  timeoutMs?: number;
}

export class GlimpseServer {
  readonly soup: SoupServer;
  /** Snapshots served (one per accepted login). */
  snapshots = 0;

  private constructor(soup: SoupServer) {
    this.soup = soup;
  }

  static async listen(o: GlimpseServerOptions): Promise<GlimpseServer> {
    const { users, authorize } = o;
    if (!users === !authorize) throw new TypeError("GlimpseServer needs users or authorize (one of them)");
    let self: GlimpseServer | undefined;
    const soup = await SoupServer.listen({
      host: o.host, port: o.port, session: o.session ?? "GLIMPSE", heartbeatMs: o.heartbeatMs, timeoutMs: o.timeoutMs,
      authorize: authorize ?? ((l) => Object.prototype.hasOwnProperty.call(users, l.username) && users![l.username] === l.password),
      framing: "prefixed",
      source: () => {
        if (self) self.snapshots++;
        // Taken now, at the login: the tracker may change while the snapshot is sent.
        return o.tracker.snapshot().chunks;
      },
    });
    self = new GlimpseServer(soup);
    return self;
  }

  get host(): string {
    return this.soup.host;
  }

  get port(): number {
    return this.soup.port;
  }

  get stats(): SoupServerStats {
    return this.soup.stats;
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    return this.soup.close();
  }
}

/** Serves tracker's snapshot over GLIMPSE 5.0 (GlimpseServer.listen with the tracker). */
export function serveSnapshot(tracker: SnapshotTracker, o: Omit<GlimpseServerOptions, "tracker">): Promise<GlimpseServer> {
  return GlimpseServer.listen({ ...o, tracker });
}
