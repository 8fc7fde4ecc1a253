// hashes=true for members too large to hold (server/sources/zipdcm-stream.ts): the member streams
// by in chunks, and `hash`, `pixel_hash` and `meta` must still be what pydicom 3.0 makes of the
// whole file (SHA-1 of the bytes, of ds.PixelData, and full to_json_dict() minus the default
// dicomKeysFilter). Run over pydicom's own test files, whatever the chunking and however early
// the header is first tried (so Pixel Data is met mid-stream, or never before the end).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { streamMemberHashes } from '../../server/sources/zipdcm-stream.ts';
import { DEFAULT_KEYS_FILTER } from '../../server/sources/zipdcm-options.ts';

const PYTHON = new URL('../../.venv/bin/python', import.meta.url).pathname;
const ORACLE = `
import hashlib, json, logging, pathlib, warnings, pydicom
warnings.simplefilter("ignore")
logging.getLogger("pydicom").setLevel(logging.CRITICAL)
FILTER = {"60003000", "7FE00010", "00283010", "00283006"}
out = []
for p in sorted((pathlib.Path(pydicom.__file__).parent / "data" / "test_files").glob("*.dcm")):
    data = p.read_bytes()
    try:
        ds = pydicom.dcmread(p)
        meta = {k: v for k, v in ds.to_json_dict().items() if k not in FILTER}
    except Exception:
        continue
    if ds.file_meta.get("TransferSyntaxUID") == "1.2.840.10008.1.2.1.99":
        continue  # deflated: Pixel Data offsets index the inflated dataset; such members are held whole
    pixel = hashlib.sha1(ds.PixelData).hexdigest() if "PixelData" in ds else None
    out.append({"path": str(p), "sha1": hashlib.sha1(data).hexdigest(), "pixel": pixel,
                "meta": json.loads(json.dumps(meta), parse_constant=lambda c: None)})
print(json.dumps(out))
`;

interface Case { path: string; sha1: string; pixel: string | null; meta: unknown }
const cases: Case[] = JSON.parse(execFileSync(PYTHON, ['-c', ORACLE], { encoding: 'utf8', maxBuffer: 256 << 20 }));
const KEYS = DEFAULT_KEYS_FILTER.split(',');

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

async function* chunked(data: Uint8Array, random: () => number, maxChunk: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < data.length; ) {
    const n = 1 + Math.floor(random() * maxChunk);
    yield data.slice(at, at + n);
    at += n;
  }
}

test('the oracle covers files with and without Pixel Data', () => {
  assert.ok(cases.filter((c) => c.pixel !== null).length >= 20);
  assert.ok(cases.filter((c) => c.pixel === null).length >= 5);
});

for (const [firstParse, maxChunk] of [[256, 700], [4096, 64 << 10], [64 << 10, 1 << 20]] as const) {
  test(`streamed members equal pydicom (first header try ${firstParse} B, chunks up to ${maxChunk} B)`, async () => {
    const random = lcg(firstParse);
    const wrong: string[] = [];
    for (const c of cases) {
      const data = new Uint8Array(readFileSync(c.path));
      const r = await streamMemberHashes(chunked(data, random, maxChunk), KEYS, firstParse);
      const name = c.path.split('/').pop();
      if (r.hash !== c.sha1) wrong.push(`${name}: hash`);
      if (r.pixelHash !== c.pixel) wrong.push(`${name}: pixel_hash ${r.pixelHash} != ${c.pixel}`);
      if (r.meta === null || JSON.stringify(sortKeys(JSON.parse(r.meta))) !== JSON.stringify(sortKeys(c.meta))) wrong.push(`${name}: meta`);
    }
    assert.deepEqual(wrong, []);
  });
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}
