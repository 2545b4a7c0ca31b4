// `xdpfeed build-feed`: the command line of buildFeed() (src/feeds/build-feed.ts), loaded when
// it runs (it loads the AssemblyScript compiler).

import { command } from "./options.js";

export const buildFeedCommand = command({
  name: "build-feed",
  summary: "compile a feed module of your own (FILE.as.ts, AssemblyScript) to NAME.wasm and NAME.debug.wasm",
  usage: "FILE.as.ts [-o DIR] [--name NAME]",
  description: `
Compiles a feed module of your own: an AssemblyScript file written as if it lived in the package's
assembly/feeds/ folder beside the shipped feeds, so that imports such as '../abi',
'../parse/feed-abi' and '../parse/moldudp64' resolve against the AssemblyScript sources shipped
with xdpfeed. Writes NAME.wasm (optimized, assertions off) and NAME.debug.wasm (assertions on,
debug information) to DIR and prints their two paths.

It needs the AssemblyScript compiler installed beside xdpfeed: npm i -D assemblyscript

Load the result with feedFromModule from xdpfeed/feeds:
  feedFromModule({ name, wasm: "NAME.wasm", debugWasm: "NAME.debug.wasm", schema, framing })`,
  epilogue: "Exit status: 0 built, 2 the file is missing or does not compile, or assemblyscript is not installed.",
  args: ["FILE.as.ts"],
  options: [
    { name: "out-dir", type: "string", short: "o", value: "DIR", description: "where to write the two modules", defaultText: "the current directory" },
    { name: "name", type: "string", value: "NAME", description: "the modules' name", defaultText: "the file's name without .as.ts" },
  ],
  async run(v, [source]) {
    const { buildFeed } = await import("../feeds/build-feed.js");
    const r = await buildFeed(source, { outDir: v["out-dir"], name: v.name });
    console.log(r.release);
    console.log(r.debug);
    return 0;
  },
});
