// A file as a stream of bytes in one reusable working buffer, read in large pieces and
// decompressed on the fly when it is gzip. Parsers look at buf[pos, end) in place and call fill()
// only when a record runs past `end`, so the common path has no await and no copy: a plain file
// is read straight into the buffer, a gzip one is copied once from zlib's output.
//
// The buffer can be the caller's (the `buffer` option): a FeedParser's input region, so that a
// plain file is read straight into wasm memory and parsed where it lies. Not for gzip: zlib's
// output lands in shared memory at any alignment, which V8 copies byte by byte (several times
// slower than the private buffer's copy plus the parser's aligned one).
//
// Memory stays bounded: the buffer holds one read (1 MiB by default) and grows only when a single
// record is bigger than that (leaving a caller's buffer for a private one); callers cap record
// sizes so a damaged length cannot make it huge.
//
// Pipes, FIFOs and standard input ("-") are read in order, never at a position: the first bytes,
// read to tell the format, are kept and handed out first, so one opening serves the whole read
// (openInput, then readPackets or readItchBinary with its `source`).

import { Readable } from "node:stream";
import { createGunzip, type Gunzip } from "node:zlib";
import { InputError } from "./errors.js";
import { openRaw, type RawInput } from "./raw.js";
import { detectFormat, MAGIC_BYTES, type InputFormat } from "./format.js";

/** Called as the file is read: bytes of the file on disk read so far (compressed bytes for gzip). */
export type ProgressFn = (bytesRead: number, totalBytes: number) => void;

export interface SourceOptions {
  /** Working buffer size and read size in bytes. */
  bufferBytes: number;
  onProgress?: ProgressFn;
  /**
   * The working buffer for a plain (not gzip) file, used when it holds at least bufferBytes
   * (e.g. FeedParser.input); reads then go straight into it.
   */
  buffer?: Uint8Array;
}

/** Reads start at this alignment in the buffer: the kernel copies into a misaligned one several times slower. */
const READ_ALIGN = 64;

/** zlib output chunk size: large enough that a 1 MiB fill takes a handful of awaits, not 64. */
const GUNZIP_CHUNK = 256 * 1024;

export class ByteSource {
  /** Working buffer; bytes [pos, end) are read and not yet consumed. Replaced when it grows. */
  buf: Uint8Array;
  /** DataView over `buf`, kept in step with it. */
  view: DataView;
  pos = 0;
  end = 0;
  /** Offset of buf[0] in the (decompressed) stream, for error messages. */
  base = 0;
  /** No more bytes will come. */
  eof = false;
  /** Set when the gzip stream failed: Z_BUF_ERROR is a stream cut short, anything else is corrupt. */
  gzipError: { code: string; message: string } | null = null;
  readonly path: string;
  readonly compressed: boolean;
  /** Size of the file; 0 for a pipe. */
  readonly fileBytes: number;

  private readonly raw: RawInput;
  /** Bytes of the file read so far. */
  private filePos = 0;
  /** Bytes read to tell the format, handed out first. */
  private head: Uint8Array | null;
  private readonly onProgress: ProgressFn | undefined;
  private readonly gz: Gunzip | null;
  private readonly chunks: AsyncIterator<Buffer> | null;
  private chunk: Buffer | null = null;
  private chunkOff = 0;
  private closed = false;

  constructor(path: string, raw: RawInput, compressed: boolean, head: Uint8Array, opts: SourceOptions) {
    this.path = path;
    this.raw = raw;
    this.fileBytes = raw.size;
    this.compressed = compressed;
    this.head = head.length > 0 ? head : null;
    this.onProgress = opts.onProgress;
    const own = opts.buffer !== undefined && !compressed && opts.buffer.length >= opts.bufferBytes;
    this.buf = own ? opts.buffer! : new Uint8Array(Math.max(64, opts.bufferBytes));
    this.view = viewOf(this.buf);
    if (compressed) {
      const raw = Readable.from(this.rawChunks(this.buf.length), { objectMode: false });
      this.gz = createGunzip({ chunkSize: GUNZIP_CHUNK });
      // pipe() does not forward read errors (EIO); without this the iterator would wait forever.
      raw.on("error", (e) => this.gz?.destroy(e));
      raw.pipe(this.gz);
      this.chunks = this.gz[Symbol.asyncIterator]();
    } else {
      this.gz = null;
      this.chunks = null;
    }
  }

