// Latency from the exchange's timestamp (src/strategy/exchange-latency.ts): the day ITCH's
// timestamps count from, and what the histogram reports.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { ExchangeLatency, newYorkMidnightNs } from "../src/strategy/exchange-latency.js";
import type { TickView } from "../src/feeds/tick.js";

const M = suite("New York midnight");

M("in summer (EDT) midnight is 04:00 UTC, in winter (EST) 05:00 UTC", () => {
  assert.is(newYorkMidnightNs(Date.UTC(2026, 6, 1, 16, 0, 0)), Date.UTC(2026, 6, 1, 4) * 1e6);
  assert.is(newYorkMidnightNs(Date.UTC(2026, 11, 3, 16, 0, 0)), Date.UTC(2026, 11, 3, 5) * 1e6);
  // 02:00 UTC on 3 December is still 2 December in New York.
  assert.is(newYorkMidnightNs(Date.UTC(2026, 11, 3, 2, 0, 0)), Date.UTC(2026, 11, 2, 5) * 1e6);
});

M.run();

const H = suite("ExchangeLatency");
const tick = (exchangeTs: number, receiveTs: number) => ({ exchangeTs, receiveTs }) as unknown as TickView;

H("ITCH: receive time minus the day's midnight minus the timestamp, in µs percentiles", () => {
  const now = Date.UTC(2026, 11, 3, 15, 0, 0);
  const midnight = newYorkMidnightNs(now);
  const l = new ExchangeLatency("moldudp64", now);
  const ex = 10 * 3600e9;
  for (let i = 0; i < 990; i++) l.record(tick(ex, midnight + ex + 5_000));
  for (let i = 0; i < 10; i++) l.record(tick(ex, midnight + ex + 2_000_000));
  const r = l.report();
  assert.is(r.samples, 1000);
  assert.is(r.negative, 0);
  // Exact to 256 ns: receive times near 2^61 ns are doubles.
  assert.ok(Math.abs(r.p50 - 5) < 0.3, `p50 ${r.p50}`);
  assert.ok(Math.abs(r.max - 2000) < 5, `max ${r.max}`);
});

H("IEX: timestamps since the epoch; a host clock behind the exchange's is counted apart; no timestamp, no sample", () => {
  const l = new ExchangeLatency("iextp");
  const ex = Date.UTC(2026, 11, 3, 15) * 1e6;
  l.record(tick(ex, ex + 1_000_000));
  l.record(tick(ex, ex - 1_000_000));
  l.record(tick(0, ex));
  const r = l.report();
  assert.equal([r.samples, r.negative], [1, 1]);
  assert.ok(Math.abs(r.p50 - 1000) < 2, `p50 ${r.p50}`);
});

H.run();
