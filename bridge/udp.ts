// Kernel UDP sockets through libc: the syscall layer of the kernel-socket mode
// (KernelFeedReceiver, src/feeds/kernel.ts) and of the group membership the XDP mode holds
// (openFeed, src/feeds/open.ts). Sockets are made with socket(2)/bind(2) on the calling thread,
// so they belong to the network namespace the thread is in (inNetns), and are read with
// non-blocking recvmmsg(2) straight into memory the caller owns (RecvVector), each datagram with
// its kernel receive time (SO_TIMESTAMPNS), and waited on with poll(2) (PollSet).
//
// Failures throw XdpError (ESYSCALL) naming the call, the errno and, where one is known, the
// fix. syscallError is not used here: its EPERM/EACCES and ENOBUFS texts are AF_XDP's
// (privileges, RLIMIT_MEMLOCK), and mean other things for a UDP socket.
//
// The receive structures (LP64 little-endian Linux: x86_64, arm64; glibc and kernel agree), drawn
// once. The hot path reads and writes them as u16/u32 words of one ArrayBuffer and hands koffi
// typed-array views of it made once: no koffi struct, no decode, no BigInt, no boxed number per
// call.
//
//   struct mmsghdr (MMSG_SIZE = 64): a struct msghdr, then the length the kernel received
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +---------------------------------------------------------------+
//   |                  msg_name (void *): 0, unused                 |  0
//   |                                                               |
//   +---------------------------------------------------------------+
//   |              msg_namelen (socklen_t): 0, unused               |  8
//   +---------------------------------------------------------------+
//   |                            padding                            | 12
//   +---------------------------------------------------------------+
//   |       msg_iov (struct iovec *): this slot's iovec   MMSG_IOV  | 16
//   |                                                               |
//   +---------------------------------------------------------------+
//   |                  msg_iovlen (size_t): 1                       | 24
//   |                                                               |
//   +---------------------------------------------------------------+
//   |  msg_control (void *): this slot's control buffer MMSG_CONTROL| 32
//   |                                                               |
//   +---------------------------------------------------------------+
//   |  msg_controllen (size_t): CMSG_TS_SPACE in, used out          | 40
//   |                                            MMSG_CONTROLLEN    |
//   +---------------------------------------------------------------+
//   |  msg_flags (int), out: MSG_TRUNC, MSG_CTRUNC      MMSG_FLAGS  | 48
//   +---------------------------------------------------------------+
//   |                            padding                            | 52
//   +---------------------------------------------------------------+
//   |  msg_len (unsigned int), out: the datagram's length MMSG_LEN  | 56
//   |  (its real length, with MSG_TRUNC in the call's flags)        |
//   +---------------------------------------------------------------+
//   |                            padding                            | 60
//   +---------------------------------------------------------------+
//
//   struct iovec (IOVEC_SIZE = 16)          struct pollfd (POLLFD_SIZE = 8)
//   +-------------------------------+       +-------------------------------+
//   |  iov_base (void *)            |  0    |  fd (int)                     |  0
//   |                               |       +---------------+---------------+
//   +-------------------------------+       | events (short)|revents (short)|  4
//   |  iov_len (size_t)             |  8    +---------------+---------------+
//   |                               |
//   +-------------------------------+
//
//   control buffer: one cmsghdr and its struct __kernel_timespec (CMSG_TS_SPACE = 32 =
//   CMSG_SPACE(16)); SO_TIMESTAMPNS_NEW gives the 64-bit timespec on every architecture
//   +---------------------------------------------------------------+
//   |  cmsg_len (size_t): CMSG_LEN(16) = 32             CMSG_LEN_AT |  0
//   |                                                               |
//   +---------------------------------------------------------------+
//   |  cmsg_level (int): SOL_SOCKET                   CMSG_LEVEL_AT |  8
//   +---------------------------------------------------------------+
//   |  cmsg_type (int): SCM_TIMESTAMPNS(_NEW)          CMSG_TYPE_AT | 12
//   +---------------------------------------------------------------+
//   |  tv_sec (s64), wall clock                       CMSG_TV_SEC_AT| 16
//   |                                                               |
//   +---------------------------------------------------------------+
//   |  tv_nsec (s64): 0..999999999                   CMSG_TV_NSEC_AT| 24
//   |                                                               |
//   +---------------------------------------------------------------+

