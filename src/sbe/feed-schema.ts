// An SBE schema as a feed's message schema (src/feeds/schema.ts Schema, which Feed and
// feedFromModule take): its messages listed by template id for summaries, the SBE schema itself
// for the full-message view (MessageView decodes through ./codec.ts when a schema has one).

import type { Schema, MessageDef } from "../feeds/schema.js";
import type { SbeSchema } from "./schema.js";

export function sbeFeedSchema(name: string, sbe: SbeSchema): Schema {
  const messages: Record<string, MessageDef> = {};
  for (const m of sbe.messages) messages[String(m.id)] = { type: String(m.id), name: m.name, length: sbe.header.size + m.blockLength, fields: [] };
  return { name, littleEndian: sbe.littleEndian, messages, sbe };
}
