// SoupBinTCP 4.0 packets and the streaming decoder: field layouts byte for byte, packets split
// at every boundary, and what the decoder refuses (unknown types, oversize and wrong lengths)
// before it stores a byte of the bad packet.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { concatBytes } from "./helpers/wire.js";
import {
  SoupDecoder, SoupError, packet, emptyPacket, loginRequestPacket, loginAcceptedPacket, loginRejectedPacket, debugPacket,
  readLoginRequest, readNumber, readText, SEQUENCED_DATA, SERVER_HEARTBEAT, END_OF_SESSION, LOGIN_ACCEPTED, UNSEQUENCED_DATA,
  HEADER, type Sender,
} from "../src/soup/index.js";
import { Rng } from "../src/itchgen/rng.js";

const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

/** A packet as type, length and a hash of its payload: cheap to compare over thousands of decodes. */
type Got = string;

function fingerprint(type: number, buf: Uint8Array, off: number, len: number): Got {
  let h = 0x811c9dc5;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ buf[off + i], 0x01000193);
  return `${String.fromCharCode(type)}${len}:${(h >>> 0).toString(16)}`;
}

function decodeAll(from: Sender, chunks: Uint8Array[], maxPacketLength?: number): { got: Got[]; error: SoupError | undefined; decoder: SoupDecoder } {
  const got: Got[] = [];
  const decoder = new SoupDecoder({ from, maxPacketLength }, (type, buf, off, len) => got.push(fingerprint(type, buf, off, len)));
  let error: SoupError | undefined;
  for (const c of chunks) error = decoder.push(c) ?? error;
  return { got, error, decoder };
}

const concat = concatBytes;

/** A server's stream: every server packet type, n packets with payloads of 0 to 300 bytes. */
function serverStream(rng: Rng, n: number): { bytes: Uint8Array; packets: Got[] } {
  const parts: Uint8Array[] = [loginAcceptedPacket("SESS01", 17)];
  for (let i = 0; i < n; i++) {
    const r = rng.int(10);
    if (r === 0) parts.push(emptyPacket(SERVER_HEARTBEAT));
    else if (r === 1) parts.push(debugPacket(`note ${i}`));
    else parts.push(packet(SEQUENCED_DATA, Uint8Array.from({ length: rng.int(i === 7 ? 1 : 300) }, () => rng.int(256))));
  }
  parts.push(emptyPacket(END_OF_SESSION));
  const packets = parts.map((p) => fingerprint(p[2], p, HEADER, p.length - HEADER));
  return { bytes: concat(parts), packets };
}

const P = suite("packets");

P("a Login Request lays out username and password left-justified, session and sequence number right-justified", () => {
  const p = loginRequestPacket({ username: "ab", password: "secret", session: "S1", sequence: 42n });
  assert.is(p.length, 3 + 46);
  assert.equal([p[0], p[1], ascii(p, 2, 3)], [0, 47, "L"]);
  assert.is(ascii(p, 3, 9), "ab    ");
  assert.is(ascii(p, 9, 19), "secret    ");
  assert.is(ascii(p, 19, 29), "        S1");
  assert.is(ascii(p, 29, 49), " ".repeat(18) + "42");
  assert.equal(readLoginRequest(p, 3), { username: "ab", password: "secret", session: "S1", sequence: 42n });
});

P("a blank requested session and the default sequence number ask for the current session from its first message", () => {
  const p = loginRequestPacket({ username: "u", password: "p" });
  assert.is(ascii(p, 19, 29), " ".repeat(10));
  assert.equal(readLoginRequest(p, 3).session, "");
  assert.is(readLoginRequest(p, 3).sequence, 1n);
});

P("a Login Accepted packet carries the session and the next sequence number, both padded on the left", () => {
  const p = loginAcceptedPacket("TEST", 12345678901234567890n);
  assert.equal([p[0], p[1], ascii(p, 2, 3)], [0, 31, "A"]);
  assert.is(ascii(p, 3, 13), "      TEST");
  assert.is(ascii(p, 13, 33), "12345678901234567890");
  assert.is(readText(p, 3, 10), "TEST");
  assert.is(readNumber(p, 13, 20), 12345678901234567890n);
});

P("numbers read with either padding, blank reads 0, and anything else reads -1", () => {
  const f = (s: string) => readNumber(new TextEncoder().encode(s), 0, s.length);
  assert.equal([f("   7"), f("7   "), f("0007"), f("    "), f(" 1 2"), f("12x4")], [7n, 7n, 7n, 0n, -1n, -1n]);
});

P("a Login Rejected packet carries its reason code", () => {
  assert.equal(Array.from(loginRejectedPacket("S")), [0, 2, 0x4a, 0x53]);
});

P("fields that do not fit are refused with EFIELD naming the field", () => {
  for (const bad of [{ username: "toolong", password: "p" }, { username: "u", password: "p".repeat(11) }, { username: "u", password: "p", session: "x".repeat(11) },
    { username: "u", password: "p", sequence: -1 }, { username: "u", password: "p", sequence: 10n ** 20n }, { username: "ü", password: "p" }]) {
    try {
      loginRequestPacket(bad);
      assert.unreachable(JSON.stringify(bad, (_k, v) => (typeof v === "bigint" ? String(v) : v)));
    } catch (e) {
      assert.instance(e, SoupError);
      assert.is((e as SoupError).code, "EFIELD");
    }
  }
});

