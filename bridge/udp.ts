// Kernel UDP sockets through libc: the syscall layer of the kernel-socket mode
// (KernelFeedReceiver, src/feeds/kernel.ts) and of the group membership the XDP mode holds
// (openFeed, src/feeds/open.ts). Sockets are made with socket(2)/bind(2) on the calling thread,
// so they belong to the network namespace the thread is in (inNetns); Node's dgram then wraps a
// bound one (bind({ fd })) to receive on the event loop.
//
// Failures throw XdpError (ESYSCALL) naming the call, the errno and, where one is known, the
// fix. syscallError is not used here: its EPERM/EACCES and ENOBUFS texts are AF_XDP's
// (privileges, RLIMIT_MEMLOCK), and mean other things for a UDP socket.

import { isIPv4 } from "node:net";
import { libc, errno, errnoName, SOL_SOCKET, SOCK_CLOEXEC } from "./libc.js";
import { XdpError } from "./errors.js";

// <linux/socket.h>, <linux/net.h>, <linux/in.h>, <asm-generic/socket.h>, <linux/sock_diag.h>
export const AF_INET = 2;
export const SOCK_DGRAM = 2;
export const SOCK_NONBLOCK = 0o4000;
export const IPPROTO_IP = 0;
export const SO_REUSEADDR = 2;
export const SO_RCVBUF = 8;
export const SO_RCVBUFFORCE = 33;
export const SO_MEMINFO = 55;
export const IP_ADD_MEMBERSHIP = 35;
export const IP_MULTICAST_ALL = 49;
const SK_MEMINFO_RCVBUF = 1;
const SK_MEMINFO_DROPS = 8;
const SK_MEMINFO_VARS = 9;
/** sizeof(struct sockaddr_in). */
export const SOCKADDR_IN_SIZE = 16;
/** sizeof(struct ip_mreqn). */
const IP_MREQN_SIZE = 12;

function udpError(call: string, err: number, fix = ""): XdpError {
  return new XdpError("ESYSCALL", `${call} failed with ${errnoName(err)}${fix ? `: ${fix}` : ""}`, call, err);
}

/** True for an IPv4 multicast address (224.0.0.0/4). */
export function isIPv4Multicast(ip: string): boolean {
  if (!isIPv4(ip)) return false;
  const first = Number(ip.split(".")[0]);
  return first >= 224 && first <= 239;
}

/** struct sockaddr_in for a dotted IPv4 address and a port. */
export function sockaddrIn(ip: string, port: number): Uint8Array {
  const a = new Uint8Array(SOCKADDR_IN_SIZE);
  const dv = new DataView(a.buffer);
  dv.setUint16(0, AF_INET, true);
  dv.setUint16(2, port, false);
  a.set(ip.split(".").map(Number), 4);
  return a;
}

// setsockopt with an int value; false on failure (errno() says why).
function setIntOption(fd: number, level: number, name: number, value: number): boolean {
  return libc.setsockopt(fd, level, name, new Int32Array([value]), 4) === 0;
}

/** Where to join a group: an interface (by index) and/or one of its addresses; neither: the kernel's route to the group. */
export interface JoinOn {
  ifindex?: number;
  localAddress?: string;
  /** For messages. */
  iface?: string;
}

/**
 * IP_ADD_MEMBERSHIP on a UDP socket, as struct ip_mreqn { group, address, ifindex }: by
 * interface index it works whatever addresses the interface has and whether or not it has
 * carrier (dgram's addMembership takes only an address).
 */
export function joinGroup(fd: number, group: string, on: JoinOn): void {
  const mreqn = new Uint8Array(IP_MREQN_SIZE);
  mreqn.set(group.split(".").map(Number), 0);
  if (on.localAddress) mreqn.set(on.localAddress.split(".").map(Number), 4);
  new DataView(mreqn.buffer).setInt32(8, on.ifindex ?? 0, true);
  if (libc.setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, mreqn, mreqn.length) !== 0) {
    const err = errno();
    const name = errnoName(err);
    const where = on.iface ?? on.localAddress ?? "the interface the route to it names";
    throw udpError(`setsockopt(IP_ADD_MEMBERSHIP, ${group} on ${where})`, err,
      name === "ENOBUFS" ? "the group limit (net.ipv4.igmp_max_memberships) is reached"
      : name === "ENODEV" || name === "EADDRNOTAVAIL" ? `no interface ${on.localAddress ? `with address ${on.localAddress}` : "to join on"} here; pass iface or localAddress`
      : name === "EADDRINUSE" ? "this socket has joined the group already" : "");
  }
}

