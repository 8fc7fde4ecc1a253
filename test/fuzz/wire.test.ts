// Wire-level fuzz of a real server process (Flight.proto over gRPC): hand-encoded protobuf
// requests — descriptors with hostile paths and options, forged and damaged tickets, unknown
// actions, then byte damage on the encoded message — sent to every RPC. Each call must end with
// a deliberate status (never UNKNOWN, never INTERNAL except grpc-js's own "Error deserializing
// request", no deadline hit), no status text may leak a stack or the data root's path, and the
// server must still be up and serving afterwards.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { BYTE_MUTATORS, concatBytes, mutateStack } from './mutate.ts';
import { caseSeed, Rng } from './rng.ts';
import { caseInput } from './runner.ts';

const REPO = new URL('../../', import.meta.url).pathname;
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const CASES = 600;
const CONCURRENCY = 8;
const CALL_DEADLINE_MS = 20_000;
const START_TIMEOUT_MS = 90_000;
const SERVICE = '/arrow.flight.protocol.FlightService/';
/** Statuses a deliberate refusal may use (gRPC status codes). */
const ALLOWED = new Set([grpc.status.OK, grpc.status.INVALID_ARGUMENT, grpc.status.NOT_FOUND, grpc.status.PERMISSION_DENIED,
  grpc.status.RESOURCE_EXHAUSTED, grpc.status.UNIMPLEMENTED, grpc.status.DATA_LOSS, grpc.status.UNAUTHENTICATED, grpc.status.FAILED_PRECONDITION, grpc.status.OUT_OF_RANGE]);
const GRPC_DESERIALIZE = /^Error deserializing request/;
const LEAK = /\n\s+at |node_modules|\.ts:\d+/;

// ------------------------------------------------------------ protobuf, by hand (proto3 wire format)
function varint(n: number): Uint8Array {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return new Uint8Array(out);
}
const bytesField = (field: number, b: Uint8Array) => concatBytes([varint((field << 3) | 2), varint(b.length), b]);
const varintField = (field: number, n: number) => concatBytes([varint(field << 3), varint(n)]);
const utf8 = (s: string) => new TextEncoder().encode(s);

/** FlightDescriptor: type=1 (enum), cmd=2 (bytes), path=3 (repeated string). */
function descriptor(rng: Rng): Uint8Array {
  if (rng.chance(0.6)) {
    const source = rng.pick(['fake', 'zipdcm', 'zipcsv', 'nope', '', '../fake']);
    const path = rng.pick(['', '.', 'good', 'corrupt', 'good/dicom-stored.zip', '../../etc/passwd', '/etc/passwd', 'corrupt/../..', 'x\0y', '%2e%2e/']);
    const options = rng.pick([{}, { numRows: 100 }, { numRows: -1 }, { numRows: '1e3' }, { mode: 'FAILFAST' }, { numPartitions: 1e9 }, { schema: 'a int,' }, { memberFilter: '*' }, { x: { y: [1] } }, { header: 'yes' }, { pathGlobFilter: '[a-' }, { memberFilter: '{x,' }]);
    const json = rng.chance(0.9) ? JSON.stringify({ source, path, options }) : rng.pick(['{', '[]', 'null', '{"source":1}', '\u00ff']);
    return concatBytes([varintField(1, 2), bytesField(2, utf8(json))]);
  }
  const parts = Array.from({ length: rng.range(0, 4) }, () => bytesField(3, utf8(rng.pick(['fake', 'zipdcm', 'zipcsv', 'good', '..', 'corrupt', '']))));
  return concatBytes([varintField(1, rng.pick([0, 1, 1, 2, 7])), ...parts]);
}

function ticket(rng: Rng, issued: Uint8Array[]): Uint8Array {
  let t: Uint8Array;
  if (issued.length && rng.chance(0.7)) {
    t = rng.pick(issued);
    if (rng.chance(0.8)) t = mutateStack(t, rng, BYTE_MUTATORS);
  } else t = rng.bytes(rng.range(0, 200));
  return bytesField(1, t);
}

function action(rng: Rng): Uint8Array {
  const type = rng.pick(['', 'list', 'describe', 'health', 'CancelFlightInfo', 'RenewFlightEndpoint', 'x'.repeat(300)]);
  return concatBytes([bytesField(1, utf8(type)), bytesField(2, rng.bytes(rng.range(0, 64)))]);
}

const METHODS: { name: string; stream: boolean; message: (rng: Rng, issued: Uint8Array[]) => Uint8Array }[] = [
  { name: 'GetFlightInfo', stream: false, message: descriptor },
  { name: 'GetSchema', stream: false, message: descriptor },
  { name: 'PollFlightInfo', stream: false, message: descriptor },
  { name: 'DoGet', stream: true, message: ticket },
  { name: 'DoGet', stream: true, message: ticket },
  { name: 'DoAction', stream: true, message: action },
  { name: 'ListFlights', stream: true, message: (rng) => bytesField(1, rng.bytes(rng.range(0, 16))) },
  { name: 'ListActions', stream: true, message: () => new Uint8Array(0) },
];

