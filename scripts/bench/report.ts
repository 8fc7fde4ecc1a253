// What a benchmark run leaves behind (issue 7 "Output"): a Markdown table on stdout (figure,
// zipflight, reference, ratio, target, met?) with one note per figure, and bench/results.json with
// the machine, the versions, the corpora and every figure's runs and medians.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname } from 'node:path';
import type { Figure, Side } from './figures.ts';
import { PYTHON, REPO } from './processes.ts';

const GIB = 2 ** 30;
const VERSIONS_PY = 'import sys, json, pyarrow, pydicom; print(json.dumps({"python": sys.version.split()[0], "pyarrow": pyarrow.__version__, "pydicom": pydicom.__version__}))';

export function machine(): Record<string, unknown> {
  const py = spawnSync(PYTHON, ['-c', VERSIONS_PY], { encoding: 'utf8' });
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' });
  let versions: Record<string, unknown> = {};
  try {
    versions = JSON.parse(py.stdout);
  } catch {
    versions = { python: 'unknown' };
  }
  return {
    cores: cpus().length, available_parallelism: availableParallelism(), cpu_model: cpus()[0]?.model ?? 'unknown',
    memory_gib: Math.round((totalmem() / GIB) * 10) / 10, node: process.version, ...versions,
    commit: git.stdout.trim() || 'unknown', load_average_at_start: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

export function formatNumber(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function cell(s: Side | null): string {
  return s && s.median !== null ? `${formatNumber(s.median)} ${s.unit}` : '—';
}

function metCell(f: Figure): string {
  if (f.status === 'n/a' || f.status === 'failed') return f.status;
  if (f.target === null || f.met === null) return '—';
  const word = f.met ? 'yes' : '**NO**';
  return f.status === 'projected' ? `${word} (projected)` : word;
}

function zipflightCell(f: Figure): string {
  if (f.status === 'n/a') return `n/a (${f.note})`;
  if (f.status === 'failed') return 'failed (see note)';
  return cell(f.zipflight);
}

export function markdownTable(figures: Figure[]): string {
  const rows = ['| figure | zipflight | reference | ratio | target | met? |', '|---|---|---|---|---|---|'];
  for (const f of figures) {
    const ratio = f.ratio === null ? '—' : `${formatNumber(f.ratio)}×`;
    rows.push(`| ${f.title} | ${zipflightCell(f)} | ${cell(f.reference)} | ${ratio} | ${f.target?.text ?? '—'} | ${metCell(f)} |`);
  }
  const notes = figures.filter((f) => f.note && f.status !== 'n/a').map((f) => `- ${f.id}: ${f.note}`);
  return [...rows, '', ...notes].join('\n');
}

export interface Results {
  started_at: string;
  finished_at: string;
  wall_seconds: number;
  options: Record<string, unknown>;
  machine: Record<string, unknown>;
  corpora: Record<string, unknown>;
  figures: Figure[];
}

export function writeResults(file: string, results: Results): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 1)}\n`);
}
