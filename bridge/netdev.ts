// What an interface's driver offers AF_XDP, asked of the kernel directly: its XDP features
// (native XDP, redirect, zero-copy AF_XDP) from the generic netlink family "netdev" (Linux 6.3+,
// what `ynl --family netdev --do dev-get` prints), its driver's name from the ethtool ioctl, and
// its RX queues from sysfs. None of it needs a capability; nothing is attached to try it.

import koffi from "koffi";
import { readdirSync } from "node:fs";
import { libc, errno, addressOf, SOCK_RAW, SOCK_CLOEXEC } from "./libc.js";
import { AF_INET, SOCK_DGRAM } from "./udp.js";

const ioctl = koffi.load("libc.so.6").func("int ioctl(int fd, unsigned long request, void *arg)");

// <linux/netlink.h>, <linux/genetlink.h>, <linux/netdev.h>
const AF_NETLINK = 16;
const NETLINK_GENERIC = 16;
const NLM_F_REQUEST = 1;
const NLMSG_ERROR = 2;
const GENL_ID_CTRL = 0x10;
const CTRL_CMD_GETFAMILY = 3;
const CTRL_ATTR_FAMILY_ID = 1;
const CTRL_ATTR_FAMILY_NAME = 2;
const NETDEV_CMD_DEV_GET = 1;
const NETDEV_A_DEV_IFINDEX = 1;
const NETDEV_A_DEV_XDP_FEATURES = 3;

/** enum netdev_xdp_act: the bits of an interface's XDP features. */
export const XDP_FEATURES: Readonly<Record<string, number>> = {
  basic: 1, redirect: 2, "ndo-xmit": 4, "xsk-zerocopy": 8, "hw-offload": 16, "rx-sg": 32, "ndo-xmit-sg": 64,
};

/** The names of the bits set in an XDP features word. */
export function featureNames(flags: number): string[] {
  return Object.entries(XDP_FEATURES).filter(([, bit]) => (flags & bit) !== 0).map(([name]) => name);
}

/**
 * The XDP features of the interface ifindex (in this thread's network namespace), or an error
 * string: "ENOENT" when the kernel has no netdev family (before Linux 6.3), else the errno's.
 */
export function xdpFeatures(ifindex: number): number | string {
  const fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
  if (fd < 0) return `socket(AF_NETLINK) failed with errno ${errno()}`;
  try {
    const family = request(fd, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, attr(CTRL_ATTR_FAMILY_NAME, new TextEncoder().encode("netdev\0")));
    if (typeof family === "string") return family;
    const id = family.get(CTRL_ATTR_FAMILY_ID);
    if (!id) return "no family id in the reply";
    const dev = request(fd, new DataView(id.buffer, id.byteOffset).getUint16(0, true), NETDEV_CMD_DEV_GET,
      attr(NETDEV_A_DEV_IFINDEX, new Uint8Array(new Uint32Array([ifindex]).buffer)));
    if (typeof dev === "string") return dev;
    const f = dev.get(NETDEV_A_DEV_XDP_FEATURES);
    return f ? Number(new DataView(f.buffer, f.byteOffset).getBigUint64(0, true)) : "no xdp-features in the reply";
  } finally {
    libc.close(fd);
  }
}

// A netlink attribute: u16 length, u16 type, the value, padded to 4 bytes.
function attr(type: number, value: Uint8Array): Uint8Array {
  const a = new Uint8Array((4 + value.length + 3) & ~3);
  new DataView(a.buffer).setUint16(0, 4 + value.length, true);
  new DataView(a.buffer).setUint16(2, type, true);
  a.set(value, 4);
  return a;
}

// Sends one generic netlink request (nlmsghdr 16 bytes, genlmsghdr 4) and returns the reply's
// attributes by type, or the errno's name of an NLMSG_ERROR reply.
function request(fd: number, type: number, cmd: number, attrs: Uint8Array): Map<number, Uint8Array> | string {
  const msg = new Uint8Array(20 + attrs.length);
  const h = new DataView(msg.buffer);
  h.setUint32(0, msg.length, true);
  h.setUint16(4, type, true);
  h.setUint16(6, NLM_F_REQUEST, true);
  h.setUint32(8, 1, true); // sequence number
  msg[16] = cmd;
  msg[17] = 1; // version
  msg.set(attrs, 20);
  if (libc.sendto(fd, msg, msg.length, 0, null, 0) < 0) return `sendto(netlink) failed with errno ${errno()}`;
  const buf = new Uint8Array(16384);
  const n = Number(libc.recvfrom(fd, buf, buf.length, 0, null, null));
  if (n < 20) return `recvfrom(netlink) failed with errno ${errno()}`;
  const r = new DataView(buf.buffer, 0, n);
  if (r.getUint16(4, true) === NLMSG_ERROR) {
    const err = -r.getInt32(16, true);
    return err === 2 ? "ENOENT" : `errno ${err}`;
  }
  const out = new Map<number, Uint8Array>();
  for (let at = 20; at + 4 <= Math.min(n, r.getUint32(0, true));) {
    const len = r.getUint16(at, true);
    if (len < 4) break;
    out.set(r.getUint16(at + 2, true) & 0x3fff, buf.slice(at + 4, at + len));
    at += (len + 3) & ~3;
  }
  return out;
}

const SIOCETHTOOL = 0x8946;
const ETHTOOL_GDRVINFO = 3;

/** The interface's driver, as `ethtool -i` names it, or undefined when it does not answer. */
export function driverName(iface: string): string | undefined {
  const fd = libc.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return undefined;
  try {
    // struct ethtool_drvinfo { u32 cmd; char driver[32]; ... } (196 bytes), reached through
    // struct ifreq { char ifr_name[16]; void *ifr_data; ... } (40 bytes).
    const info = new Uint8Array(256);
    new DataView(info.buffer).setUint32(0, ETHTOOL_GDRVINFO, true);
    const ifr = new Uint8Array(40);
    ifr.set(new TextEncoder().encode(iface).subarray(0, 15));
    new DataView(ifr.buffer).setBigUint64(16, addressOf(info.buffer), true);
    if (ioctl(fd, SIOCETHTOOL, ifr) !== 0) return undefined;
    const name = info.subarray(4, 36);
    return new TextDecoder().decode(name.subarray(0, name.indexOf(0) < 0 ? 32 : name.indexOf(0))) || undefined;
  } finally {
    libc.close(fd);
  }
}

/** The interface's RX queues (/sys/class/net/IF/queues/rx-N), or undefined when sysfs does not list them. */
export function rxQueueCount(iface: string): number | undefined {
  try {
    return readdirSync(`/sys/class/net/${iface}/queues`).filter((q) => /^rx-\d+$/.test(q)).length;
  } catch {
    return undefined;
  }
}