import koffi from "koffi";
import { isIPv4 } from "node:net";
import { libc, errno, errnoName, addressOf, E, SOL_SOCKET, SOCK_CLOEXEC, MSG_DONTWAIT, POLLIN } from "./libc.js";
import { XdpError } from "./errors.js";

// The receive path's calls. Their pointers are typed arrays made once (koffi passes the backing
// store) and their results ints: a call allocates nothing on the JS heap.
const lib = koffi.load("libc.so.6");
const sys = {
  recvmmsg: lib.func("int recvmmsg(int fd, void *msgvec, unsigned int vlen, int flags, void *timeout)"),
  poll: lib.func("int poll(void *fds, unsigned long nfds, int timeout)"),
  getsockname: lib.func("int getsockname(int fd, void *addr, void *len)"),
};
const EAGAIN = E.EAGAIN;
const EWOULDBLOCK = E.EWOULDBLOCK;
const EINTR = E.EINTR;

// <linux/socket.h>, <linux/net.h>, <linux/in.h>, <asm-generic/socket.h>, <linux/sock_diag.h>
export const AF_INET = 2;
export const SOCK_DGRAM = 2;
export const SOCK_NONBLOCK = 0o4000;
export const IPPROTO_IP = 0;
export const SO_REUSEADDR = 2;
export const SO_RCVBUF = 8;
export const SO_RCVBUFFORCE = 33;
export const SO_MEMINFO = 55;
export const SO_TIMESTAMPNS_OLD = 35;
export const SO_TIMESTAMPNS_NEW = 64;
/** The control message types SO_TIMESTAMPNS_OLD / _NEW deliver (SCM_* = SO_*). */
export const SCM_TIMESTAMPNS_OLD = SO_TIMESTAMPNS_OLD;
export const SCM_TIMESTAMPNS_NEW = SO_TIMESTAMPNS_NEW;
export const MSG_CTRUNC = 0x8;
export const MSG_TRUNC = 0x20;
export const POLLERR = 8;
/** The kernel's cap on recvmmsg's vlen (UIO_MAXIOV). */
export const RECVMMSG_MAX = 1024;
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
  /** SO_TIMESTAMPNS: each datagram comes with its kernel receive time (wall clock, ns; RecvVector). */
  timestamps?: boolean;
}

/**
 * A bound, non-blocking UDP socket made on this thread (so in its network namespace), with its
 * receive buffer set, its receive timestamps on when asked, and its group joined. Returns the fd;
 * on failure nothing is left open.
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
    // The 64-bit timespec on every architecture (Linux 5.1); before, the old one (64-bit on LP64).
    if (o.timestamps && !setIntOption(fd, SOL_SOCKET, SO_TIMESTAMPNS_NEW, 1) && !setIntOption(fd, SOL_SOCKET, SO_TIMESTAMPNS_OLD, 1)) {
      throw udpError("setsockopt(SO_TIMESTAMPNS)", errno());
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

/** The local port a socket is bound to (getsockname(2)). */
export function boundPort(fd: number): number {
  const a = new Uint8Array(SOCKADDR_IN_SIZE);
  const len = new Uint32Array([SOCKADDR_IN_SIZE]);
  if (sys.getsockname(fd, a, len) !== 0) throw udpError("getsockname", errno());
  return (a[2] << 8) | a[3];
}

