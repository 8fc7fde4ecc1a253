// Text decoding with code extensions (PS3.5 §6.1.2.5, Annex H/I/J/K) against pydicom's own
// charset.decode_bytes: seeded random values built from escape sequences (known, unknown,
// cut short), text encoded by Python in the designated sets, delimiters and stray bytes, under
// random Specific Character Set combinations (pydicom's convert_encodings of the terms).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { decodeText, TEXT_DELIMITERS } from '../../server/dicom/charset.ts';
import { PYTHON, pydicomData } from './oracle.ts';

const skip = pydicomData() === null ? 'no .venv with pydicom' : false;
const CASES = 20_000;

const GENERATE = `
import json, random, sys, warnings
from pydicom.charset import CODES_TO_ENCODINGS, convert_encodings, decode_bytes
from pydicom.valuerep import TEXT_VR_DELIMS
warnings.simplefilter("ignore")
rng = random.Random(20261125)
TERMS = ["", "ISO_IR 100", "ISO_IR 192", "GB18030", "GBK", "ISO_IR 13", "ISO_IR 126", "ISO_IR 144", "ISO 2022 IR 6",
         "ISO 2022 IR 87", "ISO 2022 IR 159", "ISO 2022 IR 149", "ISO 2022 IR 58", "ISO 2022 IR 100", "ISO 2022 IR 126",
         "ISO 2022 IR 13", "ISO 2022 IR 166", "ISO 2022 IR 144", "ISO 2022 IR 138", "ISO 2022 IR 127", "ISO 2022 58", "ISO 2022 GBK"]
WORDS = ["山田太郎", "やまだ", "ﾔﾏﾀﾞ", "홍길동", "中文字", "Ωμέγα", "Müller", "Иван", "שלום", "مرحبا", "ภาษาไทย", "丂乿"]
CODECS = sorted(set(CODES_TO_ENCODINGS.values()) | {"shift_jis", "euc_kr", "gb2312", "gbk", "gb18030", "utf-8"})
ESCAPES = list(CODES_TO_ENCODINGS) + [b"\\x1b$)Z", b"\\x1b(Z", b"\\x1b$", b"\\x1b"]
def fragment():
    kind = rng.random()
    if kind < 0.35:
        word, codec = rng.choice(WORDS), rng.choice(CODECS)
        try:
            return word.encode(codec)
        except (UnicodeEncodeError, LookupError):
            return b"ab"
    if kind < 0.6:
        return rng.choice(ESCAPES)
    if kind < 0.75:
        return bytes([rng.choice([0x0D, 0x0A, 0x09, 0x0C, 0x5E, 0x3D, 0x20, 0x41])])
    return bytes(rng.randint(0x20, 0xFF) for _ in range(rng.randint(1, 4)))
out = []
while len(out) < int(sys.argv[1]):
    terms = [rng.choice(TERMS) for _ in range(rng.randint(1, 3))]
    try:
        encodings = convert_encodings(terms if len(terms) > 1 else terms[0])
    except Exception:
        continue
    value = b"".join(fragment() for _ in range(rng.randint(1, 6)))
    try:
        text = decode_bytes(value, encodings, TEXT_VR_DELIMS)
    except Exception:
        continue
    out.append([value.hex(), encodings, text.encode("utf-8", "surrogatepass").hex()])
json.dump(out, sys.stdout)
`;

test('values with escape sequences decode as pydicom\'s decode_bytes', { skip }, (t) => {
  const r = spawnSync(PYTHON, ['-c', GENERATE, String(CASES)], { encoding: 'utf8', maxBuffer: 1 << 27 });
  assert.equal(r.status, 0, r.stderr);
  const cases = JSON.parse(r.stdout) as [string, string[], string][];
  const differ: string[] = [];
  for (const [hex, encodings, expected] of cases) {
    const mine = Buffer.from(decodeText(Buffer.from(hex, 'hex'), encodings, TEXT_DELIMITERS), 'utf8').toString('hex');
    if (mine !== expected) differ.push(`${hex} under ${encodings.join(',')}: ours ${Buffer.from(mine, 'hex').toString()} pydicom ${Buffer.from(expected, 'hex').toString()}`);
  }
  t.diagnostic(`${cases.length - differ.length}/${cases.length} values decoded as pydicom does`);
  assert.deepEqual(differ.slice(0, 10), []);
});
