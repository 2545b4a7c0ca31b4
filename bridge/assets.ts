// Where the package's compiled artefacts lie: the XDP object (bpf/xdpfeed.bpf.o), the feed
// modules (assembly/build/NAME.wasm) and the AssemblyScript sources users compile their own feed
// modules against (assembly/). All are found from the package root, the nearest folder above
// this file with xdpfeed's package.json: the checkout when xdpfeed runs from its sources, the
// installed package (node_modules/xdpfeed) when it runs compiled from dist/.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "xdpfeed") return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`xdpfeed: no package.json of xdpfeed above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** The package root: the checkout, or node_modules/xdpfeed. */
export const PACKAGE_ROOT = findRoot();

/** The package's version, from its package.json. */
export const PACKAGE_VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;

/** The AssemblyScript sources: layout, rings, parsing layers, books and the shipped feeds. */
export const ASSEMBLY_DIR = join(PACKAGE_ROOT, "assembly");

/** The compiled XDP program. */
export const BPF_OBJECT = join(PACKAGE_ROOT, "bpf", "xdpfeed.bpf.o");

/** A shipped feed module by name (assembly/feeds/NAME.as.ts compiled to assembly/build/). */
export function modulePath(name: string, debug = false): string {
  return join(ASSEMBLY_DIR, "build", `${name}${debug ? ".debug" : ""}.wasm`);
}
