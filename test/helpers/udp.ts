// Plain kernel UDP sockets through libc, created synchronously so that inNetns() puts them in
// the namespace it enters (Node's dgram binds on a later tick, outside it).

import { libc, errno, E, SOCK_CLOEXEC } from "../../bridge/libc.js";
import { AF_INET, SOCK_DGRAM, SOCK_NONBLOCK, SOCKADDR_IN_SIZE, sockaddrIn } from "../../bridge/udp.js";
import { inNetns } from "../../bridge/netns.js";

export class KernelUdp {
  readonly fd: number;
  private constructor(fd: number) {
    this.fd = fd;
  }

  /** A UDP socket inside namespace ns, bound to port (0: any). */
  static open(ns: string, port = 0): KernelUdp {
    return inNetns(ns, () => {
      const fd = libc.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) throw new Error(`socket(AF_INET) errno ${errno()}`);
      if (libc.bind(fd, sockaddrIn("0.0.0.0", port), SOCKADDR_IN_SIZE) !== 0) throw new Error(`bind(${port}) errno ${errno()}`);
      return new KernelUdp(fd);
    });
  }

  send(ip: string, port: number, payload: Uint8Array): void {
    if (libc.sendto(this.fd, payload, payload.length, 0, sockaddrIn(ip, port), SOCKADDR_IN_SIZE) < 0) {
      throw new Error(`sendto errno ${errno()}`);
    }
  }

  /** Datagrams waiting now (non-blocking), as copies. */
  drain(): Uint8Array[] {
    const out: Uint8Array[] = [];
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = Number(libc.recvfrom(this.fd, buf, buf.length, 0, null, null));
      if (n < 0) {
        if (errno() !== E.EAGAIN) throw new Error(`recvfrom errno ${errno()}`);
        return out;
      }
      out.push(buf.slice(0, n));
    }
  }

  /** Waits up to timeoutMs for at least `count` datagrams in total. */
  async receive(count: number, timeoutMs: number): Promise<Uint8Array[]> {
    const got: Uint8Array[] = [];
    const end = Date.now() + timeoutMs;
    while (got.length < count && Date.now() < end) {
      got.push(...this.drain());
      if (got.length < count) await new Promise((r) => setTimeout(r, 5));
    }
    return got;
  }

  close(): void {
    libc.close(this.fd);
  }
}
