// Compiling feed modules: an AssemblyScript source to NAME.wasm (release) and NAME.debug.wasm
// (debug), the two targets of the package's asconfig.json. `buildFeed` compiles a user's module
// against the AssemblyScript sources the package ships (assembly/: layout, rings, parsing layers,
// books); `compileFeedSource` is the one call to the compiler, also used by the package's own
// build (scripts/build.ts) for the shipped feeds.
//
// A user's module is written as if it lived in the package's assembly/feeds/ folder, as the
// shipped ones do: `export * from "../abi"`, `import { moldPacket } from "../parse/moldudp64"`.
// So it is compiled there: the shipped sources are copied to a temporary folder, the module is
// placed in its feeds/, and compiler messages name the user's file again.
//
// AssemblyScript is an optional peer dependency: only this needs it, and only at build time.

import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { XdpfeedError } from "../../bridge/errors.js";
import { ASSEMBLY_DIR, PACKAGE_ROOT } from "../../bridge/assets.js";

/** The asconfig.json targets and the file suffix each writes. */
export const TARGETS = [["release", ""], ["debug", ".debug"]] as const;

interface Asc {
  main(argv: string[], options?: object): Promise<{ error: Error | null; stderr: { toString(): string } }>;
}

async function loadAsc(): Promise<Asc> {
  try {
    const m = (await import("assemblyscript/asc" as string)) as { default?: Asc } & Asc;
    return m.default ?? m;
  } catch (e) {
    throw new XdpfeedError("ENOASC",
      "compiling a feed module needs AssemblyScript, an optional peer dependency of xdpfeed: " +
      "install it beside xdpfeed (npm i -D assemblyscript@^0.28)", { cause: e });
  }
}

/**
 * Compiles `entry` for both targets to `${outBase}.wasm` and `${outBase}.debug.wasm`. Compiler
 * messages are returned with `shownAs` in place of the entry's path.
 */
export async function compileFeedSource(entry: string, outBase: string, shownAs = entry, targets: ReadonlyArray<readonly [string, string]> = TARGETS): Promise<void> {
  const asc = await loadAsc();
  for (const [target, suffix] of targets) {
    const { error, stderr } = await asc.main([
      entry, "--config", join(PACKAGE_ROOT, "asconfig.json"), "--target", target, "--outFile", `${outBase}${suffix}.wasm`,
    ]);
    if (error) {
      const text = stderr.toString().split(entry).join(shownAs).trim();
      throw new XdpfeedError("EBUILD", `${shownAs} (${target}) does not compile: ${error.message}\n${text}`);
    }
  }
}

export interface BuildFeedOptions {
  /** Where NAME.wasm and NAME.debug.wasm go (default: the current directory). */
  outDir?: string;
  /** The module's name (default: the file name without .as.ts or .ts). */
  name?: string;
  /** Only the release build (NAME.wasm), e.g. for tests: no NAME.debug.wasm. */
  releaseOnly?: boolean;
}

export interface BuiltFeed {
  name: string;
  release: string;
  debug: string;
}

/** Compiles a user's feed module against the shipped AssemblyScript sources. */
export async function buildFeed(source: string, o: BuildFeedOptions = {}): Promise<BuiltFeed> {
  const file = resolve(source);
  if (!existsSync(file)) throw new XdpfeedError("ENOENT", `cannot build ${source}: no such file`);
  const name = o.name ?? basename(file).replace(/(\.as)?\.ts$/, "");
  if (!/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new XdpfeedError("EBUILD", `module name '${name}' must be letters, digits, '_' or '-' (choose one with --name)`);
  }
  const outDir = resolve(o.outDir ?? ".");
  mkdirSync(outDir, { recursive: true });
  const stage = mkdtempSync(join(tmpdir(), "xdpfeed-build-"));
  try {
    const asm = join(stage, "assembly");
    cpSync(ASSEMBLY_DIR, asm, { recursive: true, filter: (p) => !p.startsWith(join(ASSEMBLY_DIR, "build")) });
    const entry = join(asm, "feeds", `${name}.as.ts`);
    copyFileSync(file, entry);
    const outBase = join(outDir, name);
    await compileFeedSource(entry, outBase, source, o.releaseOnly ? TARGETS.slice(0, 1) : TARGETS);
    return { name, release: `${outBase}.wasm`, debug: `${outBase}.debug.wasm` };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
