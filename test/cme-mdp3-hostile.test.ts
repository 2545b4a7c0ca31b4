// Hostile input for the cme-mdp3 parser, with guard patterns: each input placed between guard
// bytes (fuzz/guarded.ts) and parsed twice with different guards, so any read past the end of a
// packet changes the result. Group counts and block lengths that overrun the message, message
// sizes that overrun the packet, zero sizes, unknown templates, truncated headers, every
// truncation of a valid packet and thousands of random corruptions: each counted under its
// reason, nothing delivered from a message that does not fit, nothing thrown or trapped.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { cmeMdp3 } from "../src/feeds/feeds.js";
import * as E from "../src/feeds/cme_mdp3-encoder.js";
import { sbePacket } from "../src/sbe/packet.js";
import { mdp3Session } from "../src/mdp3gen/index.js";
import { Rng } from "../src/itchgen/rng.js";
import { batchOf } from "../fuzz/batch.js";
import { runGuarded, type RunResult } from "../fuzz/guarded.js";
import { difference } from "../fuzz/run.js";

const T0 = 1_700_000_000_000_000_000n;
const H = suite("cme-mdp3 hostile input");

// A book update of two level entries and one order entry: root block 11, entries of 32 and 24.
const bookMsg = (): Uint8Array => E.encodeMDIncrementalRefreshBook46({
  TransactTime: 1, MatchEventIndicator: ["EndOfEvent"],
  NoMDEntries: [1, 2].map((k) => ({ MDEntryPx: k * 1000, MDEntrySize: k, SecurityID: 5, RptSeq: k, NumberOfOrders: 1, MDPriceLevel: k, MDUpdateAction: "New", MDEntryType: "Bid" })),
  NoOrderIDEntries: [{ OrderID: 9, MDOrderPriority: 1, MDDisplayQty: 1, ReferenceID: 1, OrderUpdateAction: "New" }],
});
// Offsets in a packet of one bookMsg: packet header 12, size 2, SBE header 8, root block 11.
const MSG = 14;
const ROOT = MSG + 8;
const G1 = ROOT + 11;
const G2 = G1 + 3 + 2 * 32;

// Parses the payloads twice, with zero guards and 0xff guards; both must agree.
function guarded(entries: Uint8Array[]): RunResult {
  const batch = batchOf(cmeMdp3, "payloads", entries);
  const [zeros, ones] = [0x00, 0xff].map((g) => runGuarded(batch, (region) => region.fill(g)));
  assert.is(difference(zeros, ones), undefined);
  assert.is(zeros.error, undefined, "nothing thrown");
  return zeros;
}

function corrupt(edit: (p: Uint8Array, dv: DataView) => void): Uint8Array {
  const p = sbePacket(1, T0, [bookMsg()]);
  edit(p, new DataView(p.buffer));
  return p;
}

H("each corruption is counted under its reason, and the message that does not fit delivers nothing", () => {
  const cases: Array<[string, Uint8Array, string]> = [
    ["a group count past the message", corrupt((p) => (p[G1 + 2] = 3)), "badLength"],
    ["the last group's count past the message", corrupt((p) => (p[G2 + 7] = 2)), "badLength"],
    ["a group block length past the message", corrupt((_, dv) => dv.setUint16(G1, 0xffff, true)), "badLength"],
    ["a group block length below its fields", corrupt((_, dv) => dv.setUint16(G1, 20, true)), "badLength"],
    ["a root block length past the message", corrupt((_, dv) => dv.setUint16(MSG, 500, true)), "badLength"],
    ["a root block length below its fields", corrupt((_, dv) => dv.setUint16(MSG, 4, true)), "badLength"],
    ["an unknown template", corrupt((_, dv) => dv.setUint16(MSG + 2, 777, true)), "unknownType"],
    ["a message size past the packet", corrupt((_, dv) => dv.setUint16(12, 0x7fff, true)), "lengthOverrun"],
    ["a zero message size", corrupt((_, dv) => dv.setUint16(12, 0, true)), "zeroLength"],
    ["a message size of only its own two bytes", corrupt((_, dv) => dv.setUint16(12, 2, true)), "zeroLength"],
    ["a message shorter than the SBE header", sbePacket(1, T0, [new Uint8Array(7)]), "badLength"],
    ["a packet shorter than its header", new Uint8Array(11), "sessionHeaderTooShort"],
  ];
  for (const [what, packet, reason] of cases) {
    const r = guarded([packet]);
    assert.equal(r.summary.rejected, { [reason]: 1 }, what);
    assert.is(r.records, 0, `${what}: no record`);
  }
});

H("every truncation of a valid packet gives the same result whatever follows it", () => {
  const msgs = [bookMsg(), E.encodeSecurityStatus30({ SecurityID: 5 }), bookMsg()];
  const p = sbePacket(1, T0, msgs);
  // Cut at a message boundary the packet is whole messages; anywhere else it is one rejection.
  const boundaries = msgs.reduce((b, m) => [...b, b[b.length - 1] + 2 + m.length], [12]);
  for (let len = 0; len <= p.length; len++) {
    const r = guarded([p.subarray(0, len)]);
    const rejected = Object.values(r.summary.rejected).reduce((a, b) => a + b, 0);
    assert.is(rejected, boundaries.includes(len) ? 0 : 1, `length ${len}: ${JSON.stringify(r.summary.rejected)}`);
    assert.is(r.summary.messages, Math.max(0, boundaries.filter((b) => b <= len).length - 1), `length ${len}: whole messages delivered`);
  }
});

H("20,000 corrupted packets of a generated session are all counted, never throw, and ignore what follows them", () => {
  const rng = new Rng(0x3d93);
  const base = [...mdp3Session({ seed: 3, instruments: 8, packets: 400 })].map((x) => x.bytes);
  let total = 0;
  for (let round = 0; round < 40; round++) {
    const entries = Array.from({ length: 500 }, () => {
      const p = rng.pick(base).slice();
      // Bit flips, a 16-bit field set to an extreme, or a cut: at random offsets past the header.
      for (let k = 1 + rng.int(3); k > 0; k--) {
        const at = rng.int(p.length);
        const roll = rng.int(3);
        if (roll === 0) p[at] ^= 1 << rng.int(8);
        else if (roll === 1 && at + 1 < p.length) new DataView(p.buffer).setUint16(at, rng.pick([0, 1, 2, 0xff, 0x7fff, 0xffff, rng.int(0x10000)]), true);
        else p[at] = rng.int(256);
      }
      return rng.int(4) === 0 ? p.subarray(0, rng.int(p.length + 1)) : p;
    });
    const r = guarded(entries);
    const s = r.summary;
    assert.is(s.frames, entries.length);
    assert.is(s.packets + (s.rejected.sessionHeaderTooShort ?? 0), entries.length, JSON.stringify(s.rejected));
    total += entries.length;
  }
  assert.is(total, 20_000);
});

H.run();
