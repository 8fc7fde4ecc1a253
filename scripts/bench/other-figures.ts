// The remaining end-to-end figures of issue 7: zipcsv rows per CPU-second against the reference's
// line reader and pyarrow.csv; the server's peak RSS (VmHWM) reading the > 4 GiB ZIP64 archive;
// DoGet MB/s of one large table through zipflight vs pyarrow's own C++ Flight server.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_ROOT, type CsvCorpus, type Zip64Corpus } from './corpora.ts';
import { details, readReference, readThrough, ReadFailure, type Command, type ReadResult } from './flight-reads.ts';
import { figure, repeat, side, unmeasured, type Figure, type Side, type Target } from './figures.ts';
import { peakRssMiB, REPO, startPyarrowServer, startZipflight, type Server } from './processes.ts';

const CSV_LINES_TARGET: Target = { on: 'ratio', op: '>=', bound: 10, text: '≥ 10×' };
const CSV_PYARROW_TARGET: Target = { on: 'ratio', op: '>=', bound: 0.3, text: '≥ 0.3×' };
const RSS_TARGET: Target = { on: 'value', op: '<=', bound: 512, text: '≤ 512 MiB' };
const DOGET_TARGET: Target = { on: 'ratio', op: '>=', bound: 0.5, text: '≥ 0.5×' };
const MB = 1e6;
/** Wide typed columns (Spark DDL), 88 bytes of fixed-width values per row; decimals carry 16 bytes per random draw, so generating the rows weighs less against sending them. */
const DOGET_SCHEMA = 'id long, a decimal(38,0), b decimal(38,0), c decimal(38,0), d decimal(38,0), e double, f double';
const TMP = join(REPO, 'bench/tmp');

export const TITLES = {
  csvLines: 'zipcsv rows/CPU-s (asLines) vs reference line reader',
  csvPyarrow: 'zipcsv rows/CPU-s (typed) vs pyarrow.csv on the inflated member',
  rss: 'server peak RSS reading the > 4 GiB ZIP64 archive',
  doget: 'DoGet MB/s, same table, vs pyarrow C++ Flight server',
};

async function withServer<T>(start: () => Promise<Server>, use: (s: Server) => Promise<T>): Promise<T> {
  const server = await start();
  try {
    return await use(server);
  } finally {
    await server.stop();
  }
}

async function attempt<T>(work: () => Promise<T>): Promise<T | ReadFailure> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ReadFailure) return err;
    throw err;
  }
}

/**
 * Two zipcsv reads, each against its fair baseline: `asLines` (the reference's own rows, one per
 * physical line) vs the reference line reader; header + inferSchema (typed columns) vs pyarrow.csv.
 */
export async function csvFigures(corpus: CsvCorpus, runs: number): Promise<Figure[]> {
  const lineCmd: Command = { source: 'zipcsv', path: corpus.path, options: { asLines: true } };
  const typedCmd: Command = { source: 'zipcsv', path: corpus.path, options: { header: true, inferSchema: true } };
  const measured = await attempt(() => withServer(() => startZipflight(CORPUS_ROOT, 'all'), async (s) => ({
    lines: await repeat(runs, () => readThrough(s, lineCmd)),
    typed: await repeat(runs, () => readThrough(s, typedCmd)),
  })));
  const refSide = async (mode: 'csv-lines' | 'csv-pyarrow', label: string): Promise<Side> => {
    const results = await repeat(runs, () => readReference(mode, corpus.dir));
    return side(label, 'rows/CPU-s', results.map((r) => r.items / r.cpuS), results.map(details));
  };
  const lines = await refSide('csv-lines', 'reference line reader');
  const pa = await refSide('csv-pyarrow', 'pyarrow.csv.read_csv (parse only)');
  if (measured instanceof ReadFailure) {
    return [unmeasured('zipcsv-lines', TITLES.csvLines, CSV_LINES_TARGET, measured.status, measured.message, lines),
      unmeasured('zipcsv-pyarrow', TITLES.csvPyarrow, CSV_PYARROW_TARGET, measured.status, measured.message, pa)];
  }
  const rate = (r: ReadResult) => r.rows / r.cpuS;
  const zl = side('zipcsv asLines', 'rows/CPU-s', measured.lines.map(rate), measured.lines.map(details));
  const zt = side('zipcsv header+inferSchema', 'rows/CPU-s', measured.typed.map(rate), measured.typed.map(details));
  const physical = corpus.rows + corpus.members;
  const count = (got: number, want: number, what: string) => (got === want ? `${got} ${what}` : `${got} ${what} of ${want} (MISMATCH)`);
  return [
    figure('zipcsv-lines', TITLES.csvLines, zl, lines, CSV_LINES_TARGET, `asLines=true: ${count(measured.lines[0].rows, physical, 'lines')}`),
    figure('zipcsv-pyarrow', TITLES.csvPyarrow, zt, pa, CSV_PYARROW_TARGET,
      `header+inferSchema: ${count(measured.typed[0].rows, corpus.rows, 'rows')}; pyarrow's clock covers its parse only, not zipfile's inflate`),
  ];
}

