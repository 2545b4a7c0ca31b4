// Sending at a rate: packet k is due at start + k / rate. Falling more than 10 ms behind (a GC
// pause, a file read) moves the start instead of catching up in a burst a receiver could not
// absorb. Waits of more than 2 ms sleep; shorter ones spin, or, with `yielding`, let the event
// loop turn at each step (a process that also answers requests must not stop hearing them).

/** A pacer for `rate` packets a second ("max": no waiting): await pace(k) before sending packet k. */
export function pacer(rate: number | "max", yielding = false): (sent: number) => Promise<void> {
  let start = process.hrtime.bigint();
  let k0 = 0;
  return async (sent: number) => {
    if (rate === "max") return;
    const due = start + BigInt(Math.round(((sent - k0) / rate) * 1e9));
    const now = process.hrtime.bigint();
    if (now - due > 10_000_000n) {
      start = now;
      k0 = sent;
      return;
    }
    while (process.hrtime.bigint() < due) {
      if (due - process.hrtime.bigint() > 2_000_000n) await new Promise((r) => setTimeout(r, 1));
      else if (yielding) await new Promise((r) => setImmediate(r));
    }
  };
}
