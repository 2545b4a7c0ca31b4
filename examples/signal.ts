// Example strategy: a trend signal per instrument from two exponential moving averages of trade
// prices; it signals BUY when the fast average crosses above the slow one, SELL when below.
//
//   node --import tsx examples/signal.ts             runs over a generated ITCH session
import type { Strategy, TickView } from "../src/index.js";

export interface Signal {
  instrument: number;
  side: "BUY" | "SELL";
  price: number;
  seq: number;
}

export function signalStrategy(o: { fast?: number; slow?: number; onSignal?: (s: Signal) => void } = {}): Strategy & { signals: Signal[] } {
  const af = 2 / ((o.fast ?? 5) + 1);
  const as = 2 / ((o.slow ?? 30) + 1);
  const fast: number[] = [];
  const slow: number[] = [];
  const above: boolean[] = [];
  const signals: Signal[] = [];
  return {
    signals,
    onTrade(t: TickView) {
      if (t.price === 0) return;
      const i = t.instrument;
      const p = t.price / 10 ** t.priceScale;
      if (fast[i] === undefined) {
        fast[i] = slow[i] = p;
        above[i] = false;
        return;
      }
      fast[i] += af * (p - fast[i]);
      slow[i] += as * (p - slow[i]);
      const now = fast[i] > slow[i];
      if (now !== above[i]) {
        above[i] = now;
        const s: Signal = { instrument: i, side: now ? "BUY" : "SELL", price: p, seq: t.seq };
        signals.push(s);
        o.onSignal?.(s);
      }
    },
  };
}

export default signalStrategy;

if (import.meta.url === `file://${process.argv[1]}`) {
  const { runOverSession } = await import("./run-session.js");
  const s = signalStrategy();
  const r = await runOverSession(s, { seed: 1, symbols: 50, messages: 500_000 });
  console.log(`${r.records} messages, ${s.signals.length} signals; the first five:`);
  for (const x of s.signals.slice(0, 5)) console.log(`  seq ${x.seq}  instrument ${x.instrument}  ${x.side} at ${x.price}`);
}
