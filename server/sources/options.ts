// Typed option parsing shared by every source. Values arrive as JSON values or as strings (Spark
// passes every option as a string), so "4" must read as 4 and "true" as true. Names match
// case-insensitively because Spark's option maps are case-insensitive. Any unknown or ill-typed
// option is an INVALID_ARGUMENT that names the option.
import { invalidArgument } from '../errors.ts';

export interface OptionSpec<T> {
  /** One line for `zipflight serve --help`, ListFlights descriptions and the README tables. */
  doc: string;
  defaultValue: T | (() => T);
  parse(raw: unknown, name: string): T;
  /** Other accepted names (e.g. `delimiter` for `sep`). */
  aliases?: string[];
}

export type OptionSpecs = Record<string, OptionSpec<unknown>>;
export type ParsedOptions<S extends OptionSpecs> = { [K in keyof S]: S[K] extends OptionSpec<infer T> ? T : never };

const bad = (name: string, want: string, raw: unknown) =>
  invalidArgument(`option '${name}' must be ${want}, got ${JSON.stringify(raw)}`);

export function intOption(doc: string, defaultValue: number | (() => number), min = 0, max = Number.MAX_SAFE_INTEGER): OptionSpec<number> {
  return {
    doc,
    defaultValue,
    parse(raw, name) {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : raw;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
        throw bad(name, `an integer from ${min} to ${max}`, raw);
      }
      return n;
    },
  };
}

export function numberOption(doc: string, defaultValue: number, min: number, max: number): OptionSpec<number> {
  return {
    doc,
    defaultValue,
    parse(raw, name) {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max) throw bad(name, `a number from ${min} to ${max}`, raw);
      return n;
    },
  };
}

export function boolOption(doc: string, defaultValue: boolean): OptionSpec<boolean> {
  return {
    doc,
    defaultValue,
    parse(raw, name) {
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'string') {
        const s = raw.trim().toLowerCase();
        if (s === 'true') return true;
        if (s === 'false') return false;
      }
      throw bad(name, 'true or false', raw);
    },
  };
}

export function stringOption(doc: string, defaultValue: string, check?: (s: string) => string | undefined): OptionSpec<string> {
  return {
    doc,
    defaultValue,
    parse(raw, name) {
      if (typeof raw !== 'string') throw bad(name, 'a string', raw);
      const problem = check?.(raw);
      if (problem) throw invalidArgument(`option '${name}': ${problem}`);
      return raw;
    },
  };
}

/** One of a fixed set of words, matched case-insensitively, returned in the spelling given here. */
export function enumOption<const T extends string>(doc: string, choices: readonly T[], defaultValue: T): OptionSpec<T> {
  return {
    doc,
    defaultValue,
    parse(raw, name) {
      const hit = typeof raw === 'string' ? choices.find((c) => c.toLowerCase() === raw.trim().toLowerCase()) : undefined;
      if (hit === undefined) throw bad(name, `one of ${choices.join(', ')}`, raw);
      return hit;
    },
  };
}

export function withAliases<T>(spec: OptionSpec<T>, ...aliases: string[]): OptionSpec<T> {
  return { ...spec, aliases };
}

/** Parse raw options against specs; unknown names and bad values throw INVALID_ARGUMENT. */
export function parseOptions<S extends OptionSpecs>(source: string, specs: S, raw: Record<string, unknown> | undefined): ParsedOptions<S> {
  const byName = new Map<string, string>();
  for (const [key, spec] of Object.entries(specs)) {
    for (const n of [key, ...(spec.aliases ?? [])]) byName.set(n.toLowerCase(), key);
  }
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    const key = byName.get(name.toLowerCase());
    if (key === undefined) {
      throw invalidArgument(`unknown option '${name}' for source '${source}'; known options: ${Object.keys(specs).join(', ')}`);
    }
    if (key in out) throw invalidArgument(`option '${name}' given twice (as '${key}' or an alias)`);
    if (value === null || value === undefined) continue;
    out[key] = specs[key].parse(value, name);
  }
  for (const [key, spec] of Object.entries(specs)) {
    if (!(key in out)) out[key] = typeof spec.defaultValue === 'function' ? (spec.defaultValue as () => unknown)() : spec.defaultValue;
  }
  return out as ParsedOptions<S>;
}
