// The realistic trading day of the session generator (SessionOptions.profile "realistic"): the
// distributions that make a generated day look like a NASDAQ TotalView-ITCH day rather than a
// uniform stream, kept apart from the generator's mechanics (itch-session.ts).
//
//  - Activity per symbol follows a Zipf law with exponent 1: the symbol of rank k (1-based) is
//    picked with probability 1 / (k H(N)). With 8,000 symbols the top 1% (80 names) carry about
//    52% of the flow, the top 10% about 76%, and the median name a few messages per million.
//  - Order references come from one counter that NASDAQ shares between all of its books and
//    protocols, so a single feed sees increasing references with large, irregular gaps. The gaps
//    here are heavy-tailed (see RefGaps): about 93 on average, most of them 1..3, a few hundred
//    thousand at times, so that a 20 M-message day ends near 10^9 and a long one passes 2^32.
//  - The message mix is the one of a real day (DAY_MIX), and net order imbalance indicators are
//    sent in the minutes before the opening and closing crosses only, as NASDAQ does.
//
// Every number is computed with + - * / and floor only (no Math.pow/exp/log, whose last bits may
// differ between engines), so a seed gives the same bytes everywhere.

import type { Rng } from "./rng.js";

/** Symbols of a realistic day when the options do not say (NASDAQ's directory lists ~8,900). */
export const DAY_SYMBOLS = 8000;

/**
 * The flow mix of a realistic day, per 10,000 flow messages, as cumulative thresholds of one
 * uniform draw in [0, 10000). From the message counts of NASDAQ's sample day 2019-10-30
 * (10302019.NASDAQ_ITCH50, 293,989,079 messages), as tabulated in S. Jansen, "Machine Learning for
 * Algorithmic Trading", 2nd ed., ch. 2: A 127,214,649 (43.3%), D 123,296,742 (41.9%),
 * U 25,513,651 (8.7%), E 7,316,703 (2.5%), X 3,568,735 (1.2%), P 1,525,363 (0.52%),
 * F 1,423,908 (0.48%), C 129,729 (0.04%), Q 17,775; the ~4 M others are mostly NOII (I) and the
 * directory. Adds and deletes share what is left (ADDS_DELETES), balanced by the live-order
 * controller (addShare); F is 1.1% of the adds.
 */
export const DAY_MIX = {
  replace: 868, // U
  exec: 868 + 249, // E
  execPrice: 868 + 249 + 4, // C
  cancel: 868 + 249 + 4 + 121, // X
  trade: 868 + 249 + 4 + 121 + 52, // P
  broken: 868 + 249 + 4 + 121 + 52 + 1, // B, about one in 10,000
} as const;
/** Draws of [DAY_MIX.broken, 10000) are adds or deletes. */
export const ADDS_DELETES = 10000 - DAY_MIX.broken;
/** Share of the adds that carry an MPID (F): 1.1%. */
export const MPID_SHARE = 0.011;

/**
 * The add share of an add-or-delete draw for `live` orders on the book and a target of `target`.
 * At the target the adds replace what deletes and full executions (about half of E) take, so the
 * book holds near the target; below it adds lead, which fills the book in the pre-market.
 */
export function addShare(live: number, target: number): number {
  const balance = (ADDS_DELETES + 125) / (2 * ADDS_DELETES);
  return balance + 0.1 * (1 - live / target);
}

/**
 * Live orders the day aims at: 1% of its messages (a real day of ~300 M messages keeps a few
 * million live orders at its peak), within 4096 .. half the cap.
 */
export function dayTargetOrders(messages: number, cap: number): number {
  return Math.max(Math.min(4096, cap), Math.min(Math.floor(cap / 2), Math.floor(messages / 100)));
}

/**
 * The day's phases as shares of the flow messages: pre-market 6%, the opening imbalance period
 * (09:28-09:30) 1.5%, market hours 82.5%, the closing imbalance period (15:50-16:00) 6%, after
 * hours 4%. NOII messages are NOII_SHARE of the imbalance periods' flow: ~1.3% of the day.
 */
export const DAY_PHASES = { openImbalance: 0.015, closeImbalance: 0.06 } as const;
/** Per 10,000 flow draws in an imbalance period: NOII messages. */
export const NOII_SHARE = 1750;

