// PLACEHOLDER (cli branch): the real buildFeed is being written on another branch and replaces
// this file; only its signature is here, so that `xdpfeed build-feed` type-checks.

import { XdpfeedError } from "../../bridge/errors.js";

/** Compiles a feed module of your own (FILE.as.ts) to NAME.wasm and NAME.debug.wasm in outDir. */
export async function buildFeed(source: string, o: { outDir?: string; name?: string } = {}): Promise<{ name: string; release: string; debug: string }> {
  void source;
  void o;
  throw new XdpfeedError("ENOTIMPL", "not built yet");
}
