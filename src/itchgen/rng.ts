// A small, fast, seeded PRNG: xoshiro128** (Blackman & Vigna), seeded through splitmix32.
// Only 32-bit integer arithmetic (Math.imul, shifts), so a seed gives the same stream on every
// platform and Node version.

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

const INV32 = 1 / 4294967296;

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A generator for a seed (any finite number; integers up to 2^53 use all their bits). */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`invalid seed ${seed}`);
    const s = Math.trunc(seed);
    const lo = s >>> 0;
    const hi = Math.floor(s / 4294967296) >>> 0;
    const st = { s: lo ^ Math.imul(hi, 0x85ebca6b) ^ (s < 0 ? 0x5bd1e995 : 0) };
    this.a = splitmix32(st) | 0;
    this.b = splitmix32(st) | 0;
    this.c = splitmix32(st) | 0;
    this.d = splitmix32(st) | 0;
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1;
  }

  /** A generator with the raw xoshiro128** state (for reference vectors). */
  static fromState(a: number, b: number, c: number, d: number): Rng {
    const r = new Rng(0);
    r.a = a | 0;
    r.b = b | 0;
    r.c = c | 0;
    r.d = d | 0;
    return r;
  }

  /** The next 32 random bits as an unsigned integer. */
  u32(): number {
    const b = this.b;
    let r = Math.imul(b, 5);
    r = Math.imul((r << 7) | (r >>> 25), 9);
    const t = b << 9;
    this.c ^= this.a;
    this.d ^= b;
    this.b = b ^ this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = (this.d << 11) | (this.d >>> 21);
    return r >>> 0;
  }

  /** A float in [0, 1) with 32 random bits. */
  next(): number {
    return this.u32() * INV32;
  }

  /** An integer in [0, n) for 1 <= n <= 2^32. */
  int(n: number): number {
    return Math.floor(this.u32() * INV32 * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** One element of a non-empty array. */
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
}
