// Multi-byte character sets against Python's codecs, which pydicom decodes with (strict, then
// errors="replace"): every byte pair with a high first byte under GB18030, GBK, GB2312, euc_kr, shift_jis
// (charset-gb.ts, charset-kr.ts), every GB18030 four-byte BMP sequence, Korean make-up sequences,
// and seeded random byte strings (UTF-8 too), decoded as pydicom's decode_bytes does for text
// without escape sequences.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { decodeText, TEXT_DELIMITERS } from '../../server/dicom/charset.ts';
import { decodeIso2022Jp } from '../../server/dicom/charset-iso2022.ts';
import { PYTHON, pydicomData } from './oracle.ts';

const skip = pydicomData() === null ? 'no .venv' : false;

const GENERATE = `
import random, sys
ESC = 0x1B
rng = random.Random(20261125)
def make_up(cho, jung, jong):
    return bytes([0xA4, 0xD4, 0xA4, cho, 0xA4, jung, 0xA4, jong])
def cases(codec):
    out = [bytes([a, b]) for a in range(0x80, 0x100) for b in range(0x100) if b != ESC] if codec != "UTF8" else []
    alphabet = [0x30, 0x35, 0x39, 0x40, 0x41, 0x7F, 0x80, 0x81, 0xA1, 0xA8, 0xAA, 0xD7, 0xF8, 0xFE, 0xFF]
    if codec == "euc_kr":
        gr = range(0xA1, 0xFF)
        out += [make_up(c, 0xBF, 0xD4) for c in gr] + [make_up(0xA1, c, 0xD4) for c in gr] + [make_up(0xA1, 0xBF, c) for c in gr]
        out += [bytes(rng.choice([0xA4, 0xD4, 0xA1, 0xBE, 0xBF, 0xD3, 0xB0, 0x41]) for _ in range(rng.randint(2, 12))) for _ in range(3000)]
    if codec == "UTF8":
        out += [b"\\xed\\xa0\\x80", b"\\xc0\\x80", b"\\xf4\\x90\\x80\\x80", b"\\xe2\\x82", b"a\\xf0\\x9f\\x98", b"\\xef\\xbb\\xbfx", b"\\xf0\\x9f\\x98\\x80"]
        alphabet = [0x41, 0x80, 0xBF, 0xC2, 0xC0, 0xE0, 0xE2, 0xED, 0xA0, 0xF0, 0xF4, 0x90, 0x9F, 0xFF]
    if codec == "GB18030":
        for i in range(39420):
            c1, r = divmod(i, 12600); c2, r = divmod(r, 1260); c3, c4 = divmod(r, 10)
            out.append(bytes([0x81 + c1, 0x30 + c2, 0x81 + c3, 0x30 + c4]))
        out += [bytes([rng.randint(0x81, 0xFE), rng.randint(0x30, 0x39), rng.randint(0x81, 0xFE), rng.randint(0x30, 0x39)]) for _ in range(3000)]
    for _ in range(3000):
        out.append(bytes(rng.choice(alphabet) if rng.random() < 0.7 else rng.choice([b for b in range(256) if b != ESC]) for _ in range(rng.randint(1, 9))))
    return out
for codec in ("GB18030", "GBK", "GB2312", "euc_kr", "shift_jis", "UTF8"):
    for data in cases(codec):
        sys.stdout.write(codec + " " + data.hex() + " " + data.decode(codec, "replace").encode("utf-8").hex() + "\\n")
`;

test('GB18030, GBK, GB2312, euc_kr, Shift_JIS and UTF-8 decode as Python\'s codecs, valid and invalid bytes', { skip }, (t) => {
  const r = spawnSync(PYTHON, ['-c', GENERATE], { encoding: 'utf8', maxBuffer: 1 << 27 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  const differ: string[] = [];
  for (const line of lines) {
    const [codec, hex, expected] = line.split(' ');
    const mine = Buffer.from(decodeText(Buffer.from(hex, 'hex'), [codec], TEXT_DELIMITERS), 'utf8').toString('hex');
    if (mine !== expected && differ.length < 10) differ.push(`${codec} ${hex}: ours ${mine}, Python ${expected}`);
  }
  assert.deepEqual(differ, []);
  t.diagnostic(`${lines.length} byte strings decoded as Python does`);
});

const GENERATE_ISO2022 = `
import random, sys
rng = random.Random(7)
alphabet = [0x1B, 0x1B, 0x24, 0x28, 0x29, 0x2E, 0x26, 0x40, 0x41, 0x42, 0x43, 0x44, 0x46, 0x4A, 0x4E, 0x49,
            0x21, 0x22, 0x30, 0x50, 0x7E, 0x5C, 0x20, 0x0A, 0x0E, 0x0F, 0x7F, 0x80, 0xA1, 0xE1, 0xFF]
for codec in ("iso2022_jp", "iso2022_jp_2"):
    for _ in range(int(sys.argv[1])):
        data = bytes(rng.choice(alphabet) for _ in range(rng.randint(1, 14)))
        try:
            data.decode(codec)
            strict = "1"
        except UnicodeDecodeError:
            strict = "0"
        sys.stdout.write(codec + " " + data.hex() + " " + data.decode(codec, "replace").encode("utf-8").hex() + " " + strict + "\\n")
`;

test('ISO 2022 escapes, designations and SS2 decode as Python\'s iso2022_jp and iso2022_jp_2', { skip }, (t) => {
  const r = spawnSync(PYTHON, ['-c', GENERATE_ISO2022, '20000'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  const differ: string[] = [];
  for (const line of lines) {
    const [codec, hex, expected, strict] = line.split(' ');
    const text = decodeIso2022Jp(Buffer.from(hex, 'hex'), false, codec === 'iso2022_jp_2') as string;
    const mine = Buffer.from(text, 'utf8').toString('hex');
    if (mine !== expected && differ.length < 10) differ.push(`${codec} ${hex}: ours ${mine}, Python ${expected}`);
    // Strict decoding (pydicom tries it first) fails exactly where Python's raises.
    const fatal = decodeIso2022Jp(Buffer.from(hex, 'hex'), true, codec === 'iso2022_jp_2');
    if ((fatal !== null) !== (strict === '1') && differ.length < 10) differ.push(`${codec} ${hex}: strict ours ${fatal !== null}, Python ${strict === '1'}`);
  }
  assert.deepEqual(differ, []);
  t.diagnostic(`${lines.length} byte strings decoded as Python does`);
});
