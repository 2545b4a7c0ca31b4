// The `xdpfeed` command line as a user runs it (a child process through src/xdpfeed.mjs): help
// derived from the option tables, the version, exit statuses, and a help path that loads none of
// the heavy modules; and the option tables' parsing itself.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { COMMANDS } from "../src/cli/commands.js";
import { annotation, helpText, parseArgsConfig, parseCommandLine, command } from "../src/cli/options.js";
import { readValues, UsageError } from "../src/cli/values.js";
import { FORMATS } from "../src/cli/decode.js";
import { FEEDS } from "../src/feeds/feeds.js";
import { XdpfeedError } from "../bridge/errors.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "src/xdpfeed.mjs");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };

function xdpfeed(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: root, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// Help text with its layout undone (wrapping, columns), so that a wrapped annotation still matches.
const flat = (s: string): string => s.replace(/\s+/g, " ");

const H = suite("cli help");

H("lists every command with its summary, exits 0 for --help and 2 when no command is given", () => {
  const help = xdpfeed(["--help"]);
  assert.is(help.code, 0, help.err);
  for (const c of COMMANDS) assert.match(flat(help.out), `${c.name} ${c.summary}`);
  const none = xdpfeed([]);
  assert.is(none.code, 2);
  assert.is(none.out, help.out);
  assert.is(xdpfeed(["-h"]).out, help.out);
  assert.is(xdpfeed(["help"]).code, 0);
});

H("every command's --help lists every option of its table with its default or (required)", () => {
  for (const c of COMMANDS) {
    const r = xdpfeed([c.name, "--help"]);
    assert.is(r.code, 0, r.err);
    assert.is(r.out, helpText(c));
    const out = flat(r.out);
    assert.ok(out.startsWith(`Usage: xdpfeed ${c.name} ${c.usage}`), c.name);
    for (const o of c.options) {
      assert.match(out, `--${o.name}${o.type === "string" ? ` ${o.value}` : ""}`, `${c.name} --${o.name}`);
      if (annotation(o)) assert.match(out, annotation(o), `${c.name} --${o.name}: ${annotation(o)}`);
      for (const v of o.choices ?? []) assert.match(out, v);
    }
    assert.match(out, "-h, --help");
  }
});

H("the defaults shown are the values used: demo --help shows the demos' own defaults", () => {
  const out = flat(xdpfeed(["demo", "--help"]).out);
  for (const d of ["(default 300000)", "(default 100)", "(default 1)", "(default: 100000; with --raw max)", "(default: 26400; with --raw 5000)", "(default 1000000)", "(default 64)"]) {
    assert.match(out, d);
  }
});

H("`help CMD` prints the same as `CMD --help`", () => {
  assert.is(xdpfeed(["help", "listen"]).out, xdpfeed(["listen", "--help"]).out);
});

H("the formats the help names are the shipped feeds", () => {
  assert.equal([...FORMATS].sort(), Object.keys(FEEDS).sort());
});

H("build-feed --help explains where imports resolve, the defaults, assemblyscript and feedFromModule", () => {
  const out = flat(xdpfeed(["build-feed", "--help"]).out);
  for (const s of ["assembly/feeds/", "'../abi'", "'../parse/feed-abi'", "'../parse/moldudp64'", "NAME.wasm", "NAME.debug.wasm",
    "(default: the current directory)", "(default: the file's name without .as.ts)", "npm i -D assemblyscript", "feedFromModule", "xdpfeed/feeds"]) {
    assert.match(out, s);
  }
});

H.run();

const V = suite("cli version");

V("--version and -V print package.json's version", () => {
  for (const flag of ["--version", "-V"]) {
    const r = xdpfeed([flag]);
    assert.is(r.code, 0, r.err);
    assert.is(r.out, `${pkg.version}\n`);
  }
});

V.run();

const X = suite("cli exit status");
const dir = mkdtempSync(join(tmpdir(), "xdpfeed-cli-"));
X.after(() => rmSync(dir, { recursive: true, force: true }));

const usage = (r: { code: number | null; err: string }, message: string) => {
  assert.is(r.code, 2, r.err);
  assert.is(r.err, `xdpfeed: ${message} (see xdpfeed --help)\n`);
};

X("an unknown command exits 2 and points to --help", () => {
  usage(xdpfeed(["frobnicate"]), "unknown command 'frobnicate'");
});

X("a value that is no integer, or below the minimum, exits 2", () => {
  usage(xdpfeed(["demo", "--seed", "1.5"]), "--seed expects an integer >= 0, got '1.5'");
  usage(xdpfeed(["demo", "--payload", "4"]), "--payload expects an integer >= 8, got '4'");
  usage(xdpfeed(["replay", "--input", "x", "--port", "0", "--via", "socket"]), "--port expects an integer from 1 to 65535, got '0'");
});

X("an unknown option, or a stray argument, exits 2 with parseArgs' own message", () => {
  const r = xdpfeed(["decode", "--bogus"]);
  assert.is(r.code, 2);
  assert.match(r.err, /^xdpfeed: Unknown option '--bogus'.* \(see xdpfeed --help\)\n$/);
  assert.is(xdpfeed(["listen", "stray"]).code, 2);
});

X("a missing required option, or a value not among the choices, exits 2", () => {
  usage(xdpfeed(["decode", "--format", "itch50", "--json"]), "decode needs --input FILE");
  usage(xdpfeed(["listen", "--iface", "lo", "--port", "1", "--format", "itch50", "--mode", "dpdk"]), "--mode expects auto, xdp or socket, got 'dpdk'");
  usage(xdpfeed(["replay", "--input", "x", "--port", "1"]), "replay --via xdp needs --iface IF");
  usage(xdpfeed(["build-feed"]), "build-feed needs FILE.as.ts");
});

X("a missing file for decode exits 2 with one line and no pointer to --help", () => {
  const f = join(dir, "nope.pcap");
  const r = xdpfeed(["decode", "--format", "itch50", "--input", f, "--summary"]);
  assert.is(r.code, 2);
  assert.is(r.err, `xdpfeed: cannot open ${f}: no such file\n`);
});

X("an error that is no XdpfeedError exits 1, with its stack only under XDPFEED_DEBUG=1", () => {
  const f = join(dir, "throws.mjs");
  writeFileSync(f, "throw new Error('boom from the strategy');\n");
  const args = ["listen", "--iface", "lo", "--port", "9", "--format", "itch50", "--strategy", f];
  const plain = xdpfeed(args);
  assert.is(plain.code, 1, plain.err);
  assert.is(plain.err, "xdpfeed: boom from the strategy\n");
  const debug = xdpfeed(args, { XDPFEED_DEBUG: "1" });
  assert.is(debug.code, 1);
  assert.match(debug.err, /xdpfeed: boom from the strategy\nError: boom from the strategy\n\s+at /);
});

X.run();

// A resolve hook that refuses koffi and the AssemblyScript compiler, registered before the CLI
// loads: a path that imports either fails.
const HOOK = `export async function resolve(s, c, next) {
  if (s === "koffi" || s.startsWith("assemblyscript")) throw new Error("heavy import: " + s);
  return next(s, c);
}`;
const REGISTER = `import { register } from "node:module"; register(${JSON.stringify("data:text/javascript," + encodeURIComponent(HOOK))});`;

function lightly(args: string[]) {
  const r = spawnSync(process.execPath, ["--import", `data:text/javascript,${encodeURIComponent(REGISTER)}`, cli, ...args], { encoding: "utf8", cwd: root });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const L = suite("cli help path");

L("--help, CMD --help and --version load neither koffi nor assemblyscript", () => {
  for (const args of [["--help"], ["--version"], ...COMMANDS.map((c) => [c.name, "--help"])]) {
    const r = lightly(args);
    assert.is(r.code, 0, `${args.join(" ")}: ${r.err}`);
    assert.ok(r.out.length > 0);
  }
});

L("the check sees koffi when a command loads it", () => {
  const r = lightly(["listen", "--iface", "lo", "--port", "9", "--format", "itch50", "--mode", "socket", "--duration", "1"]);
  assert.is(r.code, 1);
  assert.match(r.err, "heavy import: koffi");
});

L.run();

const T = suite("cli option table");

const probe = command({
  name: "probe",
  summary: "a command to test the tables with",
  usage: "[options]",
  description: "",
  options: [
    { name: "count", type: "string", value: "N", description: "how many", default: 3, integer: { min: 1, max: 10 } },
    { name: "rate", type: "string", value: "R", description: "how fast", default: "max", integer: { min: 1, or: ["max"] } },
    { name: "via", type: "string", value: "V", description: "how", choices: ["a", "b"], default: "a" },
    { name: "input", type: "string", short: "i", value: "FILE", description: "what", required: true },
    { name: "quiet", type: "boolean", description: "say less" },
  ],
  async run() {
    return 0;
  },
});

const read = (args: string[]) => readValues(probe, parseCommandLine(probe, args));

T("parseArgs' config has every option of the table with its type and short name, plus -h", () => {
  const { options } = parseArgsConfig(probe);
  assert.equal(options, {
    count: { type: "string" }, rate: { type: "string" }, via: { type: "string" }, input: { type: "string", short: "i" },
    quiet: { type: "boolean" }, help: { type: "boolean", short: "h" },
  });
});

T("absent options take their defaults, booleans are false, integers are numbers", () => {
  assert.equal(read(["-i", "f"]), { count: 3, rate: "max", via: "a", input: "f", quiet: false });
  assert.equal(read(["--input", "f", "--count", "10", "--rate", "250", "--via", "b", "--quiet"]), { count: 10, rate: 250, via: "b", input: "f", quiet: true });
});

T("a failed check is a UsageError, an XdpfeedError with code EUSAGE", () => {
  for (const [args, message] of [
    [[], "probe needs --input FILE"],
    [["-i", "f", "--count", "11"], "--count expects an integer from 1 to 10, got '11'"],
    [["-i", "f", "--count", ""], "--count expects an integer from 1 to 10, got ''"],
    [["-i", "f", "--rate", "fast"], "--rate expects an integer >= 1 or max, got 'fast'"],
    [["-i", "f", "--via", "c"], "--via expects a or b, got 'c'"],
  ] as const) {
    try {
      read([...args]);
      assert.unreachable(message);
    } catch (e) {
      assert.instance(e, UsageError);
      assert.instance(e, XdpfeedError);
      assert.is((e as UsageError).code, "EUSAGE");
      assert.is((e as Error).message, message);
    }
  }
});

T.run();
