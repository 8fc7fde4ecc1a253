// The worker pool runs many chunk tasks at once (server/workers/pool.ts: FIFO queue, two tasks
// handed to each worker, run one after the other by member-worker.cjs over the thread's shared
// text and block buffers). Many chunks of one Info-ZIP archive fired together must each come back
// with their own members' rows, in order: every row's meta parses and names the SOP Instance UID
// and Modality pydicom reads from the file zipped at that position. (Without member-worker.cjs's
// one-at-a-time chain this passed too: piscina delivered each task in a macrotask of its own here,
// so the chain guards a delivery order this test could not provoke.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FileHandleReader } from '../../server/storage/random-access-file.ts';
import { openZip, zipLimits } from '../../server/zip/archive.ts';
import { packMembers } from '../../server/workers/member-batch.ts';
import { unpackColumns, type Utf8Part } from '../../server/workers/member-columns.ts';
import { closePool, configurePool, runBatchTask } from '../../server/workers/pool.ts';
import { DEFAULT_KEYS_FILTER } from '../../server/sources/zipdcm-options.ts';

const PYTHON = new URL('../../.venv/bin/python', import.meta.url).pathname;
const ORACLE = `
import json, logging, pathlib, warnings, pydicom
warnings.simplefilter("ignore")
logging.getLogger("pydicom").setLevel(logging.CRITICAL)
out = []
for p in sorted((pathlib.Path(pydicom.__file__).parent / "data" / "test_files").glob("*.dcm")):
    try:
        ds = pydicom.dcmread(p, stop_before_pixels=True)
    except Exception:
        continue
    uid, modality = ds.get("SOPInstanceUID"), ds.get("Modality")
    if uid and modality and ds.file_meta.get("TransferSyntaxUID") != "1.2.840.10008.1.2.1.99":
        out.append({"path": str(p), "uid": str(uid), "modality": str(modality)})
print(json.dumps(out[:12]))
`;
/** Members per archive: copies of the oracle's files under distinct names, in a known order. */
const COPIES = 8;
const CHUNK = 5;
const THREADS = 2;

interface Case { path: string; uid: string; modality: string }
const cases: Case[] = JSON.parse(execFileSync(PYTHON, ['-c', ORACLE], { encoding: 'utf8' }));
const dir = mkdtempSync(join(tmpdir(), 'zipflight-pool-order-'));
after(async () => {
  await closePool();
  rmSync(dir, { recursive: true, force: true });
});

function text(part: Utf8Part, i: number): string | null {
  return part.valid[i] ? Buffer.from(part.bytes.subarray(part.offsets[i], part.offsets[i + 1])).toString('utf8') : null;
}

test('concurrent chunk tasks each return their own members in order', async () => {
  assert.ok(cases.length >= 8, `oracle found ${cases.length} files`);
  // Info-ZIP writes the members in the order named: member k is a copy of cases[k % n].
  const names: string[] = [];
  for (let c = 0; c < COPIES; c++) {
    cases.forEach((k, i) => {
      const name = `m${String(c * cases.length + i).padStart(4, '0')}.dcm`;
      symlinkSync(k.path, join(dir, name));
      names.push(name);
    });
  }
  execFileSync('zip', ['-q', '-9', 'a.zip', ...names], { cwd: dir });
  const file = await FileHandleReader.open(join(dir, 'a.zip'));
  try {
    const members = (await openZip(file)).entries.filter((e) => e.name.endsWith('.dcm'));
    assert.deepEqual(members.map((e) => e.name), names);
    configurePool(THREADS);
    const chunks: number[] = [];
    for (let at = 0; at < members.length; at += CHUNK) chunks.push(at);
    const parts = await Promise.all(chunks.map((at) => runBatchTask({
      kind: 'batch', fd: file.fd, fileSize: file.size, mode: 'header', keysFilter: DEFAULT_KEYS_FILTER.split(','),
      limits: zipLimits(), members: packMembers(members.slice(at, at + CHUNK)),
    })));
    parts.forEach((packed, c) => {
      const cols = unpackColumns(packed);
      assert.equal(cols.length, Math.min(CHUNK, members.length - chunks[c]));
      for (let i = 0; i < cols.length; i++) {
        const want = cases[(chunks[c] + i) % cases.length];
        const where = `${names[chunks[c] + i]} (${want.path})`;
        assert.equal(cols.errors[i], null, where);
        const meta = JSON.parse(text(cols.meta, i) ?? 'null') as Record<string, { Value?: unknown[] }>;
        assert.equal(meta['00080018']?.Value?.[0], want.uid, where);
        assert.equal(meta['00080060']?.Value?.[0], want.modality, where);
        assert.equal(text(cols.strings[0], i), want.uid, where);
      }
    });
  } finally {
    await file.close();
  }
});
