// Runs a strategy over a generated ITCH session (the examples' stand-alone mode), with an order
// book so that onBbo and onBook are called as they are live. The session is generated first, so
// that the run's time is the receive path's: parse, book, dispatch and the strategy.
import { runStrategy, ReplaySource, bookHook, itch50, type Strategy, type RunResult } from "../src/index.js";
import { itchInputChunks } from "../src/itchgen/itch-writers.js";

export async function runOverSession(s: Strategy, session: { seed: number; symbols: number; messages: number }): Promise<RunResult> {
  const src = new ReplaySource(itch50, [...itchInputChunks(session)], "prefixed", { book: true });
  return runStrategy(s, src, { book: src.book && bookHook(src.book) });
}
