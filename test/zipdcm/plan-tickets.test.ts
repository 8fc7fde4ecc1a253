// zipdcm planning at scale (server/sources/zipdcm-plan.ts): a partition spanning many archives is
// cut into more endpoints so that every Ticket stays under DoGet's 64 KiB limit, rowids still run
// 0..n-1 without gaps, and every member is planned exactly once. Archives written by Python's zipfile.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DataRoot } from '../../server/storage/data-root.ts';
import { planZipdcm } from '../../server/sources/zipdcm-plan.ts';
import { parseZipdcmOptions } from '../../server/sources/zipdcm-options.ts';
import { decodeTicket, encodeTicket } from '../../server/protocol/ticket.ts';

const PYTHON = new URL('../../.venv/bin/python', import.meta.url).pathname;
const ARCHIVES = 600;
const MEMBERS = 3;
const dir = mkdtempSync(join(tmpdir(), 'zipdcm-tickets-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a plan over many archives keeps every ticket under 64 KiB, rowids contiguous', async () => {
  const script = `
import os, sys, zipfile
root, n, m = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    d = os.path.join(root, f"study-with-a-rather-long-directory-name-{i:05d}")
    os.makedirs(d)
    with zipfile.ZipFile(os.path.join(d, f"series-with-a-long-archive-name-{i:05d}.zip"), "w") as z:
        for k in range(m):
            z.writestr(f"IM{k:06d}.dcm", b"x" * 10)
`;
  execFileSync(PYTHON, ['-c', script, dir, String(ARCHIVES), String(MEMBERS)]);
  const root = await DataRoot.open(dir);
  const options = { numPartitions: '1' };
  const parts = await planZipdcm(root, '', parseZipdcmOptions(options));
  assert.ok(parts.length > 1, `one partition asked for, ${parts.length} planned`);
  const key = Buffer.alloc(32, 7);
  let next = 0;
  for (const p of parts) {
    const ticket = encodeTicket({ source: 'zipdcm', path: '', options, spec: p.spec }, key);
    assert.ok(ticket.byteLength <= 64 * 1024, `ticket of ${ticket.byteLength} bytes`);
    assert.deepEqual(decodeTicket(ticket, key).spec, p.spec);
    for (const s of p.spec.segments) {
      assert.equal(s.first, next);
      next += s.kind === 'zip' ? s.count : 1;
    }
  }
  assert.equal(next, ARCHIVES * MEMBERS);
});
