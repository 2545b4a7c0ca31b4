// Feed traffic built from tables: MoldUDP64 and IEX-TP packets around messages, messages
// encoded from a schema table (src/feeds/schema.ts) with chosen field values, and seeded streams
// of such packets. Synthetic traffic for the runtime's warm-up (src/strategy/warmup.ts), for
// tests and the fuzzer; not on any receive path.

import type { Schema } from "./schema.js";
import type { Feed } from "./feeds.js";
import { udpFrame } from "../socket/frame.js";
import { moldPackets } from "../itchgen/itch-writers.js";
import { Rng } from "../itchgen/rng.js";
import { mdp3Session } from "../mdp3gen/session.js";

/** The endpoints of synthetic frames (frameOf): addresses of the benchmarking range 198.18.0.0/15. */
export const SYNTHETIC_ENDS = { srcMac: "02:00:00:00:00:01", dstMac: "02:00:00:00:00:02", srcIp: "198.18.0.1", dstIp: "198.18.0.2", srcPort: 30000, dstPort: 26400 };

/** An Ethernet/IPv4/UDP frame around a payload, between SYNTHETIC_ENDS. */
export const frameOf = (payload: Uint8Array): Uint8Array => udpFrame(SYNTHETIC_ENDS, payload);

/** A MoldUDP64 packet: session (10 bytes), sequence number, count, then length-prefixed messages. */
export function mold(session: string, seq: number | bigint, msgs: Uint8Array[], count = msgs.length): Uint8Array {
  const len = 20 + msgs.reduce((a, m) => a + 2 + m.length, 0);
  const p = new Uint8Array(len);
  const dv = new DataView(p.buffer);
  p.set(new TextEncoder().encode(session.padEnd(10).slice(0, 10)), 0);
  dv.setBigUint64(10, BigInt(seq));
  dv.setUint16(18, count);
  let at = 20;
  for (const m of msgs) {
    dv.setUint16(at, m.length);
    p.set(m, at + 2);
    at += 2 + m.length;
  }
  return p;
}

/** An IEX-TP segment (little-endian) of one message protocol: header, then length-prefixed messages. */
export function iextp(protocol: number, session: number, seq: number | bigint, msgs: Uint8Array[], count = msgs.length): Uint8Array {
  const body = msgs.reduce((a, m) => a + 2 + m.length, 0);
  const p = new Uint8Array(40 + body);
  const dv = new DataView(p.buffer);
  p[0] = 1;
  dv.setUint16(2, protocol, true);
  dv.setUint32(4, 1, true);
  dv.setUint32(8, session, true);
  dv.setUint16(12, body, true);
  dv.setUint16(14, count, true);
  dv.setBigUint64(24, BigInt(seq), true);
  let at = 40;
  for (const m of msgs) {
    dv.setUint16(at, m.length, true);
    p.set(m, at + 2);
    at += 2 + m.length;
  }
  return p;
}

/** Encodes a message of `type` from a schema, with values by field name (type byte at 0). */
export function encodeBySchema(schema: Schema, type: string, values: Record<string, number | bigint | string>): Uint8Array {
  const def = schema.messages[type];
  const m = new Uint8Array(def.length);
  const dv = new DataView(m.buffer);
  const le = schema.littleEndian;
  m[0] = type.charCodeAt(0);
  for (const f of def.fields) {
    if (f.offset === 0) continue;
    const v = values[f.name];
    if (v === undefined) continue;
    switch (f.kind) {
      case "char": m[f.offset] = String(v).charCodeAt(0); break;
      case "alpha": m.set(new TextEncoder().encode(String(v).padEnd(f.size)), f.offset); break;
      case "u1": m[f.offset] = Number(v); break;
      case "u2": dv.setUint16(f.offset, Number(v), le); break;
      case "u4": dv.setUint32(f.offset, Number(v), le); break;
      case "u6": {
        const n = BigInt(v);
        if (le) { dv.setUint32(f.offset, Number(n & 0xffffffffn), true); dv.setUint16(f.offset + 4, Number(n >> 32n), true); }
        else { dv.setUint16(f.offset, Number(n >> 32n)); dv.setUint32(f.offset + 2, Number(n & 0xffffffffn)); }
        break;
      }
      case "u8": dv.setBigUint64(f.offset, BigInt(v), le); break;
      case "i8": dv.setBigInt64(f.offset, BigInt(v), le); break;
    }
  }
  return m;
}

/**
 * UDP payloads of a synthetic stream for a feed, the same for the same seed: a generated ITCH
 * session as MoldUDP64, a generated CME MDP 3.0 session (src/mdp3gen) for the SBE packet framing,
 * or IEX-TP segments of 16 messages of every type of the feed's schema, fields filled from the
 * seeded generator, sequence numbers from 1.
 */
export function* syntheticPayloads(feed: Feed, messages: number, seed: number): Generator<Uint8Array> {
  if (feed.framing === "moldudp64") {
    yield* moldPackets({ seed, symbols: 50, messages: Math.max(messages, 200) }, { session: "WARMUP0001" });
    return;
  }
  if (feed.framing === "mdp3") {
    // About two messages a packet.
    for (const p of mdp3Session({ seed, instruments: 20, packets: Math.max(1, Math.ceil(messages / 2)) })) yield p.bytes;
    return;
  }
  const rng = new Rng(seed);
  const protocol = feed.name === "iex-deep" ? 0x8004 : 0x8003;
  const types = Object.keys(feed.schema.messages);
  const symbols = ["WARMA", "WARMB", "WARMC", "WARMD"];
  let seq = 1;
  for (let sent = 0; sent < messages;) {
    const msgs: Uint8Array[] = [];
    for (let k = 0; k < 16 && sent < messages; k++, sent++) {
      const type = types[rng.int(types.length)];
      const values: Record<string, number | bigint | string> = {};
      for (const f of feed.schema.messages[type].fields) {
        if (f.kind === "alpha") values[f.name] = symbols[rng.int(symbols.length)].slice(0, f.size);
        else if (f.kind === "u4") values[f.name] = 100 * (1 + rng.int(50));
        else if (f.kind === "u8" || f.kind === "i8") values[f.name] = f.name.toLowerCase().includes("price") ? BigInt(100_000 + 100 * rng.int(200)) : BigInt(seq);
        else if (f.kind === "u1") values[f.name] = rng.int(2);
      }
      msgs.push(encodeBySchema(feed.schema, type, values));
    }
    yield iextp(protocol, 1, seq, msgs);
    seq += msgs.length;
  }
}