/**
 * Delete and replace pick recent orders more often than old ones: many limit orders are
 * cancelled within seconds of their arrival ("fleeting orders", Hasbrouck and Saar 2009). Given a
 * uniform u in [0, 1), the index into the live orders (the newest at the end) to act on.
 */
export function recentIndex(u: number, n: number): number {
  return n - 1 - Math.floor(u * u * u * n);
}

/**
 * Zipf(1) over N ranks with Vose's alias method: one uniform draw, O(1) per pick. Rank r (0-based)
 * has probability (1 / (r + 1)) / H(N).
 */
export class ZipfRanks {
  private readonly n: number;
  private readonly prob: Float64Array;
  private readonly alias: Uint32Array;

  constructor(n: number) {
    this.n = n;
    this.prob = new Float64Array(n);
    this.alias = new Uint32Array(n);
    let h = 0;
    for (let r = 0; r < n; r++) h += 1 / (r + 1);
    const scaled = new Float64Array(n);
    for (let r = 0; r < n; r++) scaled[r] = n / ((r + 1) * h);
    const small = new Uint32Array(n);
    const large = new Uint32Array(n);
    let ns = 0, nl = 0;
    for (let r = n - 1; r >= 0; r--) {
      if (scaled[r] < 1) small[ns++] = r;
      else large[nl++] = r;
    }
    while (ns > 0 && nl > 0) {
      const s = small[--ns];
      const l = large[--nl];
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      if (scaled[l] < 1) small[ns++] = l;
      else large[nl++] = l;
    }
    // what is left has probability 1 up to rounding
    while (nl > 0) this.prob[large[--nl]] = 1;
    while (ns > 0) this.prob[small[--ns]] = 1;
  }

  /** The rank for a uniform u in [0, 1). */
  rank(u: number): number {
    const x = u * this.n;
    const i = Math.floor(x);
    return x - i < this.prob[i] ? i : this.alias[i];
  }

  /** The share of all picks that the `k` top ranks take. */
  topShare(k: number): number {
    let h = 0, top = 0;
    for (let r = 0; r < this.n; r++) {
      h += 1 / (r + 1);
      if (r < k) top = h;
    }
    return top / h;
  }
}

/**
 * Gaps between consecutive order references of the feed: gap in [2^k, 2^(k+1)) with probability
 * proportional to 0.6^k, k = 0..18. Half-and-more of the gaps are 1..3 (NASDAQ's other books and
 * protocols were quiet), a power-law tail (density ~ gap^-1.74) reaches 2^19 (a burst elsewhere).
 * Mean 92.8.
 */
export class RefGaps {
  static readonly LEVELS = 19;
  static readonly RATIO = 0.6;
  private readonly cum = new Float64Array(RefGaps.LEVELS);
  private readonly width = new Float64Array(RefGaps.LEVELS);
  private readonly base = new Float64Array(RefGaps.LEVELS);

  constructor() {
    let z = 0, w = 1;
    for (let k = 0; k < RefGaps.LEVELS; k++) {
      z += w;
      w *= RefGaps.RATIO;
    }
    let c = 0;
    w = 1;
    for (let k = 0; k < RefGaps.LEVELS; k++) {
      this.width[k] = w / z;
      c += w / z;
      this.cum[k] = c;
      this.base[k] = k === 0 ? 1 : 2 * this.base[k - 1];
      w *= RefGaps.RATIO;
    }
    this.cum[RefGaps.LEVELS - 1] = 1;
  }

  /** The next gap (>= 1); one draw: the level, then the place within it from what is left of u. */
  next(rng: Rng): number {
    const u = rng.next();
    const cum = this.cum;
    let k = 0;
    while (u >= cum[k]) k++;
    const within = (u - (cum[k] - this.width[k])) / this.width[k];
    const base = this.base[k];
    const g = base + Math.floor((within < 0 ? 0 : within) * base);
    return g < 2 * base ? g : 2 * base - 1;
  }

  /** The mean gap. */
  mean(): number {
    let m = 0, prev = 0;
    for (let k = 0; k < RefGaps.LEVELS; k++) {
      m += (this.cum[k] - prev) * (1.5 * this.base[k] - 0.5);
      prev = this.cum[k];
    }
    return m;
  }
}
