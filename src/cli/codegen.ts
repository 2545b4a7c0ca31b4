// `xdpfeed codegen sbe`: a feed module, its message schema and its encoder from an SBE schema
// (src/sbe/codegen.ts), loaded when it runs.

import { command } from "./options.js";

export const codegenCommand = command({
  name: "codegen",
  summary: "generate a feed module, its schema and its encoder from an SBE message schema (XML)",
  usage: "sbe SCHEMA.xml --name NAME [-o DIR] [--mdp3-book]",
  description: `
Reads a Simple Binary Encoding (SBE 1.0) message schema and writes three files to DIR:

  NAME.as.ts        a feed module (AssemblyScript) with the ABI of the shipped feeds: the SBE
                    binary packet framing of CME MDP 3.0 (MsgSeqNum, SendingTime, then messages
                    each preceded by its u16 size), a switch on the template id, one function per
                    message reading its fields in place; compile it with xdpfeed build-feed
  NAME-schema.ts    the resolved schema, for the full-message view and decode --json
  NAME-encoder.ts   an encoder per message, for tests and synthetic streams

Messages of FIX market data (fields with FIX tags as ids: SecurityID, MDEntryPx, ...) become
normalized ticks, one per group entry; any other message one record of its own.`,
  epilogue: "Exit status: 0 written, 2 the schema is missing or not a valid SBE schema (the error names its line and column).",
  args: ["KIND", "SCHEMA.xml"],
  options: [
    { name: "name", type: "string", value: "NAME", description: "the module's name (letters, digits, '_', '-')", required: true },
    { name: "out-dir", type: "string", short: "o", value: "DIR", description: "where to write the three files", defaultText: "the current directory" },
    { name: "mdp3-book", type: "boolean", description: "call the CME MDP 3.0 books (assembly/book/mdp3.ts) from the ticks" },
    { name: "import-from", type: "string", value: "MODULE", description: "where the generated TypeScript imports the SBE codec from", defaultText: "xdpfeed/sbe" },
  ],
  check(_v, [kind]) {
    return kind === "sbe" ? undefined : `codegen knows one kind of schema, sbe, not '${kind}'`;
  },
  async run(v, [, schema]) {
    const { codegenSbe } = await import("../sbe/codegen.js");
    const t0 = performance.now();
    const r = codegenSbe(schema, { name: v.name, outDir: v["out-dir"] ?? ".", mdp3Book: v["mdp3-book"], importFrom: v["import-from"] });
    console.log(r.module);
    console.log(r.schema);
    console.log(r.encoder);
    console.error(`${r.messages} messages in ${(performance.now() - t0).toFixed(1)} ms`);
    return 0;
  },
});
