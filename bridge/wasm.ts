// The part of the WebAssembly JS API xdpfeed uses, as module-local types. Node provides the
// API, but @types/node (20) does not declare it and lib.dom would bring the whole DOM; declaring
// a global `WebAssembly` here would collide with a consumer's lib.dom. So xdpfeed's own code and
// its published declarations name these types, and a consumer compiles against them with any lib.

export interface WasmMemoryDescriptor { initial: number; maximum?: number; shared?: boolean }

/** A WebAssembly.Memory: the one shared memory that holds the rings, the UMEM and the records. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(delta: number): number;
}

/** A compiled WebAssembly.Module. */
export interface WasmModule { readonly __wasmModule?: never }

/** A WebAssembly.Global, as a module exports it. */
export interface WasmGlobal { value: unknown }

export interface WasmExportDescriptor { name: string; kind: string }

interface WasmApi {
  Memory: new (descriptor: WasmMemoryDescriptor) => WasmMemory;
  Module: {
    new (bytes: ArrayBufferView | ArrayBuffer): WasmModule;
    exports(module: WasmModule): WasmExportDescriptor[];
    imports(module: WasmModule): Array<WasmExportDescriptor & { module: string }>;
  };
  Instance: new (module: WasmModule, imports?: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
}

/** Node's WebAssembly namespace, typed by the interfaces above. */
export const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
