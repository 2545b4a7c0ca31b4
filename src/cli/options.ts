// A command's options, written once as a table: the table gives node:util's parseArgs config
// and the command's help text, and (in values.ts) the checks that turn parsed strings into
// typed values. This file stays light (node: builtins only) so that `--help` loads nothing else.

import { parseArgs } from "node:util";

/** One option of a command. */
export interface OptionSpec {
  /** The long name, without its dashes. */
  readonly name: string;
  readonly type: "string" | "boolean";
  /** A one-letter alias (-o). */
  readonly short?: string;
  /** The value's placeholder in the help (N, FILE). */
  readonly value?: string;
  readonly description: string;
  /** The value when the option is absent, shown as (default X). */
  readonly default?: string | number;
  /** What the option's absence means when that is no single value, shown as (default: X). */
  readonly defaultText?: string;
  /** true: the command needs it; a string: the condition under which it does (checked by the command). */
  readonly required?: true | string;
  /** The values allowed. */
  readonly choices?: readonly string[];
  /** Parsed as a safe integer of at least min (at most max), or one of the words in `or`. */
  readonly integer?: { readonly min: number; readonly max?: number; readonly or?: readonly string[] };
}

type ValueOf<O extends OptionSpec> =
  O extends { type: "boolean" } ? boolean
  : O extends { integer: { or: readonly (infer W extends string)[] } } ? number | W
  : O extends { integer: object } ? number
  : O extends { choices: readonly (infer C extends string)[] } ? C
  : string;

type Always<O extends OptionSpec> = O extends { type: "boolean" } | { required: true } | { default: string | number } ? true : false;

/** The typed values a table yields: booleans are false when absent, options with a default never undefined. */
export type Values<T extends readonly OptionSpec[]> = {
  -readonly [O in T[number] as O["name"]]: Always<O> extends true ? ValueOf<O> : ValueOf<O> | undefined;
};

/** A command: what the top-level help lists, its own help, its options and what it runs. */
export interface CommandDef<T extends readonly OptionSpec[] = readonly OptionSpec[]> {
  readonly name: string;
  /** One line for the list of commands. */
  readonly summary: string;
  /** The usage line after `xdpfeed NAME`. */
  readonly usage: string;
  /** The paragraphs between the usage line and the options, as printed. */
  readonly description: string;
  /** Paragraphs after the options, as printed. */
  readonly epilogue?: string;
  readonly options: T;
  /** Names of the positional arguments, all required (none: positionals are refused). */
  readonly args?: readonly string[];
  /** A check across options; returns the usage error's message. */
  check?(values: Values<T>, args: readonly string[]): string | undefined;
  /** Runs the command (loading its implementation) and returns the exit status. */
  run(values: Values<T>, args: readonly string[]): Promise<number>;
}

/** Defines a command, keeping the table's literal types for run() and check(). */
export function command<const T extends readonly OptionSpec[]>(def: CommandDef<T>): CommandDef<T> {
  return def;
}

/** Every command takes -h, --help. */
export const HELP_OPTION: OptionSpec = { name: "help", type: "boolean", short: "h", description: "this help" };

/** The parseArgs config of a table (strict: an unknown option is parseArgs' own error). */
export function parseArgsConfig(def: CommandDef): { options: Record<string, { type: "string" | "boolean"; short?: string }>; allowPositionals: boolean; strict: true } {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const o of [...def.options, HELP_OPTION]) options[o.name] = o.short ? { type: o.type, short: o.short } : { type: o.type };
  return { options, allowPositionals: (def.args?.length ?? 0) > 0, strict: true };
}

/** The command line as parseArgs reads it with the table: strings and booleans, not yet checked. */
export function parseCommandLine(def: CommandDef, args: string[]): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  return parseArgs({ args, ...parseArgsConfig(def) });
}

const WIDTH = 100;

// Words of text laid out from column `indent` to WIDTH; a newline in the text is kept.
function wrap(text: string, indent: number): string {
  const lines: string[] = [];
  for (const para of text.split("\n")) {
    let line = "";
    for (const word of para.split(" ").filter((w) => w !== "")) {
      if (line !== "" && indent + line.length + 1 + word.length > WIDTH) {
        lines.push(line);
        line = word;
      } else line = line === "" ? word : `${line} ${word}`;
    }
    lines.push(line);
  }
  return lines.join("\n" + " ".repeat(indent));
}

/** How the help annotates an option: (required), (required with ...), (default X), (default: what). */
export function annotation(o: OptionSpec): string {
  if (o.required === true) return "(required)";
  if (typeof o.required === "string") return `(required ${o.required})`;
  if (o.defaultText !== undefined) return `(default: ${o.defaultText})`;
  return o.default === undefined ? "" : `(default ${o.default})`;
}

function flags(o: OptionSpec): string {
  return `${o.short ? `-${o.short}, ` : ""}--${o.name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`;
}

function optionLines(specs: readonly OptionSpec[]): string {
  const col = 2 + Math.max(...specs.map((o) => flags(o).length)) + 2;
  return specs.map((o) => {
    const text = [(o.choices ? `${o.choices.join(" | ")}: ` : "") + o.description, annotation(o)].filter((s) => s !== "").join(" ");
    return `  ${flags(o).padEnd(col - 2)}${wrap(text, col)}`;
  }).join("\n");
}

/** `xdpfeed NAME --help`. */
export function helpText(def: CommandDef): string {
  const parts = [`Usage: xdpfeed ${def.name} ${def.usage}`, def.description.trim(), `Options:\n${optionLines([...def.options, HELP_OPTION])}`];
  if (def.epilogue) parts.push(def.epilogue.trim());
  return parts.join("\n\n") + "\n";
}

/** `xdpfeed --help`: the commands with their summaries. */
export function overviewText(commands: readonly CommandDef[]): string {
  const col = 2 + Math.max(...commands.map((c) => c.name.length)) + 2;
  const list = commands.map((c) => `  ${c.name.padEnd(col - 2)}${wrap(c.summary, col)}`).join("\n");
  return `xdpfeed: kernel-bypass market data (AF_XDP + WebAssembly)

Usage: xdpfeed <command> [options]

Commands:
${list}

Options:
  -h, --help     this help
  -V, --version  the version of xdpfeed

Run 'xdpfeed <command> --help' for the options of a command.
`;
}
