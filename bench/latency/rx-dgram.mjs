// The plain Node receiver of the latency benchmark: node:dgram, socket.on("message"), the stamp
// parsed from the Buffer. What a Node program does without xdpfeed (the clock and the recorder
// are the xdpfeed receivers', hist.mjs). Same command line and output as rx-xdpfeed.mjs.
import dgram from "node:dgram";
import { parseArgs } from "node:util";
import { now48, Recorder, watchGc, report, OPTIONS, intOption } from "./hist.mjs";

const { values } = parseArgs({ options: OPTIONS, strict: true });
const count = intOption(values, "count", 2, 1e8);
const rec = new Recorder(count, intOption(values, "warmup", 0, count - 1));
const gc = watchGc();
const sock = dgram.createSocket("udp4");
let stopped = "";
const stop = (why) => {
  if (stopped) return;
  stopped = why;
  sock.close(() => setImmediate(() => {
    gc.stop();
    console.log(JSON.stringify(report("dgram", rec, { stopped, gc: gc.after(rec.measureStart), node: process.version })));
    process.exit(0);
  }));
};
sock.on("message", (b) => {
  const now = now48();
  // MoldUDP64 sequence (u64 @10) and the ITCH message's u48 timestamp (@22 + 5), big-endian.
  if (b.length >= 58) rec.packet(now, b.readUInt32BE(10) * 2 ** 32 + b.readUInt32BE(14), b.readUInt16BE(27) * 2 ** 32 + b.readUInt32BE(29));
  if (rec.done) stop("last");
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => stop("signal"));
setTimeout(() => stop("timeout"), intOption(values, "timeout-ms", 1, 864e5)).unref();
sock.bind(intOption(values, "port", 1, 65535), () => console.log("READY"));
