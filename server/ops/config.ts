// `zipflight serve` configuration (issue 6 "Operations"): one table of options, each settable as a
// flag, a `ZIPFLIGHT_<NAME>` environment variable or a key of a JSON `--config FILE`, in that order
// of precedence, then its default. The help text is generated from the same table.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS } from '../limits.ts';

type Kind = 'string' | 'boolean' | 'int' | 'number';

interface OptionSpec {
  kind: Kind;
  help: string;
  default?: string | number | boolean;
  min?: number;
  max?: number;
  choices?: readonly string[];
  /** Not read from the environment or the config file (e.g. --config itself, --help). */
  flagOnly?: boolean;
}

const MAX_PORT = 65535;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const DEFAULT_TOKEN_TTL_S = 3600;
export const DEFAULT_GRACE_S = 10;
const ENV_PREFIX = 'ZIPFLIGHT_';

export const OPTIONS = {
  root: { kind: 'string', help: 'data root: every path a client names is resolved inside it' },
  sample: { kind: 'boolean', help: 'serve the built-in sample root instead of --root', default: false },
  host: { kind: 'string', help: 'address to bind (loopback unless told otherwise)', default: '127.0.0.1' },
  port: { kind: 'int', help: 'TCP port; 0 picks a free one', default: 8815, min: 0, max: MAX_PORT },
  'tls-cert': { kind: 'string', help: 'PEM certificate chain: serve grpc+tls (needs --tls-key)' },
  'tls-key': { kind: 'string', help: 'PEM private key of --tls-cert' },
  'tls-client-ca': { kind: 'string', help: 'PEM CA bundle: require client certificates it signed (mTLS)' },
  'users-file': { kind: 'string', help: 'users, one `user:password` or `user:bcrypt-hash` a line; turns auth on' },
  'token-ttl': { kind: 'int', help: 'seconds a bearer token from Handshake stays valid', default: DEFAULT_TOKEN_TTL_S, min: 1 },
  'max-members-per-request': { kind: 'int', help: 'archive members one request may plan', default: DEFAULT_LIMITS.maxMembersPerRequest, min: 1 },
  'max-member-bytes': { kind: 'int', help: 'bytes one member may inflate to (zip bombs)', default: DEFAULT_LIMITS.maxInflatedBytesPerMember, min: 1 },
  'max-compression-ratio': { kind: 'number', help: 'inflated/compressed ratio above which a member is refused', default: DEFAULT_LIMITS.maxCompressionRatio, min: 1 },
  'max-dicom-element-bytes': { kind: 'int', help: 'bytes of one DICOM header element value', default: DEFAULT_LIMITS.maxDicomElementBytes, min: 1 },
  'max-csv-record-bytes': { kind: 'int', help: 'bytes of one CSV record', default: DEFAULT_LIMITS.maxCsvRecordBytes, min: 1 },
  'max-concurrent-streams': { kind: 'int', help: 'DoGet streams served at once; more fail RESOURCE_EXHAUSTED', default: DEFAULT_LIMITS.maxConcurrentStreams, min: 1 },
  workers: { kind: 'int', help: 'parsing worker threads (default: one per core)', min: 1 },
  'log-level': { kind: 'string', help: 'JSON log level on stdout', default: 'info', choices: LOG_LEVELS },
  'metrics-port': { kind: 'int', help: 'serve Prometheus metrics on http://METRICS-HOST:PORT/metrics (0 picks one; off if unset)', min: 0, max: MAX_PORT },
  'metrics-host': { kind: 'string', help: 'address the metrics endpoint binds', default: '127.0.0.1' },
  'shutdown-grace': { kind: 'number', help: 'seconds running streams may finish after SIGTERM before they are cancelled', default: DEFAULT_GRACE_S, min: 0 },
  config: { kind: 'string', help: 'JSON file of options: {"port": 8815, "log-level": "debug", ...}', flagOnly: true },
  help: { kind: 'boolean', help: 'print this help', default: false, flagOnly: true },
} satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;
type ValueOf<K extends Kind> = K extends 'boolean' ? boolean : K extends 'string' ? string : number;
export type ServeConfig = { -readonly [N in OptionName]: ValueOf<(typeof OPTIONS)[N]['kind']> | undefined };