  // The file's bytes for zlib, in chunks of its own (zlib may hold on to them).
  private async *rawChunks(size: number): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const b = Buffer.allocUnsafe(size);
      const n = await this.readRaw(b, 0, size);
      if (n === 0 || this.closed) return;
      yield b.subarray(0, n);
    }
  }

  // Reads up to len bytes of the file into b at off: the kept head first. 0 at the end.
  private async readRaw(b: Uint8Array, off: number, len: number): Promise<number> {
    if (this.head !== null) {
      const k = Math.min(len, this.head.length);
      b.set(this.head.subarray(0, k), off);
      this.head = k < this.head.length ? this.head.subarray(k) : null;
      this.filePos += k;
      return k;
    }
    try {
      const n = await this.raw.read(b, off, len);
      this.filePos += n;
      return n;
    } catch (e) {
      throw readError(this.path, e);
    }
  }

  /** Absolute stream offset of buf[p]. */
  offsetOf(p: number): number {
    return this.base + p;
  }

  /**
   * Makes at least n bytes available from pos, moving the unconsumed tail to the front of the
   * buffer first, so every earlier view into `buf` is invalid afterwards. Reads until the buffer
   * is full, to make fills rare. Returns false if the stream ends before n bytes.
   */
  async fill(n: number): Promise<boolean> {
    if (this.end - this.pos >= n) return true;
    if (this.eof) return false;
    const tail = this.end - this.pos;
    // The tail goes just below an aligned address, where the next read begins.
    let to = -(this.buf.byteOffset + tail) & (READ_ALIGN - 1);
    if (n > this.buf.length) {
      const grown = new Uint8Array(Math.max(n, this.buf.length * 2));
      grown.set(this.buf.subarray(this.pos, this.end));
      this.buf = grown;
      this.view = viewOf(grown);
      to = 0;
    } else {
      if (to + n > this.buf.length) to = 0;
      if (this.pos !== to) this.buf.copyWithin(to, this.pos, this.end);
    }
    this.base += this.pos - to;
    this.pos = to;
    this.end = to + tail;
    while (this.end < this.buf.length) {
      const got = this.chunks !== null ? await this.readGunzip() : await this.readFile();
      if (got === 0) {
        this.eof = true;
        break;
      }
      this.end += got;
    }
    this.onProgress?.(this.bytesRead(), this.fileBytes);
    return this.end - this.pos >= n;
  }

  /** Bytes of the file on disk read so far. */
  bytesRead(): number {
    return this.filePos;
  }

  private readFile(): Promise<number> {
    return this.readRaw(this.buf, this.end, this.buf.length - this.end);
  }

  private async readGunzip(): Promise<number> {
    while (this.chunk === null || this.chunkOff >= this.chunk.length) {
      let r: IteratorResult<Buffer>;
      try {
        r = await this.chunks!.next();
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? "";
        if (e instanceof InputError) throw e;
        if (!code.startsWith("Z_")) throw readError(this.path, e);
        this.gzipError = { code, message: (e as Error).message };
        return 0;
      }
      if (r.done === true) return 0;
      this.chunk = r.value;
      this.chunkOff = 0;
    }
    const k = Math.min(this.buf.length - this.end, this.chunk.length - this.chunkOff);
    this.buf.set(this.chunk.subarray(this.chunkOff, this.chunkOff + k), this.end);
    this.chunkOff += k;
    return k;
  }

  /** The gzip stream ended before its end marker (a cut .gz file), as opposed to corrupt data. */
  gzipCut(): boolean {
    return this.gzipError?.code === "Z_BUF_ERROR";
  }

  /** One line on how the gzip stream failed, or "". */
  gzipProblem(): string {
    if (this.gzipError === null) return "";
    const what = this.gzipCut() ? "the gzip stream is cut short" : `the gzip data is corrupt (${this.gzipError.message})`;
    return `${what} after ${this.bytesRead()} compressed bytes`;
  }

  /**
   * Ends a reader's pass over the stream: a gzip failure goes into its stats (corrupt unless the
   * stream was only cut short) and progress is reported once more, complete.
   */
  finish(stats: { gzipError: string; problem: string; corrupt: number }, onProgress: ProgressFn | undefined): void {
    if (this.gzipError !== null) {
      stats.gzipError = this.gzipError.message;
      stats.problem = joinProblems(stats.problem, this.gzipProblem());
      if (!this.gzipCut()) stats.corrupt = 1;
    }
    onProgress?.(this.bytesRead(), this.fileBytes);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.gz?.destroy();
    await this.raw.close();
  }
}

function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Joins two one-line problem descriptions. */
export function joinProblems(a: string, b: string): string {
  return a === "" ? b : b === "" ? a : `${a}; ${b}`;
}

function readError(path: string, e: unknown): InputError {
  const code = (e as NodeJS.ErrnoException).code ?? String(e);
  return new InputError("EOPEN", path, `cannot read ${path}: ${code}`, e);
}

export { STDIN } from "./raw.js";

/**
 * Opens `path` ("-": standard input; a pipe or FIFO works too) for streaming: throws `cannot open
 * FILE: no such file` (and the like) when it cannot be opened, and decompresses it as it goes when
 * its first bytes are a gzip magic.
 */
export async function openSource(path: string, opts: SourceOptions): Promise<ByteSource> {
  const raw = await openRaw(path);
  try {
    // Read in order, kept for the reader: a pipe's bytes can be read only once.
    const head = new Uint8Array(MAGIC_BYTES);
    let got = 0;
    for (let n = -1; got < MAGIC_BYTES && n !== 0; got += n) n = await raw.read(head, got, MAGIC_BYTES - got);
    return new ByteSource(path, raw, detectFormat(head.subarray(0, got)) === "gzip", head.subarray(0, got), opts);
  } catch (e) {
    await raw.close();
    throw e instanceof InputError ? e : readError(path, e);
  }
}

/**
 * Opens an input (as openSource) and tells what it holds, decompressed: for a caller that chooses
 * its reader by that and hands it the opened source (a pipe can be read only once). "empty" when
 * it holds no byte at all.
 */
export async function openInput(path: string, opts: SourceOptions): Promise<{ source: ByteSource; format: InputFormat | "empty" }> {
  const source = await openSource(path, opts);
  try {
    await source.fill(MAGIC_BYTES);
  } catch (e) {
    await source.close();
    throw e;
  }
  const first = source.buf.subarray(source.pos, Math.min(source.end, source.pos + MAGIC_BYTES));
  return { source, format: first.length === 0 && source.gzipError === null ? "empty" : detectFormat(first) };
}
