// The SoupBinTCP client against the SoupBinTCP server on 127.0.0.1: logins accepted and rejected
// for each reason, a session's messages in order from the sequence number asked for, heartbeats
// keeping idle sessions open on both sides, logout, unsequenced data, and a consumer that falls
// behind. Every test closes what it opened, passing or failing, and is bounded in time.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { SoupClient, SoupServer, SoupError, type SoupServerOptions, type SoupBatch, type SoupClientOptions } from "../src/soup/index.js";
import { within, sleep } from "./helpers/tcp.js";

/** Message i of a session: 'M', i as a u32, then i % 40 bytes of i. */
function message(i: number): Uint8Array {
  const m = new Uint8Array(5 + (i % 40)).fill(i & 0xff);
  m[0] = 0x4d;
  new DataView(m.buffer).setUint32(1, i);
  return m;
}

function* messages(n: number): Generator<Uint8Array> {
  for (let i = 1; i <= n; i++) yield message(i);
}

/** Checks every batch holds the messages its sequence numbers say; returns the numbers received in order. */
function collector(): { seqs: number[]; onBatch: (b: SoupBatch) => void } {
  const seqs: number[] = [];
  return {
    seqs,
    onBatch: (b) => {
      for (let k = 0; k < b.count; k++) {
        const seq = Number(b.firstSequence) + k;
        const want = message(seq);
        const got = b.data.subarray(b.offsets[k], b.offsets[k] + b.lengths[k]);
        if (got.length !== want.length || got.some((x, j) => x !== want[j])) assert.unreachable(`message ${seq} differs`);
        seqs.push(seq);
      }
    },
  };
}

