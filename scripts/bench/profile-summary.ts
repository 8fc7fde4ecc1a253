// Summarise V8 CPU profiles (`node --cpu-prof`, the .cpuprofile JSON of the Chrome DevTools
// protocol: nodes with callFrame + hitCount, samples, timeDeltas): self time per function and per
// file across every profile in a directory (the server's main thread and each worker thread).
// Usage: tsx scripts/bench/profile-summary.ts DIR [--top N]
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO } from './processes.ts';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; hitCount?: number }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const DEFAULT_TOP = 25;
/** Frames where a thread waits rather than works: piscina workers block in Atomics.wait between tasks. */
const WAITING = new Set(['(idle)', 'atomicsWaitLoop']);
const US_PER_MS = 1000;

function where(f: CallFrame): string {
  const url = f.url.replace(/^file:\/\//, '');
  const file = url.startsWith(REPO) ? relative(REPO, url) : url.replace(/.*node_modules\//, 'node_modules/') || '(native)';
  return `${file}:${f.lineNumber + 1}`;
}

/** Self microseconds per node id: each sample's time delta goes to the node it landed in. */
function selfTimes(p: Profile): Map<number, number> {
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  return self;
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

function main(): void {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: profile-summary.ts DIR [--top N]');
  const topAt = process.argv.indexOf('--top');
  const top = topAt > 0 ? Number(process.argv[topAt + 1]) : DEFAULT_TOP;
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Profile;
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    let busy = 0;
    for (const [id, us] of selfTimes(p)) {
      const f = nodes.get(id)!.callFrame;
      if (WAITING.has(f.functionName)) continue;
      busy += us;
      total += us;
      add(byFunction, `${f.functionName || '(anonymous)'}  ${where(f)}`, us);
      add(byFile, where(f).replace(/:\d+$/, ''), us);
    }
    const span = (p.endTime - p.startTime) / US_PER_MS;
    process.stdout.write(`${name}: busy ${(busy / US_PER_MS).toFixed(0)} ms of ${span.toFixed(0)} ms\n`);
  }
  const print = (title: string, m: Map<string, number>) => {
    process.stdout.write(`\n${title} (busy ${(total / US_PER_MS).toFixed(0)} ms)\n`);
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      process.stdout.write(`${(us / US_PER_MS).toFixed(1).padStart(9)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}\n`);
    }
  };
  print('self time by function', byFunction);
  print('self time by file', byFile);
}

main();
