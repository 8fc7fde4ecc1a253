// zipdcm planning (GetFlightInfo): list the input files, read each archive's central directory
// (APPNOTE 4.3.12/4.3.16), select DICOM members and split them by member into partitions
// balanced by member count (header-only) or compressed bytes (hashes). Every row gets its rowid
// here: a global ordinal in file order × central-directory order, so rowids are unique across
// the FlightInfo and stable.
import { createHash } from 'node:crypto';
import { ServerError } from '../errors.ts';
import { limits } from '../limits.ts';
import type { DataRoot, FileEntry } from '../storage/data-root.ts';
import { matchGlob } from '../storage/glob.ts';
import { ZipError, zipLimits, type ZipArchive, type ZipEntry } from '../zip/archive.ts';
import { mapLimited } from './map-limited.ts';
import { balancePartitions } from './partition-balance.ts';
import type { ZipdcmSettings } from './zipdcm-options.ts';
import { describeError, isBareDicomName, openInput, storageError } from './zipdcm-inputs.ts';
import { ScanCache } from './zipdcm-scan-cache.ts';

/** Archives whose central directories are read at once while planning. */
const DESCRIBE_CONCURRENCY = 8;
/** Fixed cost of a member in balancing weight, so thousands of tiny members still spread out. */
const MEMBER_WEIGHT = 1024;
/** `DICM` at byte 128: the Part 10 preamble + prefix (PS3.10 §7.1). */
const DICM_OFFSET = 128;
const DICM = [0x44, 0x49, 0x43, 0x4d];
const DIGEST_HEX = 16;

/** One contiguous piece of a partition. Ranges are central-directory indexes [from, to). */
export type Segment =
  | { kind: 'zip'; path: string; from: number; to: number; first: number; count: number; digest: string }
  | { kind: 'dcm'; path: string; first: number; size: number }
  | { kind: 'bad'; path: string; first: number };

export interface ZipdcmSpec {
  segments: Segment[];
}

export interface PlannedPartition {
  spec: ZipdcmSpec;
  records: number;
  bytes: number;
}

interface Unit {
  path: string;
  kind: Segment['kind'];
  index: number;
  name: string;
  weight: number;
  size: number;
}

/** Is this entry one of the members the options select, judged by name only? */
export function memberNameSelected(entry: ZipEntry, settings: ZipdcmSettings): boolean {
  if (entry.isDirectory) return false;
  if (settings.sniffDicom) return true;
  const glob = settings.memberFilter.trim();
  const name = glob.includes('/') ? entry.name : entry.name.slice(entry.name.lastIndexOf('/') + 1);
  return matchGlob(name, glob, { caseInsensitive: true });
}

/** Sniff `DICM` at byte 128; an unreadable prefix counts as selected so its error surfaces. */
export async function hasDicomMagic(archive: ZipArchive, entry: ZipEntry): Promise<boolean> {
  if (entry.uncompressedSize < DICM_OFFSET + DICM.length) return false;
  try {
    const { bytes } = await archive.readPrefix(entry, DICM_OFFSET + DICM.length);
    return DICM.every((b, i) => bytes[DICM_OFFSET + i] === b);
  } catch {
    return true;
  }
}

/** Members of an archive the options select, in central-directory order. */
export async function selectMembers(archive: ZipArchive, settings: ZipdcmSettings, entries = archive.entries): Promise<ZipEntry[]> {
  const named = entries.filter((e) => memberNameSelected(e, settings));
  if (!settings.sniffDicom) return named;
  const out: ZipEntry[] = [];
  for (const e of named) if (await hasDicomMagic(archive, e)) out.push(e);
  return out;
}

export function digestNames(names: Iterable<string>): string {
  // Each name and a newline, hashed in one update: the same bytes as an update per piece (a
  // newline between any two names, so no surrogate pair forms across them), and one crossing
  // into the hash per archive instead of two per member (profiled: ~35 µs per archive open).
  let text = '';
  for (const n of names) text += `${n}\n`;
  return createHash('sha1').update(text).digest('hex').slice(0, DIGEST_HEX);
}