async function withServer(o: Partial<SoupServerOptions>, test: (s: SoupServer, client: (c?: Partial<SoupClientOptions>) => SoupClient) => Promise<void>): Promise<void> {
  const server = await SoupServer.listen({ session: "TEST01", authorize: (l) => l.username === "alice" && l.password === "pw", source: () => messages(1000), ...o });
  const clients: SoupClient[] = [];
  try {
    await test(server, (c = {}) => {
      const client = new SoupClient({ host: "127.0.0.1", port: server.port, username: "alice", password: "pw", ...c });
      clients.push(client);
      return client;
    });
  } finally {
    for (const c of clients) c.close();
    await server.close();
  }
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

const S = suite("SoupClient with SoupServer");

S("a client receives every message of the session in order, then End of Session", () =>
  withServer({ source: () => messages(50_000) }, async (server, client) => {
    const c = client();
    const { seqs, onBatch } = collector();
    c.on("batch", onBatch);
    let ended = false;
    c.on("end", () => (ended = true));
    assert.equal(await within(c.connect(), 2000, "login"), { session: "TEST01", sequence: 1n });
    assert.is(await within(c.done, 5000, "session"), "endOfSession");
    assert.ok(ended);
    assert.equal(seqs, range(1, 50_000));
    assert.is(c.nextSequence, 50_001n);
    assert.equal([server.stats.logins, server.stats.completed, server.stats.messagesSent], [1, 1, 50_000]);
  }));

S("a client that asks for sequence number n receives from n on; past the end, nothing", () =>
  withServer({}, async (_server, client) => {
    for (const [from, want] of [[990, range(990, 1000)], [0, range(1, 1000)], [5000, []]] as const) {
      const c = client({ sequence: from });
      const { seqs, onBatch } = collector();
      c.on("batch", onBatch);
      assert.is((await within(c.connect(), 2000, "login")).sequence, BigInt(from === 0 ? 1 : from));
      await within(c.done, 2000, "session");
      assert.equal(seqs, want, `from ${from}`);
    }
  }));

S("a wrong password is rejected as not authorized, and the error says so", () =>
  withServer({}, async (server, client) => {
    const c = client({ password: "nope" });
    const e = (await within(c.connect().catch((x) => x), 2000, "login")) as SoupError;
    assert.instance(e, SoupError);
    assert.equal([e.code, e.reason], ["EREJECTED", "A"]);
    assert.match(e.message, /not authorized .* check the username \('alice'\) and password/);
    assert.is(((await c.done.catch((x) => x)) as SoupError).code, "EREJECTED", "done rejects with the same error");
    assert.is(server.stats.rejected, 1);
  }));

S("a login for another session is rejected as session not available", () =>
  withServer({}, async (_server, client) => {
    const e = (await within(client({ session: "OTHER" }).connect().catch((x) => x), 2000, "login")) as SoupError;
    assert.equal([e.code, e.reason], ["EREJECTED", "S"]);
    assert.match(e.message, /session not available.* \(asked for 'OTHER'\)/);
    assert.is((await within(client({ session: "TEST01" }).connect(), 2000, "login")).session, "TEST01", "its own session by name");
  }));

S("a check that answers 'S' or throws rejects with that reason or as not authorized", () =>
  withServer({ authorize: async (l) => (l.username === "full" ? "S" : l.username === "boom" ? Promise.reject(new Error("db down")) : true) }, async (_s, client) => {
    assert.is(((await client({ username: "full" }).connect().catch((x) => x)) as SoupError).reason, "S");
    assert.is(((await client({ username: "boom" }).connect().catch((x) => x)) as SoupError).reason, "A");
  }));

S("heartbeats both ways keep a session open while its source is idle longer than either timeout", () =>
  withServer({
    heartbeatMs: 40, timeoutMs: 200,
    source: async function* () {
      yield message(1);
      await sleep(600);
      yield message(2);
    },
  }, async (server, client) => {
    const c = client({ heartbeatMs: 40, timeoutMs: 200 });
    const { seqs, onBatch } = collector();
    c.on("batch", onBatch);
    await within(c.connect(), 2000, "login");
    assert.is(await within(c.done, 3000, "session"), "endOfSession");
    assert.equal(seqs, [1, 2]);
    assert.equal(server.stats.clientErrors, {});
  }));

S("a logout ends the session on both sides, and the client stops receiving", () =>
  withServer({ source: async function* () {
    for (let i = 1; ; i++) {
      yield message(i);
      if (i % 100 === 0) await sleep(5);
    }
  } }, async (server, client) => {
    const c = client();
    const { seqs, onBatch } = collector();
    c.on("batch", (b) => {
      onBatch(b);
      if (seqs.length >= 300) c.logout();
    });
    await within(c.connect(), 2000, "login");
    assert.is(await within(c.done, 3000, "session"), "logout");
    assert.equal(seqs, range(1, seqs.length));
    await within((async () => { while (server.stats.logouts === 0 || server.connections > 0) await sleep(5); })(), 2000, "server sees the logout");
    assert.equal(server.stats.clientErrors, {});
  }));

S("unsequenced data reaches the server's handler with the client's login", () => {
  const got: string[] = [];
  return withServer({ onUnsequenced: (m, l) => got.push(`${l.username}:${new TextDecoder().decode(m)}`), source: async function* () { await sleep(200); } }, async (_s, client) => {
    const c = client();
    assert.throws(() => c.send(Uint8Array.of(1)), /before the login/);
    await within(c.connect(), 2000, "login");
    c.send(new TextEncoder().encode("hello"));
    c.send(new TextEncoder().encode("again"));
    await within(c.done, 2000, "session");
    assert.equal(got, ["alice:hello", "alice:again"]);
  });
});

S("batches() hands out owned copies and holds the socket while its consumer is behind", () =>
  withServer({ source: () => messages(200_000) }, async (_s, client) => {
    const c = client({ batchBytes: 4096 });
    const it = c.batches();
    await within(c.connect(), 2000, "login");
    const kept: SoupBatch[] = [];
    const { seqs, onBatch } = collector();
    const consume = async () => {
      for await (const b of it) {
        kept.push(b);
        if (kept.length % 50 === 0) await sleep(1);
      }
    };
    await within(consume(), 10_000, "consume");
    for (const b of kept) onBatch(b); // checked after the fact: the copies did not change
    assert.equal(seqs, range(1, 200_000));
  }));

S("a source that throws drops its connection, counted as the source's failure, not the client's", () =>
  withServer({ source: function* () {
    yield message(1);
    throw new Error("file unreadable");
  } }, async (server, client) => {
    const c = client();
    const { seqs, onBatch } = collector();
    c.on("batch", onBatch);
    let seen: unknown;
    server.on("sourceError", (e) => (seen = e));
    await within(c.connect(), 2000, "login");
    assert.is(((await within(c.done.catch((x) => x), 2000, "session")) as SoupError).code, "ECLOSED");
    assert.equal(seqs, [], "the message before the failure was never flushed: the server drops at once");
    assert.match(String(seen), /file unreadable/);
    assert.equal([server.stats.sourceErrors, server.stats.clientErrors], [1, {}]);
  }));

S("connect() twice is refused; a client closed mid-session ends with ECLOSED", () =>
  withServer({ source: async function* () { yield message(1); await sleep(200); } }, async (_s, client) => {
    const c = client();
    await within(c.connect(), 2000, "login");
    assert.is(((await c.connect().catch((x) => x)) as SoupError).code, "EORDER");
    c.close();
    assert.is(((await c.done.catch((x) => x)) as SoupError).code, "ECLOSED");
  }));

S.run();
