// `npm install xdpfeed` as a user meets it: the packed tarball installed offline into a fresh
// project, then the CLI, plain JavaScript, a strict TypeScript consumer and a feed module of the
// user's own, all from that project. The IEX captures are IEX's sample data (../shared/data/iex,
// see its README).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { installedPackage, REPO } from "./helpers/package.js";

const iex = fileURLToPath(new URL("../../shared/data/iex/", import.meta.url));
const TOPS = join(iex, "TOPS16.pcapng.gz");
const haveIex = existsSync(TOPS);
// The golden counts of TOPS16 (test/decode.test.ts checks them from the checkout).
const TOPS_GOLDEN = { packets: 13022, messages: 57674, gaps: 0, duplicates: 0, resets: 0 };
const golden = (s: Record<string, unknown>) => ({ packets: s.packets, messages: s.messages, gaps: s.gaps, duplicates: s.duplicates, resets: s.resets });

const P = suite("installed package");
const version = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;

P("the tarball holds the compiled library, its wasm, the XDP object and the AssemblyScript sources, and nothing of test/, bench/ or .ci/", () => {
  const pkg = installedPackage();
  const files = execFileSync("tar", ["tzf", pkg.tarball], { encoding: "utf8" }).trim().split("\n").map((f) => f.replace(/^package\//, ""));
  for (const f of ["dist/src/index.js", "dist/src/index.d.ts", "dist/src/cli/main.js", "assembly/build/itch50.wasm", "assembly/build/itch50.debug.wasm",
    "assembly/build/iex_tops.wasm", "assembly/build/iex_deep.wasm", "bpf/xdpfeed.bpf.o", "assembly/layout.ts", "assembly/feeds/itch50.as.ts", "asconfig.json", "LICENSE"]) {
    assert.ok(files.includes(f), `${f} is in the tarball`);
  }
  assert.equal(files.filter((f) => /^(test|bench|\.ci|scripts)\//.test(f)), []);
  assert.equal(files.filter((f) => f.endsWith(".tsbuildinfo")), []);
});

P("koffi is the only runtime dependency: tsx is not installed", () => {
  const pkg = installedPackage();
  const manifest = JSON.parse(readFileSync(join(pkg.pkg, "package.json"), "utf8"));
  assert.equal(Object.keys(manifest.dependencies), ["koffi"]);
  assert.not.ok(existsSync(join(pkg.project, "node_modules", "tsx")), "tsx is not in the consumer's node_modules");
  assert.not.ok(existsSync(join(pkg.project, "node_modules", "esbuild")), "nor esbuild");
});

P("npx xdpfeed --help and --version run the compiled CLI", () => {
  const pkg = installedPackage();
  const help = pkg.run("npx", ["xdpfeed", "--help"]);
  assert.is(help.status, 0, help.stderr);
  for (const cmd of ["decode", "listen", "replay", "demo", "build-feed"]) assert.match(help.stdout, new RegExp(`^\\s+${cmd}\\s`, "m"));
  const v = pkg.run("npx", ["xdpfeed", "--version"]);
  assert.is(v.status, 0, v.stderr);
  assert.is(v.stdout.trim(), version);
  assert.ok(readFileSync(join(pkg.pkg, "dist/src/cli/main.js"), "utf8").startsWith("#!/usr/bin/env node\n"), "the bin starts with a shebang");
});

P("npx xdpfeed decode of the TOPS capture gives the golden counts", () => {
  if (!haveIex) return console.log(`# skipped: no IEX samples at ${iex}`);
  const pkg = installedPackage();
  const r = pkg.run("npx", ["xdpfeed", "decode", "--format", "iex-tops", "--input", TOPS, "--summary"]);
  assert.is(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(golden(s), TOPS_GOLDEN);
  assert.equal(s.rejected, {});
});

P("a plain .mjs file imports xdpfeed and xdpfeed/feeds and parses a capture", () => {
  if (!haveIex) return console.log(`# skipped: no IEX samples at ${iex}`);
  const pkg = installedPackage();
  writeFileSync(join(pkg.project, "parse.mjs"), `
import { decode, XdpSocket } from "xdpfeed";
import { iexTops, FeedParser, TickKind } from "xdpfeed/feeds";
import { readPackets } from "xdpfeed/input";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const p = new FeedParser(iexTops);
let quotes = 0;
for await (const b of readPackets(process.argv[2])) {
  p.parse(b, "frames", (n) => { for (let i = 0; i < n; i++) if (p.ticks.at(i).kind === TickKind.QUOTE) quotes++; });
}
const s = p.summary();
const wasm = fileURLToPath(import.meta.resolve("xdpfeed/wasm/itch50.wasm"));
console.log(JSON.stringify({ packets: s.packets, messages: s.messages, gaps: s.gaps, duplicates: s.duplicates, resets: s.resets,
  quotes, socket: typeof XdpSocket.open, decode: typeof decode, wasm: existsSync(wasm) }));
`);
  const r = pkg.run(process.execPath, ["parse.mjs", TOPS]);
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(golden(out), TOPS_GOLDEN);
  assert.ok(out.quotes > 0, "quote ticks read through the flyweight view");
  assert.equal([out.socket, out.decode, out.wasm], ["function", "function", true]);
});

P("the README's ten-line library example runs from the installed package", () => {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const m = /<!-- example: ten lines[^>]*-->\n```js\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, "the README holds the marked example");
  const pkg = installedPackage();
  writeFileSync(join(pkg.project, "vwap.mjs"), m[1]);
  const r = pkg.run(process.execPath, ["vwap.mjs", "lo", "26474", "1"]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^(xdp|socket): /, "it prints the mode it runs in and why");
});

P("a strict TypeScript consumer (module nodenext, no skipLibCheck, no DOM) compiles against the declarations", () => {
  const pkg = installedPackage();
  pkg.add("typescript", "@types/node");
  writeFileSync(join(pkg.project, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", lib: ["es2022"], types: ["node"], noEmit: true, skipLibCheck: false },
    files: ["consumer.ts"],
  }));
  writeFileSync(join(pkg.project, "consumer.ts"), `
import { openFeed, runStrategy, itch50, bookHook, XdpSocket, XdpError, type Strategy, type TickView, type BboEvent, type RunResult } from "xdpfeed";
import { FeedParser, iexDeep, feedFromModule, IEX_TOPS16, TickKind, type Feed, type ParserSummary } from "xdpfeed/feeds";
import { readPackets, type PacketBatch } from "xdpfeed/input";
import { createPair, type VethPair } from "xdpfeed/lab";
import { generateSession, type SessionOptions } from "xdpfeed/itchgen";

const strategy: Strategy = {
  onTrade(t: TickView) { const px: number = t.price / 10 ** t.priceScale; void px; },
  onBbo(b: BboEvent) { const bid: number = Number(b.bidPrice); void bid; },
};
export async function live(iface: string): Promise<RunResult> {
  const src = openFeed(itch50, { iface, ports: [26400], mode: "auto", book: { maxOrders: 1 << 16 } });
  try { return await runStrategy(strategy, src, { mode: "busy", durationMs: 1000, book: bookHook(src.book!) }); } finally { src.close(); }
}
export async function file(path: string): Promise<ParserSummary> {
  const p = new FeedParser(iexDeep);
  for await (const b of readPackets(path)) { const batch: PacketBatch = b; p.parse(batch, "frames", (n) => { if (n > 0 && p.ticks.at(0).kind === TickKind.LEVEL) return; }); }
  return p.summary();
}
export const mine: Feed = feedFromModule({ name: "mine", wasm: "./mine.wasm", schema: IEX_TOPS16, framing: "iextp" });
export function socket(): number { const s = XdpSocket.open({ iface: "eth0", ports: [1] }); const n = s.u8.length; s.close(); return n; }
export const lab: (() => VethPair) = () => createPair();
export const isXdp = (e: unknown): boolean => e instanceof XdpError && e.code === "EPERM";
export const gen: (o: SessionOptions) => unknown = generateSession;
`);
  const r = pkg.run(process.execPath, [join(pkg.project, "node_modules/typescript/bin/tsc"), "-p", "."]);
  assert.is(r.status, 0, r.stdout + r.stderr);
});

P("sudo npx xdpfeed demo: the compiled demo and its worker thread run AF_XDP to AF_XDP and clean up", () => {
  if (process.getuid?.() !== 0) return console.log("# skipped: the AF_XDP demo needs root");
  const pkg = installedPackage();
  const r = pkg.run("npx", ["xdpfeed", "demo", "--messages", "20000", "--port", "26471", "--json"], { timeout: 90_000 });
  assert.is(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal([s.mode, s.sent.messages, s.received.messages, s.parser.gaps], ["xdp", 20000, 20000, 0]);
  assert.ok(s.cleanedUp);
});

P("--strategy loads a plain .mjs module; a .ts one on a Node that cannot strip types is one line naming the fix", () => {
  const pkg = installedPackage();
  writeFileSync(join(pkg.project, "strategy.mjs"), `console.error("strategy module loaded");\nexport default { onTick() {} };\n`);
  const ok = pkg.run("npx", ["xdpfeed", "listen", "--iface", "lo", "--port", "26472", "--format", "itch50", "--mode", "socket", "--strategy", "strategy.mjs", "--duration", "1"]);
  assert.is(ok.status, 0, ok.stderr);
  assert.match(ok.stderr, "strategy module loaded");
  writeFileSync(join(pkg.project, "strategy.ts"), `const s: { onTick(): void } = { onTick() {} };\nexport default s;\n`);
  const ts = pkg.run("npx", ["xdpfeed", "listen", "--iface", "lo", "--port", "26472", "--format", "itch50", "--mode", "socket", "--strategy", "strategy.ts", "--duration", "1"]);
  if ((process.features as { typescript?: unknown }).typescript) {
    assert.is(ts.status, 0, ts.stderr);
  } else {
    assert.is(ts.status, 2, ts.stderr);
    assert.is(ts.stderr.trim().split("\n").length, 1, ts.stderr);
    assert.match(ts.stderr, "cannot load strategy strategy.ts");
    assert.match(ts.stderr, "compile it to .js");
    assert.match(ts.stderr, "--import tsx");
  }
});

P("publint and arethetypeswrong find nothing wrong with the tarball", () => {
  const pkg = installedPackage();
  const lint = pkg.run(process.execPath, [join(REPO, "node_modules/publint/src/cli.js"), "run", pkg.tarball, "--strict"]);
  assert.is(lint.status, 0, lint.stdout + lint.stderr);
  assert.not.match(lint.stdout, /Errors|Warnings/);
  const attw = pkg.run(process.execPath, [join(REPO, "node_modules/@arethetypeswrong/cli/dist/index.js"), pkg.tarball, "--profile", "esm-only", "--format", "json"]);
  assert.is(attw.status, 0, attw.stdout.slice(0, 4000) + attw.stderr);
  // The profile esm-only leaves out CommonJS and node10 resolution: xdpfeed is ESM, on Node >= 20.
  const problems = Object.values(JSON.parse(attw.stdout).problems ?? {}).flat() as Array<{ resolutionKind?: string }>;
  assert.equal(problems.filter((p) => p.resolutionKind !== "node10" && p.resolutionKind !== "node16-cjs"), []);
});

P("xdpfeed build-feed compiles a user's copy of a shipped feed, which decodes the capture through feedFromModule", () => {
  if (!haveIex) return console.log(`# skipped: no IEX samples at ${iex}`);
  const pkg = installedPackage();
  copyFileSync(join(pkg.pkg, "assembly/feeds/iex_tops.as.ts"), join(pkg.project, "my_tops.as.ts"));
  if (!existsSync(join(pkg.project, "node_modules/assemblyscript"))) {
    const missing = pkg.run("npx", ["xdpfeed", "build-feed", "my_tops.as.ts", "-o", "out"]);
    assert.is(missing.status, 2);
    assert.match(missing.stderr, "npm i -D assemblyscript");
    assert.is(missing.stderr.trim().split("\n").length, 1, "one line");
    pkg.add("assemblyscript");
  }
  const b = pkg.run("npx", ["xdpfeed", "build-feed", "my_tops.as.ts", "-o", "out"]);
  assert.is(b.status, 0, b.stdout + b.stderr);
  assert.ok(existsSync(join(pkg.project, "out/my_tops.wasm")) && existsSync(join(pkg.project, "out/my_tops.debug.wasm")));
  writeFileSync(join(pkg.project, "mine.mjs"), `
import { FeedParser, feedFromModule, IEX_TOPS16 } from "xdpfeed/feeds";
import { readPackets } from "xdpfeed/input";
const feed = feedFromModule({ name: "my-tops", wasm: "out/my_tops.wasm", debugWasm: "out/my_tops.debug.wasm", schema: IEX_TOPS16, framing: "iextp" });
for (const debug of [false, true]) {
  const p = new FeedParser(feed, { debug });
  for await (const b of readPackets(process.argv[2])) p.parse(b, "frames", () => {});
  const s = p.summary();
  console.log(JSON.stringify({ packets: s.packets, messages: s.messages, gaps: s.gaps, duplicates: s.duplicates, resets: s.resets }));
}
`);
  const r = pkg.run(process.execPath, ["mine.mjs", TOPS]);
  assert.is(r.status, 0, r.stderr);
  const [release, debug] = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(release, TOPS_GOLDEN);
  assert.equal(debug, TOPS_GOLDEN);
});

P("xdpfeed codegen sbe writes a feed the installed package compiles, which decodes packets of xdpfeed/sbe's encoder", () => {
  const pkg = installedPackage();
  copyFileSync(join(REPO, "test/fixtures/sbe/big-endian.xml"), join(pkg.project, "big.xml"));
  const g = pkg.run("npx", ["xdpfeed", "codegen", "sbe", "big.xml", "--name", "big", "-o", "gen"]);
  assert.is(g.status, 0, g.stderr);
  if (!existsSync(join(pkg.project, "node_modules/assemblyscript"))) pkg.add("assemblyscript");
  const b = pkg.run("npx", ["xdpfeed", "build-feed", "gen/big.as.ts", "-o", "out"]);
  assert.is(b.status, 0, b.stdout + b.stderr);
  writeFileSync(join(pkg.project, "big.mjs"), `
import { readFileSync } from "node:fs";
import { FeedParser, feedFromModule } from "xdpfeed/feeds";
import { readSbeSchema, sbeFeedSchema, encodeMessage, sbePacket } from "xdpfeed/sbe";
const sbe = readSbeSchema(readFileSync("big.xml", "utf8"), "big.xml");
const feed = feedFromModule({ name: "big", wasm: "out/big.wasm", schema: sbeFeedSchema("big", sbe), framing: "mdp3" });
const p = new FeedParser(feed);
const m = encodeMessage(sbe, 300, { transactTime: 9, levels: [{ securityId: 5, px: 12, size: 3, level: 1, entryType: "0", delta: -1, ratio: 0.5 }], text: "ok" });
const data = sbePacket(1, 0n, [m]);
p.parse({ data, count: 1, offsets: [0], lengths: [data.length] }, "payloads", (n) => {
  const t = p.ticks.at(0);
  console.log(JSON.stringify({ records: n, kind: t.copy().kind, price: t.price, message: p.message.at(t.msgOffset, t.msgLength).toJSON() }));
});
`);
  const r = pkg.run(process.execPath, ["big.mjs"]);
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), { records: 1, kind: "level", price: 12, message: {
    template: "Level", templateId: 300, version: 0, transactTime: 9, levels: [{ securityId: 5, px: 12, size: 3, level: 1, entryType: "0", delta: -1, ratio: 0.5 }], text: "ok",
  } });
});

P("a module that does not compile: exit status 2 and the compiler's message naming the user's file", () => {
  const pkg = installedPackage();
  if (!existsSync(join(pkg.project, "node_modules/assemblyscript"))) pkg.add("assemblyscript");
  writeFileSync(join(pkg.project, "broken.as.ts"), `export * from "../abi";\nexport function oops(): i32 { return undefinedThing; }\n`);
  const r = pkg.run("npx", ["xdpfeed", "build-feed", "broken.as.ts", "-o", "out"]);
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, "broken.as.ts");
  assert.match(r.stderr, "undefinedThing");
  assert.not.ok(existsSync(join(pkg.project, "out/broken.wasm")));
});

P.run();
