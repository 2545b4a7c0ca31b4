// Latency from the exchange: each tick's receive time minus the timestamp the exchange put in
// the message, into an HDR histogram (node:perf_hooks createHistogram: fixed memory, nothing
// allocated per sample, percentiles without sorting). `xdpfeed listen --latency` reports it.
//
// The figure is only as good as the two clocks: this host's must be synchronised to the
// exchange's (PTP), or it measures the clocks' offset. A sample at or below zero (a host clock
// behind the exchange's) is counted apart, not recorded.
//
// Timestamps: receiveTs is wall-clock ns since the epoch; ITCH's exchange timestamp is ns since
// midnight, New York time (NASDAQ's), IEX's ns since the epoch. Both are held as doubles, so a
// sample is exact to 256 ns (2^61 ns needs 8 more bits than a double's 53).

import { createHistogram, type RecordableHistogram } from "node:perf_hooks";
import type { TickView } from "../feeds/tick.js";

const DAY_NS = 86_400e9;

/** Epoch ns of the midnight, New York time, that begins the day of `ms` (epoch ms). */
export function newYorkMidnightNs(ms: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: "America/New_York", hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const sinceMidnightMs = ((get("hour") * 60 + get("minute")) * 60 + get("second")) * 1000 + (ms % 1000);
  return (ms - sinceMidnightMs) * 1e6;
}

export interface LatencyReport {
  samples: number;
  /** Samples at or below zero: the host clock behind the exchange's. */
  negative: number;
  /** Microseconds. */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export class ExchangeLatency {
  // Up to two days (a clock a day off still lands in it); above, samples are recorded at the top.
  readonly histogram: RecordableHistogram = createHistogram({ lowest: 1, highest: 2 * DAY_NS, figures: 3 });
  readonly #sinceMidnight: boolean;
  // Epoch ns the exchange timestamps count from (ITCH: the current New York midnight), and the
  // offset in a typed array: a double kept in a field or a closure would be boxed on each store.
  readonly #n = new Float64Array(2);

  constructor(framing: "moldudp64" | "iextp" | "mdp3", nowMs = Date.now()) {
    this.#sinceMidnight = framing === "moldudp64";
    this.#n[0] = this.#sinceMidnight ? newYorkMidnightNs(nowMs) : 0;
  }

  /** Records one tick (one with no exchange timestamp is passed over). */
  record(t: TickView): void {
    const ex = t.exchangeTs;
    if (ex === 0) return;
    let lat = t.receiveTs - this.#n[0] - ex;
    // A run past midnight: the ITCH timestamps start again from 0.
    if (this.#sinceMidnight && lat > DAY_NS / 2) {
      this.#n[0] += DAY_NS;
      lat -= DAY_NS;
    }
    if (lat >= 1) this.histogram.record(lat < 2 * DAY_NS ? Math.round(lat) : 2 * DAY_NS);
    else this.#n[1]++;
  }

  report(): LatencyReport {
    const h = this.histogram;
    const us = (ns: number) => Math.round(ns / 10) / 100;
    return {
      samples: h.count, negative: this.#n[1],
      p50: us(h.percentile(50)), p90: us(h.percentile(90)), p99: us(h.percentile(99)), p999: us(h.percentile(99.9)), max: us(h.max),
    };
  }
}
