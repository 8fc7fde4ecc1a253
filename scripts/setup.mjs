#!/usr/bin/env node
// Set-up that `npm start`, `npm test` and `npm run bench` run first, so a fresh clone needs no
// other step: installs npm packages when the lockfile changed, and the Python test environment
// in .venv when its requirements changed. Plain Node (no dependencies): it runs before they exist.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const VENV = join(ROOT, '.venv');
const PY_REQUIREMENTS = [join(ROOT, 'client/python/requirements-test.txt')];
const PY_PACKAGE = join(ROOT, 'client/python');

function digest(files) {
  const h = createHash('sha256');
  for (const f of files) if (existsSync(f)) h.update(readFileSync(f));
  return h.digest('hex');
}

function run(cmd, args) {
  console.error(`[setup] ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

// Re-install only when package-lock.json differs from the one the last install used.
function ensureNodeModules() {
  const stamp = join(ROOT, 'node_modules/.zipflight-lock');
  const want = digest([join(ROOT, 'package-lock.json')]);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(stamp, want);
}

function ensureVenv() {
  const python = join(VENV, 'bin/python');
  const stamp = join(VENV, '.zipflight-requirements');
  const want = digest([...PY_REQUIREMENTS, join(PY_PACKAGE, 'pyproject.toml')]);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  if (!existsSync(python)) run(process.env.PYTHON ?? 'python3', ['-m', 'venv', VENV]);
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...PY_REQUIREMENTS.flatMap((r) => ['-r', r])]);
  if (existsSync(join(PY_PACKAGE, 'pyproject.toml'))) {
    run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '-e', PY_PACKAGE]);
  }
  writeFileSync(stamp, want);
}

ensureNodeModules();
if (!process.argv.includes('--node')) ensureVenv();
