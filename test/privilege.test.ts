// AF_XDP as an unprivileged user: a child runs as nobody (setpriv) with exactly the capabilities
// a test names, in ambient form, inside the receiving namespace of a veth pair; the test sends
// it UDP from the other namespace. The minimal set receives; each set missing one capability
// fails with a message naming that one; RLIMIT_MEMLOCK stands in for CAP_IPC_LOCK exactly as far
// as the UMEM goes; a program that needs CAP_PERFMON is told apart as the verifier's refusal.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { fileURLToPath } from "node:url";
import { hasXdp, pairSuite } from "./helpers/netns.js";
import { runFixture, type Child } from "./helpers/child.js";
import { readablePath } from "./helpers/readable.js";
import { KernelUdp } from "./helpers/udp.js";
import {
  CAPABILITY_BITS, XDP_CAPABILITIES, effectiveCapabilities, holds, missingCapabilities, permissionAdvice,
} from "../bridge/capabilities.js";

const PORT = 5300;
const MINIMAL = ["net_admin", "net_raw", "bpf", "ipc_lock"];
const MEMLOCK = 8 << 20; // at most the hard limit of any host, below the default UMEM (16 MiB)
const OLD_OBJECT = fileURLToPath(new URL("./fixtures/xdpfeed-nometa.bpf.o", import.meta.url));

const C = suite("capability sets");

C("CAP_SYS_ADMIN counts for CAP_BPF and CAP_PERFMON, as the kernel's bpf_capable() and perfmon_capable() do, and for nothing else", () => {
  const sysAdmin = 1n << BigInt(CAPABILITY_BITS.CAP_SYS_ADMIN);
  assert.ok(holds("CAP_BPF", sysAdmin));
  assert.ok(holds("CAP_PERFMON", sysAdmin));
  assert.equal(missingCapabilities(XDP_CAPABILITIES, sysAdmin), ["CAP_NET_ADMIN", "CAP_NET_RAW"]);
  assert.equal(missingCapabilities(XDP_CAPABILITIES, (1n << 12n) | (1n << 13n) | (1n << 39n)), []);
});

C("this process's set is read from /proc: root holds them all, and EPERM advice for it says what else refuses", () => {
  if (process.getuid?.() !== 0) return console.log("# skipped: needs root (a process holding every capability)");
  const eff = effectiveCapabilities();
  assert.ok(eff !== undefined);
  assert.equal(missingCapabilities(XDP_CAPABILITIES, eff!), []);
  assert.match(permissionAdvice(["CAP_BPF"]), "this process holds CAP_BPF, which this step needs, yet something else refuses it");
});

C.run();

const [P, lab] = pairSuite("AF_XDP as an unprivileged user", { prefix: "xv" });

/** `prlimit --memlock=N setpriv ...`: nobody, holding exactly `caps` (setpriv's names). */
function asNobody(caps: string[], memlock = MEMLOCK): string[] {
  const set = caps.length > 0 ? caps.map((c) => `+${c}`).join(",") : "-all";
  return [
    "prlimit", `--memlock=${memlock}:${memlock}`,
    "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", `--inh-caps=${set}`, ...(caps.length > 0 ? [`--ambient-caps=${set}`] : []),
  ];
}

interface Opened {
  open?: { mode: { attach: string; timestamps: string }; umemBytes: number };
  error?: string;
  message?: string;
  verifierLog?: string;
}