// The layout drawn at the top of this file, in bytes.
export const MMSG_SIZE = 64;
export const MMSG_IOV = 16;
export const MMSG_IOVLEN = 24;
export const MMSG_CONTROL = 32;
export const MMSG_CONTROLLEN = 40;
export const MMSG_FLAGS = 48;
export const MMSG_LEN = 56;
export const IOVEC_SIZE = 16;
export const CMSG_TS_SPACE = 32;
export const CMSG_LEN_AT = 0;
export const CMSG_LEVEL_AT = 8;
export const CMSG_TYPE_AT = 12;
export const CMSG_TV_SEC_AT = 16;
export const CMSG_TV_NSEC_AT = 24;
export const POLLFD_SIZE = 8;

/**
 * `slots` receive slots for recvmmsg(2), made once: slot i is mmsghdr i, whose one iovec points
 * at `slotBytes` bytes at address slotAddress + i * stride (memory the caller owns and keeps
 * alive, e.g. a region of a shared WebAssembly.Memory, which never moves) and whose control
 * buffer takes the SO_TIMESTAMPNS message. receive(fd, first, n) fills slots first..first+n-1
 * with the datagrams ready, and the accessors read each one's length, flags and timestamp in
 * place.
 *
 * Nothing here allocates after construction, even before V8 optimizes it: every value the hot
 * path handles is a small integer (timestamps are read as 16-bit halves), and the address handed
 * to recvmmsg is one of the typed-array views made here (a number would be a double, boxed on
 * every call wherever the buffer lies above 2^31).
 */
export class RecvVector {
  readonly slots: number;
  readonly slotBytes: number;
  readonly #buf: ArrayBuffer;
  readonly #u32: Uint32Array;
  readonly #u16: Uint16Array;
  /** View of the mmsghdr array from each slot on: recvmmsg's msgvec for a call starting there. */
  readonly #from: Uint8Array[];
  /** Word index of control buffer 0 in #u32. */
  readonly #ctl: number;

