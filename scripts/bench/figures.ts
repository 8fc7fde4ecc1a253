// The benchmark's figures (issue 7 "Targets"): each one is zipflight's measurement and, where the
// issue names one, the reference's, taken in the same run; a figure keeps every run and its median,
// and its ratio is computed from the two medians of this run only.

/** One side of a figure: every run's value, the median, and what was counted. */
export interface Side {
  label: string;
  unit: string;
  runs: number[];
  median: number | null;
  /** Per-run details (rows, errors, CPU split, ...) for results.json. */
  details: Record<string, unknown>[];
}

/** How a figure's target reads: on the ratio (zipflight ÷ reference) or on zipflight's own value. */
export interface Target {
  on: 'ratio' | 'value';
  op: '>=' | '<=' | '<';
  bound: number;
  text: string;
}

export type Status = 'ok' | 'n/a' | 'failed' | 'projected';

export interface Figure {
  id: string;
  title: string;
  zipflight: Side | null;
  reference: Side | null;
  ratio: number | null;
  target: Target | null;
  met: boolean | null;
  status: Status;
  note: string;
}

export function median(values: number[]): number | null {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export function side(label: string, unit: string, runs: number[], details: Record<string, unknown>[] = []): Side {
  return { label, unit, runs, median: median(runs), details };
}

function meets(value: number, t: Target): boolean {
  if (t.op === '>=') return value >= t.bound;
  if (t.op === '<=') return value <= t.bound;
  return value < t.bound;
}

/** A measured figure: ratio from the medians, judged against its target when there is one. */
export function figure(id: string, title: string, zipflight: Side, reference: Side | null, target: Target | null, note = ''): Figure {
  const z = zipflight.median;
  const r = reference?.median ?? null;
  const ratio = z !== null && r !== null && r > 0 ? z / r : null;
  const judged = target === null ? null : target.on === 'ratio' ? ratio : z;
  const met = target === null || judged === null ? null : meets(judged, target);
  return { id, title, zipflight, reference, ratio, target, met, status: 'ok', note };
}

/** A figure that could not be measured in this run, and why (e.g. the source is not registered). */
export function unmeasured(id: string, title: string, target: Target | null, status: 'n/a' | 'failed', note: string, reference: Side | null = null): Figure {
  return { id, title, zipflight: null, reference, ratio: null, target, met: null, status, note };
}

/** Run `measure` n times, one after the other (never in parallel: they would share the 2 cores). */
export async function repeat<T>(n: number, measure: (run: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await measure(i));
  return out;
}
