// Receive UDP frames on one queue through AF_XDP and print what arrives, as in the README.
// Usage (as root): node src/xdpfeed.mjs is the CLI; this example runs with
//   node --import tsx examples/receive.ts IFACE PORT [SECONDS]
import { XdpSocket } from "../src/index.js";

const [iface, port, seconds = "10"] = process.argv.slice(2);
if (!iface || !port) {
  console.error("usage: examples/receive.ts IFACE PORT [SECONDS]");
  process.exit(2);
}
const sock = XdpSocket.open({ iface, ports: [Number(port)] });
console.log(`receiving UDP port ${port} on ${iface}: ${JSON.stringify(sock.stats().mode)}`);
const end = Date.now() + Number(seconds) * 1000;
let frames = 0;
while (Date.now() < end) {
  if (!sock.wait(100)) continue; // interrupt-driven: sleep in poll() until frames arrive
  const batch = sock.receive(64);
  for (let i = 0; i < batch.length; i++) {
    const f = batch.frame(i); // a view into the UMEM, not a copy
    if (frames++ < 5) console.log(`frame ${frames}: ${batch.len(i)} bytes at offset ${batch.offset(i)}, udp payload starts ${Buffer.from(f.subarray(42, 50)).toString("hex")}`);
  }
}
console.log(`${frames} frames`, sock.stats().xdp);
sock.close();
