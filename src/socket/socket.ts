// XdpSocket: one AF_XDP socket on (interface, queue), its XDP program, and the compiled module
// that walks its rings, all over one shared WebAssembly.Memory.

import * as L from "../../assembly/layout.js";
import { checkGeometry } from "../../bridge/memory-map.js";
import { XskSocket, resolveGeometry, type XskOptions, type XdpStatistics, type BusyPollState } from "../../bridge/xsk.js";
import {
  XdpProgram, registerSocket, programCounters, type AttachMode, type ProgramHandle, type ProgramCounters,
  type ProgramTimestamps,
} from "../../bridge/program.js";
import { readClockOffset, stampUnstamped, writeClockOffset } from "../../bridge/clock.js";
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
   * When the socket attaches its own program: ask the driver for NIC receive timestamps
   * (device-bound program, native XDP), falling back to driver stamps only. Default true.
   */
  hwTimestamps?: boolean;
  /**
   * Share a program attached elsewhere (another socket on another queue, or another thread),
   * or false for a transmit-only socket with no XDP program.
   */
  program?: XdpProgram | ProgramHandle | false;
  /** Compiled feed module (path to a .wasm); default: the "frames" module. */
  module?: string;
}

export interface SocketStats {
  mode: {
    bind: "zerocopy" | "copy";
    attach: "native" | "generic" | "none";
    busyPoll: BusyPollState;
    /**
     * What the XDP program puts in front of each frame: "driver+hw", its CLOCK_MONOTONIC stamp and
     * the NIC's timestamp where the driver has one (a device-bound program); "driver", the stamp
     * only (timestampsReason says why not bound); "none": a transmit-only socket.
     */
    timestamps: ProgramTimestamps | "none";
    timestampsReason?: string;
  };
  rx: {
    frames: bigint; bytes: bigint; batches: bigint; wakeups: number;
    /** Frames by where their receive timestamp came from: the XDP program (of them, with the NIC's too), or the poll (no metadata). */
    timestamps: { driver: bigint; hw: bigint; poll: bigint };
  };
  tx: { frames: bigint; bytes: bigint; completed: bigint; wakeups: number };
  /** The generator-payload verifier of the frames module (run()). */
  verify: { ok: bigint; bad: bigint; missing: bigint; late: bigint };
  /** XDP_STATISTICS of the socket. */
  xdp: XdpStatistics;
  /** The XDP program's counters on this interface (all queues); absent on a transmit-only socket. */
  program?: ProgramCounters;
}

const TWO32 = 4294967296;

/** The frames of the last receive(): offsets into `memory` and lengths, read in place. */
export class FrameBatch {
  length = 0;
  readonly #table: Uint32Array;
  readonly #u8: Uint8Array;
  readonly #u32: Uint32Array;

  constructor(memory: WasmMemory) {
    this.#table = new Uint32Array(memory.buffer, L.BATCH_BASE, L.BATCH_MAX * (L.BATCH_ENTRY / 4));
    this.#u8 = new Uint8Array(memory.buffer);
    this.#u32 = new Uint32Array(memory.buffer);
  }

  /**
   * Receive time of frame i, wall-clock ns: the XDP program's stamp at the driver, or for a
   * frame without its metadata the time of the receive() that took it. A double: exact to 256 ns.
   */
  receiveTs(i: number): number {
    const w = (L.BATCH_TS_BASE >>> 2) + i * 2;
    return this.#u32[w] + this.#u32[w + 1] * TWO32;
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
  readonly #u32: Uint32Array;
  #closed = false;

  private constructor(xsk: XskSocket, module: FeedExports, program: ProgramHandle | undefined, owned: XdpProgram | undefined) {
    this.xsk = xsk;
    this.module = module;
    this.program = program;
    this.#owned = owned;
    this.batch = new FrameBatch(xsk.memory);
    this.u8 = new Uint8Array(xsk.memory.buffer);
    this.#stats = new BigUint64Array(xsk.memory.buffer, L.CTL_BASE + L.CTL_STATS, L.STAT_COUNT);
    this.#u32 = new Uint32Array(xsk.memory.buffer);
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
      owned = XdpProgram.attach({ iface: opts.iface, ports: opts.ports, dst: opts.dst, mode: opts.attach, hwTimestamps: opts.hwTimestamps });
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
    // Frames without the XDP program's metadata: stamped now, once, rather than a clock read per call.
    if (this.#u32[(L.CTL_BASE + L.CTL_RX_UNSTAMPED) >>> 2] !== 0) stampUnstamped(this.#u32, L.BATCH_TS_BASE >>> 2, 2, this.batch.length);
    return this.batch;
  }

  /**
   * CLOCK_REALTIME - CLOCK_MONOTONIC (ns) as taken at open or by the last syncClock(): a
   * timestamp minus this is the driver's CLOCK_MONOTONIC stamp.
   */
  get clockOffsetNs(): bigint {
    return readClockOffset(this.memory.buffer);
  }

  /** Takes the wall clock's offset again (after the wall clock was stepped, say); returns it. */
  syncClock(): bigint {
    return writeClockOffset(this.memory.buffer);
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
      mode: {
        bind: this.xsk.zeroCopy ? "zerocopy" : "copy", attach: this.program?.mode ?? "none", busyPoll: this.xsk.busyPoll,
        timestamps: this.program?.timestamps ?? "none",
        ...(this.program?.timestampsReason !== undefined ? { timestampsReason: this.program.timestampsReason } : {}),
      },
      rx: {
        frames: s[L.STAT_RX_FRAMES], bytes: s[L.STAT_RX_BYTES], batches: s[L.STAT_RX_BATCHES], wakeups: this.xsk.rxWakeups,
        timestamps: { driver: s[L.STAT_RX_TS_DRIVER], hw: s[L.STAT_RX_TS_HW], poll: s[L.STAT_RX_TS_POLL] },
      },
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
