// libc through koffi: the syscalls the AF_XDP path needs, with errno captured after each call.
// Pointers are passed as typed arrays (koffi hands their backing store to C without a copy) or,
// where the address itself matters (mmap with MAP_FIXED), as integers.

import koffi from "koffi";

const lib = koffi.load("libc.so.6");

export const libc = {
  socket: lib.func("int socket(int domain, int type, int protocol)"),
  close: lib.func("int close(int fd)"),
  bind: lib.func("int bind(int fd, const void *addr, uint32_t len)"),
  setsockopt: lib.func("int setsockopt(int fd, int level, int name, const void *val, uint32_t len)"),
  getsockopt: lib.func("int getsockopt(int fd, int level, int name, void *val, void *len)"),
  mmap: lib.func("intptr_t mmap(uintptr_t addr, size_t len, int prot, int flags, int fd, int64_t off)"),
  munmap: lib.func("int munmap(uintptr_t addr, size_t len)"),
  poll: lib.func("int poll(void *fds, unsigned long nfds, int timeout)"),
  recvfrom: lib.func("intptr_t recvfrom(int fd, void *buf, size_t len, int flags, void *src, void *srclen)"),
  sendto: lib.func("intptr_t sendto(int fd, void *buf, size_t len, int flags, void *dst, uint32_t dstlen)"),
  if_nametoindex: lib.func("unsigned int if_nametoindex(const char *name)"),
  getrlimit: lib.func("int getrlimit(int resource, void *rlim)"),
  memcpy: lib.func("uintptr_t memcpy(void *dst, const void *src, size_t n)"),
  strerror: lib.func("const char *strerror(int errnum)"),
  clock_gettime: lib.func("int clock_gettime(int clock, void *ts)"),
};

export const errno = (): number => koffi.errno();
export const E = koffi.os.errno as Record<string, number>;

export { errnoName } from "./errors.js";

// Host address of byte 0 of a buffer (its backing store, never copied for typed arrays).
export function addressOf(buf: ArrayBufferLike): bigint {
  const u8 = new Uint8Array(buf, 0, 1);
  return BigInt(libc.memcpy(u8, u8, 0));
}

// Socket and memory constants from the kernel's uapi headers.
export const AF_XDP = 44;
export const SOCK_RAW = 3;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SOL_XDP = 283;
export const SO_BUSY_POLL = 46;
export const SO_PREFER_BUSY_POLL = 69;
export const SO_BUSY_POLL_BUDGET = 70;
export const MSG_DONTWAIT = 0x40;
export const POLLIN = 1;
export const POLLOUT = 4;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 1;
export const MAP_PRIVATE = 2;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_POPULATE = 0x8000;
export const MAP_FAILED = -1;
export const RLIMIT_MEMLOCK = 8;
export const CLOCK_REALTIME = 0;
export const CLOCK_MONOTONIC = 1;
