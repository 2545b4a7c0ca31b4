// Example strategy: VWAP per instrument from trades and executions, and the microprice
// (size-weighted mid) whenever the best bid/offer changes (when a book runs).
//
//   node --import tsx examples/vwap.ts              runs over a generated ITCH session
//   xdpfeed demo --strategy examples/vwap.ts         runs live in the demo
import type { Strategy, TickView, BboEvent } from "../src/index.js";

export interface VwapStrategy extends Strategy {
  vwap(instrument: number): number;
  volume(instrument: number): number;
  microprice(instrument: number): number;
  report(): string;
}

export function vwapStrategy(): VwapStrategy {
  // Per instrument: notional (price units x shares) and shares; arrays grow as instruments appear.
  const notional: number[] = [];
  const shares: number[] = [];
  const micro: number[] = [];
  let scale = 1e4;
  const s: VwapStrategy = {
    onTrade(t: TickView) {
      // Executions without a price trade at the resting order's price, which only a book knows.
      if (t.price === 0) return;
      const i = t.instrument;
      notional[i] = (notional[i] ?? 0) + t.price * t.quantity;
      shares[i] = (shares[i] ?? 0) + t.quantity;
      scale = 10 ** t.priceScale;
    },
    onBbo(b: BboEvent) {
      const q = b.bidQuantity + b.askQuantity;
      if (b.bidPrice > 0 && b.askPrice > 0 && q > 0) {
        micro[b.instrument] = (b.bidPrice * b.askQuantity + b.askPrice * b.bidQuantity) / q / 10 ** b.priceScale;
      }
    },
    vwap: (i) => (shares[i] ? notional[i] / shares[i] / scale : NaN),
    volume: (i) => shares[i] ?? 0,
    microprice: (i) => micro[i] ?? NaN,
    report() {
      const rows = shares.map((v, i) => [i, v] as const).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).slice(0, 10);
      return rows.map(([i, v]) => `instrument ${String(i).padStart(5)}  volume ${String(v).padStart(9)}  vwap ${s.vwap(i).toFixed(4)}  microprice ${s.microprice(i).toFixed(4)}`).join("\n");
    },
  };
  return s;
}

export default vwapStrategy;

if (import.meta.url === `file://${process.argv[1]}`) {
  const { runOverSession } = await import("./run-session.js");
  const s = vwapStrategy();
  const r = await runOverSession(s, { seed: 1, symbols: 50, messages: 500_000 });
  console.log(`${r.records} messages in ${r.seconds.toFixed(2)} s (${((r.seconds * 1e9) / r.records).toFixed(0)} ns a message: parse, book, dispatch, strategy); top instruments by volume:\n${s.report()}`);
}
