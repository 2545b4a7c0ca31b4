// codegenSbe(): reads a schema file and writes the generator's three files (./generate.ts) to a
// directory; the implementation of `xdpfeed codegen sbe`.

import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { XdpfeedError } from "../../bridge/errors.js";
import { readSbeSchema } from "./schema.js";
import { generate } from "./generate.js";

export interface CodegenOptions {
  name: string;
  outDir: string;
  /** Call the CME MDP 3.0 books (assembly/book/mdp3.ts). */
  mdp3Book?: boolean;
  /** Where the generated TypeScript imports the SBE codec from (default "xdpfeed/sbe"). */
  importFrom?: string;
}

export interface CodegenResult {
  module: string;
  schema: string;
  encoder: string;
  messages: number;
}

export function codegenSbe(schemaFile: string, o: CodegenOptions): CodegenResult {
  if (!/^[A-Za-z0-9_-]+$/.test(o.name)) throw new XdpfeedError("EUSAGE", `--name '${o.name}' must be letters, digits, '_' or '-'`);
  const file = resolve(schemaFile);
  if (!existsSync(file)) throw new XdpfeedError("ENOENT", `cannot read ${schemaFile}: no such file`);
  const schema = readSbeSchema(readFileSync(file, "utf8"), schemaFile);
  const files = generate(schema, { name: o.name, source: schemaFile, mdp3Book: o.mdp3Book, importFrom: o.importFrom });
  const dir = resolve(o.outDir);
  mkdirSync(dir, { recursive: true });
  const out = { module: join(dir, `${o.name}.as.ts`), schema: join(dir, `${o.name}-schema.ts`), encoder: join(dir, `${o.name}-encoder.ts`) };
  writeFileSync(out.module, files.module);
  writeFileSync(out.schema, files.schema);
  writeFileSync(out.encoder, files.encoder);
  return { ...out, messages: schema.messages.length };
}
