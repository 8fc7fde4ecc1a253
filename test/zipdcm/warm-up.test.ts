// The pool worker's background warm-up (server/workers/warm-up.ts): it parses its synthetic
// members cleanly in both modes, yields to the event loop between slices (a worker must still
// take its first real task promptly), and stop() ends it before the next slice. The sample is
// read back by pydicom as well, so the warm-up exercises the parser on a valid file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import { JsonSink } from '../../server/workers/dicom-api.ts';
import { handleMemberTask } from '../../server/workers/member-task.ts';
import { sampleMember, startWarmUp } from '../../server/workers/warm-up.ts';

const PYTHON = new URL('../../.venv/bin/python', import.meta.url).pathname;

describe('worker warm-up', () => {
  it('runs every round without a parse failure', async () => {
    assert.deepEqual(await startWarmUp(40).done, { rounds: 40, failed: 0 });
  });

  it('yields between slices and stops when asked', async () => {
    const warm = startWarmUp(1_000_000);
    let timerRan = false;
    await new Promise<void>((resolve) => setTimeout(() => { timerRan = true; warm.stop(); resolve(); }, 20));
    const { rounds, failed } = await warm.done;
    assert.ok(timerRan);
    assert.ok(rounds > 0 && rounds < 1_000_000, `rounds ${rounds}`);
    assert.equal(failed, 0);
  });

  it('warms on a file pydicom reads to the same header JSON', () => {
    const member = sampleMember(7);
    const file = inflateRawSync(member.bytes);
    assert.equal(file.length, member.size);
    const ours = handleMemberTask({ mode: 'header', method: 8, bytes: member.bytes, whole: true, uncompressedSize: member.size, crc32: null, keysFilter: [], firstInput: 0 });
    assert.equal(ours.status, 'ok', ours.error ?? '');
    const script = 'import io, json, sys, pydicom; ds = pydicom.dcmread(io.BytesIO(sys.stdin.buffer.read()), stop_before_pixels=True); print(json.dumps(ds.to_json_dict()))';
    const theirs = JSON.parse(execFileSync(PYTHON, ['-c', script], { input: file, encoding: 'utf8' }));
    assert.deepEqual(JSON.parse(ours.meta!), theirs);
    // The chunk path: the same text written into a sink behind what is there already.
    const sink = new JsonSink();
    sink.raw('"before"');
    const inSink = handleMemberTask({ mode: 'header', method: 8, bytes: member.bytes, whole: false, uncompressedSize: member.size, crc32: null, keysFilter: [], firstInput: 0 }, sink);
    assert.equal(inSink.status, 'ok', inSink.error ?? '');
    assert.equal(inSink.meta, null);
    assert.deepEqual(JSON.parse(sink.bytes.subarray(inSink.metaStart, inSink.metaEnd).toString('utf8')), theirs);
    assert.deepEqual([inSink.strings, inSink.ints], [ours.strings, ours.ints]);
  });
});
