// The package build (`npm run build`, run by prepack): what `npm install xdpfeed` ships.
//
//   bpf    the XDP object, bpf/xdpfeed.bpf.o (make; kept as committed when clang is absent)
//   wasm   every shipped feed module, assembly/feeds/NAME.as.ts -> assembly/build/NAME.wasm and
//          NAME.debug.wasm, when any AssemblyScript source or asconfig.json is newer
//   ts     the TypeScript to ESM JavaScript with declarations and source maps in dist/
//          (tsconfig.build.json); AssemblyScript's integer names (u32, i32, usize, u64) in the
//          declarations of the files shared with wasm become `number`, so the published types
//          stand alone
//
// `node --import tsx scripts/build.ts [bpf] [wasm] [ts]`: the named steps, or all of them.

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync, mkdirSync, statSync, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileFeedSource, TARGETS } from "../src/feeds/build-feed.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ASM = join(ROOT, "assembly");

function files(dir: string, keep: (f: string) => boolean): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter(keep).map((f) => join(dir, f));
}

const mtime = (f: string): number => (existsSync(f) ? statSync(f).mtimeMs : 0);

function bpf(): void {
  execFileSync("make", ["-s", "-C", join(ROOT, "bpf")], { stdio: "inherit" });
}

async function wasm(): Promise<void> {
  const sources = [...files(ASM, (f) => f.endsWith(".ts") && !f.startsWith("build")), join(ROOT, "asconfig.json")];
  const newest = Math.max(...sources.map(mtime));
  mkdirSync(join(ASM, "build"), { recursive: true });
  for (const f of readdirSync(join(ASM, "feeds")).filter((n) => n.endsWith(".as.ts"))) {
    const name = f.slice(0, -".as.ts".length);
    const outBase = join(ASM, "build", name);
    if (TARGETS.every(([, suffix]) => mtime(`${outBase}${suffix}.wasm`) > newest)) continue;
    await compileFeedSource(join(ASM, "feeds", f), outBase, `assembly/feeds/${f}`);
  }
}

const AS_INTEGERS = /(?<=[:<(|,]\s*)\b(u32|i32|usize|u64)\b/g;

function ts(): void {
  execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.build.json")], { stdio: "inherit" });
  for (const d of files(join(ROOT, "dist", "assembly"), (f) => f.endsWith(".d.ts"))) {
    const text = readFileSync(d, "utf8");
    const out = text.replace(AS_INTEGERS, "number");
    if (out !== text) writeFileSync(d, out);
  }
}

const steps = process.argv.slice(2);
const want = (s: string): boolean => steps.length === 0 || steps.includes(s);
try {
  if (want("bpf")) bpf();
  if (want("wasm")) await wasm();
  if (want("ts")) ts();
} catch (e) {
  console.error(`xdpfeed build: ${(e as Error).message}`);
  process.exit(1);
}
