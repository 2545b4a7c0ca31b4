// CLI start-up as a user meets it: wall time of `xdpfeed --help` (and `--version`, `decode
// --help`) from the package as `npm install` puts it, against `node -e 0`, the floor of any Node
// program, measured in the same run. The tarball is packed and installed into a fresh project as
// the package test does (test/helpers/package.ts); every case runs in a fresh process, the cases
// take turns in each round, and the table gives medians with the ratio to `node -e 0`.
//
//   node --import tsx bench/startup.ts [--rounds 30]      (npm run bench:startup)
//
// Target: `xdpfeed --help` at most 2x `node -e 0`. Writes bench/results/startup.json.

import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { installedPackage } from "../test/helpers/package.js";

const { values: o } = parseArgs({ options: { rounds: { type: "string", default: "30" } } });
const rounds = Number(o.rounds);
if (!Number.isInteger(rounds) || rounds < 3 || rounds > 1000) {
  process.stderr.write("usage: startup.ts [--rounds 3..1000]\n");
  process.exit(2);
}

const pkg = installedPackage();
const CASES: Record<string, string[]> = {
  "node -e 0": ["-e", "0"],
  "xdpfeed --help": [pkg.bin, "--help"],
  "xdpfeed --version": [pkg.bin, "--version"],
  "xdpfeed decode --help": [pkg.bin, "decode", "--help"],
};

const times: Record<string, number[]> = Object.fromEntries(Object.keys(CASES).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  // Rotate the order each round, so no case always runs right after another.
  const names = Object.keys(CASES);
  for (let i = 0; i < names.length; i++) {
    const name = names[(i + r) % names.length];
    const t0 = process.hrtime.bigint();
    const p = spawnSync(process.execPath, CASES[name], { cwd: pkg.project, stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (p.status !== 0) throw new Error(`${name} exited with ${p.status}: ${p.stderr}`);
    times[name].push(ms);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const base = median(times["node -e 0"]);
const rows = Object.entries(times).map(([name, xs]) => ({ case: name, medianMs: +median(xs).toFixed(1), minMs: +Math.min(...xs).toFixed(1), ratio: +(median(xs) / base).toFixed(2) }));
console.log(`CLI start-up, ${rounds} rounds, fresh process per case, from the installed package (${pkg.project})\n`);
console.log("| case | median ms | min ms | vs node -e 0 |\n|---|---|---|---|");
for (const r of rows) console.log(`| ${r.case} | ${r.medianMs} | ${r.minMs} | ${r.ratio}x |`);
const help = rows.find((r) => r.case === "xdpfeed --help")!;
console.log(`\nxdpfeed --help: ${help.ratio}x node -e 0 (target <= 2x): ${help.ratio <= 2 ? "met" : "NOT met"}`);

const dir = fileURLToPath(new URL("results", import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}/startup.json`, JSON.stringify({ date: new Date().toISOString(), node: process.version, rounds, rows }, null, 2) + "\n");
