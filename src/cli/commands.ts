// The commands, in the order `xdpfeed --help` lists them. Their definitions are light (tables,
// help, a run() that imports the implementation when called): importing this file loads none of
// the parsers, sockets, koffi or the AssemblyScript compiler.

import type { CommandDef } from "./options.js";
import { decodeCommand } from "./decode.js";
import { replayCommand } from "./replay.js";
import { demoCommand } from "./demo.js";
import { listenCommand } from "./listen.js";
import { buildFeedCommand } from "./build-feed.js";
import { doctorCommand } from "./doctor.js";
import { serveCommand } from "./serve.js";
import { codegenCommand } from "./codegen.js";

export const COMMANDS: readonly CommandDef[] = [decodeCommand, replayCommand, serveCommand, demoCommand, listenCommand, buildFeedCommand, codegenCommand, doctorCommand] as readonly CommandDef[];

export function findCommand(name: string): CommandDef | undefined {
  return COMMANDS.find((c) => c.name === name);
}
