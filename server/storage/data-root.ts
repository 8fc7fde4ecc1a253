// The sandboxed data root (issue 6 "Security", issue 3 "Inputs"): every path a client or ticket
// names is resolved here. Paths are relative; `..`, absolute paths, NUL bytes and symlinks whose
// real path leaves the root are refused before anything is opened or read.
import { constants, type Dirent, type Stats } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, posix, sep } from 'node:path';
import { matchAnyGlob } from './glob.ts';
import { FileHandleReader, type RandomAccessFile } from './random-access-file.ts';
import { StorageError, fromFsError } from './storage-error.ts';

export interface ResolvedPath {
  /** Normalised path relative to the root, '/'-separated; '' is the root itself. */
  rel: string;
  /** Real absolute path (symlinks resolved, checked to lie under the root). */
  abs: string;
  isFile: boolean;
  isDirectory: boolean;
  size: number;
  mtimeMs: number;
}

export interface FileEntry {
  rel: string;
  abs: string;
  size: number;
  mtimeMs: number;
}

export interface ListOptions {
  /** Base-name globs matched case-insensitively (e.g. ['*.zip', '*.dcm']); empty = every file. */
  globs: string[];
  /** Descend into subdirectories (symlinked ones too, when they stay inside the root). */
  recursive: boolean;
}

const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/;

export class DataRoot {
  /** Absolute real path of the root directory. */
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async open(dir: string): Promise<DataRoot> {
    let real: string;
    try {
      real = await realpath(dir);
    } catch (err) {
      throw fromFsError(err, '');
    }
    const st = await stat(real);
    if (!st.isDirectory()) throw new StorageError('NOT_A_DIRECTORY', '', 'the data root is not a directory');
    return new DataRoot(real);
  }

  /** Check `rel` lexically, resolve symlinks and stat it. Throws StorageError. */
  async resolve(rel: string): Promise<ResolvedPath> {
    const norm = normaliseRelative(rel);
    const abs = await this.realInside(norm === '' ? this.dir : join(this.dir, norm), norm);
    let st: Stats;
    try {
      st = await stat(abs);
    } catch (err) {
      throw fromFsError(err, norm);
    }
    return { rel: norm, abs, isFile: st.isFile(), isDirectory: st.isDirectory(), size: st.size, mtimeMs: st.mtimeMs };
  }

  /**
   * Files under `rel` whose base name matches a glob, sorted by rel. A file path lists itself
   * (explicitly named, so the globs do not apply). Entries whose real path leaves the root are
   * skipped, as are symlink loops.
   */
  async list(rel: string, opts: ListOptions): Promise<FileEntry[]> {
    const top = await this.resolve(rel);
    if (top.isFile) return [{ rel: top.rel, abs: top.abs, size: top.size, mtimeMs: top.mtimeMs }];
    if (!top.isDirectory) throw new StorageError('NOT_A_FILE', top.rel, `not a file or directory: ${JSON.stringify(top.rel)}`);
    const out: FileEntry[] = [];
    await this.walk(top.rel, top.abs, opts, new Set([top.abs]), out);
    return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  }

  /** Open a regular file for positional reads. The caller closes it. */
  async openFile(rel: string): Promise<RandomAccessFile> {
    const r = await this.resolve(rel);
    if (!r.isFile) throw new StorageError('NOT_A_FILE', r.rel, `not a file: ${JSON.stringify(r.rel)}`);
    let handle;
    try {
      // O_NOFOLLOW: the real path has no symlinks left; one appearing now is a swap in progress.
      handle = await open(r.abs, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      throw fromFsError(err, r.rel);
    }
    const st = await handle.stat();
    const before = await stat(r.abs).catch(() => undefined);
    if (!st.isFile() || !before || before.ino !== st.ino || before.dev !== st.dev) {
      await handle.close();
      throw new StorageError('OUTSIDE_ROOT', r.rel, `path changed while opening: ${JSON.stringify(r.rel)}`);
    }
    return FileHandleReader.fromHandle(handle, st.size);
  }

  private isInside(real: string): boolean {
    return real === this.dir || real.startsWith(this.dir.endsWith(sep) ? this.dir : this.dir + sep);
  }

  private async realInside(abs: string, rel: string): Promise<string> {
    let real: string;
    try {
      real = await realpath(abs);
    } catch (err) {
      throw fromFsError(err, rel);
    }
    if (!this.isInside(real)) throw outside(rel);
    return real;
  }

  private async walk(rel: string, abs: string, opts: ListOptions, seen: Set<string>, out: FileEntry[]): Promise<void> {
    let dirents: Dirent[];
    try {
      dirents = await readdir(abs, { withFileTypes: true });
    } catch (err) {
      throw fromFsError(err, rel);
    }
    const subdirs: Array<[string, string]> = [];
    await Promise.all(
      dirents.map(async (d) => {
        const childRel = rel === '' ? d.name : `${rel}/${d.name}`;
        const child = await this.inspect(join(abs, d.name), d);
        if (!child) return;
        if (child.st.isDirectory()) {
          if (opts.recursive && !seen.has(child.real)) subdirs.push([childRel, child.real]);
        } else if (child.st.isFile() && (opts.globs.length === 0 || matchAnyGlob(d.name, opts.globs, { caseInsensitive: true }))) {
          out.push({ rel: childRel, abs: child.real, size: child.st.size, mtimeMs: child.st.mtimeMs });
        }
      }),
    );
    subdirs.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    for (const [childRel, real] of subdirs) {
      if (seen.has(real)) continue;
      seen.add(real);
      await this.walk(childRel, real, opts, seen, out);
    }
  }

  /** Real path and stat of a directory entry, or undefined when it leaves the root or vanished. */
  private async inspect(abs: string, d: Dirent): Promise<{ real: string; st: Stats } | undefined> {
    try {
      const real = d.isSymbolicLink() ? await realpath(abs) : abs;
      if (!this.isInside(real)) return undefined;
      return { real, st: await stat(real) };
    } catch {
      return undefined; // dangling symlink or removed while listing
    }
  }
}

function outside(rel: string): StorageError {
  return new StorageError('OUTSIDE_ROOT', rel, `path is outside the data root: ${JSON.stringify(rel)}`);
}

/** Lexical checks: no NUL, not absolute, no `..` above the root. Returns '' for the root. */
export function normaliseRelative(rel: string): string {
  if (typeof rel !== 'string') throw new StorageError('INVALID_PATH', String(rel), 'path must be a string');
  if (rel.includes('\0')) throw new StorageError('INVALID_PATH', rel.replaceAll('\0', '\\0'), 'path contains a NUL byte');
  if (isAbsolute(rel) || rel.startsWith('\\') || WINDOWS_DRIVE.test(rel)) throw outside(rel);
  if (rel === '' || rel === '.') return '';
  const norm = posix.normalize(rel).replace(/\/+$/, '');
  if (norm === '..' || norm.startsWith('../')) throw outside(rel);
  return norm === '.' ? '' : norm;
}
