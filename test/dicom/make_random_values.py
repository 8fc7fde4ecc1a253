#!/usr/bin/env python3
"""Write DICOM files full of seeded random values, for the text writer's fast paths.

Usage: make_random_values.py OUTDIR [SEED]. Each file holds one sequence of items, each item a
run of explicit VR elements (PS3.5 §7.1.2) of the VRs parseDicomText writes without the model:
DS/IS in every layout Python's float()/int() take (signs, blanks, leading and trailing zeros,
exponents, 16+ digits, tiny and huge), strings with quotes, backslashes, controls and Latin-1,
PN groups, UI/AE/UR, binary numbers (random bytes: NaN and infinities too) and AT. The values are
drawn here; what they MEAN is left to pydicom (the oracle, via pydicom_dump.py) and our parser.
"""
import os
import random
import struct
import sys

LONG = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"}
UNDEF = 0xFFFFFFFF
FILES = 12
ITEMS = 60
ELEMENTS = 14
# Text bytes: plain ASCII most of the time, then the ones JSON escapes and Latin-1's upper half.
PLAIN = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .-_^"
SPECIAL = b'"\\/\t\n\r\x0c\x08\x01\x1f\x7f\x80\x85\xa0\xe9\xff='
NUMBER_SIZES = {"US": 2, "SS": 2, "UL": 4, "SL": 4, "FL": 4, "FD": 8}


def ex(tag, vr, val):
    if vr in LONG:
        return struct.pack("<HH2sHL", tag >> 16, tag & 0xFFFF, vr.encode(), 0, len(val)) + val
    return struct.pack("<HH2sH", tag >> 16, tag & 0xFFFF, vr.encode(), len(val)) + val


def part10(dataset):
    ts = b"1.2.840.10008.1.2.1\0"
    meta = ex(0x00020010, "UI", ts)
    return b"\0" * 128 + b"DICM" + ex(0x00020000, "UL", struct.pack("<L", len(meta))) + meta + dataset


def decimal(r):
    form = r.randrange(9)
    if form == 0:
        return str(r.randint(-10**6, 10**6))
    if form == 1:
        return f"{r.uniform(-1e4, 1e4):.{r.randrange(0, 12)}f}"
    if form == 2:
        return f"{r.uniform(-1, 1) * 10 ** r.randrange(-12, 20):.{r.randrange(1, 19)}g}"
    if form == 3:
        return r.choice(["0", "-0", "0.0", "-0.0", ".5", "5.", "+.5", "-5.", "00012.3400", "0.0001", "0.00009999",
                         "1e-4", "1E5", "9999999999999999", "123456789012345", "1234567890123456", "0.1234567890123456",
                         "1.000000000000001", "100000000000000.", "1e16", "-1e-7", "+12", "0.12345678901234567",
                         "1.0000000000000001", "0.30000000000000004", "9007199254740993", "2.2250738585072014e-308"])
    if form == 4:
        digits = "".join(r.choice("0123456789") for _ in range(r.randrange(1, 19)))
        cut = r.randrange(0, len(digits) + 1)
        return ("-" if r.random() < 0.3 else "") + digits[:cut] + "." + digits[cut:]
    if form == 5:
        return f"{r.randrange(1, 10**r.randrange(1, 9))}e{r.randrange(-20, 20)}"
    if form == 6:
        return "0." + "0" * r.randrange(0, 7) + str(r.randrange(1, 10**r.randrange(1, 19)))
    if form == 7:
        return str(r.randrange(10**15, 10**17)) + "." + str(r.randrange(10))
    return f"{r.uniform(-100, 100):.15g}"


def integer(r):
    sign = r.choice(["", "", "-", "+"])
    return sign + "0" * r.randrange(0, 3) + str(r.randrange(0, 10 ** r.randrange(1, 17)))


def pad(r, text):
    """Blanks around a number and the trailing NUL some writers leave; both are stripped."""
    return " " * r.randrange(0, 2) + text + " " * r.randrange(0, 2)


def multi(r, make, most=3):
    return "\\".join(make(r) for _ in range(r.randrange(1, most + 1)))


def text(r, n, alphabet=None):
    pool = alphabet or (PLAIN * 6 + SPECIAL)
    return bytes(r.choice(pool) for _ in range(n))


def person(r):
    groups = [text(r, r.randrange(1, 8), PLAIN.replace(b"=", b""))]
    for _ in range(r.randrange(0, 4)):
        groups.append(text(r, r.randrange(0, 5), PLAIN + b'"\xe9'))
    return b"=".join(groups)


def value(r, vr):
    if vr == "DS":
        return multi(r, lambda r: pad(r, decimal(r))).encode()
    if vr == "IS":
        return multi(r, lambda r: pad(r, integer(r))).encode()
    if vr in NUMBER_SIZES:
        return bytes(r.randrange(256) for _ in range(NUMBER_SIZES[vr] * r.randrange(0, 4)))
    if vr == "AT":
        return bytes(r.randrange(256) for _ in range(4 * r.randrange(0, 3)))
    if vr == "PN":
        return b"\\".join(person(r) for _ in range(r.randrange(1, 3))) + b" " * r.randrange(0, 2)
    if vr in ("UI", "AE", "UR"):
        return text(r, r.randrange(0, 24), PLAIN + b" \\\t\0\xa0")
    if vr in ("OB", "UN"):
        return bytes(r.randrange(256) for _ in range(r.randrange(0, 40)))
    return text(r, r.randrange(0, 30)) + b"\0" * r.randrange(0, 2)


VRS = ["DS"] * 6 + ["IS"] * 3 + ["CS", "LO", "SH", "ST", "LT", "UT", "DA", "TM", "AS", "UC", "PN", "PN",
                                "UI", "AE", "UR", "US", "SS", "UL", "SL", "FL", "FD", "AT", "OB", "UN"]


def dataset(r):
    items = b""
    for _ in range(ITEMS):
        body = b"".join(ex(0x00109001 + k, vr, value(r, vr)) for k, vr in enumerate(r.choice(VRS) for _ in range(ELEMENTS)))
        items += struct.pack("<HHL", 0xFFFE, 0xE000, len(body)) + body
    # A top-level DS and an IS too: the top level is written by the same code as items.
    # And the key columns' tags (parseDicomText's keyValues), with the same random values.
    keys = [(0x00080016, "UI"), (0x00080018, "UI"), (0x00080020, "DA"), (0x00080060, "CS"), (0x00100020, "LO"),
            (0x0020000D, "UI"), (0x00280010, "US"), (0x00280011, "US"), (0x00280030, "DS"), (0x00280034, "IS")]
    top = b"".join(ex(tag, vr, value(r, vr)) for tag, vr in keys)
    return top + ex(0x00400275, "SQ", b"") [:-4] + struct.pack("<L", UNDEF) + items + struct.pack("<HHL", 0xFFFE, 0xE0DD, 0)


def main():
    out = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    r = random.Random(seed)
    for n in range(FILES):
        with open(os.path.join(out, f"random_values_{n}.dcm"), "wb") as f:
            f.write(part10(dataset(r)))


if __name__ == "__main__":
    main()