/** The request plans more members than the server allows (issue 6 "Limits"): the request's
 *  fault, RESOURCE_EXHAUSTED, not an archive's error row. */
function overLimit(path: string, what: ZipError | string): ServerError {
  const found = typeof what === 'string' ? `${what}, over the limit of ${limits().maxMembersPerRequest}` : what.message;
  return new ServerError('resource-exhausted', `zipdcm: ${JSON.stringify(path)}: ${found} (max-members-per-request); read a smaller directory or archive`, { cause: what });
}

/** Does a bare file start like Part 10 (`DICM` at byte 128)? Unreadable counts as no. */
async function isPart10File(root: DataRoot, rel: string): Promise<boolean> {
  try {
    const file = await root.openFile(rel);
    try {
      const head = await file.read(DICM_OFFSET, DICM.length);
      return DICM.every((b, i) => head[i] === b);
    } finally {
      await file.close();
    }
  } catch {
    return false;
  }
}

/** Archives' selected members by (real path, size, mtime, options, limits): a plan of the same
 *  files again (Spark asks for FlightInfo per query) opens no archive. A stale entry cannot give
 *  wrong rows: DoGet reads the central directory afresh and checks names and count against the
 *  plan (openSegment, "archive changed since the FlightInfo was planned"). */
const scans = new ScanCache();

/** Drop every remembered scan: DoGet found an archive unlike its plan (rewritten within one
 *  mtime tick at the same size), so the next plan must read the archives again. */
export function forgetScans(): void {
  scans.clear();
}

async function scanFile(root: DataRoot, file: FileEntry, settings: ZipdcmSettings): Promise<Unit[]> {
  const bare = (): Unit[] => [{ path: file.rel, kind: 'dcm', index: 0, name: '', weight: file.size + MEMBER_WEIGHT, size: file.size }];
  if (isBareDicomName(file.rel)) return bare();
  const key = ScanCache.key(file, settings.sniffDicom ? '' : settings.memberFilter.trim(), settings.sniffDicom, zipLimits());
  const cached = scans.get(key);
  if (cached) return cached.map((m) => ({ path: file.rel, kind: 'zip', ...m }));
  const units = await scanArchive(root, file, settings, bare);
  if (units.every((u) => u.kind === 'zip')) scans.set(key, units.map(({ index, name, weight, size }) => ({ index, name, weight, size })));
  return units;
}

async function scanArchive(root: DataRoot, file: FileEntry, settings: ZipdcmSettings, bare: () => Unit[]): Promise<Unit[]> {
  const bad = (): Unit[] => [{ path: file.rel, kind: 'bad', index: 0, name: '', weight: MEMBER_WEIGHT, size: 0 }];
  let input;
  try {
    input = await openInput(root, file.rel);
  } catch (err) {
    if (err instanceof ZipError && err.code === 'LIMIT_EXCEEDED') throw overLimit(file.rel, err);
    if (describeError(err) === null) throw err;
    // Not a ZIP but a Part 10 file without the .dcm extension (named explicitly, or matched by a
    // wider pathGlobFilter): read it as a bare DICOM file rather than report a broken archive.
    return (await isPart10File(root, file.rel)) ? bare() : bad();
  }
  try {
    const members = await selectMembers(input.archive, settings);
    return members.map((e) => ({ path: file.rel, kind: 'zip', index: e.index, name: e.name, weight: e.compressedSize + MEMBER_WEIGHT, size: e.compressedSize }));
  } finally {
    await input.close();
  }
}

