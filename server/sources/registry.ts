// The sources this server offers, by name: what ListFlights lists and descriptors may name.
// Adding a source is one line in SOURCES. Unknown names are NOT_FOUND and name the source.
import { notFound } from '../errors.ts';
import { fakeSource } from './fake.ts';
import type { Source } from './source.ts';
import { zipcsvSource } from './zipcsv.ts';
import { zipdcmSource } from './zipdcm.ts';

export const SOURCES: readonly Source[] = [
  fakeSource,
  zipcsvSource,
  zipdcmSource,
  // zipcsvSource, zipdcmSource: one line each as they land.
];

export class SourceRegistry {
  private readonly byName = new Map<string, Source>();

  constructor(sources: readonly Source[] = SOURCES) {
    for (const source of sources) {
      if (this.byName.has(source.name)) throw new Error(`two sources are named '${source.name}'`);
      this.byName.set(source.name, source);
    }
  }

  /** The source called `name`; NOT_FOUND naming it (and the known ones) otherwise. */
  get(name: string): Source {
    const source = this.byName.get(name);
    if (!source) throw notFound(`unknown source '${name}'; this server has: ${[...this.byName.keys()].join(', ') || '(none)'}`);
    return source;
  }

  list(): Source[] {
    return [...this.byName.values()];
  }
}