export interface UdpSocketOptions {
  /** IPv4 address to bind (0.0.0.0, a local address, or a group for only that group's datagrams). */
  address: string;
  /** UDP port to bind; 0 takes a free one. */
  port: number;
  /** SO_REUSEADDR. */
  reuseAddr: boolean;
  /** SO_RCVBUF asked (SO_RCVBUFFORCE when permitted, else capped by net.core.rmem_max). */
  receiveBufferBytes: number;
  /** IPv4 multicast group to join after binding, or undefined. */
  group?: string;
  /** Where to join the group. */
  joinOn?: JoinOn;
}

/**
 * A bound, non-blocking UDP socket made on this thread (so in its network namespace), with its
 * receive buffer set and its group joined, for dgram to wrap (bind({ fd })). Returns the fd; on
 * failure nothing is left open.
 */
export function bindUdpSocket(o: UdpSocketOptions): number {
  const { address, port, reuseAddr, receiveBufferBytes: rcvbuf } = o;
  const fd = libc.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw udpError("socket(AF_INET, SOCK_DGRAM)", errno());
  try {
    if (reuseAddr && !setIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)) throw udpError("setsockopt(SO_REUSEADDR)", errno());
    // SO_RCVBUFFORCE passes net.core.rmem_max with CAP_NET_ADMIN; SO_RCVBUF is capped by it.
    if (!setIntOption(fd, SOL_SOCKET, SO_RCVBUFFORCE, rcvbuf) && !setIntOption(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf)) {
      throw udpError(`setsockopt(SO_RCVBUF, ${rcvbuf})`, errno());
    }
    if (libc.bind(fd, sockaddrIn(address, port), SOCKADDR_IN_SIZE) !== 0) {
      const err = errno();
      const name = errnoName(err);
      throw udpError(`bind(${address}:${port})`, err,
        name === "EADDRINUSE" ? `another socket has UDP port ${port}${reuseAddr ? " without SO_REUSEADDR" : ""}; close it or choose another port`
        : name === "EADDRNOTAVAIL" ? `${address} is not an address of this host (or of this network namespace)`
        : name === "EACCES" ? `ports below 1024 need CAP_NET_BIND_SERVICE` : "");
    }
    if (o.group !== undefined) {
      // Only the groups this socket joined (Linux otherwise delivers every group any socket of
      // the host joined to a socket bound to 0.0.0.0 and the port).
      setIntOption(fd, IPPROTO_IP, IP_MULTICAST_ALL, 0);
      joinGroup(fd, o.group, o.joinOn ?? {});
    }
    return fd;
  } catch (e) {
    libc.close(fd);
    throw e;
  }
}

/**
 * An unbound UDP socket (it receives nothing) whose only job is to hold a group membership on
 * an interface, so that the NIC's multicast filter and IGMP-snooping switches deliver the group
 * (to an AF_XDP socket on that interface). Close it with closeSocket to leave the group.
 */
export function membershipSocket(group: string, on: JoinOn): number {
  const fd = libc.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    const err = errno();
    throw new XdpError("ESYSCALL", `socket(AF_INET, SOCK_DGRAM) failed with ${errnoName(err)}`, "socket", err);
  }
  try {
    joinGroup(fd, group, on);
  } catch (e) {
    libc.close(fd);
    throw e;
  }
  return fd;
}

/** What SO_MEMINFO reports of a socket. */
export interface SocketMeminfo {
  /** The receive buffer the socket got, as the kernel accounts it (SK_MEMINFO_RCVBUF). */
  receiveBufferBytes: number;
  /** Datagrams the kernel dropped on it, receive buffer full (SK_MEMINFO_DROPS). */
  drops: number;
}

/** SO_MEMINFO of a socket; undefined when the kernel does not report it. */
export function socketMeminfo(fd: number): SocketMeminfo | undefined {
  const v = new Uint32Array(SK_MEMINFO_VARS);
  const len = new Uint32Array([v.byteLength]);
  if (libc.getsockopt(fd, SOL_SOCKET, SO_MEMINFO, v, len) !== 0 || len[0] < v.byteLength) return undefined;
  return { receiveBufferBytes: v[SK_MEMINFO_RCVBUF], drops: v[SK_MEMINFO_DROPS] };
}

/** close(2) of a socket fd this file made (leaving its groups). */
export function closeSocket(fd: number): void {
  libc.close(fd);
}
