// Running code inside a named network namespace (ip netns add NAME) from this thread, via
// setns(2). Sockets and XDP attachments made inside belong to that namespace for their life.

import koffi from "koffi";
import { libc, errno } from "./libc.js";
import { syscallError } from "./errors.js";

const lib = koffi.load("libc.so.6");
const setns = lib.func("int setns(int fd, int nstype)");
const openFile = lib.func("int open(const char *path, int flags)");
const O_RDONLY_CLOEXEC = 0o2000000;
const CLONE_NEWNET = 0x40000000;

function enter(path: string): void {
  const fd = openFile(path, O_RDONLY_CLOEXEC);
  if (fd < 0) throw syscallError(`open(${path})`, errno());
  try {
    if (setns(fd, CLONE_NEWNET) !== 0) throw syscallError(`setns(${path})`, errno());
  } finally {
    libc.close(fd);
  }
}

/** Runs fn with this thread inside network namespace `name`, then returns to the original one. */
export function inNetns<T>(name: string, fn: () => T): T {
  const self = openFile("/proc/thread-self/ns/net", O_RDONLY_CLOEXEC);
  if (self < 0) throw syscallError("open(/proc/thread-self/ns/net)", errno());
  try {
    enter(`/run/netns/${name}`);
    try {
      return fn();
    } finally {
      if (setns(self, CLONE_NEWNET) !== 0) throw syscallError("setns(back)", errno());
    }
  } finally {
    libc.close(self);
  }
}

/** Moves this thread into network namespace `name` for good (a worker that serves there). */
export function enterNetns(name: string): void {
  enter(`/run/netns/${name}`);
}
