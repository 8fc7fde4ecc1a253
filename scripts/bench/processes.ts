// Processes the benchmark drives and what it reads about them: a fresh zipflight server per
// measurement, pyarrow's Flight server, Python scripts printing one JSON object. CPU and peak RSS
// come from Linux procfs (proc(5): /proc/<pid>/stat utime+stime of all threads, status VmHWM).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '../..');
export const PYTHON = join(REPO, '.venv/bin/python');
const LISTENING = /listening on grpc:\/\/[^\s:]+:(\d+)/;
const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 3_000;
/** proc(5) stat: utime and stime are fields 14 and 15, i.e. 12 and 13 after the `(comm)` field. */
const UTIME_AFTER_COMM = 11;
const KIB = 1024;
const MIB = 1024 * 1024;
let clockTicks: number | undefined;
/** Extra node flags for every zipflight server this process starts (e.g. --cpu-prof). */
let serverNodeArgs: string[] = [];

/** Start later zipflight servers with these node flags (run.ts --cpu-prof DIR). */
export function setServerNodeArgs(args: string[]): void {
  serverNodeArgs = args;
}

/** Cores a process may run on: 1 pins it to CPU 0 with taskset; 'all' leaves it free. */
export type Cores = 1 | 'all';

function pinned(cmd: string, args: string[], cores: Cores): [string, string[]] {
  return cores === 1 ? ['taskset', ['-c', '0', cmd, ...args]] : [cmd, args];
}

function ticksPerSecond(): number {
  clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return clockTicks;
}

/** CPU seconds (user + system, every thread) a live process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[UTIME_AFTER_COMM]) + Number(fields[UTIME_AFTER_COMM + 1])) / ticksPerSecond();
}

/** Peak resident set size in MiB since the process started (VmHWM). */
export function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? (Number(m[1]) * KIB) / MIB : NaN;
}

export interface Server {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** Spawn a server and wait for its `listening on grpc://host:port` line. */
async function startListening(cmd: string, args: string[], env: NodeJS.ProcessEnv, label: string): Promise<Server> {
  const child = spawn(cmd, args, { cwd: REPO, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label}: no listening line in ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = LISTENING.exec(output);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${label} exited (${code}): ${tail(output)}`)); });
  });
  child.stdout!.removeAllListeners('data').resume();
  child.stderr!.removeAllListeners('data').resume();
  return { port, pid: child.pid!, stop: () => stopChild(child) };
}

function tail(text: string): string {
  const lines = text.trim().split('\n').filter((l) => !l.startsWith('    at '));
  return lines.slice(-3).join(' | ').slice(0, 300);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** A fresh zipflight server over `root`; on one core it also gets a one-thread worker pool. */
export function startZipflight(root: string, cores: Cores): Promise<Server> {
  const bin = join(REPO, 'bin/zipflight.mjs');
  if (!existsSync(join(REPO, 'server/main.ts'))) return Promise.reject(new Error('server/main.ts not present yet'));
  const env = { ...process.env, ...(cores === 1 ? { ZIPFLIGHT_WORKERS: '1' } : {}) };
  const [cmd, args] = pinned(process.execPath, [...serverNodeArgs, bin, 'serve', '--root', root, '--port', '0'], cores);
  return startListening(cmd, args, env, 'zipflight serve');
}

/** pyarrow's C++ Flight server serving the table stored in `tableFile` (an Arrow IPC file). */
export function startPyarrowServer(tableFile: string): Promise<Server> {
  return startListening(PYTHON, [join(REPO, 'scripts/bench/pyarrow_flight_server.py'), tableFile], process.env, 'pyarrow server');
}

/** Run a Python script that prints one JSON object on its last stdout line. */
export function runPythonJson(script: string, args: string[], cores: Cores = 'all'): Promise<Record<string, unknown>> {
  const [cmd, argv] = pinned(PYTHON, [join(REPO, script), ...args], cores);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(last) as Record<string, unknown>);
      } catch (e) {
        reject(new Error(`${script} ${args[0] ?? ''}: ${(e as Error).message}: ${tail(err || out)}`));
      }
    });
  });
}