  constructor(slots: number, slotAddress: bigint, stride: number, slotBytes: number) {
    this.slots = slots;
    this.slotBytes = slotBytes;
    const iovAt = slots * MMSG_SIZE;
    const ctlAt = iovAt + slots * IOVEC_SIZE;
    // An explicit ArrayBuffer: its backing store is off the V8 heap and never moves.
    this.#buf = new ArrayBuffer(ctlAt + slots * CMSG_TS_SPACE);
    this.#u32 = new Uint32Array(this.#buf);
    this.#u16 = new Uint16Array(this.#buf);
    this.#from = Array.from({ length: slots }, (_, i) => new Uint8Array(this.#buf, i * MMSG_SIZE, (slots - i) * MMSG_SIZE));
    const base = addressOf(this.#buf);
    this.#ctl = ctlAt / 4;
    const dv = new DataView(this.#buf);
    for (let i = 0; i < slots; i++) {
      const m = i * MMSG_SIZE;
      dv.setBigUint64(m + MMSG_IOV, base + BigInt(iovAt + i * IOVEC_SIZE), true);
      dv.setBigUint64(m + MMSG_IOVLEN, 1n, true);
      dv.setBigUint64(m + MMSG_CONTROL, base + BigInt(ctlAt + i * CMSG_TS_SPACE), true);
      dv.setBigUint64(m + MMSG_CONTROLLEN, BigInt(CMSG_TS_SPACE), true);
      dv.setBigUint64(iovAt + i * IOVEC_SIZE, slotAddress + BigInt(i) * BigInt(stride), true);
      dv.setBigUint64(iovAt + i * IOVEC_SIZE + 8, BigInt(slotBytes), true);
    }
  }

  /**
   * recvmmsg(fd, slots first..first+n-1, MSG_DONTWAIT | MSG_TRUNC): the number of datagrams
   * received (0 when none is ready, or on EINTR), or -errno. Each slot received must be given
   * back with rearm(i) before it is received into again.
   */
  receive(fd: number, first: number, n: number): number {
    const r = sys.recvmmsg(fd, this.#from[first], n, MSG_DONTWAIT | MSG_TRUNC, null) as number;
    if (r >= 0) return r;
    const e = koffi.errno();
    return e === EAGAIN || e === EWOULDBLOCK || e === EINTR ? 0 : -e;
  }

  /** The datagram's real length (longer than slotBytes when truncated()). */
  length(i: number): number {
    return this.#u32[(i * MMSG_SIZE + MMSG_LEN) >>> 2];
  }

  /** The datagram did not fit its slot (the kernel kept slotBytes of it). */
  truncated(i: number): boolean {
    return (this.#u32[(i * MMSG_SIZE + MMSG_FLAGS) >>> 2] & MSG_TRUNC) !== 0;
  }

  /** The slot holds a receive timestamp (SCM_TIMESTAMPNS); read it with the accessors below. */
  hasTimestamp(i: number): boolean {
    const u = this.#u32;
    const c = this.#ctl + i * (CMSG_TS_SPACE / 4);
    return u[(i * MMSG_SIZE + MMSG_CONTROLLEN) >>> 2] >= CMSG_TS_SPACE && u[c + CMSG_LEN_AT / 4] >= CMSG_TS_SPACE &&
      u[c + CMSG_LEVEL_AT / 4] === SOL_SOCKET && (u[c + CMSG_TYPE_AT / 4] === SCM_TIMESTAMPNS_NEW || u[c + CMSG_TYPE_AT / 4] === SCM_TIMESTAMPNS_OLD);
  }

  /** Bits 0-15 of tv_sec of the slot's receive timestamp. */
  secondsLow(i: number): number {
    return this.#u16[(this.#ctl + i * (CMSG_TS_SPACE / 4)) * 2 + CMSG_TV_SEC_AT / 2];
  }

  /** Bits 16-31 of tv_sec (bits 32-63 are 0 until 2106). */
  secondsHigh(i: number): number {
    return this.#u16[(this.#ctl + i * (CMSG_TS_SPACE / 4)) * 2 + CMSG_TV_SEC_AT / 2 + 1];
  }

  /** tv_nsec of the slot's receive timestamp (below 10^9: a small integer). */
  nanoseconds(i: number): number {
    return this.#u32[this.#ctl + i * (CMSG_TS_SPACE / 4) + CMSG_TV_NSEC_AT / 4];
  }

  /** Readies slot i for the next receive (the kernel wrote back how much control data it used). */
  rearm(i: number): void {
    this.#u32[(i * MMSG_SIZE + MMSG_CONTROLLEN) >>> 2] = CMSG_TS_SPACE;
  }
}

/** poll(2) on a fixed set of fds for POLLIN, from a pollfd array made once. */
export class PollSet {
  readonly #i32: Int32Array;
  readonly #n: number;

  constructor(fds: readonly number[]) {
    this.#n = fds.length;
    // An explicit ArrayBuffer (off the V8 heap), passed as a typed array: no address as a number.
    this.#i32 = new Int32Array(new ArrayBuffer(Math.max(64, fds.length * POLLFD_SIZE)));
    fds.forEach((fd, i) => {
      this.#i32[i * 2] = fd;
      this.#i32[i * 2 + 1] = POLLIN; // events in the low half; the kernel writes revents
    });
  }

  /** Blocks up to timeoutMs (0: does not block): the number of fds ready (0 on timeout or EINTR), or -errno. */
  wait(timeoutMs: number): number {
    const r = sys.poll(this.#i32, this.#n, timeoutMs) as number;
    if (r >= 0) return r;
    const e = koffi.errno();
    return e === EINTR ? 0 : -e;
  }

  /** After wait(): fd i has datagrams (or an error) to read. */
  ready(i: number): boolean {
    return ((this.#i32[i * 2 + 1] >>> 16) & (POLLIN | POLLERR)) !== 0;
  }
}

/** close(2) of a socket fd this file made (leaving its groups). */
export function closeSocket(fd: number): void {
  libc.close(fd);
}
