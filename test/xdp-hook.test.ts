// An interface whose XDP hook is taken: the EBUSY message says by what (a bpf_link held by a
// process, a pinned bpf_link, a program attached through netlink in one mode) and gives the
// commands that free it. Each test runs those commands as written, from the message, and then
// opens a socket on the interface.

import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { XdpSocket } from "../src/socket/socket.js";
import { XdpProgram } from "../bridge/program.js";
import { XdpError } from "../bridge/errors.js";
import { libbpf } from "../bridge/libbpf.js";
import { inNetns } from "../bridge/netns.js";
import { hasXdp, pairSuite } from "./helpers/netns.js";
import { eventually, runFixture } from "./helpers/child.js";

const PORT = 5400;
const OBJECT = fileURLToPath(new URL("../bpf/xdpfeed.bpf.o", import.meta.url));
const [H, lab] = pairSuite("an interface whose XDP hook is taken", { prefix: "xh" });

function busy(): XdpError {
  try {
    inNetns(lab.pair.nsB, () => XdpSocket.open({ iface: lab.pair.ifB, ports: [PORT] })).close();
  } catch (e) {
    assert.instance(e, XdpError);
    assert.is((e as XdpError).code, "EBUSY", (e as Error).message);
    return e as XdpError;
  }
  throw new assert.Assertion({ message: "expected EBUSY", operator: "throws", generated: true, actual: "opened", expects: "EBUSY" });
}

/** Runs every backquoted command of the message, in order, in the interface's namespace. */
function follow(message: string): string[] {
  const commands = [...message.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  for (const cmd of commands) {
    const r = spawnSync("ip", ["netns", "exec", lab.pair.nsB, "sh", "-c", cmd], { encoding: "utf8" });
    assert.is(r.status, 0, `${cmd}: ${r.stderr}`);
  }
  return commands;
}

/** The interface is free again: a socket opens on it (retried while a killed holder exits). */
async function opensAgain(): Promise<void> {
  let last: unknown;
  const ok = await eventually(() => {
    try {
      inNetns(lab.pair.nsB, () => XdpSocket.open({ iface: lab.pair.ifB, ports: [PORT] })).close();
      return true;
    } catch (e) {
      last = e;
      return false;
    }
  }, 5000);
  assert.ok(ok, `still taken: ${(last as Error)?.message}`);
  assert.not.ok(hasXdp(lab.pair.nsB, lab.pair.ifB));
}

H("a bpf_link held by another process: EBUSY names the process, and stopping it as advised frees the interface", async () => {
  if (lab.skip) return;
  const holder = runFixture(lab.pair.nsB, "receiver.ts", [lab.pair.ifB, String(PORT + 1), "hold"]);
  try {
    await holder.line(/^READY/);
    const e = busy();
    assert.match(e.message, new RegExp(`through bpf_link \\d+, held by process ${holder.proc.pid} \\(node\\)`));
    assert.match(e.message, "netlink (ip link set dev");
    assert.equal(follow(e.message), [`kill ${holder.proc.pid}`]);
    await holder.exit();
    await opensAgain();
  } finally {
    holder.proc.kill("SIGKILL");
  }
});

// The descriptor of this process's only XDP bpf_link on ifindex (as /proc/self/fdinfo shows it).
function linkFd(ifindex: number): number {
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (!/^anon_inode:bpf[-_]link$/.test(readlinkSync(`/proc/self/fd/${fd}`))) continue;
      const info = readFileSync(`/proc/self/fdinfo/${fd}`, "utf8");
      if (/link_type:\s*xdp/.test(info) && new RegExp(`ifindex:\\s*${ifindex}\\b`).test(info)) return Number(fd);
    } catch {
      // closed meanwhile
    }
  }
  throw new Error("no XDP bpf_link descriptor");
}

H("a pinned bpf_link: EBUSY names the pin, and removing it as advised frees the interface", async () => {
  if (lab.skip) return;
  // A bpffs of the test's own, so the host's /sys/fs/bpf is left alone (mounted or not).
  const dir = mkdtempSync(join(tmpdir(), "xdpfeed-bpffs-"));
  const pin = join(dir, "feed-link");
  let mounted = false;
  try {
    assert.is(spawnSync("mount", ["-t", "bpf", "bpf", dir]).status, 0, "mount -t bpf");
    mounted = true;
    const program = inNetns(lab.pair.nsB, () => XdpProgram.attach({ iface: lab.pair.ifB, ports: [PORT] }));
    try {
      assert.is(libbpf().bpf_obj_pin(linkFd(program.ifindex), pin), 0);
    } finally {
      program.close();
    }
    assert.ok(hasXdp(lab.pair.nsB, lab.pair.ifB), "the pin keeps the program attached");
    const e = busy();
    assert.match(e.message, /through bpf_link \d+, pinned \(no process holds it\)/);
    assert.equal(follow(e.message), [`rm ${pin}`]);
    await opensAgain();
  } finally {
    if (mounted) {
      if (existsSync(pin)) rmSync(pin);
      spawnSync("umount", [dir]);
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

H("as a user who cannot see the holder (nobody with the capabilities), EBUSY gives every way to free the hook", async () => {
  if (lab.skip) return;
  const holder = runFixture(lab.pair.nsB, "receiver.ts", [lab.pair.ifB, String(PORT + 1), "hold"]);
  try {
    await holder.line(/^READY/);
    const caps = "+net_admin,+net_raw,+bpf,+ipc_lock";
    const c = runFixture(lab.pair.nsB, "capped-receiver.ts", [lab.pair.ifB, String(PORT), "1"], {
      prefix: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", `--inh-caps=${caps}`, `--ambient-caps=${caps}`],
      readable: true,
    });
    const r = JSON.parse(await c.line(/^\{"error"/)) as { error: string; message: string };
    await c.exit();
    assert.is(r.error, "EBUSY");
    assert.match(r.message, new RegExp(`XDP program \\d+ is attached to ${lab.pair.ifB} \\(native mode\\)\\. If a process holds it through a bpf_link`));
    assert.match(r.message, "stop that process (`bpftool link show`, as root, names it) or remove the link's pin");
    assert.match(r.message, `\`ip link set dev ${lab.pair.ifB} xdpdrv off\` detaches it`);
  } finally {
    holder.proc.kill("SIGKILL");
    await holder.exit();
  }
});

for (const [mode, word] of [["generic", "xdpgeneric"], ["native", "xdpdrv"]] as const) {
  H(`a program attached with ip link in ${mode} mode (no bpf_link): EBUSY advises ip link set ... ${word} off, and following it frees the interface`, async () => {
    if (lab.skip) return;
    const attach = spawnSync("ip", ["-n", lab.pair.nsB, "link", "set", "dev", lab.pair.ifB, word, "obj", OBJECT, "sec", "xdp"], { encoding: "utf8" });
    assert.is(attach.status, 0, attach.stderr);
    try {
      const e = busy();
      assert.match(e.message, `(${mode} mode) through netlink (ip link, xdp-loader), not a bpf_link`);
      assert.equal(follow(e.message), [`ip link set dev ${lab.pair.ifB} ${word} off`]);
      await opensAgain();
    } finally {
      spawnSync("ip", ["-n", lab.pair.nsB, "link", "set", "dev", lab.pair.ifB, word, "off"]);
    }
  });
}

H.run();
