// `npm run bench [-- --scale N --quick --only dicom,csv,rss,doget,micro --runs N --out FILE]`:
// every figure of issue 7 in one run, side by side with the reference, on corpora generated once
// under bench/corpus/. Prints a Markdown table and writes bench/results.json.
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { csvCorpus, dicomCorpus, zip64Corpus } from './corpora.ts';
import { dicomFigures, measureReads, scaleFigure, SEED_SCALE_FILES, type Measured } from './dicom-figures.ts';
import type { Figure } from './figures.ts';
import { microFigures } from './micro.ts';
import { csvFigures, dogetFigure, rssFigure } from './other-figures.ts';
import { REPO, setServerNodeArgs } from './processes.ts';
import { machine, markdownTable, writeResults } from './report.ts';

const GROUPS = ['dicom', 'scale', 'csv', 'rss', 'doget', 'micro'] as const;
type Group = (typeof GROUPS)[number];
const DEFAULTS = { scale: 1000, csvRows: 1_000_000, dogetRows: 4_000_000, runs: 3 };
const QUICK = { scale: 30, csvRows: 20_000, dogetRows: 100_000, runs: 1 };
const MIN_RUNS_FOR_MEDIAN = 3;
/** Unmeasured zipdcm reads per server and command before the measured ones (steady state). */
const DICOM_WARMUPS = 5;
const USAGE = `usage: npm run bench -- [--scale N] [--quick] [--only ${GROUPS.join(',')}] [--runs N] [--out FILE]
  --scale N      DICOM files in the corpus (default ${DEFAULTS.scale}; ${QUICK.scale} with --quick). At ${SEED_SCALE_FILES}
                 the seed-scale figure is measured, not projected; '--only scale --scale ${SEED_SCALE_FILES}' measures just that
  --quick        tiny corpora, one run per figure, no warm-up: a harness smoke test (CI), not figures
  --only LIST    run only these groups (default: all)
  --runs N       runs per figure, the median is reported (default ${DEFAULTS.runs})
  --csv-rows N   rows of the zipped CSV corpus (default ${DEFAULTS.csvRows.toLocaleString('en')})
  --doget-rows N rows of the DoGet table (default ${DEFAULTS.dogetRows.toLocaleString('en')})
  --out FILE     results file (default bench/results.json)
  --cpu-prof DIR start every zipflight server with node --cpu-prof into DIR (summarise: tsx scripts/bench/profile-summary.ts DIR)`;

interface RunOptions {
  scale: number;
  csvRows: number;
  dogetRows: number;
  runs: number;
  quick: boolean;
  only: Group[];
  out: string;
  cpuProf?: string;
}

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return n;
}

function options(argv: string[]): RunOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string' }, quick: { type: 'boolean', default: false }, only: { type: 'string' }, runs: { type: 'string' },
      'csv-rows': { type: 'string' }, 'doget-rows': { type: 'string' }, out: { type: 'string' }, 'cpu-prof': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const base = values.quick ? QUICK : DEFAULTS;
  const only = (values.only ?? GROUPS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only.filter((g) => !(GROUPS as readonly string[]).includes(g));
  if (unknown.length) throw new Error(`--only: unknown group(s) ${unknown.join(', ')}; groups are ${GROUPS.join(', ')}`);
  return {
    scale: positive('scale', values.scale, base.scale), csvRows: positive('csv-rows', values['csv-rows'], base.csvRows),
    dogetRows: positive('doget-rows', values['doget-rows'], base.dogetRows), runs: positive('runs', values.runs, base.runs),
    quick: values.quick!, only: only as Group[], out: values.out ?? join(REPO, 'bench/results.json'), cpuProf: values['cpu-prof'],
  };
}

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const started = new Date();
  const host = machine();
  const want = (g: Group) => o.only.includes(g);
  if (o.cpuProf) setServerNodeArgs(['--cpu-prof', '--cpu-prof-dir', resolve(o.cpuProf)]);
  if (o.runs < MIN_RUNS_FOR_MEDIAN && !o.quick) log(`--runs ${o.runs}: fewer than ${MIN_RUNS_FOR_MEDIAN} runs, medians are single runs`);
  const dicom = want('dicom') || want('scale') || want('micro') ? await dicomCorpus(o.scale) : null;
  const csv = want('csv') || want('micro') ? await csvCorpus(o.csvRows) : null;
  const zip64 = want('rss') ? await zip64Corpus() : null;
  const figures: Figure[] = [];
  const step = async (name: string, work: () => Promise<Figure[]>): Promise<Figure[]> => {
    log(`${name} ...`);
    const t0 = performance.now();
    const f = await work();
    log(`${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    figures.push(...f);
    return f;
  };
  const dicomRun = { runs: o.runs, warmups: o.quick ? 0 : DICOM_WARMUPS };
  let header: Measured | null = null;
  const fromDicom = want('dicom') ? await step('zipdcm vs reference', async () => {
    const d = await dicomFigures(dicom!, dicomRun);
    header = d.header;
    return d.figures;
  }) : [];
  if (want('scale')) {
    await step('seed scale', async () => {
      const reads = header ?? (await measureReads('all', [{ source: 'zipdcm', path: dicom!.path }], dicomRun))[0];
      return [scaleFigure(reads, dicom!)];
    });
  }
  const fromCsv = want('csv') ? await step('zipcsv vs reference', () => csvFigures(csv!, o.runs)) : [];
  if (want('rss')) await step('ZIP64 peak RSS', async () => [await rssFigure(zip64!, o.runs, !o.quick)]);
  if (want('doget')) await step('DoGet throughput', async () => [await dogetFigure(o.dogetRows, o.runs)]);
  if (want('micro')) {
    await step('micro rows', () => microFigures({
      dicomArchives: archivesOf(dicom!.dir), csvArchives: archivesOf(csv!.dir), runs: o.runs,
      pydicomHeader: fromDicom.find((f) => f.id === 'zipdcm-header')?.reference ?? null,
      pyarrowCsv: fromCsv.find((f) => f.id === 'zipcsv-pyarrow')?.reference ?? null,
    }));
  }
  const finished = new Date();
  process.stdout.write(`${markdownTable(figures)}\n`);
  writeResults(o.out, {
    started_at: started.toISOString(), finished_at: finished.toISOString(), wall_seconds: (finished.getTime() - started.getTime()) / 1000,
    options: { ...o, out: undefined }, machine: { ...host, load_average_at_end: loadavg().map((x) => Math.round(x * 100) / 100) },
    corpora: { dicom: dicom?.manifest ?? null, csv: csv?.manifest ?? null, zip64: zip64?.manifest ?? null },
    figures,
  });
  log(`wrote ${o.out}`);
}

/** Every .zip under a corpus directory, in a stable order (as the reference reader globs them). */
function archivesOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith('.zip')).sort().map((p) => join(dir, p));
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
}
