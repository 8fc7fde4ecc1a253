// `zipflight ls | info | schema | get`: a person's way to look at a Flight server with the
// TypeScript client. `serve` is server/main.ts (bin/zipflight.mjs dispatches). Exit codes: 0 ok,
// 1 the server or connection failed (message on stderr), 2 bad usage.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ClientError, FlightClient, Status, cmdDescriptor, type FlightInfo, type ReadRequest } from './flight-client.ts';
import { FORMATS, batchSink, formatTable, schemaTable, type Format } from './cli-output.ts';

const DEFAULT_URI = 'grpc://127.0.0.1:8815';
/** Rows the table format shows unless --limit says otherwise: a screenful, not a dataset. */
const DEFAULT_TABLE_LIMIT = 100;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

const USAGE = `usage: zipflight <command> [options]
commands:
  serve                      start a server (zipflight serve --help)
  ls                         list the server's sources, their descriptions and default schemas
  info   --source S ...      plan a read (GetFlightInfo): endpoints, row count, schema
  schema --source S ...      the schema a read would have (GetSchema)
  get    --source S ...      read the rows (GetFlightInfo, then DoGet of every endpoint)
options:
  --uri URI                  server (default $ZIPFLIGHT_URI or ${DEFAULT_URI}); grpc+tls:// for TLS
  --source S                 fake, zipdcm, zipcsv, ... (see ls)
  --path P                   path under the server's data root (zipdcm, zipcsv)
  --option k=v               a source option, repeatable, e.g. --option numRows=10
  --format F                 get: ${FORMATS.join('|')} (default table; arrow = IPC stream on stdout)
  --limit N                  get: stop after N rows (table default ${DEFAULT_TABLE_LIMIT})
  --token T                  bearer token (or $ZIPFLIGHT_TOKEN)
  --username U               basic credentials, password from $ZIPFLIGHT_PASSWORD (handshake)
  --tls-root-certs FILE      PEM CA certificates for grpc+tls://
examples:
  zipflight ls
  zipflight get --source fake --option numRows=10 --option seed=7
  zipflight get --source zipdcm --path dicom --format csv --limit 5
  zipflight get --source fake --option numRows=1000000 --format arrow > fake.arrows`;

class UsageError extends Error {}

const ARG_OPTIONS = {
  uri: { type: 'string' },
  source: { type: 'string' },
  path: { type: 'string' },
  option: { type: 'string', multiple: true },
  format: { type: 'string', default: 'table' },
  limit: { type: 'string' },
  token: { type: 'string' },
  username: { type: 'string' },
  'tls-root-certs': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Args = ReturnType<typeof parseArgs<{ options: typeof ARG_OPTIONS; strict: true; allowPositionals: false }>>['values'];

/** `--option k=v` pairs; values stay strings, as Spark passes them: the server parses "4" as 4. */
export function parseOptionPairs(pairs: string[] = []): Record<string, string> {
  const options: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--option wants key=value, got '${pair}'`);
    options[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return options;
}

function readRequest(args: Args): ReadRequest {
  if (!args.source) throw new UsageError('--source is required (zipflight ls shows the sources)');
  return { source: args.source, path: args.path, options: parseOptionPairs(args.option) };
}

async function connect(args: Args): Promise<FlightClient> {
  const uri = args.uri ?? process.env.ZIPFLIGHT_URI ?? DEFAULT_URI;
  const tlsRootCerts = args['tls-root-certs'] ? readFileSync(args['tls-root-certs']) : undefined;
  const client = FlightClient.connect(uri, { token: args.token ?? process.env.ZIPFLIGHT_TOKEN, tlsRootCerts });
  if (args.username) await client.handshake({ username: args.username, password: process.env.ZIPFLIGHT_PASSWORD ?? '' });
  return client;
}

const description = (info: FlightInfo) => {
  try {
    return String(JSON.parse(Buffer.from(info.appMetadata).toString('utf8')).description ?? '');
  } catch {
    return '';
  }
};

async function ls(client: FlightClient): Promise<void> {
  for (const info of await client.listFlights()) {
    const name = info.descriptor.type === 'PATH' ? info.descriptor.path.join('/') : '(command)';
    process.stdout.write(`${name}: ${description(info)}\n${indent(schemaTable(info.schema))}\n`);
  }
}

const indent = (text: string) => text.replace(/^(?=.)/gm, '    ');
const count = (n: number) => (n < 0 ? 'unknown' : n.toLocaleString('en-US'));

async function info(client: FlightClient, request: ReadRequest): Promise<void> {
  const flight = await client.getFlightInfo(cmdDescriptor(request));
  process.stdout.write(`records: ${count(flight.totalRecords)}\nbytes: ${count(flight.totalBytes)}\nendpoints: ${flight.endpoints.length}\n`);
  const rows = flight.endpoints.map((e, i) => [String(i), String(e.ticket.byteLength), e.locations.join(' ') || '(this server)']);
  process.stdout.write(indent(formatTable(['endpoint', 'ticket bytes', 'locations'], rows, [true, true, false])));
  process.stdout.write(`schema:\n${indent(schemaTable(flight.schema))}`);
}

function parseLimit(args: Args, format: Format): number {
  if (args.limit === undefined) return format === 'table' ? DEFAULT_TABLE_LIMIT : Infinity;
  const limit = Number(args.limit);
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit must be a whole number, got '${args.limit}'`);
  return limit;
}

