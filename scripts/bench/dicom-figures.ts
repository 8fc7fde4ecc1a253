// zipdcm end to end against the reference's per-file work (issue 7 targets 1-3 and the seed's
// scale): files per CPU-second header-only and with hashes, wall files/s on every core vs one
// core, and the header-only wall time of the 100,000-file corpus (measured, or projected).
import { CORPUS_ROOT, type DicomCorpus } from './corpora.ts';
import { details, readReference, readThrough, ReadFailure, type Command, type ReadResult } from './flight-reads.ts';
import { figure, median, repeat, side, unmeasured, type Figure, type Side, type Target } from './figures.ts';
import { startZipflight, type Cores, type Server } from './processes.ts';

const HEADER_TARGET: Target = { on: 'ratio', op: '>=', bound: 20, text: '≥ 20×' };
const HASHES_TARGET: Target = { on: 'ratio', op: '>=', bound: 2, text: '≥ 2×' };
const CORES_TARGET: Target = { on: 'ratio', op: '>=', bound: 1.7, text: '≥ 1.7×' };
export const SEED_SCALE_FILES = 100_000;
/** The reference's rate per CPU-second does not depend on corpus size; past this it reads a prefix. */
const REFERENCE_MAX_FILES = 10_000;
const SCALE_TARGET: Target = { on: 'value', op: '<', bound: 20, text: '< 20 s' };

export const TITLES = {
  header: 'zipdcm header-only, files/CPU-s, vs reference header-only',
  hashes: 'zipdcm hashes=true, files/CPU-s, vs reference full + pixel SHA-1',
  cores: 'wall files/s, all cores vs 1 core (header-only)',
  coresHashes: 'wall files/s, all cores vs 1 core (hashes=true)',
  scale: `header-only wall time, ${SEED_SCALE_FILES.toLocaleString('en')}-file corpus`,
};

export interface DicomRunOptions {
  runs: number;
  /** Unmeasured reads first: a serving server has warm worker threads and JIT-compiled code. */
  warmups: number;
}

export interface Measured {
  runs: ReadResult[];
  /** The unmeasured reads before them, first one first (a fresh server's first read is cold:
   *  JIT, worker warm-up, no remembered archive listings). */
  warmups?: ReadResult[];
  failure?: ReadFailure;
}

/** Read each command `runs` times on one server, each after `warmups` unmeasured reads. */
export async function measureReads(cores: Cores, cmds: Command[], o: DicomRunOptions): Promise<Measured[]> {
  const server = await startZipflight(CORPUS_ROOT, cores);
  const out: Measured[] = [];
  try {
    for (const cmd of cmds) {
      try {
        const warmups = await repeat(o.warmups, () => readThrough(server, cmd, { countErrors: true }));
        out.push({ runs: await repeat(o.runs, () => readThrough(server, cmd, { countErrors: true })), warmups });
      } catch (err) {
        if (!(err instanceof ReadFailure)) throw err;
        out.push({ runs: [], failure: err });
      }
    }
    return out;
  } finally {
    await server.stop();
  }
}

/**
 * Every core vs one core, both servers up at once and their runs alternated, so a change in the
 * shared machine's load falls on both alike. Per command: warm-ups on each, then runs A, B, A, B...
 */
async function measureBoth(cmds: Command[], o: DicomRunOptions): Promise<{ all: Measured[]; one: Measured[] }> {
  const all = await startZipflight(CORPUS_ROOT, 'all');
  let one: Server | undefined;
  const out = { all: [] as Measured[], one: [] as Measured[] };
  const read = (s: Server, cmd: Command) => readThrough(s, cmd, { countErrors: true });
  try {
    one = await startZipflight(CORPUS_ROOT, 1);
    for (const cmd of cmds) {
      const a: ReadResult[] = [];
      const b: ReadResult[] = [];
      try {
        const warmups = await repeat(o.warmups, () => read(all, cmd));
        await repeat(o.warmups, () => read(one!, cmd));
        for (let i = 0; i < o.runs; i++) {
          a.push(await read(all, cmd));
          b.push(await read(one, cmd));
        }
        out.all.push({ runs: a, warmups });
        out.one.push({ runs: b });
      } catch (err) {
        if (!(err instanceof ReadFailure)) throw err;
        out.all.push({ runs: [], failure: err });
        out.one.push({ runs: [], failure: err });
      }
    }
    return out;
  } finally {
    await one?.stop();
    await all.stop();
  }
}

const perCpu = (r: ReadResult) => r.rows / r.cpuS;
const perWall = (r: ReadResult) => r.rows / r.wallS;

function zipflightSide(label: string, unit: string, m: Measured, rate: (r: ReadResult) => number): Side {
  return side(label, unit, m.runs.map(rate), m.runs.map(details));
}

