// Runs a strategy over a generated ITCH session (the examples' stand-alone mode).
import { runStrategy, ReplaySource, itch50, type Strategy, type RunResult } from "../src/index.js";
import { itchInputChunks } from "../src/gen/itch-writers.js";

export async function runOverSession(s: Strategy, session: { seed: number; symbols: number; messages: number }): Promise<RunResult> {
  const chunks = itchInputChunks(session);
  return runStrategy(s, new ReplaySource(itch50, chunks, "prefixed"));
}
