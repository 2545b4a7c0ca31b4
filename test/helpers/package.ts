// xdpfeed as a user gets it: the tarball `npm pack` makes (its prepack runs the package build),
// installed into a fresh project in a temporary folder, offline, from the tarball and npm's
// cache. Made once per test process and removed at exit.
//
// The folder is readable by every user (mode 755), so that tests which drop privileges run the
// installed package as nobody: the checkout itself may be private (a clone under /root is).

import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../..", import.meta.url));

export interface InstalledPackage {
  /** The temporary folder: the tarball, and project/. */
  root: string;
  tarball: string;
  /** The consumer project, with xdpfeed in node_modules. */
  project: string;
  /** node_modules/xdpfeed inside the project. */
  pkg: string;
  /** The installed `xdpfeed` command (node_modules/.bin/xdpfeed). */
  bin: string;
  /** Runs a command in the project; npm never reaches the network. */
  run(cmd: string, args: string[], opts?: { env?: NodeJS.ProcessEnv; timeout?: number }): SpawnSyncReturns<string>;
  /** Adds packages the checkout pins (devDependencies) to the project, offline from npm's cache. */
  add(...names: string[]): void;
}

let made: InstalledPackage | Error | undefined;

const OFFLINE = { ...process.env, npm_config_offline: "true", npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };

function npm(args: string[], cwd: string): string {
  const r = spawnSync("npm", args, { cwd, encoding: "utf8", env: OFFLINE, timeout: 180_000 });
  if (r.status !== 0) throw new Error(`npm ${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

interface LockEntry { version: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; [k: string]: unknown }

// The consumer's lockfile: xdpfeed from the tarball, and every other package at the version the
// checkout's own lockfile pins (its tarball is in npm's cache since `npm ci`), so that `npm ci
// --offline` needs no registry metadata.
function writeProject(project: string, tarball: string, extra: string[]): void {
  const repoLock = JSON.parse(readFileSync(join(REPO, "package-lock.json"), "utf8")).packages as Record<string, LockEntry>;
  const manifest = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as Record<string, unknown> & { version: string; dependencies: Record<string, string> };
  const spec = `file:${relative(project, tarball)}`;
  const packages: Record<string, unknown> = {};
  const want = [...Object.keys(manifest.dependencies), ...extra];
  for (let i = 0; i < want.length; i++) {
    const e = repoLock[`node_modules/${want[i]}`];
    if (!e) throw new Error(`${want[i]} is not in the checkout's package-lock.json (npm install it as a devDependency)`);
    packages[`node_modules/${want[i]}`] = e;
    for (const d of Object.keys({ ...e.dependencies, ...e.optionalDependencies })) if (!want.includes(d)) want.push(d);
  }
  const dependencies = { xdpfeed: spec, ...Object.fromEntries(extra.map((n) => [n, repoLock[`node_modules/${n}`].version])) };
  const { version, license, dependencies: deps, peerDependencies, peerDependenciesMeta, bin, engines, os } = manifest;
  packages["node_modules/xdpfeed"] = { version, resolved: spec, license, dependencies: deps, peerDependencies, peerDependenciesMeta, bin, engines, os };
  packages[""] = { name: "consumer", dependencies };
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module", dependencies }, null, 2));
  writeFileSync(join(project, "package-lock.json"), JSON.stringify({ name: "consumer", lockfileVersion: 3, requires: true, packages }, null, 2));
  npm(["ci", "--no-audit", "--no-fund", "--loglevel=error"], project);
}

export function installedPackage(): InstalledPackage {
  if (made instanceof Error) throw made;
  if (made) return made;
  try {
    made = install();
  } catch (e) {
    made = e as Error;
    throw e;
  }
  return made;
}

function install(): InstalledPackage {
  const root = mkdtempSync(join(tmpdir(), "xdpfeed-pkg-"));
  process.on("exit", () => rmSync(root, { recursive: true, force: true }));
  chmodSync(root, 0o755);
  npm(["pack", "--silent", "--pack-destination", root], REPO);
  const tgz = readdirSync(root).find((f) => f.endsWith(".tgz"));
  if (!tgz) throw new Error(`npm pack wrote no tarball in ${root}`);
  const tarball = join(root, tgz);
  const project = join(root, "project");
  mkdirSync(project, { mode: 0o755 });
  const extra: string[] = [];
  writeProject(project, tarball, extra);
  const run: InstalledPackage["run"] = (cmd, args, opts = {}) =>
    spawnSync(cmd, args, { cwd: project, encoding: "utf8", env: { ...OFFLINE, ...opts.env }, timeout: opts.timeout ?? 120_000, maxBuffer: 1 << 28 });
  return {
    root, tarball, project, pkg: join(project, "node_modules", "xdpfeed"), bin: join(project, "node_modules", ".bin", "xdpfeed"),
    run,
    add: (...names) => {
      for (const n of names) if (!extra.includes(n)) extra.push(n);
      writeProject(project, tarball, extra);
    },
  };
}
