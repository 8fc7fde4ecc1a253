// Column type inference over sampled CSV fields, after Spark's CSVInferSchema: each value gets
// its narrowest type (int → long → double → date → timestamp → boolean → string), and types
// merge by widening (int < long < double, date < timestamp); any other mix becomes string.
import { fitsInt32, INTO_NONE, parseBool, parseDate, parseDouble, parseDoubleInto, parseInt64, parseTimestamp, parseTimestampInto } from './values.ts';

/** Inferred kinds, in the order Spark tries them. NULL = no non-null value seen yet. */
export type CsvKind = 'null' | 'int32' | 'int64' | 'double' | 'date' | 'timestamp' | 'boolean' | 'string';

const NUMERIC: Record<string, number> = { int32: 1, int64: 2, double: 3 };

/** The narrowest kind that reads b[s, e). */
export function inferValue(b: Uint8Array, s = 0, e = b.length): CsvKind {
  const i = parseInt64(b, s, e);
  if (i !== undefined) return fitsInt32(i) ? 'int32' : 'int64';
  if (parseDouble(b, s, e) !== undefined) return 'double';
  if (parseDate(b, s, e) !== undefined) return 'date';
  if (parseTimestamp(b, s, e) !== undefined) return 'timestamp';
  if (parseBool(b, s, e) !== undefined) return 'boolean';
  return 'string';
}

/** The kind that reads values of both kinds (Spark's compatibleType, decimals aside). */
export function mergeKinds(a: CsvKind, b: CsvKind): CsvKind {
  if (a === b || b === 'null') return a;
  if (a === 'null') return b;
  if (a in NUMERIC && b in NUMERIC) return NUMERIC[a] > NUMERIC[b] ? a : b;
  if ((a === 'date' && b === 'timestamp') || (a === 'timestamp' && b === 'date')) return 'timestamp';
  return 'string';
}

/**
 * Merge one value into a column's kind. Strings are final and checks stop early once a column
 * can only widen, so inference costs one parse per value at most.
 */
export function inferInto(kind: CsvKind, b: Uint8Array, s = 0, e = b.length): CsvKind {
  if (kind === 'string') return kind;
  // The …Into parsers write to a scratch array: a returned double would be a heap number per value.
  if (kind === 'double' && parseDoubleInto(b, s, e, SCRATCH)) return kind;
  if (kind === 'boolean' && parseBool(b, s, e) !== undefined) return kind;
  if (kind === 'timestamp' && parseTimestampInto(b, s, e, SCRATCH) !== INTO_NONE) return kind;
  return mergeKinds(kind, inferValue(b, s, e));
}

const SCRATCH = new Float64Array(1);

/**
 * Column names from a header record, made safe the way Spark's CSVUtils does: an empty name
 * becomes `_c<i>`; a name that repeats (case-insensitively, Spark's default) gets its index appended.
 */
export function safeHeader(names: string[]): string[] {
  const seen = new Map<string, number>();
  for (const n of names) {
    const k = n.toLowerCase();
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return names.map((n, i) => {
    if (n === '') return positionalName(i);
    return (seen.get(n.toLowerCase()) ?? 0) > 1 ? `${n}${i}` : n;
  });
}

/** Spark's name for the i-th column of a file without a header. */
export const positionalName = (i: number) => `_c${i}`;
