// GLIMPSE 5.0 over SoupBinTCP: the snapshot tracker a publisher feeds, its server, and the loader
// a late receiver starts from.
export { SnapshotTracker, snapshotMessages, type TrackerOptions, type GlimpseSnapshot } from "./tracker.js";
export { OrderTable } from "./order-table.js";
export { END_OF_SNAPSHOT, END_OF_SNAPSHOT_LENGTH, endOfSnapshot, readEndOfSnapshot } from "./messages.js";
export { GlimpseServer, serveSnapshot, type GlimpseServerOptions } from "./server.js";
export { loadSnapshot, type SnapshotServer, type SnapshotResult } from "./load.js";
