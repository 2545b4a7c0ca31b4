// Each error a user will meet, provoked for real, and its message checked for the cause and fix.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { XdpSocket } from "../src/socket/socket.js";
import { XdpError } from "../bridge/errors.js";
import { inNetns } from "../bridge/netns.js";
import { hasXdp, pairSuite } from "./helpers/netns.js";
import { runFixture } from "./helpers/child.js";
import { sendTraffic } from "../src/socket/traffic.js";

const PORT = 5000;

function thrown(fn: () => unknown): XdpError {
  try {
    fn();
  } catch (e) {
    assert.instance(e, XdpError);
    return e as XdpError;
  }
  throw new assert.Assertion({ message: "expected an XdpError", operator: "throws", generated: true, actual: "no error", expects: "XdpError" });
}

const Config = suite("configuration errors");

Config("rejects a ring size that is not a power of two, naming it", () => {
  const e = thrown(() => XdpSocket.open({ iface: "lo", ports: [PORT], geometry: { rings: { rx: 1000 } } }));
  assert.is(e.code, "ERINGSIZE");
  assert.is(e.message, "invalid rx ring size 1000, expected a power of two");
});

Config("rejects a frame size the kernel cannot use", () => {
  const e = thrown(() => XdpSocket.open({ iface: "lo", ports: [PORT], geometry: { frameSize: 3000 } }));
  assert.is(e.message, "invalid frame size 3000, expected 2048 or 4096");
});

Config("names an interface that does not exist", () => {
  const e = thrown(() => XdpSocket.open({ iface: "nosuchif0", ports: [PORT] }));
  assert.is(e.code, "ENODEV");
  assert.match(e.message, "no network interface named 'nosuchif0' (list them with: ip link)");
});

Config("rejects ports outside 1..65535 and an empty port list", () => {
  assert.match(thrown(() => XdpSocket.open({ iface: "lo", ports: [70000] })).message, "invalid UDP port 70000");
  assert.match(thrown(() => XdpSocket.open({ iface: "lo", ports: [] })).message, "no UDP port to receive");
});

Config.run();

const [Kernel, lab] = pairSuite("errors from the kernel");

Kernel("a second socket on a bound queue gets EBUSY naming the queue", () => {
  if (lab.skip) return;
  const a = inNetns(lab.pair.nsB, () => XdpSocket.open({ iface: lab.pair.ifB, ports: [PORT] }));
  try {
    const e = thrown(() => inNetns(lab.pair.nsB, () => XdpSocket.open({ iface: lab.pair.ifB, queue: 0, program: a.program })));
    assert.is(e.code, "EBUSY");
    assert.match(e.message, `on ${lab.pair.ifB} queue 0 failed with EBUSY: another AF_XDP socket is bound to this queue`);
  } finally {
    a.close();
  }
});

Kernel("sockets reopened on a queue right after others were closed there bind (the kernel frees the queue late)", () => {
  if (lab.skip) return;
  // Each round sends frames through a TX socket and receives some on an RX socket, then closes
  // both; a socket that sent frames keeps its queue until the kernel has freed them.
  const ep = { srcMac: lab.pair.macA, dstMac: lab.pair.macB, srcIp: lab.pair.ipA, dstIp: lab.pair.ipB, srcPort: 4000 };
  for (let i = 0; i < 20; i++) {
    const rx = inNetns(lab.pair.nsB, () => XdpSocket.open({ iface: lab.pair.ifB, ports: [PORT] }));
    let tx: XdpSocket | undefined;
    try {
      tx = inNetns(lab.pair.nsA, () => XdpSocket.open({ iface: lab.pair.ifA, program: false }));
      sendTraffic(tx, { ...ep, dstPort: PORT, count: 32, timeoutMs: 5000 });
      sendTraffic(tx, { ...ep, dstPort: PORT + 1, count: 32, timeoutMs: 5000 });
      const end = Date.now() + 2000;
      let got = 0;
      while (got < 32 && Date.now() < end) {
        tx.flush();
        got += rx.receive(64).length;
      }
      assert.is(got, 32, `round ${i}: the feed's frames reached the socket`);
    } finally {
      // The receiver first, as most teardown code does: the sender's frames may still be in flight.
      rx.close();
      tx?.close();
    }
  }
});