function toSegments(group: Unit[], firstRowid: number): Segment[] {
  const segs: Segment[] = [];
  let rowid = firstRowid;
  let names: string[] = [];
  for (const u of group) {
    const last = segs[segs.length - 1];
    if (u.kind === 'zip' && last?.kind === 'zip' && last.path === u.path) {
      last.to = u.index + 1;
      last.count++;
      names.push(u.name);
    } else {
      if (last?.kind === 'zip') last.digest = digestNames(names);
      names = [u.name];
      if (u.kind === 'zip') segs.push({ kind: 'zip', path: u.path, from: u.index, to: u.index + 1, first: rowid, count: 1, digest: '' });
      else if (u.kind === 'dcm') segs.push({ kind: 'dcm', path: u.path, first: rowid, size: u.size });
      else segs.push({ kind: 'bad', path: u.path, first: rowid });
    }
    rowid++;
  }
  const last = segs[segs.length - 1];
  if (last?.kind === 'zip') last.digest = digestNames(names);
  return segs;
}

export async function planZipdcm(root: DataRoot, path: string, settings: ZipdcmSettings): Promise<PlannedPartition[]> {
  let files: FileEntry[];
  try {
    files = await root.list(path, { globs: settings.pathGlobs, recursive: settings.recursiveFileLookup });
  } catch (err) {
    throw storageError(err, path);
  }
  const units = (await mapLimited(files, DESCRIBE_CONCURRENCY, (f) => scanFile(root, f, settings))).flat();
  if (units.length === 0) return [];
  if (units.length > limits().maxMembersPerRequest) throw overLimit(path, `${units.length} members to read`);
  let rowid = 0;
  // A header-only read costs about the same per member whatever its size (the header, not the
  // pixels): balance by count. hashes=true reads whole members: balance by compressed bytes.
  const groups = fitTickets(units, settings.numPartitions, settings.hashes ? (u) => u.weight : () => MEMBER_WEIGHT);
  return groups.map((group) => {
    const spec = { segments: toSegments(group, rowid) };
    rowid += group.length;
    return { spec, records: group.length, bytes: group.reduce((s, u) => s + u.size, 0) };
  });
}

/** JSON bytes of one partition's spec at most. A Ticket carries it base64url-encoded (4/3 as
 *  long) and DoGet refuses tickets over 64 KiB (server/protocol/ticket.ts): the 100,000-file
 *  bench corpus (1,354 archives) in 4 partitions made ~57 KiB tickets, some over. */
const MAX_SPEC_JSON = 40 * 1024;

function specBytes(group: Unit[]): number {
  // The largest rowids a plan can have: their digits count too.
  return JSON.stringify({ segments: toSegments(group, Number.MAX_SAFE_INTEGER - group.length) }).length;
}

/** Balanced partitions whose specs each fit a ticket: one that would not is cut into as many
 *  contiguous pieces of equal member count as it takes (more endpoints than numPartitions asked
 *  for, rather than tickets DoGet must refuse). */
function fitTickets(units: Unit[], n: number, weight: (u: Unit) => number): Unit[][] {
  return balancePartitions(units, n, weight).flatMap(function fit(group: Unit[]): Unit[][] {
    const bytes = specBytes(group);
    if (bytes <= MAX_SPEC_JSON || group.length < 2) return [group];
    const pieces = Math.min(group.length, Math.ceil(bytes / MAX_SPEC_JSON));
    const size = Math.ceil(group.length / pieces);
    return Array.from({ length: Math.ceil(group.length / size) }, (_, i) => group.slice(i * size, (i + 1) * size)).flatMap(fit);
  });
}

export function checkSpec(spec: unknown): ZipdcmSpec {
  const s = spec as ZipdcmSpec;
  const ok = s && Array.isArray(s.segments) && s.segments.every((g) =>
    g && typeof g.path === 'string' && Number.isSafeInteger(g.first) && g.first >= 0 &&
    (g.kind === 'bad' || (g.kind === 'dcm' && Number.isSafeInteger(g.size)) ||
      (g.kind === 'zip' && Number.isSafeInteger(g.from) && Number.isSafeInteger(g.to) && g.from <= g.to &&
        Number.isSafeInteger(g.count) && typeof g.digest === 'string')));
  if (!ok) throw new ServerError('invalid-argument', 'zipdcm ticket: malformed partition spec');
  return s;
}
