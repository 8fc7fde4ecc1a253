// zipdcm planning cache (server/sources/zipdcm-scan-cache.ts via zipdcm-plan.ts): a second plan of
// the same archives opens none of them and plans the same members; an archive rewritten in place
// (new size/mtime) is read afresh. Member names are checked against Python's zipfile, archives are
// written by Info-ZIP `zip`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DataRoot } from '../../server/storage/data-root.ts';
import { planZipdcm, type PlannedPartition } from '../../server/sources/zipdcm-plan.ts';
import { parseZipdcmOptions } from '../../server/sources/zipdcm-options.ts';
import { ScanCache } from '../../server/sources/zipdcm-scan-cache.ts';
import { readZipdcm } from '../../server/sources/zipdcm-read.ts';
import type { ServerError } from '../../server/errors.ts';

const PYTHON = new URL('../../.venv/bin/python', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'zipdcm-scan-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function makeZip(name: string, members: string[]): void {
  const src = join(dir, 'src');
  rmSync(src, { recursive: true, force: true });
  mkdirSync(src);
  for (const m of members) writeFileSync(join(src, m), `not really DICOM: ${m}`);
  rmSync(join(dir, 'root', name), { force: true });
  execFileSync('zip', ['-q', '-X', join(dir, 'root', name), ...members], { cwd: src });
}

function zipfileNames(name: string): string[] {
  const script = 'import sys, zipfile; print("\\n".join(n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.lower().endswith(".dcm")))';
  return execFileSync(PYTHON, ['-c', script, join(dir, 'root', name)], { encoding: 'utf8' }).trim().split('\n').sort();
}

/** Member names planned per archive, and how many archives planning opened. */
async function plan(root: DataRoot): Promise<{ names: Record<string, string[]>; opened: number }> {
  let opened = 0;
  const counting = Object.assign(Object.create(Object.getPrototypeOf(root)), root) as DataRoot;
  counting.openFile = (rel: string) => { opened++; return root.openFile(rel); };
  const parts: PlannedPartition[] = await planZipdcm(counting, '', parseZipdcmOptions({ numPartitions: '3' }));
  const names: Record<string, string[]> = {};
  for (const p of parts) for (const s of p.spec.segments) if (s.kind === 'zip') (names[s.path] ??= []).push(`${s.from}..${s.to}:${s.count}`);
  return { names, opened };
}

test('a second plan opens no archive and plans the same; a rewritten archive is read again', async () => {
  mkdirSync(join(dir, 'root'));
  makeZip('a.zip', ['a1.dcm', 'a2.dcm', 'notes.txt', 'a3.dcm']);
  makeZip('b.zip', ['b1.dcm', 'b2.dcm']);
  const root = await DataRoot.open(join(dir, 'root'));
  const first = await plan(root);
  assert.equal(first.opened, 2);
  const second = await plan(root);
  assert.equal(second.opened, 0);
  assert.deepEqual(second.names, first.names);
  const counts = (p: { names: Record<string, string[]> }, path: string) => p.names[path]!.reduce((n, s) => n + Number(s.split(':')[1]), 0);
  assert.equal(counts(second, 'a.zip'), zipfileNames('a.zip').length);

  makeZip('a.zip', ['a1.dcm', 'a2.dcm', 'a3.dcm', 'a4.dcm', 'a5.dcm']);
  utimesSync(join(dir, 'root', 'a.zip'), new Date(), new Date(Date.now() + 5000));
  const third = await plan(root);
  assert.equal(third.opened, 1);
  assert.equal(counts(third, 'a.zip'), zipfileNames('a.zip').length);
  assert.equal(zipfileNames('a.zip').length, 5);
});

test('an archive rewritten at the same size and mtime: DoGet refuses the stale plan, the next plan reads afresh', async () => {
  mkdirSync(join(dir, 'same'));
  const fixed = 1_700_000_000;
  const write = (members: string[]) => {
    makeZip('../same/s.zip', members);
    utimesSync(join(dir, 'same', 's.zip'), fixed, fixed);
  };
  write(['a1.dcm', 'a2.dcm']);
  const root = await DataRoot.open(join(dir, 'same'));
  const settings = parseZipdcmOptions({ numPartitions: '1' });
  const before = await planZipdcm(root, '', settings);
  write(['b1.dcm', 'b2.dcm']);
  const stale = await planZipdcm(root, '', settings);
  assert.deepEqual(stale, before, 'same size and mtime: the remembered scan is used');
  await assert.rejects(async () => {
    for await (const _ of readZipdcm(root, stale[0]!.spec, settings, new AbortController().signal)) { /* rows */ }
  }, (err: ServerError) => err.kind === 'data-loss' && /changed since the FlightInfo was planned/.test(err.message));
  const fresh = await planZipdcm(root, '', settings);
  assert.notDeepEqual(fresh, before);
  assert.deepEqual(zipfileNames('../same/s.zip'), ['b1.dcm', 'b2.dcm']);
});

test('the cache holds a bounded number of members, least recently used out first', () => {
  const cache = new ScanCache();
  const members = (n: number) => Array.from({ length: n }, (_, i) => ({ index: i, name: `m${i}`, weight: 1, size: 1 }));
  cache.set('a', members(100_000));
  cache.set('b', members(100_000));
  assert.ok(cache.get('a'));
  cache.set('c', members(100_000));
  assert.equal(cache.get('b'), undefined);
  assert.ok(cache.get('a') && cache.get('c'));
  cache.set('huge', members(300_000));
  assert.equal(cache.get('huge'), undefined);
});
