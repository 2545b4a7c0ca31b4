// From what parseArgs read to the typed values a command runs with, by the command's option
// table: required options, integers (with a minimum, a maximum, or a word such as `max`),
// allowed values, defaults, positionals and the command's own check across options. Every
// failure is a UsageError (exit status 2, with a pointer to --help).

import { XdpfeedError } from "../../bridge/errors.js";
import type { CommandDef, OptionSpec, Values } from "./options.js";

/** The command line is wrong: the message says how. */
export class UsageError extends XdpfeedError {
  constructor(message: string) {
    super("EUSAGE", message);
    this.name = "UsageError";
  }
}

/** "a, b or c" */
export function oneOf(words: readonly string[]): string {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

/** An option's string as an integer by its spec (UsageError when it is none, or out of range). */
export function integer(o: OptionSpec, raw: string): number | string {
  const spec = o.integer!;
  if (spec.or?.includes(raw)) return raw;
  const n = Number(raw);
  if (raw.trim() !== "" && Number.isSafeInteger(n) && n >= spec.min && (spec.max === undefined || n <= spec.max)) return n;
  const range = spec.max === undefined ? `an integer >= ${spec.min}` : `an integer from ${spec.min} to ${spec.max}`;
  throw new UsageError(`--${o.name} expects ${range}${spec.or ? ` or ${oneOf(spec.or)}` : ""}, got '${raw}'`);
}

function value(o: OptionSpec, raw: string | boolean | undefined): unknown {
  if (o.type === "boolean") return raw === true;
  if (raw === undefined) return o.default;
  const s = raw as string;
  if (o.integer) return integer(o, s);
  if (o.choices && !o.choices.includes(s)) throw new UsageError(`--${o.name} expects ${oneOf(o.choices)}, got '${s}'`);
  return s;
}

/** Checks a parsed command line against the command's table; returns its values. */
export function readValues<T extends readonly OptionSpec[]>(
  def: CommandDef<T>,
  parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] },
): Values<T> {
  const out: Record<string, unknown> = {};
  for (const o of def.options) {
    const raw = parsed.values[o.name];
    if (o.required === true && raw === undefined) throw new UsageError(`${def.name} needs --${o.name}${o.value ? ` ${o.value}` : ""}`);
    out[o.name] = value(o, raw);
  }
  const want = def.args ?? [];
  if (parsed.positionals.length !== want.length) {
    throw new UsageError(parsed.positionals.length < want.length
      ? `${def.name} needs ${want.slice(parsed.positionals.length).join(" ")}`
      : `${def.name} takes ${want.length === 0 ? "no arguments" : `only ${want.join(" ")}`}, got ${parsed.positionals.map((p) => `'${p}'`).join(" ")}`);
  }
  const values = out as Values<T>;
  const problem = def.check?.(values, parsed.positionals);
  if (problem !== undefined) throw new UsageError(problem);
  return values;
}
