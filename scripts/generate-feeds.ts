// Writes the feed modules xdpfeed generates from exchange schemas (`xdpfeed codegen sbe`):
// cme-mdp3 from CME's MDP 3.0 version 9 schema, its module to assembly/feeds/ and its schema and
// encoder to src/feeds/. Run after changing the generator (src/sbe/); test/cme-mdp3.test.ts checks
// the committed files are what it writes.
//
//   node --import tsx scripts/generate-feeds.ts [SCHEMA_DIR]   (default ../shared/data/cme)

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readSbeSchema } from "../src/sbe/schema.js";
import { generate } from "../src/sbe/generate.js";

const ROOT = join(import.meta.dirname, "..");

/** The shipped generated feeds: name, schema file, options. */
export const GENERATED = [{ name: "cme_mdp3", schema: "mdp3-v9.xml", mdp3Book: true }] as const;

/** The three files of a shipped generated feed, as the generator writes them now. */
export function generatedFiles(dir: string, g: (typeof GENERATED)[number]): Record<string, string> {
  const s = readSbeSchema(readFileSync(join(dir, g.schema), "utf8"), g.schema);
  const f = generate(s, { name: g.name, source: g.schema, mdp3Book: g.mdp3Book, importFrom: "../sbe/index.js" });
  return {
    [join(ROOT, "assembly/feeds", `${g.name}.as.ts`)]: f.module,
    [join(ROOT, "src/feeds", `${g.name}-schema.ts`)]: f.schema,
    [join(ROOT, "src/feeds", `${g.name}-encoder.ts`)]: f.encoder,
  };
}

if (process.argv[1]?.endsWith("generate-feeds.ts")) {
  const dir = process.argv[2] ?? join(ROOT, "../shared/data/cme");
  for (const g of GENERATED) {
    for (const [path, text] of Object.entries(generatedFiles(dir, g))) {
      writeFileSync(path, text);
      console.log(path);
    }
  }
}
