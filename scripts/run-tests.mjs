#!/usr/bin/env node
// `npm test`: type-check, then Node's test runner over test/**/*.test.ts (unit and integration
// tests that start real servers on port 0), then pytest in .venv over the Python suites
// (pyarrow/pydicom/Spark interop). Any failing step fails the run; every step still runs.
// Usage: node scripts/run-tests.mjs [--only node|python|typecheck] [filter-substring...]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? args.splice(onlyIdx, 2)[1] : undefined;
const filters = args;

function findFiles(dir, test) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...findFiles(p, test));
    else if (test(e.name)) out.push(relative(ROOT, p));
  }
  return out.sort();
}

let lastStatus = null;

function step(name, cmd, cmdArgs, env = {}) {
  console.log(`\n=== ${name}: ${cmd} ${cmdArgs.length > 8 ? cmdArgs.slice(0, 8).join(' ') + ' …' : cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  lastStatus = r.status;
  return r.status === 0;
}

const results = [];
const bin = (n) => join(ROOT, 'node_modules/.bin', n);

if (!only || only === 'typecheck') results.push(['typecheck', step('typecheck', bin('tsc'), ['--noEmit', '-p', '.'])]);

if (!only || only === 'node') {
  const files = findFiles(join(ROOT, 'test'), (n) => n.endsWith('.test.ts')).filter((f) => filters.every((s) => f.includes(s)));
  if (files.length) {
    results.push(['node tests', step('node tests', process.execPath, ['--import', 'tsx', '--test', '--test-timeout=120000', ...files])]);
  }
}

if (!only || only === 'python') {
  // One pytest run per suite directory: each has its own conftest.py and fixtures (a server over
  // its own data root), and separate runs keep same-named conftest modules from colliding.
  const areas = existsSync(join(ROOT, 'test/python'))
    ? readdirSync(join(ROOT, 'test/python'), { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('_')).map((e) => `test/python/${e.name}`).sort()
    : [];
  const suites = ['client/python/tests', ...areas].filter((d) => existsSync(join(ROOT, d)));
  const py = join(ROOT, '.venv/bin/python');
  const k = filters.length ? ['-k', filters.join(' and ')] : [];
  for (const suite of suites) {
    const ok = step(`python ${suite}`, py, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...k, suite], { ZIPFLIGHT_REPO: ROOT });
    // pytest exits 5 when a -k filter selects nothing in a suite: not a failure.
    results.push([`python ${suite}`, ok || lastStatus === 5]);
  }
}

console.log('\n=== summary');
for (const [name, ok] of results) console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}`);
process.exit(results.every(([, ok]) => ok) ? 0 : 1);
