// `xdpfeed doctor`: the command line of doctor() (doctor/doctor.ts), loaded when it runs.

import { command } from "./options.js";

export const doctorCommand = command({
  name: "doctor",
  summary: "check whether AF_XDP can run on an interface here: kernel, capabilities, memlock, libraries, driver, queues",
  usage: "--iface IF [--port P] [--group G] [--json]",
  description: `
Checks, one line each (ok, warn or fail), what receiving on IF through AF_XDP needs: the kernel's
version and AF_XDP sockets; the capabilities this process holds against those needed
(CAP_NET_ADMIN, CAP_BPF, CAP_NET_RAW); RLIMIT_MEMLOCK against the default UMEM, or CAP_IPC_LOCK;
libbpf and libxdp; the driver's native XDP and zero-copy AF_XDP (its xdp-features, Linux 6.3+);
whether an XDP program holds the interface already, and what frees it; the RX queues, and when
there are several, how to bring the feed to one queue or to read every queue. It attaches
nothing. Run it as the user, and with the capabilities, the feed handler will have.`,
  epilogue: `
Exit status: 0 when no check fails (warnings allowed), 2 when one does (as for any error of the
system or the configuration), 1 for a bug.`,
  options: [
    { name: "iface", type: "string", value: "IF", description: "the interface the feed arrives on", required: true },
    { name: "port", type: "string", value: "P", description: "the feed's UDP port, for the queue-steering command", defaultText: "PORT", integer: { min: 1, max: 65535 } },
    { name: "group", type: "string", value: "G", description: "the feed's destination address (multicast group), for the queue-steering command", defaultText: "none" },
    { name: "json", type: "boolean", description: "one JSON object: the checks (name, status, detail, advice) and ok", defaultText: "one line per check" },
  ],
  async run(v) {
    const { doctor, formatChecks } = await import("./doctor/doctor.js");
    const checks = doctor({ iface: v.iface, port: v.port, group: v.group });
    const ok = !checks.some((c) => c.status === "fail");
    process.stdout.write(v.json ? `${JSON.stringify({ iface: v.iface, ok, checks })}\n` : formatChecks(checks));
    return ok ? 0 : 2;
  },
});
