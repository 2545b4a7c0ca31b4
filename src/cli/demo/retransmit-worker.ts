// The demo's retransmission server, in a thread of its own (in the sender's namespace when there is
// one): it builds the session's messages from the same generator and seed as the sender, and
// answers MoldUDP64 retransmission requests from them until it is terminated.

import { parentPort, workerData } from "node:worker_threads";
import { moldFrames } from "../../itchgen/itch-writers.js";
import { MoldStore, RetransmissionServer } from "../../recovery/server.js";
import { enterNetns } from "../../../bridge/netns.js";

export interface RetransmitWorkerData {
  ns?: string;
  seed: number;
  symbols: number;
  messages: number;
  session: string;
}

const d = workerData as RetransmitWorkerData;
if (d.ns) enterNetns(d.ns);
const store = new MoldStore(Uint8Array.from(d.session.padEnd(10, " "), (c) => c.charCodeAt(0)));
for (const p of moldFrames({ seed: d.seed, symbols: d.symbols, messages: d.messages }, { session: d.session, endOfSession: false })) {
  store.addPacket(p.payload);
}
const server = await RetransmissionServer.listen(store, 0, "0.0.0.0");
parentPort!.postMessage({ port: server.port });
parentPort!.on("message", (m) => {
  if (m === "stats") parentPort!.postMessage({ stats: server.stats });
});