/** Peak RSS of a fresh server per run: header-only `runs` times, then hashes=true once (reads all 4.5 GiB). */
export async function rssFigure(corpus: Zip64Corpus, runs: number, withHashes: boolean): Promise<Figure> {
  const once = (options: Record<string, unknown>) => withServer(() => startZipflight(CORPUS_ROOT, 'all'), async (s) => {
    const r = await readThrough(s, { source: 'zipdcm', path: corpus.path, options }, { countErrors: true });
    return { ...r, peakRssMiB: peakRssMiB(s.pid), hashes: options.hashes === true };
  });
  const measured = await attempt(async () => {
    const header = await repeat(runs, () => once({}));
    return withHashes ? [...header, await once({ hashes: true })] : header;
  });
  if (measured instanceof ReadFailure) return unmeasured('zip64-rss', TITLES.rss, RSS_TARGET, measured.status, measured.message);
  const rss = side('zipflight VmHWM', 'MiB', measured.map((r) => r.peakRssMiB), measured.map((r) => ({ ...details(r), hashes: r.hashes })));
  // "any mode": the figure is the worst mode's peak, not the median.
  rss.median = Math.max(...rss.runs);
  const r = measured[0];
  const rows = r.rows === corpus.members ? `${r.rows} rows` : `${r.rows} rows of ${corpus.members} members (MISMATCH)`;
  const note = `${(corpus.bytes / 2 ** 30).toFixed(2)} GiB sparse archive; worst of ${measured.length} fresh servers${withHashes ? ' (last one hashes=true)' : ''}; ${rows}${r.errors ? `, ${r.errors} error rows` : ''}`;
  return figure('zip64-rss', TITLES.rss, rss, null, RSS_TARGET, note);
}

/** zipflight's fake source makes the table once (saved by the client), pyarrow's server serves the same batches. */
export async function dogetFigure(rows: number, runs: number): Promise<Figure> {
  mkdirSync(TMP, { recursive: true });
  const tableFile = join(TMP, `doget-${rows}.arrow`);
  const cmd: Command = { source: 'fake', options: { schema: DOGET_SCHEMA, numRows: rows, numPartitions: 1 } };
  const mbps = (r: ReadResult) => r.bytes / MB / r.wallS;
  const zipflight: ReadResult[] = [];
  const pyarrow: ReadResult[] = [];
  // Both servers up at once, runs alternated: a change in the shared machine's load hits both alike.
  const failure = await attempt(() => withServer(() => startZipflight(CORPUS_ROOT, 'all'), async (z) => {
    await readThrough(z, cmd, { save: tableFile });
    await withServer(() => startPyarrowServer(tableFile), async (p) => {
      await readThrough(p, { source: 'table' });
      for (let i = 0; i < runs; i++) {
        zipflight.push(await readThrough(z, cmd));
        pyarrow.push(await readThrough(p, { source: 'table' }));
      }
    });
  }));
  if (failure instanceof ReadFailure) return unmeasured('doget', TITLES.doget, DOGET_TARGET, failure.status, failure.message);
  const z = side('zipflight (fake source, 1 stream)', 'MB/s', zipflight.map(mbps), zipflight.map(details));
  const p = side('pyarrow C++ Flight server (1 stream)', 'MB/s', pyarrow.map(mbps), pyarrow.map(details));
  const mb = (zipflight[0].bytes / MB).toFixed(0);
  const same = zipflight[0].rows === pyarrow[0].rows && zipflight[0].bytes === pyarrow[0].bytes ? 'same rows and bytes' : 'ROWS/BYTES DIFFER';
  return figure('doget', TITLES.doget, z, p, DOGET_TARGET, `${rows} rows × 7 fixed-width columns (4 decimal128), ${mb} MB of Arrow buffers, ${same}; runs alternated; zipflight's time includes generating the rows`);
}