/** Reads the endpoints in order, streaming into the sink; stops (cancelling the call) at the limit. */
async function get(client: FlightClient, request: ReadRequest, format: Format, limit: number): Promise<void> {
  const flight = await client.getFlightInfo(cmdDescriptor(request));
  const sink = batchSink(format, process.stdout);
  let started = false;
  let left = limit;
  for (const endpoint of flight.endpoints) {
    if (left <= 0) break;
    const stream = client.doGet(endpoint.ticket);
    if (!started) sink.start(await stream.schema());
    started = true;
    for await (const batch of stream) {
      const take = Math.min(left, batch.numRows);
      if (take > 0) sink.write(take < batch.numRows ? batch.slice(0, take) : batch);
      left -= take;
      if (left <= 0) break;
    }
  }
  if (!started) sink.start(flight.schema);
  await sink.end();
  if (format === 'table' && left <= 0 && flight.totalRecords > limit) process.stdout.write(`(first ${limit} of ${count(flight.totalRecords)}; --limit N shows more)\n`);
}

async function run(argv: string[]): Promise<void> {
  const command = argv[0];
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { values: args } = parseArgs({ args: argv.slice(1), options: ARG_OPTIONS, strict: true, allowPositionals: false });
  if (args.help) return void process.stdout.write(`${USAGE}\n`);
  if (!FORMATS.includes(args.format as Format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  const format = args.format as Format;
  const commands: Record<string, (c: FlightClient) => Promise<void>> = {
    ls,
    info: (c) => info(c, readRequest(args)),
    schema: async (c) => void process.stdout.write(schemaTable(await c.getSchema(cmdDescriptor(readRequest(args))))),
    get: (c) => get(c, readRequest(args), format, parseLimit(args, format)),
  };
  const action = commands[command];
  if (!action) throw new UsageError(`unknown command '${command}'`);
  if (command !== 'ls') readRequest(args); // usage errors before any connection
  const client = await connect(args);
  try {
    await action(client);
  } finally {
    client.close();
  }
}

function explain(err: ClientError): string {
  const hint = err.code === Status.UNAVAILABLE ? '\n(is a server running there? `npm start` serves the sample on grpc://127.0.0.1:8815)' : '';
  return `${err.message}${hint}`;
}

// A reader that goes away (`| head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : EXIT_FAILED));

try {
  await run(process.argv.slice(2));
} catch (err) {
  const name = `zipflight ${process.argv[2] ?? ''}`.trimEnd();
  if (err instanceof ClientError) {
    process.stderr.write(`${name}: ${explain(err)}\n`);
    process.exitCode = EXIT_FAILED;
  } else if (err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith?.('ERR_PARSE_ARGS')) {
    process.stderr.write(`${name}: ${(err as Error).message}\n(zipflight --help for usage)\n`);
    process.exitCode = EXIT_USAGE;
  } else {
    process.stderr.write(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT_FAILED;
  }
}
