// `xdpfeed doctor` as a user runs it: the CLI in a child process inside a namespace of a veth
// pair, as root and as nobody without capabilities; on a veth with four RX queues; on an
// interface whose XDP hook is taken.

import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { readableCheckout, readablePath } from "./helpers/readable.js";
import { createPair, destroyPair, pairSuite, type VethPair } from "./helpers/netns.js";
import { runFixture } from "./helpers/child.js";

const CLI = fileURLToPath(new URL("../src/xdpfeed.mjs", import.meta.url));
const NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"];

interface Check { name: string; status: "ok" | "warn" | "fail"; detail: string; advice?: string[] }
interface Report { iface: string; ok: boolean; checks: Check[] }

const [D, lab] = pairSuite("xdpfeed doctor", { prefix: "xd" });

/** `ip netns exec NS [prefix] node xdpfeed.mjs doctor ARGS`: exit status, stdout, stderr. */
function doctor(pair: VethPair, args: string[], prefix: string[] = []): { code: number | null; out: string; err: string } {
  const readable = prefix.length > 0;
  const cli = readable ? readablePath(CLI) : CLI;
  const r = spawnSync("ip", ["netns", "exec", pair.nsB, ...prefix, process.execPath, cli, "doctor", "--iface", pair.ifB, ...args],
    { encoding: "utf8", cwd: readable ? readableCheckout() : undefined, timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function report(pair: VethPair, args: string[] = [], prefix: string[] = []): [Report, number | null] {
  const r = doctor(pair, ["--json", ...args], prefix);
  assert.is(r.err, "", "nothing on stderr");
  return [JSON.parse(r.out) as Report, r.code];
}

const find = (r: Report, name: string): Check => {
  const c = r.checks.find((x) => x.name === name);
  assert.ok(c, `no check ${name} in ${JSON.stringify(r.checks.map((x) => x.name))}`);
  return c!;
};

D("as root on a veth, no check fails and the exit status is 0: capabilities, AF_XDP, libraries and native XDP ok, no zero-copy warned", () => {
  if (lab.skip) return;
  const [r, code] = report(lab.pair);
  assert.is(code, 0);
  assert.ok(r.ok);
  assert.equal(r.checks.map((c) => c.name), ["kernel", "AF_XDP", "capabilities", "memlock", "libbpf", "libxdp", "native XDP", "zero-copy", "XDP hook", "RX queues"]);
  for (const name of ["kernel", "AF_XDP", "capabilities", "memlock", "libbpf", "libxdp", "native XDP", "XDP hook", "RX queues"]) {
    assert.is(find(r, name).status, "ok", `${name}: ${find(r, name).detail}`);
  }
  assert.match(find(r, "capabilities").detail, "CAP_NET_ADMIN, CAP_BPF and CAP_NET_RAW held (root)");
  assert.match(find(r, "native XDP").detail, /^veth runs XDP programs .*xdp-features: basic, redirect/);
  assert.is(find(r, "zero-copy").status, "warn");
  assert.match(find(r, "libbpf").detail, /^\d+\.\d+/);
});

D("prints one line per check, status first, as the JSON says", () => {
  if (lab.skip) return;
  const [r] = report(lab.pair);
  const text = doctor(lab.pair, []);
  assert.is(text.code, 0);
  const lines = text.out.trimEnd().split("\n").filter((l) => !l.startsWith(" "));
  assert.equal(lines.map((l) => l.split(/\s{2,}/).slice(0, 2)), r.checks.map((c) => [c.status, c.name]));
});

D("as nobody without capabilities, the capability check fails naming each missing one, with the fixes, and the exit status is 2", () => {
  if (lab.skip) return;
  const [r, code] = report(lab.pair, [], NOBODY);
  assert.is(code, 2);
  assert.not.ok(r.ok);
  const caps = find(r, "capabilities");
  assert.is(caps.status, "fail");
  assert.match(caps.detail, "missing CAP_NET_ADMIN, CAP_BPF and CAP_NET_RAW (uid 65534 holds none");
  assert.match(caps.advice!.join("\n"), "AmbientCapabilities=CAP_NET_ADMIN CAP_BPF CAP_NET_RAW CAP_IPC_LOCK");
  assert.match(caps.advice!.join("\n"), "--cap-add BPF");
  assert.is(find(r, "AF_XDP").status, "ok", "EPERM from socket(AF_XDP) still shows the kernel has it");
});

D("as nobody holding the capabilities, only memlock depends on CAP_IPC_LOCK: it fails under an RLIMIT_MEMLOCK below the UMEM without it", () => {
  if (lab.skip) return;
  const caps = (set: string) => ["prlimit", "--memlock=8388608:8388608", ...NOBODY.slice(0, -1), `--inh-caps=${set}`, `--ambient-caps=${set}`];
  const [without, code] = report(lab.pair, [], caps("+net_admin,+net_raw,+bpf"));
  assert.is(code, 2);
  assert.is(find(without, "capabilities").status, "ok");
  assert.is(find(without, "memlock").status, "fail");
  assert.match(find(without, "memlock").detail, "RLIMIT_MEMLOCK 8 MiB (hard 8 MiB) is below the default UMEM (16 MiB");
  const [withLock, code2] = report(lab.pair, [], caps("+net_admin,+net_raw,+bpf,+ipc_lock"));
  assert.is(code2, 0, JSON.stringify(withLock.checks.filter((c) => c.status === "fail")));
  assert.match(find(withLock, "memlock").detail, "CAP_IPC_LOCK held");
});

D("on a veth with 4 RX queues, it says how to steer the feed to one queue with ethtool, or to read every queue", () => {
  if (lab.skip) return;
  const multi = createPair({ queues: 4, prefix: "xq" });
  try {
    const [r, code] = report(multi, ["--port", "26400", "--group", "233.54.12.111"]);
    assert.is(code, 0);
    const q = find(r, "RX queues");
    assert.is(q.status, "warn");
    assert.match(q.detail, "4 RX queues");
    const advice = q.advice!.join("\n");
    assert.match(advice, `ethtool -N ${multi.ifB} flow-type udp4 dst-ip 233.54.12.111 dst-port 26400 action 0`);
    assert.match(advice, `ethtool -K ${multi.ifB} ntuple on`);
    assert.match(advice, "xdpfeed listen --queue 0");
    assert.match(advice, `runQueues({ iface: "${multi.ifB}", queues: [0, 1, 2, 3]`);
  } finally {
    destroyPair(multi);
  }
});

D("an interface whose XDP hook a process holds: warns, naming the process and the command that frees it", async () => {
  if (lab.skip) return;
  const holder = runFixture(lab.pair.nsB, "receiver.ts", [lab.pair.ifB, "5500", "hold"]);
  try {
    await holder.line(/^READY/);
    const [r, code] = report(lab.pair);
    assert.is(code, 0, "a taken hook is a warning");
    const h = find(r, "XDP hook");
    assert.is(h.status, "warn");
    assert.match(h.advice!.join("\n"), `held by process ${holder.proc.pid} (node)`);
    assert.match(h.advice!.join("\n"), `\`kill ${holder.proc.pid}\``);
  } finally {
    holder.proc.kill("SIGKILL");
    await holder.exit();
  }
});

D("an interface that does not exist fails with how to list them", () => {
  if (lab.skip) return;
  const r = spawnSync("ip", ["netns", "exec", lab.pair.nsB, process.execPath, CLI, "doctor", "--iface", "nosuchif0", "--json"], { encoding: "utf8" });
  assert.is(r.status, 2);
  const rep = JSON.parse(r.stdout) as Report;
  assert.equal(find(rep, "interface"), { name: "interface", status: "fail", detail: "no interface named 'nosuchif0' here", advice: ["list them with: ip link"] });
});

D.run();
