// `zipflight serve` end to end as an operator runs it: options from a --config file and env,
// the readiness and metrics lines, a Prometheus scrape, JSON log lines on stdout, and SIGTERM
// letting a running DoGet finish before the process exits 0.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { cmd, flightClient, unaryCall } from './ops-fixture.ts';

const BIN = join(import.meta.dirname, '../../bin/zipflight.mjs');
const READY = /^zipflight listening on grpc:\/\/(\S+)$/;
const METRICS = /^zipflight metrics on (http:\/\/\S+)$/;
const START_TIMEOUT_MS = 60_000;
const ROWS = 300_000;

const dir = mkdtempSync(join(tmpdir(), 'zipflight-cli-test-'));
let child: ChildProcess | undefined;
after(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test('serve: config file + env, metrics scrape, JSON logs, SIGTERM lets a running stream finish', { timeout: 120_000 }, async () => {
  const config = join(dir, 'zipflight.json');
  writeFileSync(config, JSON.stringify({ 'max-concurrent-streams': 3, 'shutdown-grace': 20 }));
  child = spawn(process.execPath, [BIN, 'serve', '--root', dir, '--port', '0', '--config', config], {
    env: { ...process.env, ZIPFLIGHT_METRICS_PORT: '0', ZIPFLIGHT_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  const { address, metricsUrl } = await new Promise<{ address: string; metricsUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no readiness line:\n${lines.join('\n')}`)), START_TIMEOUT_MS);
    let address = '';
    createInterface({ input: child!.stdout! }).on('line', (line) => {
      lines.push(line);
      address ||= READY.exec(line)?.[1] ?? '';
      const metrics = METRICS.exec(line)?.[1];
      if (address && metrics) {
        clearTimeout(timer);
        resolve({ address, metricsUrl: metrics });
      }
    });
  });

  const client = flightClient(address);
  const info = await unaryCall<{ endpoint: { ticket: { ticket: Buffer } }[] }>(client, 'GetFlightInfo', cmd({ source: 'fake', options: { numRows: ROWS } }));
  const scrape = await (await fetch(metricsUrl)).text();
  assert.match(scrape, /zipflight_calls_total\{method="GetFlightInfo",status="OK"\} 1/);
  assert.match(scrape, /zipflight_process_resident_memory_bytes \d+/);

  // Read slowly so the stream is still running when SIGTERM arrives.
  const call = client.DoGet({ ticket: info.endpoint[0].ticket.ticket }, new grpc.Metadata(), {}) as grpc.ClientReadableStream<Buffer>;
  let frames = 0;
  const streamEnd = new Promise<string>((resolve) => {
    call.on('data', () => {
      if (++frames === 1) {
        call.pause();
        child!.kill('SIGTERM');
        setTimeout(() => call.resume(), 300);
      }
    });
    call.on('end', () => resolve('OK'));
    call.on('error', (err: grpc.ServiceError) => resolve(grpc.status[err.code]));
  });
  assert.equal(await streamEnd, 'OK');
  assert.equal(await exited, 0);
  client.close();

  const json = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  assert.equal(json.length, lines.length - 2, 'every other stdout line is JSON');
  const doGet = json.find((l) => l.method === 'DoGet');
  assert.equal(doGet?.status, 'OK');
  assert.equal(doGet?.rows, ROWS);
  assert.ok(json.some((l) => l.signal === 'SIGTERM'));
});
