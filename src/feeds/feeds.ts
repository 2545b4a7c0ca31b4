// The compiled feed parsers shipped with xdpfeed. A feed is its compiled module (one
// assembly/feeds/NAME.as.ts each), its message schema and its session framing.

import { modulePath } from "../socket/module.js";
import { IEX_TOPS16, IEX_DEEP10, type Schema } from "./schema.js";
import { ITCH50_SCHEMA } from "./itch50-schema.js";
import { CME_MDP3_SCHEMA } from "./cme_mdp3-schema.js";

export interface Feed {
  /** CLI name: itch50, iex-tops, iex-deep, cme-mdp3 */
  name: string;
  /** Compiled module name in assembly/build/ */
  module: string;
  /** moldudp64, iextp, or mdp3: CME MDP 3.0's SBE binary packet (assembly/parse/sbe-packet.ts). */
  framing: "moldudp64" | "iextp" | "mdp3";
  schema: Schema;
  modulePath(debug?: boolean): string;
}

function feed(name: string, module: string, framing: Feed["framing"], schema: Schema): Feed {
  return { name, module, framing, schema, modulePath: (debug = false) => modulePath(module, debug) };
}

export const itch50 = feed("itch50", "itch50", "moldudp64", ITCH50_SCHEMA);
export const iexTops = feed("iex-tops", "iex_tops", "iextp", IEX_TOPS16);
export const iexDeep = feed("iex-deep", "iex_deep", "iextp", IEX_DEEP10);

// Generated from CME's MDP 3.0 version 9 schema by `xdpfeed codegen sbe` (src/sbe/generate.ts).
export const cmeMdp3 = feed("cme-mdp3", "cme_mdp3", "mdp3", CME_MDP3_SCHEMA);

export const FEEDS: Record<string, Feed> = { itch50, "iex-tops": iexTops, "iex-deep": iexDeep, "cme-mdp3": cmeMdp3 };

/**
 * A feed from a compiled module of your own (a .wasm built from an assembly/feeds/*.as.ts, with
 * a debug build beside it as NAME.debug.wasm or the same file), its schema and its framing.
 */
export function feedFromModule(o: { name: string; wasm: string; schema: Schema; framing: Feed["framing"]; debugWasm?: string }): Feed {
  return { name: o.name, module: o.wasm, framing: o.framing, schema: o.schema, modulePath: (debug = false) => (debug && o.debugWasm) || o.wasm };
}
