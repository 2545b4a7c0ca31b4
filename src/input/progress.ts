// A one-line progress bar for long reads, on stderr and only when stderr is a terminal: piped or
// logged output stays clean. Redrawn at most every 100 ms, because a reader reports progress
// about once per MiB, which can be hundreds of times a second.
//
//   const bar = new ProgressBar("DEEP10.pcap.gz");
//   for await (const b of readPackets(path, { onProgress: bar.update })) { ... }
//   bar.done();

/** Where the bar is drawn: process.stderr, or a stand-in for tests. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  /** Least time between two redraws, in ms (default 100). */
  intervalMs?: number;
  /** Clock in ms (default performance.now), replaceable in tests. */
  now?: () => number;
}

const MB = 1e6;
const CLEAR_LINE = "\r\x1b[2K";

export class ProgressBar {
  /** False when the stream is not a terminal: update() and done() then do nothing. */
  readonly enabled: boolean;
  private readonly label: string;
  private readonly stream: ProgressStream;
  private readonly interval: number;
  private readonly now: () => number;
  private readonly started: number;
  private last = -Infinity;
  private drawn = false;

  constructor(label = "", opts: ProgressOptions = {}) {
    this.label = label;
    this.stream = opts.stream ?? process.stderr;
    this.enabled = this.stream.isTTY === true;
    this.interval = opts.intervalMs ?? 100;
    this.now = opts.now ?? (() => performance.now());
    this.started = this.now();
  }

  /** Reports progress; an arrow property so it can be passed as `onProgress: bar.update`. */
  readonly update = (bytesRead: number, totalBytes: number): void => {
    if (!this.enabled) return;
    const t = this.now();
    if (t - this.last < this.interval) return;
    this.last = t;
    this.stream.write(CLEAR_LINE + this.line(bytesRead, totalBytes, t));
    this.drawn = true;
  };

  /** Erases the bar, leaving the cursor at the start of an empty line. */
  done(): void {
    if (this.enabled && this.drawn) this.stream.write(CLEAR_LINE);
    this.drawn = false;
  }

  /** The text of the bar, e.g. `DEEP10.pcap.gz [#######.............]  35.2%  1.5/4.2 MB  12.3 MB/s`. */
  line(bytesRead: number, totalBytes: number, t: number): string {
    const frac = totalBytes > 0 ? Math.min(1, bytesRead / totalBytes) : 0;
    const secs = (t - this.started) / 1000;
    const rate = secs > 0 ? bytesRead / MB / secs : 0;
    const stats = ` ${(frac * 100).toFixed(1).padStart(5)}%  ${(bytesRead / MB).toFixed(1)}/${(totalBytes / MB).toFixed(1)} MB  ${rate.toFixed(1)} MB/s`;
    const label = this.label === "" ? "" : this.label + " ";
    // The bar takes what the terminal width leaves: a wrapped line could not be redrawn with \r.
    const width = Math.min(30, (this.stream.columns ?? 80) - 1 - label.length - stats.length - 2);
    if (width < 5) return (label + stats.trimStart()).slice(0, Math.max(0, (this.stream.columns ?? 80) - 1));
    const full = Math.round(frac * width);
    return `${label}[${"#".repeat(full)}${".".repeat(width - full)}]${stats}`;
  }
}
