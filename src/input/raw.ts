// Where an input's bytes come from, before any decompression: a regular file, read at positions
// (so reads can go straight into wasm memory), a FIFO or character device read in order, or
// standard input ("-"), which may be a pipe, a socket or a terminal and is read as a stream.

import { fstatSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { openError } from "./errors.js";

/** The path that names standard input. */
export const STDIN = "-";

export interface RawInput {
  /** Reads up to len bytes into b at off; 0 at the end of the input. */
  read(b: Uint8Array, off: number, len: number): Promise<number>;
  close(): Promise<void>;
  /** Size in bytes when known (a regular file), else 0. */
  readonly size: number;
}

class FileInput implements RawInput {
  #pos = 0;
  constructor(private readonly fh: FileHandle, readonly size: number, private readonly seekable: boolean) {}

  async read(b: Uint8Array, off: number, len: number): Promise<number> {
    const { bytesRead } = await this.fh.read(b, off, len, this.seekable ? this.#pos : null);
    this.#pos += bytesRead;
    return bytesRead;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

class StreamInput implements RawInput {
  readonly #chunks: AsyncIterator<Buffer>;
  #chunk: Buffer | null = null;
  #at = 0;
  constructor(private readonly stream: NodeJS.ReadableStream & { destroy(): void }, readonly size: number) {
    this.#chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  async read(b: Uint8Array, off: number, len: number): Promise<number> {
    while (this.#chunk === null || this.#at >= this.#chunk.length) {
      const r = await this.#chunks.next();
      if (r.done === true) return 0;
      this.#chunk = r.value;
      this.#at = 0;
    }
    const k = Math.min(len, this.#chunk.length - this.#at);
    b.set(this.#chunk.subarray(this.#at, this.#at + k), off);
    this.#at += k;
    return k;
  }

  async close(): Promise<void> {
    this.stream.destroy();
  }
}

/**
 * Opens an input: throws `cannot open FILE: no such file` (and the like) when it cannot be opened.
 * "-" and /dev/stdin are standard input, read as a stream: opening /dev/stdin anew fails when it
 * is a socket (as a parent process's pipe often is).
 */
export async function openRaw(path: string): Promise<RawInput> {
  if (path === STDIN || path === "/dev/stdin") {
    const st = fstatSync(0);
    return new StreamInput(process.stdin, st.isFile() ? st.size : 0);
  }
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (e) {
    throw openError(path, e);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error("EISDIR"), { code: "EISDIR" });
    return new FileInput(fh, st.isFile() ? st.size : 0, st.isFile());
  } catch (e) {
    await fh.close();
    throw openError(path, e);
  }
}
