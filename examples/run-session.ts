// Runs a strategy over a generated ITCH session (the examples' stand-alone mode).
import { runStrategy, ReplaySource, itch50, type Strategy, type RunResult } from "../src/index.js";
import { itchFileChunks } from "../src/gen/itch-writers.js";

export async function runOverSession(s: Strategy, session: { seed: number; symbols: number; messages: number }): Promise<RunResult> {
  // Each chunk of the NASDAQ binary file: u16 length, message, ... parsed as bare messages.
  const chunks = (function* () {
    for (const c of itchFileChunks(session)) {
      const offsets: number[] = [];
      const lengths: number[] = [];
      for (let at = 0; at < c.length;) {
        const len = (c[at] << 8) | c[at + 1];
        offsets.push(at + 2);
        lengths.push(len);
        at += 2 + len;
      }
      yield { data: c, count: offsets.length, offsets, lengths };
    }
  })();
  return runStrategy(s, new ReplaySource(itch50, chunks, "messages"));
}
