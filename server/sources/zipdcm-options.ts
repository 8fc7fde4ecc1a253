// The zipdcm descriptor options (names from the reference Spark data source, modes from Spark's
// file sources: PERMISSIVE | DROPMALFORMED | FAILFAST), parsed with the shared typed parsers.
import { availableParallelism } from 'node:os';
import { globListProblem, globProblem } from '../storage/glob.ts';
import { boolOption, enumOption, intOption, parseOptions, stringOption, type ParsedOptions } from './options.ts';

export const DEFAULT_PATH_GLOBS = '*.zip,*.dcm';
export const DEFAULT_MEMBER_FILTER = '*.dcm';
/** The memberFilter word that selects members by content: `DICM` at byte 128 (PS3.10 §7.1). */
export const SNIFF_DICOM = 'dicom';
export const DEFAULT_KEYS_FILTER = '60003000,7FE00010,00283010,00283006';
const MAX_PARTITIONS = 100_000;
const TAG_HEX = /^[0-9A-F]{8}$/;

function splitList(raw: string): string[] {
  return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export const zipdcmOptionSpecs = {
  pathGlobFilter: stringOption('Comma-separated globs for files in a directory (default: *.zip,*.dcm)', DEFAULT_PATH_GLOBS, (s) => globListProblem(s)),
  recursiveFileLookup: boolOption('Search directories recursively (default true)', true),
  memberFilter: stringOption(
    "Glob over member base names, case-insensitive (default *.dcm), or 'dicom' for every member with DICM at byte 128",
    DEFAULT_MEMBER_FILTER,
    (s) => (s.trim() ? (s.trim().toLowerCase() === SNIFF_DICOM ? undefined : globProblem(s.trim())) : 'must not be empty'),
  ),
  numPartitions: intOption('Endpoints to split the members over, balanced by member count (hashes=true: by compressed bytes) (default 2 x cores)', () => 2 * availableParallelism(), 1, MAX_PARTITIONS),
  dicomKeysFilter: stringOption('Comma-separated top-level tags left out of meta', DEFAULT_KEYS_FILTER, (s) => {
    const bad = splitList(s).find((t) => !TAG_HEX.test(t.toUpperCase()));
    return bad === undefined ? undefined : `'${bad}' is not an 8-hex-digit tag`;
  }),
  hashes: boolOption('Add hash (SHA-1 of the member) and pixel_hash (SHA-1 of Pixel Data); reads whole members', false),
  mode: enumOption('Bad members: PERMISSIVE (error row), DROPMALFORMED (no row), FAILFAST (fail the stream)', ['PERMISSIVE', 'DROPMALFORMED', 'FAILFAST'] as const, 'PERMISSIVE'),
};

export type ZipdcmOptions = ParsedOptions<typeof zipdcmOptionSpecs>;

/** Parsed options plus the lists the reader uses. */
export interface ZipdcmSettings extends ZipdcmOptions {
  pathGlobs: string[];
  keysFilter: string[];
  sniffDicom: boolean;
}

export function parseZipdcmOptions(raw: Record<string, unknown> | undefined): ZipdcmSettings {
  const o = parseOptions('zipdcm', zipdcmOptionSpecs, raw);
  return {
    ...o,
    pathGlobs: splitList(o.pathGlobFilter),
    keysFilter: splitList(o.dicomKeysFilter).map((t) => t.toUpperCase()),
    sniffDicom: o.memberFilter.trim().toLowerCase() === SNIFF_DICOM,
  };
}
