// ITCH 5.0's message layouts for the full-message view: the one table in src/itchgen/itch-encode.ts
// (which the generator encodes with), in the shape of schema.ts.
import { ITCH50 } from "../itchgen/itch-encode.js";
import type { Schema, MessageDef } from "./schema.js";

export const ITCH50_SCHEMA: Schema = {
  name: "itch50",
  littleEndian: false,
  messages: Object.fromEntries(Object.values(ITCH50).map((m) => [m.type, {
    type: m.type, name: m.name, length: m.length, fields: m.fields.map((f) => ({ ...f })),
  } as MessageDef])),
};
