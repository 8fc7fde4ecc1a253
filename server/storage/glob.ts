// Shell-style globs (POSIX fnmatch-like, plus `**` and `{a,b}` as in Spark's pathGlobFilter and
// git): used for file names in listings and for member paths inside archives (`data/*.tsv`).
// `*` and `?` never cross `/`; `**` does, and `**/` also matches zero directories.

export interface GlobOptions {
  /** Match letters regardless of case (file-name filters do; default false). */
  caseInsensitive?: boolean;
}

const REGEX_SPECIALS = /[\\^$.*+?()[\]{}|/]/;
const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 1024;

/** Compile a glob to an anchored RegExp. Throws SyntaxError on an unterminated `[` or `{`. */
export function globToRegExp(glob: string, opts: GlobOptions = {}): RegExp {
  const key = `${opts.caseInsensitive ? 'i' : 's'}:${glob}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const re = new RegExp(`^${translate(glob, 0, glob.length, 0)}$`, opts.caseInsensitive ? 'iu' : 'u');
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, re);
  return re;
}

/** True when the whole of `name` matches `glob`. */
export function matchGlob(name: string, glob: string, opts: GlobOptions = {}): boolean {
  return globToRegExp(glob, opts).test(name);
}

/** True when `name` matches any of `globs` (false for an empty list). */
export function matchAnyGlob(name: string, globs: readonly string[], opts: GlobOptions = {}): boolean {
  return globs.some((g) => matchGlob(name, g, opts));
}

function escapeChar(c: string): string {
  return REGEX_SPECIALS.test(c) ? `\\${c}` : c;
}

function translate(glob: string, start: number, end: number, depth: number): string {
  let out = '';
  let i = start;
  while (i < end) {
    const c = glob[i]!;
    if (c === '\\' && i + 1 < end) {
      out += escapeChar(glob[i + 1]!);
      i += 2;
    } else if (c === '*') {
      const [re, next] = translateStar(glob, i, end);
      out += re;
      i = next;
    } else if (c === '?') {
      out += '[^/]';
      i++;
    } else if (c === '[') {
      const [re, next] = translateClass(glob, i, end);
      out += re;
      i = next;
    } else if (c === '{') {
      const [re, next] = translateBraces(glob, i, end, depth);
      out += re;
      i = next;
    } else {
      out += escapeChar(c);
      i++;
    }
  }
  return out;
}

function translateStar(glob: string, i: number, end: number): [string, number] {
  if (glob[i + 1] !== '*') return ['[^/]*', i + 1];
  const atSegmentStart = i === 0 || glob[i - 1] === '/';
  if (atSegmentStart && glob[i + 2] === '/') return ['(?:.*/)?', i + 3]; // `**/`: zero or more directories
  let j = i;
  while (j < end && glob[j] === '*') j++;
  return ['.*', j];
}

function translateClass(glob: string, i: number, end: number): [string, number] {
  let j = i + 1;
  let negate = false;
  if (glob[j] === '!' || glob[j] === '^') {
    negate = true;
    j++;
  }
  let body = '';
  // A `]` right after the opening bracket is a literal member, as in fnmatch.
  if (glob[j] === ']') {
    body += '\\]';
    j++;
  }
  while (j < end && glob[j] !== ']') {
    const c = glob[j]!;
    if (c === '\\' && j + 1 < end) {
      body += `\\${glob[j + 1]}`;
      j += 2;
    } else if (c === '-' && body !== '' && j + 1 < end && glob[j + 1] !== ']') {
      body += '-';
      j++;
    } else {
      body += /[\\\]^-]/.test(c) ? `\\${c}` : c;
      j++;
    }
  }
  if (j >= end) throw new SyntaxError(`unterminated [ in glob ${JSON.stringify(glob)}`);
  return [negate ? `(?!/)[^${body}]` : `[${body}]`, j + 1];
}

function translateBraces(glob: string, i: number, end: number, depth: number): [string, number] {
  const alternatives: string[] = [];
  let level = 0;
  let partStart = i + 1;
  for (let j = i + 1; j < end; j++) {
    const c = glob[j];
    if (c === '\\') j++;
    else if (c === '{') level++;
    else if (c === '}' && level > 0) level--;
    else if ((c === ',' || c === '}') && level === 0) {
      alternatives.push(translate(glob, partStart, j, depth + 1));
      partStart = j + 1;
      if (c === '}') return [`(?:${alternatives.join('|')})`, j + 1];
    }
  }
  throw new SyntaxError(`unterminated { in glob ${JSON.stringify(glob)}`);
}

/** Why `glob` cannot be compiled, or undefined when it can. */
export function globProblem(glob: string): string | undefined {
  try {
    globToRegExp(glob);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message.replace(/^Invalid regular expression: .*: /, `invalid glob ${JSON.stringify(glob)}: `) : String(err);
  }
}

/**
 * Why a comma-separated list of globs (as pathGlobFilter carries them) cannot be used, or
 * undefined. Options check globs up front, so a malformed one from a client is an
 * INVALID_ARGUMENT naming the option, never an exception thrown in the middle of a listing.
 */
export function globListProblem(globs: string): string | undefined {
  const list = globs.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (list.length === 0) return 'needs at least one glob';
  for (const glob of list) {
    const problem = globProblem(glob);
    if (problem) return problem;
  }
  return undefined;
}
