// zipflight's reading of a Flight FlightDescriptor (Flight.proto: PATH or CMD). CMD carries
// UTF-8 JSON {"source", "path"?, "options"?}; PATH is [source, ...path segments] with default
// options. Anything else is an INVALID_ARGUMENT that says what was expected.
import { invalidArgument } from '../errors.ts';
import type { SourceRequest } from '../sources/source.ts';
import type { FlightDescriptor } from './flight-proto.ts';

/** A descriptor resolved to a source's name and the request handed to that source. */
export interface ReadRequest extends SourceRequest {
  source: string;
}

const CMD_KEYS = new Set(['source', 'path', 'options']);
const CMD_SHAPE = 'a JSON object {"source": string, "path"?: string, "options"?: object}';
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** '', '.' and absent all mean the data root; anything else is left to the source and DataRoot. */
export function normalizePath(path: string | undefined): string {
  return path === undefined || path === '.' ? '' : path;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseCommand(cmd: Uint8Array): ReadRequest {
  let text: string;
  let value: unknown;
  try {
    text = strictUtf8.decode(cmd);
    value = JSON.parse(text);
  } catch (err) {
    throw invalidArgument(`CMD descriptor must be UTF-8 JSON, ${CMD_SHAPE}: ${(err as Error).message}`);
  }
  if (!isPlainObject(value)) throw invalidArgument(`CMD descriptor must be ${CMD_SHAPE}`);
  const unknown = Object.keys(value).filter((k) => !CMD_KEYS.has(k));
  if (unknown.length) throw invalidArgument(`CMD descriptor has unknown key(s) ${unknown.join(', ')}; expected ${CMD_SHAPE}`);
  const { source, path, options } = value;
  if (typeof source !== 'string' || source === '') throw invalidArgument(`CMD descriptor needs "source" (a non-empty string)`);
  if (path !== undefined && path !== null && typeof path !== 'string') throw invalidArgument(`CMD descriptor "path" must be a string`);
  if (options !== undefined && options !== null && !isPlainObject(options)) throw invalidArgument(`CMD descriptor "options" must be an object`);
  return { source, path: normalizePath(path ?? undefined), options: options ?? {} };
}

export function parsePath(path: string[]): ReadRequest {
  if (path.length === 0 || path[0] === '') throw invalidArgument('PATH descriptor needs at least the source name, e.g. ["fake"]');
  return { source: path[0], path: normalizePath(path.length > 1 ? path.slice(1).join('/') : undefined), options: {} };
}

export function parseDescriptor(descriptor: FlightDescriptor | null | undefined): ReadRequest {
  if (!descriptor) throw invalidArgument('a FlightDescriptor is required');
  const type = descriptor.type;
  if (type === 'CMD' || type === 2) return parseCommand(descriptor.cmd ?? new Uint8Array());
  if (type === 'PATH' || type === 1) return parsePath(descriptor.path ?? []);
  throw invalidArgument(`FlightDescriptor type must be PATH or CMD, got ${String(type)}`);
}

/** The PATH descriptor ListFlights shows for a source. */
export function pathDescriptor(source: string): FlightDescriptor {
  return { type: 'PATH', cmd: new Uint8Array(), path: [source] };
}
