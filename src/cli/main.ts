#!/usr/bin/env node
// The `xdpfeed` command line: finds the command, prints help or the version, reads the options by
// the command's table and runs it; maps what it throws to an exit status. Help and the version
// load only node: builtins, the tables (options.ts, commands.ts, values.ts), the errors and
// bridge/assets.js; a command's implementation (koffi, the parsers, the compiler) loads when it
// runs.

import { COMMANDS, findCommand } from "./commands.js";
import { helpText, overviewText, parseCommandLine } from "./options.js";
import { readValues, UsageError } from "./values.js";
import { XdpfeedError } from "../../bridge/errors.js";
import { PACKAGE_VERSION } from "../../bridge/assets.js";

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "-h" || cmd === "--help" || cmd === "help") {
    const topic = cmd === "help" && rest[0] !== undefined ? findCommand(rest[0]) : undefined;
    if (cmd === "help" && rest[0] !== undefined && !topic) throw new UsageError(`unknown command '${rest[0]}'`);
    process.stdout.write(topic ? helpText(topic) : overviewText(COMMANDS));
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === "--version" || cmd === "-V") {
    console.log(PACKAGE_VERSION);
    return 0;
  }
  const def = findCommand(cmd);
  if (!def) throw new UsageError(`unknown command '${cmd}'`);
  const parsed = parseCommandLine(def, rest);
  if (parsed.values.help) {
    process.stdout.write(helpText(def));
    return 0;
  }
  return def.run(readValues(def, parsed), parsed.positionals);
}

/**
 * The exit status of what main() threw, with its message on stderr: 2 for a usage error (the
 * table's checks, parseArgs' own) and any other XdpfeedError (the input, the system or the
 * configuration is wrong: the message says how); 1 for anything else (a bug: its stack with
 * XDPFEED_DEBUG=1).
 */
function exitStatus(e: unknown): number {
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown } | null)?.code;
  if (e instanceof UsageError || (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"))) {
    console.error(`xdpfeed: ${message} (see xdpfeed --help)`);
    return 2;
  }
  console.error(`xdpfeed: ${message}`);
  if (e instanceof XdpfeedError) return 2;
  if (process.env.XDPFEED_DEBUG === "1" && e instanceof Error && e.stack) console.error(e.stack);
  return 1;
}

// A reader that stops early (| head) closes the pipe: that ends the output, it is no error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => (process.exitCode = exitStatus(e)),
);
