// FlightDescriptors as zipflight reads them (Flight.proto `FlightDescriptor`, README "Descriptors"):
// CMD = UTF-8 JSON {"source", "path"?, "options"?}; PATH = [source, ...path segments] with the
// source's default options. Kept free of gRPC so the CLI and tests can build them cheaply.

export type FlightDescriptor = { type: 'CMD'; cmd: Uint8Array } | { type: 'PATH'; path: string[] };

/** What a client asks for: a source, a path under the server's data root, option values. */
export interface ReadRequest {
  source: string;
  path?: string;
  /** JSON values or strings; the server parses "4" as 4 and "true" as true where it needs to. */
  options?: Record<string, unknown>;
}

export function cmdDescriptor(request: ReadRequest): FlightDescriptor {
  const { source, path, options } = request;
  const json: Record<string, unknown> = { source };
  if (path !== undefined && path !== '') json.path = path;
  if (options && Object.keys(options).length > 0) json.options = options;
  return { type: 'CMD', cmd: Buffer.from(JSON.stringify(json), 'utf8') };
}

export function pathDescriptor(source: string, ...path: string[]): FlightDescriptor {
  return { type: 'PATH', path: [source, ...path] };
}
