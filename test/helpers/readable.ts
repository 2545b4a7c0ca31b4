// A copy of the checkout that every user can read, for child processes that drop privileges
// (setpriv --reuid=nobody): the checkout itself may be private, as a clone under /root is (mode
// 700), and then nobody could not even load the code under test. Files are hard-linked where the
// file system allows (cp -al: instant, no extra space) and copied elsewhere; .git is left out.
// Made once per test process, removed at exit.

import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
let copy: string | undefined;

/** The readable copy's root: the same tree as the checkout, at another path. */
export function readableCheckout(): string {
  if (copy) return copy;
  const root = mkdtempSync(join(tmpdir(), "xdpfeed-readable-"));
  process.on("exit", () => rmSync(root, { recursive: true, force: true }));
  chmodSync(root, 0o755);
  for (const entry of readdirSync(REPO).filter((e) => e !== ".git")) {
    const src = join(REPO, entry);
    if (spawnSync("cp", ["-al", src, root]).status !== 0) execFileSync("cp", ["-a", src, root]);
  }
  // Directories keep their modes in the copy; make each one enterable and listable by others.
  execFileSync("find", [root, "-type", "d", "-exec", "chmod", "a+rx", "{}", "+"]);
  copy = root;
  return root;
}

/** A path of the checkout, in the readable copy. */
export function readablePath(repoPath: string): string {
  return join(readableCheckout(), repoPath.startsWith(REPO) ? repoPath.slice(REPO.length) : repoPath);
}
