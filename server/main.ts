// `zipflight serve`: the only file that reads argv, the environment and secret files (options and
// precedence in server/ops/config.ts; `zipflight serve --help` lists them). Prints one readiness
// line `zipflight listening on grpc[+tls]://HOST:PORT` and stops gracefully on SIGINT/SIGTERM
// (a second signal forces the stop).
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setLimits } from './limits.ts';
import { CallLog } from './ops/call-log.ts';
import { ConfigError, loadConfig, usage, type ServeConfig } from './ops/config.ts';
import { createLogger, type Logger } from './ops/logger.ts';
import { Metrics, serveMetrics, type MetricsEndpoint } from './ops/metrics.ts';
import { Authenticator } from './protocol/auth.ts';
import { tokenKeyFrom } from './protocol/auth-token.ts';
import { Credentials, UserParseError } from './protocol/auth-users.ts';
import { startFlightServer, type TlsFiles } from './protocol/flight-server.ts';
import { setInternalErrorSink } from './protocol/status.ts';
import { randomTicketKey } from './protocol/ticket.ts';
import { sampleRoot } from './sample/sample-root.ts';
import { SourceRegistry } from './sources/registry.ts';
import { DataRoot } from './storage/data-root.ts';
import { closePool, configurePool, poolQueueSize, startPool } from './workers/pool.ts';

const MIN_TICKET_KEY_BYTES = 16;
const MS_PER_S = 1000;
/** The server's own code: never named in a client-facing message. */
const CODE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function fail(message: string): never {
  process.stderr.write(`zipflight serve: ${message}\n(zipflight serve --help lists the options)\n`);
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

function readFile(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    fail(`--${flag} ${path}: ${(err as Error).message}`);
  }
}

function tlsFiles(config: ServeConfig): TlsFiles | undefined {
  const { 'tls-cert': cert, 'tls-key': key, 'tls-client-ca': clientCa } = config;
  if (cert === undefined && key === undefined) {
    if (clientCa !== undefined) fail('--tls-client-ca needs --tls-cert and --tls-key');
    return undefined;
  }
  if (cert === undefined || key === undefined) fail('give both --tls-cert and --tls-key');
  return { cert: readFile('tls-cert', cert), key: readFile('tls-key', key), clientCa: clientCa === undefined ? undefined : readFile('tls-client-ca', clientCa) };
}

/** Users and static tokens from ZIPFLIGHT_USERS, --users-file and ZIPFLIGHT_TOKENS; none = auth off. */
function authenticator(config: ServeConfig, key: Uint8Array): Authenticator | undefined {
  const credentials = new Credentials();
  try {
    credentials.addUserList(process.env.ZIPFLIGHT_USERS ?? '');
    const file = config['users-file'];
    if (file !== undefined) credentials.addUsersFile(readFile('users-file', file).toString('utf8'), file);
    credentials.addStaticTokens(process.env.ZIPFLIGHT_TOKENS ?? '');
  } catch (err) {
    if (err instanceof UserParseError) fail(err.message);
    throw err;
  }
  if (!credentials.enabled) return undefined;
  return new Authenticator({ credentials, tokenKey: tokenKeyFrom(key), tokenTtlSeconds: config['token-ttl']! });
}

function applyLimits(config: ServeConfig): void {
  setLimits({
    maxMembersPerRequest: config['max-members-per-request']!,
    maxInflatedBytesPerMember: config['max-member-bytes']!,
    maxCompressionRatio: config['max-compression-ratio']!,
    maxDicomElementBytes: config['max-dicom-element-bytes']!,
    maxCsvRecordBytes: config['max-csv-record-bytes']!,
    maxConcurrentStreams: config['max-concurrent-streams']!,
  });
}

function logInternalErrors(logger: Logger): void {
  setInternalErrorSink((rpc, err) => {
    logger.error({ rpc, err }, 'internal error');
  });
}

async function serve(argv: string[]): Promise<void> {
  let config: ServeConfig;
  try {
    config = loadConfig(argv, process.env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  if (config.help) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  if (config.sample === (config.root !== undefined)) fail('give exactly one of --root DIR or --sample');
  applyLimits(config);
  // Start the workers now so they warm up (JIT) in the background before the first DoGet.
  if (config.workers !== undefined) configurePool(config.workers);
  else startPool();
  const logger = createLogger(config['log-level']!);
  logInternalErrors(logger);
  const key = ticketKey();
  const auth = authenticator(config, key);
  const tls = tlsFiles(config);
  const metrics = new Metrics({ processMetrics: true, poolQueue: poolQueueSize });
  const root = await openRoot(config.sample ? await sampleRoot() : config.root!);
  const server = await startFlightServer({
    host: config.host!,
    port: config.port!,
    sources: new SourceRegistry(),
    root,
    ticketKey: key,
    tls,
    auth,
    observer: new CallLog({ logger, metrics }),
    hiddenPaths: [CODE_DIR],
  });
  const endpoint: MetricsEndpoint | undefined = config['metrics-port'] === undefined ? undefined : await serveMetrics(metrics, config['metrics-host']!, config['metrics-port']);
  logger.info({ url: server.url, metrics: endpoint?.url, auth: auth !== undefined, tls: tls !== undefined, mtls: tls?.clientCa !== undefined }, 'serving');
  warnAboutExposure(logger, config, auth !== undefined, tls !== undefined);
  process.stdout.write(`zipflight listening on ${server.url}\n`);
  if (endpoint) process.stdout.write(`zipflight metrics on ${endpoint.url}\n`);
  stopOnSignals(logger, config['shutdown-grace']! * MS_PER_S, async (graceMs) => {
    await server.shutdown(graceMs);
    await endpoint?.close();
    await closePool();
  });
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
/** Permission bits for group and others: a users file should have none. */
const GROUP_OTHER_BITS = 0o077;

/** Configurations that work but leak: passwords in clear text, a readable users file. */
function warnAboutExposure(logger: Logger, config: ServeConfig, auth: boolean, tls: boolean): void {
  if (auth && !tls && !LOOPBACK.has(config.host!)) logger.warn({ host: config.host }, 'auth without TLS: passwords and tokens cross the network in clear text');
  if (!auth && !LOOPBACK.has(config.host!)) logger.warn({ host: config.host }, 'no users configured: anyone who can reach this address can read the data root');
  const file = config['users-file'];
  if (file !== undefined && (statSync(file).mode & GROUP_OTHER_BITS) !== 0) logger.warn({ file }, 'the users file is readable by group or others (chmod 600)');
}

function stopOnSignals(logger: Logger, graceMs: number, stop: (graceMs: number) => Promise<void>): void {
  let signals = 0;
  const onSignal = (signal: string) => {
    if (++signals > 1) process.exit(1);
    logger.info({ signal, graceMs }, 'shutting down: no new calls; running streams may finish');
    stop(graceMs).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

try {
  await serve(process.argv.slice(3));
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