const D = suite("SoupDecoder");

D("delivers every packet of a stream cut at any one point", () => {
  const { bytes, packets } = serverStream(new Rng(1), 40);
  const want = packets.join();
  for (let cut = 0; cut <= bytes.length; cut++) {
    const { got, error, decoder } = decodeAll("server", [bytes.subarray(0, cut), bytes.subarray(cut)]);
    assert.is(error, undefined);
    if (got.join() !== want) assert.equal(got, packets, `cut at ${cut}`);
    assert.is(decoder.pending, 0);
  }
});

D("delivers every packet whether the stream comes a byte at a time or in random chunks", () => {
  const rng = new Rng(2);
  const { bytes, packets } = serverStream(rng, 300);
  const bytewise = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
  assert.equal(decodeAll("server", bytewise).got, packets);
  for (let round = 0; round < 50; round++) {
    const chunks: Uint8Array[] = [];
    for (let p = 0; p < bytes.length;) {
      const n = 1 + rng.int(rng.int(2) ? 8 : 2000);
      chunks.push(bytes.subarray(p, p + n));
      p += n;
    }
    const got = decodeAll("server", chunks).got;
    if (got.join() !== packets.join()) assert.equal(got, packets, `round ${round}`);
  }
});

D("a packet whole in its chunk is handed out in place, a split one from one bounded buffer", () => {
  const p = packet(SEQUENCED_DATA, Uint8Array.of(1, 2, 3));
  const seen: Uint8Array[] = [];
  const d = new SoupDecoder({ from: "server", maxPacketLength: 100 }, (_t, buf) => seen.push(buf));
  d.push(p);
  d.push(p.subarray(0, 2));
  d.push(p.subarray(2));
  assert.ok(seen[0] === p, "whole: a view of the chunk");
  assert.is(seen[1].length, 102, "split: the decoder's buffer, sized for the longest packet allowed");
});

D("refuses a type the sender may not send, before storing any of its payload", () => {
  const { got, error } = decodeAll("server", [packet(SEQUENCED_DATA, Uint8Array.of(1)), packet(0x51, new Uint8Array(10000))]);
  assert.is(got.length, 1, "the packet before it was delivered");
  assert.is(error?.code, "ETYPE");
  assert.match(error!.message, /'Q'/);
  // A client's packet types are not a server's, and the other way round.
  assert.is(decodeAll("client", [packet(SEQUENCED_DATA, Uint8Array.of(1))]).error?.code, "ETYPE");
  assert.is(decodeAll("server", [packet(UNSEQUENCED_DATA, Uint8Array.of(1))]).error?.code, "ETYPE");
});

D("refuses a length over the maximum as soon as its two length bytes are in", () => {
  const d = new SoupDecoder({ from: "server", maxPacketLength: 1000 }, () => assert.unreachable("no packet"));
  assert.is(d.push(Uint8Array.of(0x03)), undefined, "one byte: nothing known yet");
  const e = d.push(Uint8Array.of(0xe9));
  assert.is(e?.code, "ELENGTH");
  assert.match(e!.message, /1001 bytes .* maximum of 1000 \(maxPacketLength\)/);
  assert.is(d.push(packet(SEQUENCED_DATA, Uint8Array.of(1))), e, "nothing decoded after the error");
  assert.is(d.pending, 0, "nothing held");
});

D("refuses a fixed-size packet cut short or too long, and a zero length", () => {
  const accepted = loginAcceptedPacket("S", 1);
  const short = packet(LOGIN_ACCEPTED, accepted.subarray(HEADER, accepted.length - 1));
  assert.match(decodeAll("server", [short]).error!.message, /29 payload bytes, its type has 30: cut short/);
  assert.match(decodeAll("server", [packet(SERVER_HEARTBEAT, Uint8Array.of(0))]).error!.message, /too long/);
  assert.is(decodeAll("server", [Uint8Array.of(0, 0, 0x53)]).error?.code, "ELENGTH");
  assert.is(decodeAll("client", [Uint8Array.of(0, 0)]).error?.code, "ELENGTH", "zero length seen from the two length bytes alone");
});

D("an oversize length split after its first byte is refused when the second arrives", () => {
  const { got, error } = decodeAll("server", [Uint8Array.of(0, 1, 0x48, 0xff), Uint8Array.of(0xff, 0x53)], 512);
  assert.is(got.length, 1);
  assert.is(error?.code, "ELENGTH");
});

D("stop() ends decoding within the chunk", () => {
  const { bytes } = serverStream(new Rng(3), 10);
  let n = 0;
  const d = new SoupDecoder({ from: "server" }, () => {
    if (++n === 3) d.stop();
  });
  d.push(bytes);
  assert.is(n, 3);
});

D("rejects a maximum outside 2 to 65,535", () => {
  assert.throws(() => new SoupDecoder({ from: "server", maxPacketLength: 1 }, () => {}), /from 2 to 65535/);
  assert.throws(() => new SoupDecoder({ from: "server", maxPacketLength: 65536 }, () => {}), /from 2 to 65535/);
});

P.run();
D.run();
