// `zipflight ls|info|schema|get` as a person runs it: a child process of bin/zipflight.mjs against a
// real server on port 0. Output formats are read back with independent parsers (Arrow's IPC reader,
// JSON.parse); failures exit 1 with the server's message, usage errors exit 2.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { startTestServer, type TestServer } from './server-fixture.ts';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '../../bin/zipflight.mjs');
const CLI_TIMEOUT_MS = 60_000;

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.stop());

interface Run {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs the CLI asynchronously: the server lives in this process and must keep serving. */
function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args, '--uri', t.server.url], { encoding: 'buffer', timeout: CLI_TIMEOUT_MS, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr: stderr.toString() });
    });
  });
}

test('ls lists fake with its description and columns', async () => {
  const r = await cli('ls');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.toString(), /^fake: Synthetic/m);
  assert.match(r.stdout.toString(), /zipcode\s+Utf8/);
});

test('get --format json: one object per line, limited', async () => {
  const r = await cli('get', '--source', 'fake', '--option', 'numRows=50', '--option', 'schema=id int, city string', '--format', 'json', '--limit', '7');
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.toString().trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(rows.length, 7);
  assert.deepEqual(Object.keys(rows[0]), ['id', 'city']);
  assert.equal(typeof rows[0].id, 'number');
});

test('get --format arrow: an IPC stream of every row, over several endpoints', async () => {
  const r = await cli('get', '--source', 'fake', '--option', 'numRows=1000', '--option', 'numPartitions=3', '--format', 'arrow');
  assert.equal(r.code, 0, r.stderr);
  const table = tableFromIPC(r.stdout);
  assert.equal(table.numRows, 1000);
  assert.deepEqual(table.schema.fields.map((f) => f.name), ['name', 'date', 'zipcode', 'state']);
  const direct = await t.client.readAll({ source: 'fake', options: { numRows: 1000, numPartitions: 3 } });
  assert.deepEqual(table.getChild('name')?.toArray(), direct.getChild('name')?.toArray());
});

test('an unknown source exits 1 with the server message; a missing --source exits 2', async () => {
  const r = await cli('get', '--source', 'zipdicom');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /NOT_FOUND: unknown source 'zipdicom'/);
  const usage = await cli('info');
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--source is required/);
});