// ------------------------------------------------------------ server process and raw calls
let server: ChildProcess;
let address = '';
let root = '';
let client: grpc.Client;
let output = '';

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'zipflight-wire-'));
  mkdirSync(join(root, 'good'));
  mkdirSync(join(root, 'corrupt'));
  const seeds = new URL('./seeds/', import.meta.url);
  for (const n of readdirSync(seeds)) if (n.endsWith('.zip')) writeFileSync(join(root, 'good', n), readFileSync(new URL(n, seeds)));
  for (let i = 0; i < 20; i++) writeFileSync(join(root, 'corrupt', `c${i}.zip`), caseInput('zip', SEED, i));
  server = spawn(process.execPath, [join(REPO, 'bin/zipflight.mjs'), 'serve', '--root', root, '--host', '127.0.0.1', '--port', '0'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line in ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    const onData = (b: Buffer) => {
      output += b.toString();
      const m = /zipflight listening on grpc:\/\/(\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-20_000)));
    server.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  client = new grpc.Client(address, grpc.credentials.createInsecure());
});

after(() => {
  client?.close();
  server?.kill('SIGTERM');
  if (root) rmSync(root, { recursive: true, force: true });
});

interface Outcome {
  code: number;
  details: string;
  messages: Buffer[];
}

const identity = (b: Buffer) => b;
const raw = (b: Uint8Array) => Buffer.from(b);

function call(method: string, stream: boolean, message: Uint8Array): Promise<Outcome> {
  const deadline = Date.now() + CALL_DEADLINE_MS;
  return new Promise((resolve) => {
    if (!stream) {
      client.makeUnaryRequest(SERVICE + method, raw, identity, message, { deadline }, (err, value) => {
        resolve(err ? { code: err.code ?? grpc.status.UNKNOWN, details: err.details ?? '', messages: [] } : { code: grpc.status.OK, details: '', messages: [value!] });
      });
      return;
    }
    const messages: Buffer[] = [];
    const s = client.makeServerStreamRequest(SERVICE + method, raw, identity, message, new grpc.Metadata(), { deadline });
    s.on('data', (b: Buffer) => messages.push(b));
    s.on('error', (err: grpc.ServiceError) => resolve({ code: err.code, details: err.details ?? '', messages }));
    s.on('status', (st: grpc.StatusObject) => {
      if (st.code === grpc.status.OK) resolve({ code: st.code, details: st.details, messages });
    });
  });
}

/** Tickets the server issued for good reads: GetFlightInfo's endpoints (FlightInfo field 3, Ticket field 1). */
function ticketsIn(flightInfo: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  const text = flightInfo.toString('latin1');
  // A zipflight ticket is base64url "." base64url; scan for it rather than decode protobuf again.
  for (const m of text.matchAll(/[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{43}/g)) out.push(utf8(m[0]));
  return out;
}

test(`wire fuzz: ${CASES} damaged Flight requests, every one refused or served deliberately, server still up`, async (t) => {
  const issued: Uint8Array[] = [];
  for (const cmd of [{ source: 'fake', options: { numRows: 50, numPartitions: 2 } }, { source: 'zipdcm', path: 'good' }, { source: 'zipcsv', path: 'good/csv.zip' }]) {
    const info = await call('GetFlightInfo', false, concatBytes([varintField(1, 2), bytesField(2, utf8(JSON.stringify(cmd)))]));
    assert.equal(info.code, grpc.status.OK, `good GetFlightInfo ${JSON.stringify(cmd)}: ${info.details}`);
    issued.push(...ticketsIn(info.messages[0]));
  }
  assert.ok(issued.length >= 3, 'tickets found in the good FlightInfos');
  const counts: Record<string, number> = {};
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < CASES; i = next++) {
      const rng = new Rng(caseSeed(SEED, 'wire', i));
      const m = rng.pick(METHODS);
      let msg = m.message(rng, issued);
      if (rng.chance(0.3)) msg = mutateStack(msg, rng, BYTE_MUTATORS);
      const r = await call(m.name, m.stream, msg);
      const key = `${m.name}:${grpc.status[r.code]}`;
      counts[key] = (counts[key] ?? 0) + 1;
      const deliberate = ALLOWED.has(r.code) || (r.code === grpc.status.INTERNAL && GRPC_DESERIALIZE.test(r.details));
      if (!deliberate) failures.push(`#${i} ${key}: ${r.details.slice(0, 300)}`);
      if (LEAK.test(r.details) || r.details.includes(root)) failures.push(`#${i} ${key} leaks: ${r.details.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  t.diagnostic(`wire fuzz: ${CASES} calls; ${Object.entries(counts).sort().map(([k, v]) => `${k}=${v}`).join(' ')}`);
  assert.deepEqual(failures, []);
  assert.equal(server.exitCode, null, 'the server is still running');
  const after = await call('GetFlightInfo', false, concatBytes([varintField(1, 2), bytesField(2, utf8(JSON.stringify({ source: 'fake', options: { numRows: 10 } })))]));
  assert.equal(after.code, grpc.status.OK, 'the server still plans reads after the fuzz');
});
