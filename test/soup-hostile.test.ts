// Hostile peers on both sides of SoupBinTCP: scripted servers and clients that send truncated
// packets, unknown types, oversize lengths, data out of order, stop their heartbeats, or close
// mid-stream. Each side ends the connection with the SoupError that names what happened, keeps
// what came before, holds no more than one packet's buffer, and never throws out of its events.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { Socket } from "node:net";
import {
  SoupClient, SoupServer, SoupError, packet, emptyPacket, loginAcceptedPacket, loginRequestPacket, SEQUENCED_DATA, SERVER_HEARTBEAT,
  CLIENT_HEARTBEAT, UNSEQUENCED_DATA, LOGOUT_REQUEST, type SoupBatch, type SoupClientOptions,
} from "../src/soup/index.js";
import { rawServer, rawClient, within, sleep } from "./helpers/tcp.js";

const seq = (i: number) => packet(SEQUENCED_DATA, Uint8Array.of(0x4d, i));

/** A scripted server: waits for the login request, then runs `then` on the socket. */
async function scripted(then: (s: Socket) => void | Promise<void>, client: Partial<SoupClientOptions> = {}): Promise<{ error: SoupError | undefined; received: number; connected: boolean }> {
  const server = await rawServer(async (s) => {
    await new Promise((r) => s.once("data", r));
    await then(s);
  });
  const c = new SoupClient({ host: "127.0.0.1", port: server.port, username: "u", password: "p", timeoutMs: 400, heartbeatMs: 50, ...client });
  let received = 0;
  c.on("batch", (b: SoupBatch) => (received += b.count));
  let connected = false;
  try {
    const error = await within(c.connect().then(async () => {
      connected = true;
      await c.done;
      return undefined;
    }, (e: SoupError) => e).catch((e: SoupError) => e), 3000, "client");
    return { error, received, connected };
  } finally {
    c.close();
    await server.close();
  }
}

const C = suite("SoupClient against a hostile server");

C("a packet cut short by the server closing is ECLOSED, and the messages before it arrive", async () => {
  const r = await scripted((s) => {
    s.write(Buffer.concat([loginAcceptedPacket("S", 1), seq(1), seq(2), seq(3).subarray(0, 3)]));
    s.end();
  });
  assert.equal([r.error?.code, r.received, r.connected], ["ECLOSED", 2, true]);
  assert.match(r.error!.message, /server closed the connection before the end of the session/);
});

C("an unknown packet type is ETYPE, and the connection is closed", async () => {
  let closed = false;
  const r = await scripted((s) => {
    s.on("close", () => (closed = true));
    s.write(Buffer.concat([loginAcceptedPacket("S", 1), seq(1), packet(0x51, Uint8Array.of(1, 2))]));
  });
  assert.equal([r.error?.code, r.received], ["ETYPE", 1]);
  await sleep(50);
  assert.ok(closed, "the client dropped the connection");
});

C("an oversize length is ELENGTH before the packet's bytes arrive", async () => {
  const r = await scripted((s) => {
    s.write(Buffer.concat([loginAcceptedPacket("S", 1), Uint8Array.of(0xff, 0xff)]));
  }, { maxPacketLength: 1024 });
  assert.equal([r.error?.code, r.connected], ["ELENGTH", true]);
});

C("a fixed-size packet of the wrong length is ELENGTH", async () => {
  const r = await scripted((s) => {
    s.write(packet(0x41, new Uint8Array(12)));
  });
  assert.equal([r.error?.code, r.connected], ["ELENGTH", false]);
});

C("a server that stops sending heartbeats is EHEARTBEAT within the timeout", async () => {
  const t0 = performance.now();
  const r = await scripted(async (s) => {
    s.write(Buffer.concat([loginAcceptedPacket("S", 1), seq(1)]));
    for (let i = 0; i < 3; i++) {
      await sleep(100);
      s.write(emptyPacket(SERVER_HEARTBEAT));
    }
    // then silence, the connection left open
  });
  const took = performance.now() - t0;
  assert.equal([r.error?.code, r.received], ["EHEARTBEAT", 1]);
  assert.match(r.error!.message, /nothing from the server for \d+ ms \(the heartbeat timeout is 400 ms\)/);
  assert.ok(took > 700 && took < 1500, `failed after ${took.toFixed(0)} ms: the heartbeats kept it open, then the timeout`);
});

C("client heartbeats go out every heartbeatMs once logged in", async () => {
  let beats = 0;
  const r = await scripted(async (s) => {
    s.on("data", (d: Buffer) => {
      for (const b of d) if (b === CLIENT_HEARTBEAT) beats++;
    });
    s.write(loginAcceptedPacket("S", 1));
    for (let i = 0; i < 6; i++) {
      await sleep(50);
      s.write(emptyPacket(SERVER_HEARTBEAT));
    }
    s.write(emptyPacket(0x5a));
  }, { heartbeatMs: 40 });
  assert.is(r.error, undefined);
  assert.ok(beats >= 4 && beats <= 10, `${beats} heartbeats in 300 ms at one per 40 ms`);
});

C("data before the login is accepted is EORDER", async () => {
  const r = await scripted((s) => {
    s.write(seq(1));
  });
  assert.equal([r.error?.code, r.connected], ["EORDER", false]);
});

