// The planning cache of zipdcm (GetFlightInfo): which members of an archive the options select,
// remembered by the file's identity as the data root listed it (real path, size, mtime), so a
// plan of the same archives again lists the directory and opens nothing. Bounded by members held.
import type { FileEntry } from '../storage/data-root.ts';

/** What planning keeps of a selected member (zipdcm-plan.ts Unit, without the archive's path). */
export interface ScannedMember {
  index: number;
  name: string;
  weight: number;
  size: number;
}

/** Members held at most (~150 bytes each): a 100,000-file corpus fits twice over. */
const MAX_MEMBERS = 250_000;

export class ScanCache {
  /** Least recently used first (Map keeps insertion order; a hit moves to the end). */
  private readonly scans = new Map<string, ScannedMember[]>();
  private members = 0;

  /** The cache key: a change of the file (size, mtime, a new file at the path), of the member
   *  selection or of the limits (which may refuse an archive) makes a different key. */
  static key(file: FileEntry, memberFilter: string, sniff: boolean, limits: object): string {
    return JSON.stringify([file.abs, file.size, file.mtimeMs, memberFilter, sniff, limits]);
  }

  get(key: string): ScannedMember[] | undefined {
    const hit = this.scans.get(key);
    if (hit === undefined) return undefined;
    this.scans.delete(key);
    this.scans.set(key, hit);
    return hit;
  }

  set(key: string, members: ScannedMember[]): void {
    if (members.length > MAX_MEMBERS) return;
    const old = this.scans.get(key);
    if (old) this.members -= old.length;
    this.scans.delete(key);
    this.scans.set(key, members);
    this.members += members.length;
    for (const [k, v] of this.scans) {
      if (this.members <= MAX_MEMBERS) break;
      this.scans.delete(k);
      this.members -= v.length;
    }
  }

  clear(): void {
    this.scans.clear();
    this.members = 0;
  }

  get size(): number {
    return this.scans.size;
  }
}
