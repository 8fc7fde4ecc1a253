// The data-root sandbox as a fuzz target (issue 6 "Security": `..`, absolute paths and symlinks
// leading outside are refused with nothing read): hostile relative paths — `..` runs, absolute
// and drive paths, backslashes, NULs, percent-encoding, symlinks pointing inside, outside, up,
// in loops and nowhere — through DataRoot.resolve, list and openFile. Anything returned must
// really lie inside the root; only StorageError may escape, and its message names no server path.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { DataRoot } from '../../server/storage/data-root.ts';
import { StorageError } from '../../server/storage/storage-error.ts';
import type { Rng } from './rng.ts';
import { expected, FuzzFinding, type Target } from './target.ts';

const SEGMENTS = ['..', '..', '.', '', 'a', 'a', 'b.zip', 'c.dcm', 'in-link', 'out-link', 'up-link', 'sib', 'loop1', 'dangling', 'outside', 'secret.txt',
  'etc', 'passwd', '%2e%2e', '..\\..', '\0', 'ü ñ.zip', '...', '.hidden', 'a'.repeat(300)];
const PREFIXES = ['', '', '', '/', '//', './', 'C:\\', '\\\\server\\share\\', '~/'];
/** Valid globs only: sources must refuse bad ones before listing (see source-targets.ts). */
const GLOBS = [[], ['*.zip'], ['*'], ['**'], ['*.txt'], ['[ab]*'], ['*.{zip,dcm}']];

interface Sandbox {
  parent: string;
  root: DataRoot;
  /** Real path of the root: everything returned must be it or under it. */
  real: string;
}

let sandbox: Sandbox | undefined;

/** root/ with files and symlinks inside, outside, up, in a loop and dangling; a sibling dir with a secret. */
function makeSandbox(): Omit<Sandbox, 'root'> & { dir: string } {
  const parent = mkdtempSync(join(tmpdir(), 'zipflight-fuzz-path-'));
  const dir = join(parent, 'root');
  mkdirSync(join(dir, 'a'), { recursive: true });
  mkdirSync(join(parent, 'outside'));
  writeFileSync(join(parent, 'outside', 'secret.txt'), 'secret');
  writeFileSync(join(dir, 'a', 'b.zip'), 'PK');
  writeFileSync(join(dir, 'a', 'c.dcm'), 'DICM');
  writeFileSync(join(dir, 'ü ñ.zip'), 'x');
  symlinkSync('../a', join(dir, 'a', 'in-link'));
  symlinkSync('/etc', join(dir, 'out-link'));
  symlinkSync('..', join(dir, 'up-link'));
  symlinkSync('../outside', join(dir, 'sib'));
  symlinkSync('loop2', join(dir, 'loop1'));
  symlinkSync('loop1', join(dir, 'loop2'));
  symlinkSync('nowhere', join(dir, 'dangling'));
  return { parent, dir, real: realpathSync(dir) };
}

async function getSandbox(): Promise<Sandbox> {
  if (!sandbox) {
    const s = makeSandbox();
    sandbox = { parent: s.parent, real: s.real, root: await DataRoot.open(s.dir) };
  }
  return sandbox;
}

export function disposePathSandbox(): void {
  if (sandbox) rmSync(sandbox.parent, { recursive: true, force: true });
  sandbox = undefined;
}

function hostilePath(rng: Rng): string {
  const n = rng.range(0, 6);
  const joiner = () => rng.pick(['/', '/', '/', '//', '\\', '/./']);
  let p = rng.pick(PREFIXES);
  for (let i = 0; i < n; i++) p += (i ? joiner() : '') + rng.pick(SEGMENTS);
  if (rng.chance(0.1)) p += '/';
  return p;
}

async function checkInside(s: Sandbox, abs: string, what: string): Promise<void> {
  const inside = (p: string) => p === s.real || p.startsWith(s.real + sep);
  if (!inside(abs)) throw new FuzzFinding(`${what} returned ${abs}, outside the root ${s.real}`);
  const real = await realpath(abs).catch(() => abs);
  if (!inside(real)) throw new FuzzFinding(`${what} returned ${abs}, whose real path ${real} is outside the root`);
}

const storageLabel = (s: Sandbox) => (e: unknown) => {
  if (!(e instanceof StorageError)) return undefined;
  if (e.message.includes(s.parent) || e.message.includes(s.real)) throw new FuzzFinding(`error message leaks a server path: ${e.message}`);
  return `StorageError:${e.code}`;
};

async function exercisePath(input: Uint8Array, rng: Rng): Promise<string> {
  const s = await getSandbox();
  const rel = new TextDecoder().decode(input);
  const labels: string[] = [];
  try {
    const r = await s.root.resolve(rel);
    await checkInside(s, r.abs, `resolve(${JSON.stringify(rel)})`);
    labels.push('resolved');
  } catch (err) {
    labels.push(expected(err, storageLabel(s)));
  }
  try {
    const entries = await s.root.list(rel, { globs: rng.pick(GLOBS), recursive: rng.chance(0.7) });
    for (const e of entries) await checkInside(s, e.abs, `list(${JSON.stringify(rel)}) entry ${e.rel}`);
    labels.push(`listed:${Math.min(entries.length, 3)}`);
  } catch (err) {
    labels.push(expected(err, storageLabel(s)));
  }
  try {
    const f = await s.root.openFile(rel);
    const head = await f.read(0, 16);
    await f.close();
    if (new TextDecoder().decode(head).includes('secret')) throw new FuzzFinding(`openFile(${JSON.stringify(rel)}) read the file outside the root`);
    labels.push('opened');
  } catch (err) {
    labels.push(expected(err, storageLabel(s)));
  }
  return labels.join(',');
}

export const pathTarget: Target = {
  name: 'path',
  input: (rng) => new TextEncoder().encode(hostilePath(rng)),
  exercise: exercisePath,
};
