// Compiles every feed module, assembly/feeds/NAME.as.ts, for both asconfig.json targets:
// assembly/build/NAME.wasm (release) and NAME.debug.wasm (debug). `npm run build:wasm`.
import { readdirSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";

const here = fileURLToPath(new URL(".", import.meta.url));
mkdirSync(`${here}build`, { recursive: true });
const feeds = readdirSync(`${here}feeds`).filter((f) => f.endsWith(".as.ts")).map((f) => f.slice(0, -6));
let failed = false;
for (const name of feeds) {
  for (const [target, suffix] of [["release", ""], ["debug", ".debug"]]) {
    const { error, stderr } = await asc.main([
      `${here}feeds/${name}.as.ts`, "--config", `${here}../asconfig.json`, "--target", target,
      "--outFile", `${here}build/${name}${suffix}.wasm`,
    ]);
    if (error) {
      console.error(`assembly/feeds/${name}.as.ts (${target}): ${error.message}\n${stderr.toString()}`);
      failed = true;
    }
  }
}
process.exit(failed ? 1 : 0);
