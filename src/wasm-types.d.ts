// AssemblyScript's integer type names, so that assembly/layout.ts (shared by the wasm modules
// and TypeScript) type-checks as TypeScript too. At run time they are all JavaScript numbers.
type u32 = number;
type i32 = number;
type usize = number;

// The part of the WebAssembly JS API xdpfeed uses (Node provides it; @types/node does not
// declare it and lib.dom would bring the whole DOM).
declare namespace WebAssembly {
  interface MemoryDescriptor { initial: number; maximum?: number; shared?: boolean }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
    grow(delta: number): number;
  }
  interface ModuleExportDescriptor { name: string; kind: string }
  class Module {
    constructor(bytes: ArrayBufferView | ArrayBuffer);
    static exports(module: Module): ModuleExportDescriptor[];
    static imports(module: Module): Array<ModuleExportDescriptor & { module: string }>;
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class Global {
    value: unknown;
  }
}