/** Runs the receiver as nobody with `caps`; returns what its open printed, and the child. */
async function start(caps: string[], args: string[] = [], memlock?: number): Promise<[Opened, Child]> {
  const c = runFixture(lab.pair.nsB, "capped-receiver.ts", [lab.pair.ifB, String(PORT), "20", ...args],
    { prefix: asNobody(caps, memlock), readable: true });
  try {
    return [JSON.parse(await c.line(/^\{"(open|error)"/)) as Opened, c];
  } catch (e) {
    c.proc.kill("SIGKILL");
    throw e;
  }
}

/** Sends 20 datagrams to the receiver and returns how many it counted. */
async function receives(c: Child): Promise<number> {
  const tx = KernelUdp.open(lab.pair.nsA);
  try {
    for (let i = 0; i < 20; i++) tx.send(lab.pair.ipB, PORT, new Uint8Array(64).fill(i));
  } finally {
    tx.close();
  }
  return (JSON.parse(await c.line(/^\{"received"/)) as { received: number }).received;
}

async function failure(caps: string[], args: string[] = [], memlock?: number): Promise<Opened> {
  const [r, c] = await start(caps, args, memlock);
  try {
    assert.is(r.open, undefined, `expected a failure, got ${JSON.stringify(r)}`);
    assert.is((await c.exit()).code, 3);
  } finally {
    c.proc.kill("SIGKILL");
  }
  assert.not.ok(hasXdp(lab.pair.nsB, lab.pair.ifB), "the failed open left no XDP program behind");
  return r;
}

P("with CAP_NET_ADMIN, CAP_NET_RAW, CAP_BPF and CAP_IPC_LOCK, nobody attaches the device-bound program and receives the feed", async () => {
  if (lab.skip) return;
  const [r, c] = await start(MINIMAL);
  try {
    assert.ok(r.open, `open failed: ${r.message}`);
    assert.equal([r.open.mode.attach, r.open.mode.timestamps], ["native", "driver+hw"], "the kfunc of the device-bound program needs no more");
    assert.is(r.open.umemBytes, 16 << 20, "the default UMEM, twice RLIMIT_MEMLOCK: CAP_IPC_LOCK lifts the limit");
    assert.is(await receives(c), 20);
    assert.is((await c.exit()).code, 0);
  } finally {
    c.proc.kill("SIGKILL");
  }
  assert.not.ok(hasXdp(lab.pair.nsB, lab.pair.ifB));
});

for (const [cap, step] of [["net_admin", "bpf_object__load"], ["bpf", "bpf_object__load"], ["net_raw", "socket(AF_XDP)"]] as const) {
  const name = `CAP_${cap.toUpperCase()}`;
  P(`without ${name} (the other three held), opening fails with EPERM naming ${name} alone`, async () => {
    if (lab.skip) return;
    const r = await failure(MINIMAL.filter((c) => c !== cap));
    assert.is(r.error, "EPERM", r.message);
    assert.match(r.message!, `${step}`);
    assert.match(r.message!, `failed with EPERM: missing ${name}. AF_XDP and XDP need CAP_NET_ADMIN, CAP_BPF and CAP_NET_RAW`);
    assert.match(r.message!, `"Running without root" in xdpfeed's README`);
    assert.not.match(r.message!, "setcap", "no advice that hands the capabilities to every node script");
  });
}

P("without any capability, the message names the missing ones of the failing step and those a later step needs", async () => {
  if (lab.skip) return;
  const r = await failure([]);
  assert.is(r.error, "EPERM");
  assert.match(r.message!, "missing CAP_NET_ADMIN and CAP_BPF (and CAP_NET_RAW, which a later step needs)");
  assert.match(r.message!, "this process has none of them");
});

P("without CAP_IPC_LOCK, a UMEM over RLIMIT_MEMLOCK fails with ENOBUFS naming the limit and the fixes", async () => {
  if (lab.skip) return;
  const r = await failure(["net_admin", "net_raw", "bpf"]);
  assert.is(r.error, "ENOBUFS", r.message);
  assert.match(r.message!, "the UMEM (16777216 bytes) exceeds RLIMIT_MEMLOCK (8192 KiB)");
  assert.match(r.message!, "CAP_IPC_LOCK");
  assert.match(r.message!, "LimitMEMLOCK=infinity");
  assert.match(r.message!, "--ulimit memlock=-1");
});

P("without CAP_IPC_LOCK, a UMEM that fits RLIMIT_MEMLOCK to the byte receives, and one page less fails: only the UMEM is charged", async () => {
  if (lab.skip) return;
  const rings = ["--rings", "1024"]; // (1024 + 1024) frames of 4096 bytes: 8 MiB
  const [r, c] = await start(["net_admin", "net_raw", "bpf"], rings, MEMLOCK);
  try {
    assert.ok(r.open, `open failed: ${r.message}`);
    assert.is(r.open.umemBytes, MEMLOCK);
    assert.is(await receives(c), 20);
  } finally {
    c.proc.kill("SIGKILL");
  }
  await c.exit();
  const less = await failure(["net_admin", "net_raw", "bpf"], rings, MEMLOCK - 4096);
  assert.is(less.error, "ENOBUFS");
  assert.match(less.message!, "exceeds RLIMIT_MEMLOCK (8188 KiB)");
});

P("a program that needs CAP_PERFMON is refused as the verifier's doing (EVERIFIER) with its reason; with CAP_PERFMON it loads", async () => {
  if (lab.skip) return;
  // An earlier xdpfeed's object: it adds the IPv4 header length to a packet pointer.
  const object = ["--object", readablePath(OLD_OBJECT)];
  const r = await failure(MINIMAL, object);
  assert.is(r.error, "EVERIFIER", r.message);
  assert.match(r.message!, "failed with EACCES: the kernel's verifier refused the XDP program");
  assert.match(r.message!, "pointer arithmetic with it prohibited for !root");
  assert.match(r.message!, "without CAP_PERFMON (this process lacks it)");
  assert.match(r.message!, "grant CAP_PERFMON as well");
  assert.match(r.verifierLog ?? "", /processed \d+ insns/, "the whole log comes with the error");
  const [ok, c] = await start([...MINIMAL, "perfmon"], object);
  try {
    assert.ok(ok.open, `open failed: ${ok.message}`);
    assert.is(await receives(c), 20);
  } finally {
    c.proc.kill("SIGKILL");
  }
});

P.run();
