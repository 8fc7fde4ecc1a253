// zipdcm DoGet: the archives of a partition opened a few ahead of the one being read, so a
// stream's next archive (file, end record, central directory; APPNOTE 4.3.16) is ready when its
// chunks are due. An archive that changed since planning is refused (data-loss).
import { ServerError } from '../errors.ts';
import type { DataRoot } from '../storage/data-root.ts';
import type { ZipEntry } from '../zip/archive.ts';
import { digestNames, forgetScans, selectMembers, type Segment } from './zipdcm-plan.ts';
import type { ZipdcmSettings } from './zipdcm-options.ts';
import { openInput, type OpenInput } from './zipdcm-inputs.ts';

const ignore = () => {};

export type Opened = { input: OpenInput; members: ZipEntry[] };
export type OpenOutcome = { ok: true; value: Opened } | { ok: false; err: unknown };

/** Archives opened ahead of the one being read: an open is ~7 sequential fs round trips (open,
 *  stat, end record, central directory), each waiting for the main thread's event loop; traced
 *  on the 1,000-file corpus under load, a stream's next open took 12-20 ms while the workers ran
 *  dry. Opening the next OPEN_AHEAD archives while the current one's chunks run overlaps them.
 *  4, not 2: a stream of many small series still waited on opens (interleaved reads, 1,000-file
 *  corpus: median 12,278 -> 13,439 files/s of 12 each; 10,000 files: no change). */
const OPEN_AHEAD = 4;

export class OpenAhead {
  private readonly started = new Map<number, Promise<OpenOutcome>>();

  constructor(private readonly root: DataRoot, private readonly segments: Segment[], private readonly settings: ZipdcmSettings) {}

  /** Segment `s`'s archive (opened now unless already under way), and opens of the next ones. */
  take(s: number): Promise<OpenOutcome> {
    const mine = this.started.get(s) ?? this.open(s);
    this.started.delete(s);
    for (let next = s + 1, n = 0; next < this.segments.length && n < OPEN_AHEAD; next++) {
      if (this.segments[next].kind === 'dcm') continue;
      n++;
      if (!this.started.has(next)) this.started.set(next, this.open(next));
    }
    return mine;
  }

  /** Close what was opened ahead and will not be read (the stream stopped early). */
  discard(): void {
    for (const pending of this.started.values()) void pending.then((o) => (o.ok ? o.value.input.close().catch(ignore) : undefined));
    this.started.clear();
  }

  private open(s: number): Promise<OpenOutcome> {
    const seg = this.segments[s];
    const opening = seg.kind === 'zip' ? openSegment(this.root, seg, this.settings) : openInput(this.root, seg.path).then((input): Opened => ({ input, members: [] }));
    return opening.then((value): OpenOutcome => ({ ok: true, value }), (err: unknown): OpenOutcome => ({ ok: false, err }));
  }
}

async function openSegment(root: DataRoot, seg: Extract<Segment, { kind: 'zip' }>, settings: ZipdcmSettings): Promise<Opened> {
  const input = await openInput(root, seg.path);
  try {
    const inRange = input.archive.entries.filter((e) => e.index >= seg.from && e.index < seg.to);
    const members = await selectMembers(input.archive, settings, inRange);
    if (members.length !== seg.count || digestNames(members.map((m) => m.name)) !== seg.digest) {
      forgetScans();
      throw new ServerError('data-loss', `zipdcm: archive '${seg.path}' changed since the FlightInfo was planned; call GetFlightInfo again`);
    }
    return { input, members };
  } catch (err) {
    await input.close();
    throw err;
  }
}