C("a server that never answers the login is ETIMEOUT; nothing listening is ECONNECT", async () => {
  const r = await scripted(() => {}, { loginTimeoutMs: 150, timeoutMs: 5000 });
  assert.is(r.error?.code, "ETIMEOUT");
  const server = await rawServer(() => {});
  const port = server.port;
  await server.close();
  const c = new SoupClient({ host: "127.0.0.1", port, username: "u", password: "p" });
  const e = (await within(c.connect().catch((x) => x), 2000, "connect")) as SoupError;
  assert.equal([e.code, /connection refused/.test(e.message)], ["ECONNECT", true]);
});

C("a Login Accepted packet whose sequence number is no number is EFIELD", async () => {
  const bad = loginAcceptedPacket("S", 1);
  bad[bad.length - 2] = 0x41;
  assert.is((await scripted((s) => void s.write(bad))).error?.code, "EFIELD");
});

const V = suite("SoupServer against a hostile client");

async function withServer(test: (server: SoupServer) => Promise<void>): Promise<void> {
  const server = await SoupServer.listen({
    session: "S", authorize: () => true, heartbeatMs: 50, timeoutMs: 300,
    source: async function* () {
      for (let i = 0; i < 20; i++) {
        yield Uint8Array.of(0x4d, i);
        await sleep(20);
      }
    },
  });
  try {
    await test(server);
  } finally {
    await server.close();
  }
}

const login = () => loginRequestPacket({ username: "u", password: "p" });

/** Sends bytes from a raw client; resolves when the server has closed the connection, with the error it counted. */
async function hostile(server: SoupServer, ...parts: Uint8Array[]): Promise<string[]> {
  const c = await rawClient(server.port);
  try {
    for (const p of parts) c.socket.write(p);
    await within(c.closed, 2000, "the server drops the client");
    await sleep(20); // the server counts on its socket's "close", which may follow ours
    return Object.keys(server.stats.clientErrors);
  } finally {
    c.socket.destroy();
  }
}

V("a truncated packet then a close is counted as ECLOSED", () =>
  withServer(async (server) => {
    const c = await rawClient(server.port);
    c.socket.end(login().subarray(0, 20));
    await within(c.closed, 2000, "closed");
    await sleep(20);
    assert.equal(server.stats.clientErrors, { ECLOSED: 1 });
  }));

V("an unknown packet type drops the client as ETYPE", () =>
  withServer(async (server) => {
    assert.equal(await hostile(server, login(), packet(0x58, Uint8Array.of(1))), ["ETYPE"]);
  }));

V("an oversize length drops the client as ELENGTH", () =>
  withServer(async (server) => {
    assert.equal(await hostile(server, Uint8Array.of(0xff, 0xff)), ["ELENGTH"]);
  }));

V("a Login Request of the wrong length drops the client as ELENGTH", () =>
  withServer(async (server) => {
    assert.equal(await hostile(server, packet(0x4c, new Uint8Array(20))), ["ELENGTH"]);
  }));

V("data or a logout before the login drops the client as EORDER; so does a second login", () =>
  withServer(async (server) => {
    await hostile(server, packet(UNSEQUENCED_DATA, Uint8Array.of(1)));
    await hostile(server, emptyPacket(LOGOUT_REQUEST));
    await hostile(server, login(), login());
    assert.equal(server.stats.clientErrors, { EORDER: 3 });
  }));

V("a client that stops sending heartbeats is dropped as EHEARTBEAT", () =>
  withServer(async (server) => {
    const c = await rawClient(server.port);
    c.socket.write(login());
    const t0 = performance.now();
    await within(c.closed, 2000, "dropped");
    const took = performance.now() - t0;
    await sleep(20);
    assert.equal(server.stats.clientErrors, { EHEARTBEAT: 1 });
    assert.ok(took > 250 && took < 1000, `dropped after ${took.toFixed(0)} ms with a 300 ms timeout`);
    c.socket.destroy();
  }));

V("a client that closes mid-session stops its session, and other clients are served in full", () =>
  withServer(async (server) => {
    const good = new SoupClient({ host: "127.0.0.1", port: server.port, username: "u", password: "p", heartbeatMs: 50 });
    let got = 0;
    good.on("batch", (b) => (got += b.count));
    try {
      await good.connect();
      const bad = await rawClient(server.port);
      bad.socket.write(login());
      await sleep(60);
      bad.socket.destroy();
      const flood = await rawClient(server.port);
      flood.socket.write(Uint8Array.from({ length: 5000 }, (_, i) => (i * 37) & 0xff));
      assert.is(await within(good.done, 3000, "the good session"), "endOfSession");
      assert.is(got, 20);
      await within(flood.closed, 2000, "garbage dropped");
      await sleep(20);
      assert.equal(server.stats.completed, 1, "only the good client's session ran to its end");
      assert.ok(server.stats.clientErrors.ECLOSED === 1, JSON.stringify(server.stats.clientErrors));
    } finally {
      good.close();
    }
  }));

V("a client heartbeat keeps its login open while it sends nothing else", () =>
  withServer(async (server) => {
    const c = await rawClient(server.port);
    try {
      c.socket.write(login());
      for (let i = 0; i < 10; i++) {
        await sleep(60);
        c.socket.write(emptyPacket(CLIENT_HEARTBEAT));
      }
      assert.equal(server.stats.clientErrors, {});
      await within(c.closed, 2000, "End of Session");
      assert.is(c.bytes().at(-1), 0x5a, "the last packet is End of Session");
    } finally {
      c.socket.destroy();
    }
  }));

C.run();
V.run();
