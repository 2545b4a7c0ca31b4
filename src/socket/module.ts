// Loading a compiled feed module (assembly/feeds/*.as.ts -> *.wasm) into a socket's memory.
// Every module exports the ABI in assembly/abi.ts plus poll/run bound to its frame handler.

import { readFileSync } from "node:fs";
import * as L from "../../assembly/layout.js";
import { XdpError } from "../../bridge/errors.js";
import { Wasm, type WasmGlobal, type WasmMemory, type WasmModule } from "../../bridge/wasm.js";

export const ABI_VERSION = 2;

export interface FeedExports {
  poll(max: number): number;
  run(budget: number, batch: number): number;
  fillAll(): number;
  txFrame(): number;
  txPush(frame: number, len: number): number;
  txSubmit(): number;
  txReclaim(): number;
  txNeedsWakeup(): number;
  txInFlight(): number;
  genFrames(count: number, seq: bigint, payloadLen: number): number;
  heapBase(): number;
  controlBase(): number;
  ringNbFree(r: number, nb: number): number;
  ringReserve(r: number, nb: number): number;
  ringSubmit(r: number, nb: number): void;
  ringPeek(r: number, nb: number): number;
  ringRelease(r: number, nb: number): void;
  ringNeedsWakeup(r: number): number;
  ringIndex(): number;
  ABI_VERSION: WasmGlobal;
}

export { modulePath } from "../../bridge/assets.js";

const compiled = new Map<string, WasmModule>();

export function compileModule(path: string): WasmModule {
  let m = compiled.get(path);
  if (!m) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      throw new XdpError("ECONFIG", `feed module ${path} not found (your own: xdpfeed build-feed FILE.as.ts; a shipped one, in a checkout: npm run build:wasm)`);
    }
    m = new Wasm.Module(bytes);
    compiled.set(path, m);
  }
  return m;
}

/** Instantiates a module on memory and checks that its view of the memory map is ours. */
export function instantiate(module: WasmModule | string, memory: WasmMemory): FeedExports {
  const m = typeof module === "string" ? compileModule(module) : module;
  const inst = new Wasm.Instance(m, {
    env: {
      memory,
      abort: (_msg: number, _file: number, line: number, col: number) => {
        throw new XdpError("ECONFIG", `feed module aborted at ${line}:${col}`);
      },
    },
  });
  const x = inst.exports as unknown as FeedExports;
  const abi = x.ABI_VERSION?.value;
  if (abi !== ABI_VERSION) throw new XdpError("ECONFIG", `feed module ABI ${abi}, expected ${ABI_VERSION}: rebuild it (npm run build:wasm)`);
  if (x.controlBase() !== L.CTL_BASE) {
    throw new XdpError("ECONFIG", `feed module puts the control block at ${x.controlBase()}, expected ${L.CTL_BASE}: rebuild it`);
  }
  if (x.heapBase() > L.AS_REGION_END) {
    throw new XdpError("ECONFIG",
      `feed module static data ends at ${x.heapBase()}, past the ${L.AS_REGION_END}-byte AssemblyScript region of the memory map`);
  }
  return x;
}