async function referenceSide(mode: 'dicom-header' | 'dicom-full', corpus: DicomCorpus, runs: number): Promise<Side> {
  const limit = corpus.files > REFERENCE_MAX_FILES ? REFERENCE_MAX_FILES : 0;
  const results = await repeat(runs, () => readReference(mode, corpus.dir, limit));
  const label = limit ? `reference ${mode}, first ${limit} files` : `reference ${mode}`;
  return side(label, 'files/CPU-s', results.map((r) => r.items / r.cpuS), results.map(details));
}

function rowsNote(m: Measured, corpus: DicomCorpus): string {
  const r = m.runs[0];
  if (!r) return '';
  const rows = r.rows === corpus.files ? `${r.rows} rows` : `${r.rows} rows of ${corpus.files} files (MISMATCH)`;
  return r.errors ? `${rows}, ${r.errors} error rows (${r.errorSamples.map((e) => e.slice(0, 160)).join('; ')})` : rows;
}

function failed(id: string, title: string, target: Target, m: Measured, reference: Side | null = null): Figure {
  return unmeasured(id, title, target, m.failure!.status, m.failure!.message, reference);
}

/** Figures 1-3; also returns the header-only reads, from which the seed-scale figure may project. */
export async function dicomFigures(corpus: DicomCorpus, o: DicomRunOptions): Promise<{ figures: Figure[]; header: Measured }> {
  const cmds: Command[] = [{ source: 'zipdcm', path: corpus.path }, { source: 'zipdcm', path: corpus.path, options: { hashes: true } }];
  const both = await measureBoth(cmds, o);
  const [header, hashes] = both.all;
  const [one, oneHashes] = both.one;
  const refHeader = await referenceSide('dicom-header', corpus, o.runs);
  const refFull = await referenceSide('dicom-full', corpus, o.runs);
  const figures: Figure[] = [];
  figures.push(header.failure ? failed('zipdcm-header', TITLES.header, HEADER_TARGET, header, refHeader)
    : figure('zipdcm-header', TITLES.header, zipflightSide('zipdcm', 'files/CPU-s', header, perCpu), refHeader, HEADER_TARGET, rowsNote(header, corpus)));
  figures.push(hashes.failure ? failed('zipdcm-hashes', TITLES.hashes, HASHES_TARGET, hashes, refFull)
    : figure('zipdcm-hashes', TITLES.hashes, zipflightSide('zipdcm hashes', 'files/CPU-s', hashes, perCpu), refFull, HASHES_TARGET, rowsNote(hashes, corpus)));
  figures.push(coresFigure('wall-cores', TITLES.cores, header, one, corpus));
  figures.push(coresFigure('wall-cores-hashes', TITLES.coresHashes, hashes, oneHashes, corpus));
  return { figures, header };
}

function coresFigure(id: string, title: string, all: Measured, one: Measured, corpus: DicomCorpus): Figure {
  if (all.failure || one.failure) return failed(id, title, CORES_TARGET, all.failure ? all : one);
  const allSide = zipflightSide('zipdcm, all cores', 'files/s', all, perWall);
  const oneSide = zipflightSide('zipdcm, 1 core (taskset -c 0)', 'files/s', one, perWall);
  // Server CPU-seconds per wall-second: below 2 on the all-core side means the machine (shared) did not give it both cores.
  const busy = (m: Measured) => median(m.runs.map((r) => r.serverCpuS / r.wallS))?.toFixed(2);
  return figure(id, title, allSide, oneSide, CORES_TARGET,
    `server cores busy during reads (CPU-s per wall-s): all-core ${busy(all)}, 1-core ${busy(one)}; 1-core server pinned with taskset -c 0, ZIPFLIGHT_WORKERS=1, runs alternated with the all-core server's; ${rowsNote(one, corpus)}`);
}

/** The seed's scale: measured when the corpus has 100,000 files, else projected linearly. */
export function scaleFigure(header: Measured, corpus: DicomCorpus): Figure {
  if (header.failure) return failed('seed-scale', TITLES.scale, SCALE_TARGET, header);
  const factor = SEED_SCALE_FILES / corpus.files;
  const wall = side('zipdcm header-only wall', 's', header.runs.map((r) => r.wallS * factor), header.runs.map(details));
  const f = figure('seed-scale', TITLES.scale, wall, null, SCALE_TARGET);
  if (corpus.files >= SEED_SCALE_FILES) {
    const cold = header.warmups?.[0];
    const first = cold ? `; a fresh server's first read (cold: JIT, no remembered listings) took ${cold.wallS.toFixed(1)} s` : '';
    f.note = `measured on ${corpus.files} files, after ${header.warmups?.length ?? 0} unmeasured reads${first}; the seed took 210 s on 16 cores`;
    return f;
  }
  f.status = 'projected';
  f.note = `projected linearly from ${corpus.files} files (run --scale ${SEED_SCALE_FILES} to measure); the seed took 210 s on 16 cores`;
  return f;
}
