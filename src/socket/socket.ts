// XdpSocket: one AF_XDP socket on (interface, queue), its XDP program, and the compiled module
// that walks its rings, all over one shared WebAssembly.Memory.

import * as L from "../../assembly/layout.js";
import { checkGeometry } from "../../bridge/memory-map.js";
import { XskSocket, resolveGeometry, type XskOptions, type XdpStatistics, type BusyPollState } from "../../bridge/xsk.js";
import {
  XdpProgram, registerSocket, programCounters, type AttachMode, type ProgramHandle, type ProgramCounters,
} from "../../bridge/program.js";
import { XdpError } from "../../bridge/errors.js";
import { instantiate, modulePath, type FeedExports } from "./module.js";
import { track, untrack } from "../../bridge/lifecycle.js";
import type { WasmMemory } from "../../bridge/wasm.js";

export interface SocketOptions extends XskOptions {
  /** UDP destination ports to receive (required unless `program` is given). */
  ports?: number[];
  /** Receive only frames to this address (unicast or multicast group). */
  dst?: string;
  /** XDP attach mode when the socket attaches its own program. Default "auto". */
  attach?: AttachMode;
  /**
   * Share a program attached elsewhere (another socket on another queue, or another thread),
   * or false for a transmit-only socket with no XDP program.
   */
  program?: XdpProgram | ProgramHandle | false;
  /** Compiled feed module (path to a .wasm); default: the "frames" module. */
  module?: string;
}

export interface SocketStats {
  mode: { bind: "zerocopy" | "copy"; attach: "native" | "generic" | "none"; busyPoll: BusyPollState };
  rx: { frames: bigint; bytes: bigint; batches: bigint; wakeups: number };
  tx: { frames: bigint; bytes: bigint; completed: bigint; wakeups: number };
  /** The generator-payload verifier of the frames module (run()). */
  verify: { ok: bigint; bad: bigint; missing: bigint; late: bigint };
  /** XDP_STATISTICS of the socket. */
  xdp: XdpStatistics;
  /** The XDP program's counters on this interface (all queues); absent on a transmit-only socket. */
  program?: ProgramCounters;
}

/** The frames of the last receive(): offsets into `memory` and lengths, read in place. */
export class FrameBatch {
  length = 0;
  readonly #table: Uint32Array;
  readonly #u8: Uint8Array;

  constructor(memory: WasmMemory) {
    this.#table = new Uint32Array(memory.buffer, L.BATCH_BASE, L.BATCH_MAX * (L.BATCH_ENTRY / 4));
    this.#u8 = new Uint8Array(memory.buffer);
  }

  /** Byte offset of frame i in the socket's memory (valid until the next receive). */
  offset(i: number): number {
    return this.#table[i * 2];
  }

  len(i: number): number {
    return this.#table[i * 2 + 1];
  }

  /** A view (not a copy) of frame i. */
  frame(i: number): Uint8Array {
    const o = this.#table[i * 2];
    return this.#u8.subarray(o, o + this.#table[i * 2 + 1]);
  }
}

function closedError(call: string): XdpError {
  return new XdpError("ECLOSED", `${call}() on a closed socket`);
}

export class XdpSocket {
  readonly xsk: XskSocket;
  readonly module: FeedExports;
  readonly program: ProgramHandle | undefined;
  readonly batch: FrameBatch;
  /** The whole shared memory as bytes: frames, rings, control block. */
  readonly u8: Uint8Array;
  readonly #owned: XdpProgram | undefined;
  readonly #stats: BigUint64Array;
  #closed = false;

  private constructor(xsk: XskSocket, module: FeedExports, program: ProgramHandle | undefined, owned: XdpProgram | undefined) {
    this.xsk = xsk;
    this.module = module;
    this.program = program;
    this.#owned = owned;
    this.batch = new FrameBatch(xsk.memory);
    this.u8 = new Uint8Array(xsk.memory.buffer);
    this.#stats = new BigUint64Array(xsk.memory.buffer, L.CTL_BASE + L.CTL_STATS, L.STAT_COUNT);
  }

