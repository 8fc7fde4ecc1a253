// `zipflight serve` configuration: flags beat ZIPFLIGHT_* env vars, which beat a --config JSON
// file, which beats the defaults; bad values are refused naming where they came from; --help
// documents every option; and the real CLI refuses a bad value before it serves anything.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_LIMITS } from '../../server/limits.ts';
import { ConfigError, OPTIONS, envName, loadConfig, usage } from '../../server/ops/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'zipflight-config-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function configFile(value: unknown): string {
  const path = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

test('defaults: the limits match server/limits.ts and the port is 8815', () => {
  const c = loadConfig(['--root', dir], {});
  assert.equal(c.port, 8815);
  assert.equal(c['log-level'], 'info');
  assert.equal(c['max-concurrent-streams'], DEFAULT_LIMITS.maxConcurrentStreams);
  assert.equal(c['max-members-per-request'], DEFAULT_LIMITS.maxMembersPerRequest);
  assert.equal(c['metrics-port'], undefined);
});

test('precedence: flag > env > config file > default', () => {
  const file = configFile({ port: 1111, 'log-level': 'debug', 'max-concurrent-streams': 7, 'token-ttl': 60 });
  const env = { ZIPFLIGHT_PORT: '2222', ZIPFLIGHT_LOG_LEVEL: 'warn' };
  const c = loadConfig(['--config', file, '--port', '3333'], env);
  assert.equal(c.port, 3333);
  assert.equal(c['log-level'], 'warn');
  assert.equal(c['max-concurrent-streams'], 7);
  assert.equal(c['token-ttl'], 60);
  assert.equal(c['max-member-bytes'], DEFAULT_LIMITS.maxInflatedBytesPerMember);
});

test('unrelated ZIPFLIGHT_* variables are ignored (e.g. ZIPFLIGHT_REPO from the test runner)', () => {
  assert.equal(loadConfig([], { ZIPFLIGHT_REPO: '/x', ZIPFLIGHT_USERS: 'a:b' }).port, 8815);
});

test('bad values are refused, naming their origin', () => {
  const refuses = (argv: string[], env: Record<string, string>, pattern: RegExp) => assert.throws(() => loadConfig(argv, env), (e: Error) => e instanceof ConfigError && pattern.test(e.message));
  refuses(['--port', '70000'], {}, /--port/);
  refuses(['--port', '1.5'], {}, /integer/);
  refuses([], { ZIPFLIGHT_MAX_CONCURRENT_STREAMS: '0' }, /ZIPFLIGHT_MAX_CONCURRENT_STREAMS/);
  refuses(['--log-level', 'loud'], {}, /one of/);
  refuses(['--no-such-flag'], {}, /no-such-flag/);
  refuses(['--config', configFile({ prot: 1 })], {}, /unknown option\(s\) prot/);
  refuses(['--config', configFile({ config: 'x' })], {}, /unknown option/);
  refuses(['--config', join(dir, 'missing.json')], {}, /--config/);
});

test('--help documents every option with its env var, and the secrets', () => {
  const text = usage();
  for (const [name, spec] of Object.entries(OPTIONS)) {
    assert.ok(text.includes(`--${name}`), name);
    if (!('flagOnly' in spec)) assert.ok(text.includes(envName(name)), envName(name));
  }
  for (const secret of ['ZIPFLIGHT_USERS', 'ZIPFLIGHT_TOKENS', 'ZIPFLIGHT_TICKET_KEY']) assert.ok(text.includes(secret));
});

test('the CLI prints the help and exits 0; a bad limit exits 2 before serving', () => {
  const bin = join(import.meta.dirname, '../../bin/zipflight.mjs');
  const help = spawnSync(process.execPath, [bin, 'serve', '--help'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--max-concurrent-streams/);
  const bad = spawnSync(process.execPath, [bin, 'serve', '--root', dir, '--max-member-bytes', '-1'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /max-member-bytes/);
  assert.doesNotMatch(bad.stdout, /listening/);
});
