// The full-message view: every field of the spec, read in place from the message bytes (the
// frame or input chunk stays valid until the next batch). decode --json prints toJSON().

import type { Schema, MessageDef, FieldDef } from "./schema.js";
import type { WasmMemory } from "../../bridge/wasm.js";
import { decodeMessage, type SbeObject } from "../sbe/codec.js";

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export class MessageView {
  readonly schema: Schema;
  readonly #dv: DataView;
  readonly #u8: Uint8Array;
  #at = 0;
  #len = 0;
  #def: MessageDef | undefined;

  constructor(memory: WasmMemory | ArrayBufferLike, schema: Schema) {
    const buf = memory instanceof ArrayBuffer || memory instanceof SharedArrayBuffer ? memory : memory.buffer;
    this.schema = schema;
    this.#dv = new DataView(buf);
    this.#u8 = new Uint8Array(buf);
  }

  /** Moves the view to the message at byte offset `at` (of `length` bytes). */
  at(at: number, length: number): this {
    this.#at = at;
    this.#len = length;
    this.#def = this.schema.messages[this.type];
    return this;
  }

  /** The message type: ITCH and IEX its type char; an SBE feed's its template id (as a string). */
  get type(): string {
    const sbe = this.schema.sbe;
    if (sbe) {
      if (this.#len < sbe.header.size) return "";
      const { offset, primitive } = sbe.header.templateId;
      const p = this.#at + offset;
      return String(primitive === "uint32" ? this.#dv.getUint32(p, sbe.littleEndian) : primitive === "uint8" ? this.#u8[p] : this.#dv.getUint16(p, sbe.littleEndian));
    }
    return String.fromCharCode(this.#u8[this.#at]);
  }

  /** An SBE feed's message decoded whole (src/sbe/codec.ts): fields, groups, var data. */
  sbe(): SbeObject {
    return decodeMessage(this.schema.sbe!, this.#u8, this.#at, this.#len);
  }

  get def(): MessageDef | undefined {
    return this.#def;
  }

  /** One field's value: numbers (bigint above 2^53 - 1 for 64-bit fields), trimmed strings. */
  field(name: string): number | bigint | string | undefined {
    if (this.schema.sbe) {
      const v = this.sbe()[name];
      return typeof v === "number" || typeof v === "string" ? v : undefined;
    }
    const f = this.#def?.fields.find((x) => x.name === name);
    return f && f.offset + f.size <= this.#len ? this.read(f) : undefined;
  }

  read(f: FieldDef): number | bigint | string {
    const p = this.#at + f.offset;
    const le = this.schema.littleEndian;
    switch (f.kind) {
      case "char":
        return String.fromCharCode(this.#u8[p]);
      case "alpha": {
        let end = p + f.size;
        while (end > p && this.#u8[end - 1] === 0x20) end--;
        return String.fromCharCode(...this.#u8.subarray(p, end));
      }
      case "u1":
        return this.#u8[p];
      case "u2":
        return this.#dv.getUint16(p, le);
      case "u4":
        return this.#dv.getUint32(p, le);
      case "u6":
        return le ? this.#dv.getUint16(p + 4, true) * 2 ** 32 + this.#dv.getUint32(p, true)
          : this.#dv.getUint16(p, false) * 2 ** 32 + this.#dv.getUint32(p + 2, false);
      case "u8": {
        const v = this.#dv.getBigUint64(p, le);
        return v <= MAX_SAFE ? Number(v) : v;
      }
      case "i8": {
        const v = this.#dv.getBigInt64(p, le);
        return v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v;
      }
    }
  }

  /**
   * The message as a plain object: `type`, then every field in wire order (prices as integers in
   * their implied-decimal units, integers above 2^53 - 1 as decimal strings), then `seq` if given.
   * An SBE feed's: the whole message as src/sbe/codec.ts decodes it, then `seq`.
   */
  toJSON(seq?: number): Record<string, number | string> {
    if (this.schema.sbe) {
      const o: SbeObject = this.sbe();
      if (seq !== undefined) o.seq = seq;
      // Its groups are arrays and its composites objects: typed as the flat formats' for their callers.
      return o as Record<string, number | string>;
    }
    const out: Record<string, number | string> = { type: this.type };
    for (const f of this.#def?.fields ?? []) {
      if (f.name === "messageType" || f.offset === 0) continue;
      const v = this.read(f);
      out[f.name] = typeof v === "bigint" ? v.toString() : v;
    }
    if (seq !== undefined) out.seq = seq;
    return out;
  }
}