/** Secrets are read from the environment only, never from argv (visible in `ps`) or flags. */
export const SECRET_ENV = {
  ZIPFLIGHT_USERS: 'users as `alice:secret,bob:pw` (turns auth on; adds to --users-file)',
  ZIPFLIGHT_TOKENS: 'static bearer tokens for services, comma-separated',
  ZIPFLIGHT_TICKET_KEY: 'secret (>= 16 bytes) that signs tickets and bearer tokens; share it across a fleet (else random per process)',
};

export class ConfigError extends Error {}

export const envName = (name: string) => ENV_PREFIX + name.toUpperCase().replaceAll('-', '_');

function convert(name: string, spec: OptionSpec, raw: unknown, where: string): string | number | boolean {
  const bad = (want: string) => new ConfigError(`${where}: ${name} must be ${want}, got ${JSON.stringify(raw)}`);
  if (spec.kind === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw bad('true or false');
  }
  if (spec.kind === 'string') {
    if (typeof raw !== 'string') throw bad('a string');
    if (spec.choices && !spec.choices.includes(raw)) throw bad(`one of ${spec.choices.join(', ')}`);
    return raw;
  }
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n) || (spec.kind === 'int' && !Number.isInteger(n))) throw bad(spec.kind === 'int' ? 'an integer' : 'a number');
  if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) throw bad(`from ${spec.min ?? '-inf'} to ${spec.max ?? 'inf'}`);
  return n;
}

function readConfigFile(path: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`--config ${path}: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`--config ${path}: must be a JSON object`);
  const unknown = Object.keys(value).filter((k) => !(k in OPTIONS) || (OPTIONS as Record<string, OptionSpec>)[k].flagOnly);
  if (unknown.length) throw new ConfigError(`--config ${path}: unknown option(s) ${unknown.join(', ')}`);
  return value as Record<string, unknown>;
}

/** Flags, then ZIPFLIGHT_* env vars, then the --config file, then defaults. Throws ConfigError. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): ServeConfig {
  const flagOptions = Object.fromEntries(Object.entries(OPTIONS).map(([name, spec]) => [name, { type: spec.kind === 'boolean' ? 'boolean' : 'string' } as const]));
  let flags: Record<string, unknown>;
  try {
    flags = parseArgs({ args: argv, options: flagOptions, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const file = typeof flags.config === 'string' ? readConfigFile(flags.config) : {};
  const config: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(OPTIONS) as [string, OptionSpec][]) {
    const fromEnv = spec.flagOnly ? undefined : env[envName(name)];
    if (flags[name] !== undefined) config[name] = convert(name, spec, flags[name], `--${name}`);
    else if (fromEnv !== undefined && fromEnv !== '') config[name] = convert(name, spec, fromEnv, envName(name));
    else if (!spec.flagOnly && file[name] !== undefined) config[name] = convert(name, spec, file[name], `--config ${flags.config}`);
    else config[name] = spec.default;
  }
  return config as ServeConfig;
}

/** `zipflight serve --help`: every option with its env var and default, then the secrets. */
export function usage(): string {
  const lines = ['usage: zipflight serve (--root DIR | --sample) [options]', '', 'options (flag | environment variable | default):'];
  for (const [name, spec] of Object.entries(OPTIONS) as [string, OptionSpec][]) {
    const arg = spec.kind === 'boolean' ? '' : spec.kind === 'string' ? ' VALUE' : ' N';
    const env = spec.flagOnly ? '' : `  [${envName(name)}]`;
    const def = spec.default === undefined || spec.default === false ? '' : `  (default ${spec.default})`;
    const choices = spec.choices ? ` (one of ${spec.choices.join(', ')})` : '';
    lines.push(`  --${name}${arg}${env}${def}`, `      ${spec.help}${choices}`);
  }
  lines.push('', 'secrets, from the environment only:');
  for (const [name, help] of Object.entries(SECRET_ENV)) lines.push(`  ${name}`, `      ${help}`);
  lines.push('', 'A --config FILE is JSON whose keys are the option names above (without --).');
  return lines.join('\n');
}
