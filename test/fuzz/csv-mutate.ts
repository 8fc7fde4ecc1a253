// CSV inputs for the tokenizer (RFC 4180 §2 and Spark's CSV dialect options): quote storms
// (runs of quotes, escapes, separators and line breaks in every order), unclosed quotes, CR/LF
// mixes, BOMs, NULs and invalid UTF-8, long fields; then byte-level damage on top.
import { BYTE_MUTATORS, concatBytes, mutateStack } from './mutate.ts';
import type { Rng } from './rng.ts';

/** Bytes the tokenizer branches on, weighted towards the dangerous ones. */
const STORM = ['"', '"', '"', '\\', ',', ';', '\t', '\n', '\r', '\r\n', '#', 'a', '1', ' ', '""', '\\"', '\u00e9', '\0'];
const BOM = [0xef, 0xbb, 0xbf];

export function quoteStorm(rng: Rng): Uint8Array {
  const n = rng.range(0, 600);
  let s = '';
  for (let i = 0; i < n; i++) s += rng.pick(STORM);
  const body = new TextEncoder().encode(s);
  const parts: Uint8Array[] = [];
  if (rng.chance(0.1)) parts.push(new Uint8Array(BOM));
  parts.push(body);
  if (rng.chance(0.1)) parts.push(rng.bytes(rng.range(1, 16))); // invalid UTF-8 likely
  if (rng.chance(0.05)) parts.push(new Uint8Array(rng.range(1000, 70_000)).fill(rng.pick([0x22, 0x61, 0x2c, 0x0a]))); // long runs
  return concatBytes(parts);
}

/** A well-formed table with quoted fields, then damage. */
export function table(rng: Rng): Uint8Array {
  const rows = rng.range(0, 30);
  const cols = rng.range(1, 8);
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cells = [];
    for (let c = 0; c < cols; c++) {
      const v = rng.pick(['1', '-2.5e3', 'true', '2024-01-02', '2024-01-02 03:04:05', '', 'x"y', 'a,b', 'multi\nline', 'NaN', '9223372036854775808']);
      cells.push(/[",\n]/.test(v) || rng.chance(0.2) ? `"${v.replace(/"/g, '""')}"` : v);
    }
    lines.push(cells.join(','));
  }
  return new TextEncoder().encode(lines.join(rng.pick(['\n', '\r\n', '\r'])) + (rng.chance(0.5) ? '\n' : ''));
}

export function csvInput(rng: Rng): Uint8Array {
  const base = rng.chance(0.5) ? quoteStorm(rng) : table(rng);
  return rng.chance(0.5) ? mutateStack(base, rng, BYTE_MUTATORS) : base;
}

/** Spark-style dialect option strings; one in eight is invalid (makeDialect must say why). */
export function dialectOptions(rng: Rng): { sep: string; quote: string; escape: string; comment: string } {
  if (rng.chance(0.125)) {
    return { sep: rng.pick(['"', '', 'ab', '\n', ',']), quote: rng.pick(['"', ',', '\u00e9']), escape: rng.pick(['\\', ',']), comment: rng.pick(['', '"', ',']) };
  }
  return {
    sep: rng.pick([',', ',', ';', '\t', '\\t', '|']),
    quote: rng.pick(['"', '"', "'", '']),
    escape: rng.pick(['\\', '"', '', '\\\\']),
    comment: rng.pick(['', '', '#']),
  };
}