  static open(opts: SocketOptions): XdpSocket {
    const queue = opts.queue ?? 0;
    // Configuration errors surface before anything touches the interface.
    checkGeometry(resolveGeometry(opts.geometry));
    let owned: XdpProgram | undefined;
    let handle: ProgramHandle | undefined;
    if (opts.program === false) {
      handle = undefined;
    } else if (opts.program) {
      handle = opts.program instanceof XdpProgram ? opts.program.handle() : opts.program;
      if (handle.iface !== opts.iface) {
        throw new XdpError("ECONFIG", `program is attached to ${handle.iface}, not ${opts.iface}`);
      }
    } else {
      if (!opts.ports?.length) throw new XdpError("ECONFIG", "no UDP port to receive: pass ports (or a shared program)");
      owned = XdpProgram.attach({ iface: opts.iface, ports: opts.ports, dst: opts.dst, mode: opts.attach });
      handle = owned.handle();
    }
    let module: FeedExports | undefined;
    let xsk: XskSocket | undefined;
    try {
      xsk = XskSocket.open(opts, (memory) => {
        module = instantiate(opts.module ?? modulePath("frames"), memory);
        // FILL is stocked before bind so the first frame finds a buffer.
        module.fillAll();
      });
      if (handle) registerSocket(handle, queue, xsk.fd);
    } catch (e) {
      xsk?.close();
      owned?.close();
      throw e;
    }
    const s = new XdpSocket(xsk, module!, handle, owned);
    track(s);
    return s;
  }

  get memory(): WasmMemory {
    return this.xsk.memory;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Takes up to max frames (at most BATCH_MAX) from RX without blocking and returns them as
   * this.batch, valid until the next receive(): the frames go back to FILL then.
   */
  receive(max = 64): FrameBatch {
    if (this.#closed) throw closedError("receive");
    const n = this.module.poll(max);
    if (n < 0) this.xsk.wakeupRx();
    this.batch.length = n > 0 ? n : 0;
    return this.batch;
  }

  /** Runs the module's own frame handler over up to budget frames, in wasm. */
  run(budget: number, batch = 64): number {
    if (this.#closed) throw closedError("run");
    const n = this.module.run(budget, batch);
    if (n < 0) {
      this.xsk.wakeupRx();
      return 0;
    }
    return n;
  }

  /** Blocks up to timeoutMs until frames are ready (interrupt-driven receive). */
  wait(timeoutMs: number): boolean {
    return this.xsk.wait(timeoutMs);
  }

  /** Copies one frame into a TX frame and queues it; false when every TX frame is in flight. */
  send(frame: Uint8Array): boolean {
    if (this.#closed) throw closedError("send");
    if (frame.length > this.xsk.map.frameSize) {
      throw new XdpError("ECONFIG", `frame of ${frame.length} bytes exceeds the ${this.xsk.map.frameSize}-byte UMEM frame`);
    }
    const at = this.module.txFrame();
    if (at === 0) return false;
    this.u8.set(frame, at);
    if (!this.module.txPush(at, frame.length)) throw new XdpError("ECONFIG", "TX ring full with a free TX frame: ring state corrupt");
    return true;
  }

  /** Publishes queued frames and kicks the kernel when it asks for it; returns frames published. */
  flush(): number {
    const n = this.module.txSubmit();
    if (n > 0 || this.module.txInFlight() > 0) {
      if (this.module.txNeedsWakeup()) this.xsk.kickTx();
    }
    this.module.txReclaim();
    return n;
  }

  /** TX frames sent but not yet completed by the kernel. */
  get inFlight(): number {
    return this.module.txInFlight();
  }

  stats(): SocketStats {
    if (this.#closed) throw closedError("stats");
    const s = this.#stats;
    return {
      mode: { bind: this.xsk.zeroCopy ? "zerocopy" : "copy", attach: this.program?.mode ?? "none", busyPoll: this.xsk.busyPoll },
      rx: { frames: s[L.STAT_RX_FRAMES], bytes: s[L.STAT_RX_BYTES], batches: s[L.STAT_RX_BATCHES], wakeups: this.xsk.rxWakeups },
      tx: { frames: s[L.STAT_TX_FRAMES], bytes: s[L.STAT_TX_BYTES], completed: s[L.STAT_TX_COMPLETED], wakeups: this.xsk.txWakeups },
      verify: { ok: s[L.STAT_VERIFY_OK], bad: s[L.STAT_VERIFY_BAD], missing: s[L.STAT_VERIFY_MISSING], late: s[L.STAT_VERIFY_LATE] },
      xdp: this.xsk.statistics(),
      program: this.program && programCounters(this.program),
    };
  }

  /** Unregisters and closes the socket, then detaches the program if this socket attached it. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    untrack(this);
    try {
      if (this.program && !this.#owned) registerSocket(this.program, this.xsk.queue, -1);
    } finally {
      this.xsk.close();
      this.#owned?.close();
    }
  }
}
