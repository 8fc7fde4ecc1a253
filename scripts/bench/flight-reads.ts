// One measured read through pyarrow's Flight client (scripts/bench/flight_client.py): the rows
// and the CPU seconds it cost, the server's (all threads, from procfs, before and after) plus the
// client's own, and the wall time. Also the reference reader's runs, measured the same way.
import { cpuSeconds, runPythonJson, type Server } from './processes.ts';

export interface ReadResult {
  rows: number;
  errors: number;
  bytes: number;
  endpoints: number;
  cpuS: number;
  serverCpuS: number;
  clientCpuS: number;
  wallS: number;
  /** The first few `error` cells (with countErrors). */
  errorSamples: string[];
}

/** Why a read could not be measured: the source is missing from this build, or it failed. */
export class ReadFailure extends Error {
  constructor(readonly status: 'n/a' | 'failed', message: string) {
    super(message);
  }
}

/** The server answers NOT_FOUND "unknown source 'x'" for a source it does not register. */
const UNKNOWN_SOURCE = /unknown source/i;

export interface Command {
  source: string;
  path?: string;
  options?: Record<string, unknown>;
}

export interface ReadOptions {
  countErrors?: boolean;
  /** Keep what was read as an Arrow IPC file (for pyarrow's server to serve the same table). */
  save?: string;
  threads?: number;
}

export async function readThrough(server: Server, cmd: Command, opts: ReadOptions = {}): Promise<ReadResult> {
  const args = ['--port', String(server.port), '--cmd', JSON.stringify(cmd)];
  if (opts.countErrors) args.push('--count-errors');
  if (opts.save) args.push('--save', opts.save);
  if (opts.threads) args.push('--threads', String(opts.threads));
  const before = cpuSeconds(server.pid);
  const out = await runPythonJson('scripts/bench/flight_client.py', args);
  const serverCpuS = cpuSeconds(server.pid) - before;
  if (typeof out.failed === 'string') {
    const notRegistered = UNKNOWN_SOURCE.test(out.failed);
    throw new ReadFailure(notRegistered ? 'n/a' : 'failed', notRegistered ? `source not registered` : `${cmd.source}: ${out.failed}`);
  }
  const clientCpuS = Number(out.cpu_s);
  return {
    rows: Number(out.rows), errors: Number(out.errors), bytes: Number(out.bytes), endpoints: Number(out.endpoints),
    cpuS: serverCpuS + clientCpuS, serverCpuS, clientCpuS, wallS: Number(out.wall_s),
    errorSamples: Array.isArray(out.error_samples) ? out.error_samples.map(String) : [],
  };
}

export interface ReferenceResult {
  items: number;
  errors: number;
  cpuS: number;
  wallS: number;
}

export type ReferenceMode = 'dicom-header' | 'dicom-full' | 'csv-lines' | 'csv-pyarrow';

/** scripts/bench/reference_reader.py over one corpus directory (CPU measured inside the process); `limit` items at most. */
export async function readReference(mode: ReferenceMode, dir: string, limit = 0): Promise<ReferenceResult> {
  const out = await runPythonJson('scripts/bench/reference_reader.py', [mode, dir, ...(limit ? ['--limit', String(limit)] : [])]);
  return { items: Number(out.items), errors: Number(out.errors), cpuS: Number(out.cpu_s), wallS: Number(out.wall_s) };
}

/** Per-run details kept in results.json, rounded so the file stays readable. */
export function details(r: ReadResult | ReferenceResult): Record<string, unknown> {
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]));
}
