// What a fuzz target is, and the two ways a case fails besides a hang or memory: a FuzzFinding
// (an invariant broken without an error) or any error the layer's own type does not explain.
import type { Rng } from './rng.ts';
import type { Seeds } from './seeds.ts';

/** An invariant the layer broke without throwing (silent corruption, a limit not enforced). */
export class FuzzFinding extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FuzzFinding';
  }
}

export interface Target {
  name: string;
  /** The case's input, from its seeded Rng alone (replayable in another thread). */
  input(rng: Rng, seeds: Seeds): Uint8Array;
  /** Run the input through the layer; returns an outcome label ('ok', 'ZipError:TRUNCATED', ...). */
  exercise(input: Uint8Array, rng: Rng): Promise<string>;
}

/** The layer's own error type with a stable code → its label; anything else rethrown as a crash. */
export function expected(err: unknown, allowed: (e: unknown) => string | undefined): string {
  const label = allowed(err);
  if (label === undefined) throw err;
  return label;
}

