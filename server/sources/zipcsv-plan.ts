// zipcsv planning (GetFlightInfo): list the archives, read each central directory (APPNOTE
// 4.3.16), select CSV members by name, sample their starts for the schema, and split the
// members into partitions balanced by compressed bytes (a member is never split: one huge
// member is one partition). Each segment names an archive's entry range plus a digest of the
// member names, so read() can tell when the archive changed since planning.
import { createHash } from 'node:crypto';
import { Schema } from 'apache-arrow';
import { invalidArgument } from '../errors.ts';
import type { DataRoot } from '../storage/data-root.ts';
import type { ZipEntry } from '../zip/archive.ts';
import { mapLimited } from './map-limited.ts';
import { balancePartitions } from './partition-balance.ts';
import { parseDdl, toDdl } from './ddl.ts';
import { inputError, isInputDamage, isSkippableDamage, memberSelected, openArchive } from './zipcsv-inputs.ts';
import type { ZipcsvSettings } from './zipcsv-options.ts';
import { buildSchema, INFER_SAMPLE_ROWS, sampleMember, type MemberSample } from './zipcsv-schema.ts';

/** Archives read at once while planning. */
const PLAN_CONCURRENCY = 4;
/** Fixed cost of a member in balancing weight, so many tiny members still spread out. */
const MEMBER_WEIGHT = 1024;
const DIGEST_HEX = 16;

/** Central-directory indexes [from, to) of one archive; `count` selected members named by `digest`. */
export interface Segment {
  path: string;
  from: number;
  to: number;
  count: number;
  digest: string;
}

export interface ZipcsvSpec {
  /** The FlightInfo's schema as Spark DDL, so every partition reads with the planned columns. */
  schema: string;
  segments: Segment[];
}

interface Unit {
  path: string;
  entry: ZipEntry;
}

export function digestNames(names: Iterable<string>): string {
  const h = createHash('sha1');
  for (const n of names) h.update(n).update('\n');
  return h.digest('hex').slice(0, DIGEST_HEX);
}

export const selectMembers = (entries: ZipEntry[], settings: ZipcsvSettings) => entries.filter((e) => memberSelected(e, settings.memberFilter));

/** Does describe() need to read member data at all? (asLines and a DDL schema do not.) */
function needsSamples(settings: ZipcsvSettings): boolean {
  return !settings.asLines && settings.userSchema === null;
}

async function scanArchive(root: DataRoot, rel: string, settings: ZipcsvSettings, rows: (members: number) => number, signal: AbortSignal): Promise<{ units: Unit[]; samples: MemberSample[] }> {
  let input;
  try {
    input = await openArchive(root, rel);
  } catch (err) {
    if (settings.ignoreCorruptFiles && isInputDamage(err)) return { units: [], samples: [] };
    throw inputError(err, rel);
  }
  try {
    const members = selectMembers(input.archive.entries, settings);
    const samples: MemberSample[] = [];
    if (needsSamples(settings)) {
      for (const entry of members) {
        try {
          samples.push(await sampleMember(input, entry, settings, settings.inferSchema ? rows(members.length) : 0, signal));
        } catch (err) {
          if (!(settings.ignoreCorruptFiles && isSkippableDamage(err))) throw err;
        }
      }
    }
    return { units: members.map((entry) => ({ path: rel, entry })), samples };
  } finally {
    await input.close();
  }
}

function toSegments(group: Unit[]): Segment[] {
  const segs: Array<Segment & { names: string[] }> = [];
  for (const u of group) {
    const last = segs[segs.length - 1];
    if (last?.path === u.path) {
      last.to = u.entry.index + 1;
      last.count++;
      last.names.push(u.entry.name);
    } else {
      segs.push({ path: u.path, from: u.entry.index, to: u.entry.index + 1, count: 1, digest: '', names: [u.entry.name] });
    }
  }
  return segs.map(({ names, ...s }) => ({ ...s, digest: digestNames(names) }));
}

export interface ZipcsvPlan {
  schema: Schema;
  partitions: Array<{ spec: ZipcsvSpec; bytes: number }>;
}

export async function planZipcsv(root: DataRoot, path: string, settings: ZipcsvSettings, schemaFor: (samples: MemberSample[]) => Schema, signal: AbortSignal): Promise<ZipcsvPlan> {
  let files;
  try {
    files = await root.list(path, { globs: settings.pathGlobs, recursive: settings.recursiveFileLookup });
  } catch (err) {
    throw inputError(err, path);
  }
  // Count members first only when inference needs each member's share of the sample budget.
  let memberCount = 0;
  const share = () => Math.max(1, Math.ceil(INFER_SAMPLE_ROWS / Math.max(1, memberCount)));
  if (settings.inferSchema && needsSamples(settings)) {
    const counts = await mapLimited(files, PLAN_CONCURRENCY, (f) => countMembers(root, f.rel, settings));
    memberCount = counts.reduce((a, b) => a + b, 0);
  }
  const scans = await mapLimited(files, PLAN_CONCURRENCY, (f) => scanArchive(root, f.rel, settings, share, signal));
  const schema = schemaFor(scans.flatMap((s) => s.samples));
  const units = scans.flatMap((s) => s.units);
  if (units.length === 0) return { schema, partitions: [] };
  const ddl = toDdl(schema);
  const partitions = balancePartitions(units, settings.numPartitions, (u) => u.entry.compressedSize + MEMBER_WEIGHT).map((group) => ({
    spec: { schema: ddl, segments: toSegments(group) },
    bytes: group.reduce((s, u) => s + u.entry.compressedSize, 0),
  }));
  return { schema, partitions };
}

async function countMembers(root: DataRoot, rel: string, settings: ZipcsvSettings): Promise<number> {
  try {
    const input = await openArchive(root, rel);
    try {
      return selectMembers(input.archive.entries, settings).length;
    } finally {
      await input.close();
    }
  } catch {
    return 0; // scanArchive reports it
  }
}

export function defaultSchemaFor(settings: ZipcsvSettings) {
  return (samples: MemberSample[]) => buildSchema(samples, settings);
}

/** Re-validate a ticket's partition spec (it is signed, but shapes are still checked). */
export function checkSpec(spec: unknown): { schema: Schema; segments: Segment[] } {
  const s = spec as ZipcsvSpec;
  const ok = s !== null && typeof s === 'object' && typeof s.schema === 'string' && Array.isArray(s.segments) && s.segments.every((g) =>
    g && typeof g.path === 'string' && Number.isSafeInteger(g.from) && Number.isSafeInteger(g.to) && g.from <= g.to &&
    Number.isSafeInteger(g.count) && typeof g.digest === 'string');
  if (!ok) throw invalidArgument('zipcsv ticket: malformed partition spec');
  // A read that found no columns at all (header-less, empty members, no corrupt column) has DDL ''.
  const schema = s.schema === '' ? new Schema([]) : parseDdl(s.schema, 'zipcsv ticket schema');
  return { schema, segments: s.segments };
}
