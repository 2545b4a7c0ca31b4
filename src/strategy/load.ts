// Loading a user's strategy module (`--strategy FILE` of listen and demo, and runQueues'
// `strategy`): its default export (or `strategy` export), a strategy object or a function that
// returns one. Plain JavaScript (.js, .mjs) always loads; TypeScript loads where Node runs it:
// Node >= 23.6 (or 22.6 with --experimental-strip-types) strips types outside node_modules, or a
// TypeScript loader the user registered (node --import tsx). Elsewhere the error says so in one
// line and names both ways out.

import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { XdpfeedError } from "../../bridge/errors.js";
import type { Strategy } from "./strategy.js";

const TS = new Set([".ts", ".mts", ".cts"]);

export async function loadStrategy(file: string): Promise<Strategy> {
  let m: { default?: unknown; strategy?: unknown };
  try {
    m = await import(pathToFileURL(resolve(file)).href);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_UNKNOWN_FILE_EXTENSION" && TS.has(extname(file))) {
      throw new XdpfeedError("ESTRATEGY",
        `cannot load strategy ${file}: Node ${process.versions.node} does not run TypeScript; compile it to .js ` +
        `(npx tsc), or load it with a TypeScript loader you install (npm i -D tsx; NODE_OPTIONS="--import tsx" xdpfeed ...)`,
        { cause: e });
    }
    if (code === "ERR_MODULE_NOT_FOUND" && (e as Error).message.includes(resolve(file))) {
      throw new XdpfeedError("ESTRATEGY", `cannot load strategy ${file}: no such file`, { cause: e });
    }
    throw e;
  }
  const d = m.default ?? m.strategy;
  if (typeof d === "function") return (d as () => Strategy)();
  if (d && typeof d === "object") return d as Strategy;
  throw new XdpfeedError("ESTRATEGY", `${file} exports no strategy: export default a strategy object or a function returning one`);
}