Kernel("a second program on an interface this process holds already gets EBUSY saying to close or share the first", () => {
  if (lab.skip) return;
  const a = inNetns(lab.pair.nsB, () => XdpSocket.open({ iface: lab.pair.ifB, ports: [PORT] }));
  try {
    const e = thrown(() => inNetns(lab.pair.nsB, () => XdpSocket.open({ iface: lab.pair.ifB, ports: [PORT + 1] })));
    assert.is(e.code, "EBUSY");
    assert.match(e.message, new RegExp(`XDP program \\d+ \\(xdpfeed_redirec\\) is attached to ${lab.pair.ifB} \\(native mode\\) through bpf_link \\d+, held by this process`));
    assert.match(e.message, "close the XdpSocket or XdpProgram that attached it, or share its program");
  } finally {
    a.close();
  }
  assert.not.ok(hasXdp(lab.pair.nsB, lab.pair.ifB), "the failed attempt left nothing behind");
});

Kernel("a queue the interface does not have is named", () => {
  if (lab.skip) return;
  const e = thrown(() => inNetns(lab.pair.nsB, () => XdpSocket.open({ iface: lab.pair.ifB, queue: 5, ports: [PORT] })));
  assert.is(e.code, "EINVAL_QUEUE");
  assert.match(e.message, `${lab.pair.ifB} queue 5 failed with EINVAL: the interface has no such queue`);
  assert.not.ok(hasXdp(lab.pair.nsB, lab.pair.ifB), "the program attached for the socket was detached again");
});

Kernel("forcing zero-copy on a driver without it says so", () => {
  if (lab.skip) return;
  const e = thrown(() => inNetns(lab.pair.nsB, () => XdpSocket.open({ iface: lab.pair.ifB, ports: [PORT], bind: "zerocopy" })));
  assert.match(e.message, "the driver has no zero-copy AF_XDP support; use bind \"auto\" or \"copy\"");
});

async function childError(args: string[], opts: Parameters<typeof runFixture>[3]): Promise<{ error: string; message: string }> {
  const c = runFixture(lab.pair.nsB, "receiver.ts", [lab.pair.ifB, String(PORT), "exit", ...args], opts);
  const r = await c.exit();
  assert.is(r.code, 3, `expected the error exit; stdout: ${c.out()} stderr: ${c.err()}`);
  return JSON.parse(c.out().trim());
}

Kernel("without privileges: EPERM naming the capabilities", async () => {
  if (lab.skip) return;
  const r = await childError([], { prefix: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"], readable: true });
  assert.is(r.error, "EPERM");
  assert.match(r.message, "need CAP_NET_ADMIN, CAP_BPF and CAP_NET_RAW");
  assert.not.ok(hasXdp(lab.pair.nsB, lab.pair.ifB));
});

Kernel("a UMEM over RLIMIT_MEMLOCK without CAP_IPC_LOCK: ENOBUFS naming the limit and the fix", async () => {
  if (lab.skip) return;
  const r = await childError([], {
    prefix: ["prlimit", "--memlock=65536:65536", "setpriv", "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock"],
  });
  assert.is(r.error, "ENOBUFS");
  assert.match(r.message, "exceeds RLIMIT_MEMLOCK (64 KiB)");
  assert.match(r.message, "ulimit -l unlimited");
  assert.match(r.message, "CAP_IPC_LOCK");
  assert.not.ok(hasXdp(lab.pair.nsB, lab.pair.ifB));
});

Kernel("a kernel that refuses AF_XDP sockets: EAFNOSUPPORT naming the kernel option", async () => {
  if (lab.skip) return;
  const r = await childError(["--deny-af-xdp"], {});
  assert.is(r.error, "EAFNOSUPPORT");
  assert.match(r.message, "CONFIG_XDP_SOCKETS=y");
  assert.not.ok(hasXdp(lab.pair.nsB, lab.pair.ifB), "the program attached before the socket failed was detached");
});

Kernel("libxdp or libbpf missing: the Debian package to install", async () => {
  if (lab.skip) return;
  const x = await childError([], { env: { XDPFEED_LIBXDP: "/nonexistent/libxdp.so.1" } });
  assert.is(x.error, "ENOLIB");
  assert.match(x.message, "cannot load /nonexistent/libxdp.so.1: install the Debian package libxdp1");
  const b = await childError([], { env: { XDPFEED_LIBBPF: "/nonexistent/libbpf.so.1" } });
  assert.match(b.message, "install the Debian package libbpf1");
});

Kernel.run();
