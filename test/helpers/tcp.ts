// TCP peers for protocol tests: a scripted server and a scripted client on 127.0.0.1 with
// ephemeral ports, each closing everything it opened, and a bound on how long a promise may take.

import { createServer, connect, type Socket } from "node:net";
import { once } from "node:events";

/** Rejects when p takes longer than ms: a test never hangs on a peer that does not answer. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
    }),
  ]);
}

export interface RawServer {
  port: number;
  /** Connections accepted so far. */
  sockets: Socket[];
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1 that hands each connection to `script` (which may be async). */
export async function rawServer(script: (socket: Socket) => void | Promise<void>): Promise<RawServer> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on("error", () => {});
    void Promise.resolve(script(s)).catch(() => s.destroy());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const a = server.address();
  return {
    port: typeof a === "object" && a ? a.port : 0,
    sockets,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** A raw TCP connection to 127.0.0.1:port; `received` collects what arrives. */
export async function rawClient(port: number): Promise<{ socket: Socket; received: Buffer[]; closed: Promise<void>; bytes(): Buffer }> {
  const socket = connect({ host: "127.0.0.1", port });
  socket.on("error", () => {});
  const received: Buffer[] = [];
  socket.on("data", (d: Buffer) => received.push(d));
  const closed = once(socket, "close").then(() => {});
  await once(socket, "connect");
  return { socket, received, closed, bytes: () => Buffer.concat(received) };
}

/** Resolves after ms. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
