// Shared by the decoder benchmark's parent (run.ts) and its children (case.ts), and with the book
// benchmark (bench/book.ts): the input file format and reading it, the record checksums, the JSON
// a case prints, medians and the printed tables.
//
// Input file (bench/.build/decode-FORMAT.bin, read by the TypeScript and C cases alike):
//   u32 LE count, then count entries of (u32 LE length, that many bytes): one UDP payload each.
//
// Checksums, over the 96-byte tick records (assembly/records.ts), identical in the C decoder:
//   check  FNV-1a over the 32-bit words (low 32 bits of seq, price, quantity; kind) of every
//          record: the agreement check the brief asks for.
//   full   FNV-1a over every 32-bit word of every record except msgOffset (bytes 84..87, an
//          address that differs by design): all fields, both halves of each u64.
//   light  sum mod 2^32 of the low 32 bits of price over every record: what the timed passes
//          consume (one field per record, so the records cannot be optimized away).

import { spawn } from "node:child_process";
import { closeSync, fstatSync, openSync, readFileSync, readSync, writeFileSync } from "node:fs";
import { R_SEQ, R_PRICE, R_QUANTITY, R_KIND, R_MSG_OFFSET, RECORD_SIZE } from "../../assembly/records.js";

export const FORMATS = ["itch50", "iex-tops", "iex-deep"] as const;
export type Format = (typeof FORMATS)[number];

export const FNV_PRIME = 0x01000193;
export const FNV_BASIS = 0x811c9dc5;

export interface Entries {
  data: Uint8Array;
  count: number;
  offsets: Uint32Array;
  lengths: Uint32Array;
}

export function writeEntries(path: string, payloads: Uint8Array[]): number {
  const total = payloads.reduce((a, p) => a + 4 + p.length, 4);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, payloads.length, true);
  let at = 4;
  for (const p of payloads) {
    dv.setUint32(at, p.length, true);
    out.set(p, at + 4);
    at += 4 + p.length;
  }
  writeFileSync(path, out);
  return total;
}

export function readEntries(path: string): Entries {
  const buf = readFileSync(path);
  return entriesOf(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path);
}

/** Reads the whole file at `path` into `dst` (its first bytes, e.g. a parser's input region); returns the byte count. */
export function readInto(path: string, dst: Uint8Array): number {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (size > dst.length) throw new Error(`${path}: ${size} bytes do not fit in ${dst.length}`);
    for (let at = 0; at < size;) {
      const got = readSync(fd, dst, at, size - at, at);
      if (got === 0) throw new Error(`${path}: file ended at ${at} of ${size} bytes`);
      at += got;
    }
    return size;
  } finally {
    closeSync(fd);
  }
}

/** The size of the file at `path` in bytes. */
export function fileSize(path: string): number {
  const fd = openSync(path, "r");
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

/** The entries of an input file's bytes, wherever they were read to; offsets are into data. */
export function entriesOf(data: Uint8Array, path: string): Entries {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const count = dv.getUint32(0, true);
  const offsets = new Uint32Array(count);
  const lengths = new Uint32Array(count);
  let at = 4;
  for (let i = 0; i < count; i++) {
    const len = dv.getUint32(at, true);
    if (at + 4 + len > data.length) throw new Error(`${path}: entry ${i} runs past the end of the file`);
    offsets[i] = at + 4;
    lengths[i] = len;
    at += 4 + len;
  }
  if (at !== data.length) throw new Error(`${path}: ${data.length - at} stray bytes at the end`);
  return { data, count, offsets, lengths };
}

/** Running checksums over records, fed n records at a time from a little-endian u32 view. */
export class RecordHash {
  check = FNV_BASIS;
  full = FNV_BASIS;
  records = 0;

  /** Records [0, n) of the record buffer whose word 0 is words[base]. */
  add(words: Uint32Array, base: number, n: number): void {
    let check = this.check;
    let full = this.full;
    const skip = R_MSG_OFFSET >>> 2;
    for (let i = 0; i < n; i++) {
      const w = base + i * (RECORD_SIZE >>> 2);
      check = Math.imul(check ^ words[w + (R_SEQ >>> 2)], FNV_PRIME);
      check = Math.imul(check ^ words[w + (R_PRICE >>> 2)], FNV_PRIME);
      check = Math.imul(check ^ words[w + (R_QUANTITY >>> 2)], FNV_PRIME);
      check = Math.imul(check ^ ((words[w + (R_KIND >>> 2)] >>> ((R_KIND & 3) * 8)) & 0xff), FNV_PRIME);
      for (let k = 0; k < RECORD_SIZE >>> 2; k++) {
        if (k !== skip) full = Math.imul(full ^ words[w + k], FNV_PRIME);
      }
    }
    this.check = check;
    this.full = full;
    this.records += n;
  }
}

/** What every case prints (one JSON line on stdout). */
export interface CaseResult {
  impl: "wasm" | "ts" | "c";
  format: Format;
  /** Messages decoded per pass over the input (records written). */
  messages: number;
  packets: number;
  /** Timed passes, and their total time in seconds. */
  passes: number;
  seconds: number;
  nsPerMessage: number;
  /** Checksums of the untimed verification pass (hex), see above. */
  checksum: string;
  fullChecksum: string;
  /** The timed passes' consumed sum (hex), per pass it is the same value. */
  lightChecksum: string;
  /** Per-pass counters of the verification pass: byType, rejected (by reason index), sequence. */
  byType: Record<string, number>;
  rejected: Record<string, number>;
  gaps: number;
  duplicates: number;
  resets: number;
  /**
   * CPU accounting over the timed passes: busy jiffies of the whole machine (/proc/stat, all
   * CPUs, 1/100 s each) and this process's own CPU time; the difference is other work.
   */
  cpu: { busyJiffies: number; ownSeconds: number };
}

export const hex = (x: number): string => (x >>> 0).toString(16).padStart(8, "0");

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** A Markdown table of rows (the first the header), the columns where `right` holds right-aligned. */
export function markdownTable(rows: string[][], right: (col: number) => boolean): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((x, i) => (right(i) ? x.padStart(w[i]) : x.padEnd(w[i]))).join(" | ")} |`;
  const rule = `|${w.map((n, i) => (right(i) ? "-".repeat(n + 1) + ":" : "-".repeat(n + 2))).join("|")}|`;
  return [line(rows[0]), rule, ...rows.slice(1).map(line)].join("\n");
}

/**
 * Runs one benchmark case as a child process in `cwd` and resolves with its stdout; rejects with
 * the first `shown` words of its command and the last lines of its stderr when it fails, and kills
 * it after `timeoutMs`.
 */
export function runChild(argv: string[], o: { cwd: string; timeoutMs: number; shown?: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: o.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${argv.slice(0, o.shown ?? 4).join(" ")} ... exited with ${signal ?? code}: ${err.trim().split("\n").slice(-5).join(" | ")}`));
    });
  });
}
