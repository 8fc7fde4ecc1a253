// The zipcsv descriptor options: Spark's CSV data source option names and defaults (Spark SQL
// "CSV Files" data source options) plus the archive options zipdcm also has, parsed with the
// shared typed parsers so Spark's all-string option maps read the same as JSON values.
import { availableParallelism } from 'node:os';
import type { Schema } from 'apache-arrow';
import { invalidArgument } from '../errors.ts';
import { makeDialect, type CsvDialect } from '../csv/record.ts';
import { makeNormalizer } from '../csv/decode.ts';
import { CsvError } from '../csv/csv-error.ts';
import { globListProblem, globProblem } from '../storage/glob.ts';
import { parseDdl } from './ddl.ts';
import { boolOption, enumOption, intOption, numberOption, parseOptions, stringOption, withAliases, type ParsedOptions } from './options.ts';

export const DEFAULT_PATH_GLOBS = '*.zip';
export const DEFAULT_MEMBER_FILTER = '*.csv';
export const DEFAULT_CORRUPT_COLUMN = '_corrupt_record';
const MAX_PARTITIONS = 100_000;
const MODES = ['PERMISSIVE', 'DROPMALFORMED', 'FAILFAST'] as const;

function splitList(raw: string): string[] {
  return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export const zipcsvOptionSpecs = {
  pathGlobFilter: stringOption('Comma-separated globs for archives in a directory (default *.zip)', DEFAULT_PATH_GLOBS, (s) => globListProblem(s)),
  recursiveFileLookup: boolOption('Search directories recursively (default true)', true),
  memberFilter: stringOption('Glob over member base names, or full names when it has a /, case-insensitive (default *.csv)', DEFAULT_MEMBER_FILTER, (s) =>
    s.trim() ? globProblem(s.trim()) : 'must not be empty'),
  header: boolOption("The first record of each member names the columns (default false: _c0, _c1, ...)", false),
  inferSchema: boolOption('Infer int/bigint/double/boolean/date/timestamp from a sample (default false: all strings)', false),
  schema: stringOption('Spark DDL of the columns, positional; overrides header names and inferSchema', ''),
  sep: withAliases(stringOption('Field separator, one character; \\t for tab (default ,)', ','), 'delimiter'),
  quote: stringOption('Quote character; empty turns quoting off (default ")', '"'),
  escape: stringOption('Escape character inside quotes; doubled quotes always work (default \\)', '\\'),
  nullValue: stringOption('Field text read as null (default: the empty field)', ''),
  comment: stringOption('Lines starting with this character are skipped (default: none)', ''),
  encoding: withAliases(stringOption('Character encoding of the members (default UTF-8; a BOM is skipped)', 'UTF-8'), 'charset'),
  mode: enumOption('Malformed records: PERMISSIVE (nulls + raw text in the corrupt-record column), DROPMALFORMED (skipped), FAILFAST (the stream fails)', MODES, 'PERMISSIVE'),
  columnNameOfCorruptRecord: stringOption(`Column for the raw text of malformed records in PERMISSIVE mode (default ${DEFAULT_CORRUPT_COLUMN})`, DEFAULT_CORRUPT_COLUMN, (s) =>
    s.trim() ? undefined : 'must not be empty'),
  samplingRatio: numberOption('Fraction of the sampled rows inferSchema looks at (default 1.0)', 1, Number.MIN_VALUE, 1),
  multiLine: boolOption('Quoted fields may hold line breaks; always on here (false is refused rather than ignored)', true),
  asLines: boolOption("The reference's rows: zipfile, file_name, line (one per physical line, stripped)", false),
  numPartitions: intOption('Endpoints to split the members over, by compressed bytes (default 2 x cores)', () => 2 * availableParallelism(), 1, MAX_PARTITIONS),
  includeSource: boolOption('Add _zip (archive path) and _member (member name) columns', false),
  ignoreCorruptFiles: boolOption('Skip unreadable archives and members (keeping rows read before the damage) instead of failing', false),
};

export type ZipcsvOptions = ParsedOptions<typeof zipcsvOptionSpecs>;

export interface ZipcsvSettings extends ZipcsvOptions {
  pathGlobs: string[];
  dialect: CsvDialect;
  /** nullValue as UTF-8 bytes, compared with each field's unescaped bytes. */
  nullBytes: Uint8Array;
  /** The user's `schema`, or null when the columns come from the data. */
  userSchema: Schema | null;
}

export function parseZipcsvOptions(raw: Record<string, unknown> | undefined): ZipcsvSettings {
  const o = parseOptions('zipcsv', zipcsvOptionSpecs, raw);
  const dialect = makeDialect(o);
  if (typeof dialect === 'string') throw invalidArgument(`zipcsv: ${dialect}`);
  try {
    makeNormalizer(o.encoding);
  } catch (err) {
    if (err instanceof CsvError) throw invalidArgument(`zipcsv: option 'encoding': ${err.message}`, err);
    throw err;
  }
  if (!o.multiLine) throw invalidArgument("zipcsv: multiLine=false is not supported: quoted fields are always read across line breaks (RFC 4180 §2.6)");
  const userSchema = o.schema.trim() === '' ? null : parseDdl(o.schema, 'zipcsv option schema');
  return { ...o, pathGlobs: splitList(o.pathGlobFilter), dialect, nullBytes: new TextEncoder().encode(o.nullValue), userSchema };
}
