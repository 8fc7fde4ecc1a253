// `zipflight serve --root DIR [--host 127.0.0.1] [--port 8815] [--sample]`: the only file that
// reads argv and the environment. Prints one readiness line `zipflight listening on grpc://HOST:PORT`
// and stops gracefully on SIGINT/SIGTERM (a second signal forces the stop).
import { parseArgs } from 'node:util';
import { sampleRoot } from './sample/sample-root.ts';
import { startFlightServer, DEFAULT_GRACE_MS } from './protocol/flight-server.ts';
import { randomTicketKey } from './protocol/ticket.ts';
import { SourceRegistry } from './sources/registry.ts';
import { DataRoot } from './storage/data-root.ts';

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 8815;
const MAX_PORT = 65535;
const MIN_TICKET_KEY_BYTES = 16;
const USAGE = `usage: zipflight serve (--root DIR | --sample) [--host ${DEFAULT_HOST}] [--port ${DEFAULT_PORT}]
  --root DIR    data root: every path a client names is resolved inside it
  --sample      serve the built-in sample root instead
  --host HOST   address to bind (default ${DEFAULT_HOST}, loopback only)
  --port PORT   TCP port; 0 picks a free one (default ${DEFAULT_PORT})
env: ZIPFLIGHT_TICKET_KEY  secret that signs tickets (else random per process)`;

function fail(message: string): never {
  process.stderr.write(`zipflight serve: ${message}\n${USAGE}\n`);
  process.exit(2);
}

async function openRoot(dir: string): Promise<DataRoot> {
  try {
    return await DataRoot.open(dir);
  } catch (err) {
    fail(`--root ${dir}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function ticketKey(): Uint8Array {
  const secret = process.env.ZIPFLIGHT_TICKET_KEY;
  if (secret === undefined || secret === '') return randomTicketKey();
  if (Buffer.byteLength(secret) < MIN_TICKET_KEY_BYTES) fail(`ZIPFLIGHT_TICKET_KEY must be at least ${MIN_TICKET_KEY_BYTES} bytes`);
  return Buffer.from(secret);
}

async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      root: { type: 'string' },
      host: { type: 'string', default: DEFAULT_HOST },
      port: { type: 'string', default: String(DEFAULT_PORT) },
      sample: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > MAX_PORT) fail(`--port must be an integer from 0 to ${MAX_PORT}`);
  if (values.sample === (values.root !== undefined)) fail('give exactly one of --root DIR or --sample');
  const root = await openRoot(values.sample ? await sampleRoot() : values.root!);
  const server = await startFlightServer({ host: values.host!, port, sources: new SourceRegistry(), root, ticketKey: ticketKey() });
  process.stdout.write(`zipflight listening on ${server.url}\n`);
  let signals = 0;
  const stop = (signal: string) => {
    if (++signals > 1) process.exit(1);
    process.stderr.write(`zipflight: ${signal}, shutting down (up to ${DEFAULT_GRACE_MS / 1000}s for running streams)\n`);
    server.shutdown().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

try {
  await serve(process.argv.slice(3));
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
