// The parsers wired into the in-wasm RX loop: a generated ITCH session sent as MoldUDP64 frames
// through AF_XDP TX in one namespace, parsed on the RX ring in the other, message for message
// equal to decoding the same session from a file.

import * as assert from "uvu/assert";
import { XdpSocket } from "../src/socket/socket.js";
import { FeedReceiver } from "../src/feeds/receiver.js";
import { itch50 } from "../src/feeds/feeds.js";
import { udpFrame } from "../src/socket/frame.js";
import { moldPackets } from "../src/itchgen/itch-writers.js";
import { inNetns } from "../bridge/netns.js";
import { pairSuite } from "./helpers/netns.js";
import { sessionReference } from "./helpers/wire.js";

const PORT = 26400;
const SESSION = { seed: 11, symbols: 40, messages: 50_000 };
const [R, lab] = pairSuite("feed parser on the RX ring");

const reference = () => sessionReference(SESSION);

R("parses every message of a session sent over AF_XDP, in order, equal to the file decode", () => {
  if (lab.skip) return;
  const { pair } = lab;
  const rx = inNetns(pair.nsB, () => FeedReceiver.open(itch50, { iface: pair.ifB, ports: [PORT] }));
  const tx = inNetns(pair.nsA, () => XdpSocket.open({ iface: pair.ifA, program: false }));
  const got: string[] = [];
  const seqs: number[] = [];
  let lastReceiveTs = 0;
  const drain = () => {
    for (let n = rx.poll(64); n > 0; n = rx.poll(64)) {
      for (let i = 0; i < n; i++) {
        const t = rx.ticks.at(i);
        seqs.push(t.seq);
        lastReceiveTs = t.receiveTs;
        got.push(JSON.stringify(rx.message.at(t.msgOffset, t.msgLength).toJSON()));
      }
    }
  };
  try {
    const ends = { srcMac: pair.macA, dstMac: pair.macB, srcIp: pair.ipA, dstIp: pair.ipB, srcPort: 40000, dstPort: PORT };
    let sent = 0;
    for (const payload of moldPackets(SESSION, { session: "XDPFEED011" })) {
      while (!tx.send(udpFrame(ends, payload))) {
        tx.flush();
        drain();
      }
      if (++sent % 32 === 0) {
        tx.flush();
        drain();
      }
    }
    const end = Date.now() + 5000;
    while ((tx.inFlight > 0 || got.length < SESSION.messages) && Date.now() < end) {
      tx.flush();
      drain();
    }
    const s = rx.summary();
    assert.is(got.length, SESSION.messages);
    assert.equal(seqs, Array.from({ length: SESSION.messages }, (_, i) => i + 1));
    assert.equal([s.gaps, s.duplicates, s.resets], [0, 0, 0]);
    assert.equal(s.rejected, {});
    assert.ok(Math.abs(lastReceiveTs - Date.now() * 1e6) < 60e9, "receive timestamps are wall-clock ns");
    assert.equal(got, reference());
  } finally {
    rx.close();
    tx.close();
  }
});

R.run();
