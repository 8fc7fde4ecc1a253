"""Damaged ZIP archives for test/zip/salvage.test.ts, with Python's zipfile as the oracle.

Each base archive is written by zipfile (one to a seekable file, one streamed to an unseekable
sink so every member has a data descriptor, APPNOTE 4.3.9) or by Info-ZIP `zip`; each variant
patches it (end record comment length, entry counts, directory size, a header's comment length,
stored sizes that disagree, deflated sizes running past the data) or cuts it short, as an
interrupted copy does. For every variant the oracle records what zipfile reads from it and which members Info-ZIP's `unzip -t` tests OK, and,
from the intact base, each member's bytes (SHA-256) and where its data ends, so a test can tell
which members lie wholly before a cut.

Usage: make_damaged.py OUTDIR   -> writes OUTDIR/*.zip and prints the oracle as JSON.
"""
import hashlib
import io
import json
import random
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

EOCD = b"PK\x05\x06"
CENTRAL = b"PK\x01\x02"
LOCAL_HEADER_SIZE = 30
CUTS_PER_BASE = 40


def members():
    rng = random.Random(11)
    text = "".join(f"{i},patient-{i % 97},{rng.random():.6f}\n" for i in range(3000)).encode()
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_STORED) as z:
        z.writestr("inner-a.txt", b"nested member\n" * 50)
        z.writestr("inner-b.bin", rng.randbytes(700))
    return [
        ("table.csv", text, zipfile.ZIP_DEFLATED),
        ("noise.bin", rng.randbytes(20_000), zipfile.ZIP_STORED),
        ("dir/", b"", zipfile.ZIP_STORED),
        ("dir/nested.zip", inner.getvalue(), zipfile.ZIP_STORED),
        ("dir/ümlaut.txt", "grüße\n".encode() * 200, zipfile.ZIP_DEFLATED),
        ("last.bin", rng.randbytes(3000), zipfile.ZIP_DEFLATED),
    ]


class Unseekable(io.RawIOBase):
    """A write-only sink zipfile cannot seek: it writes data descriptors after each member."""

    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.data += b
        return len(b)


def write_zip(sink):
    with zipfile.ZipFile(sink, "w") as z:
        for name, data, method in members():
            z.writestr(zipfile.ZipInfo(name, (2024, 1, 2, 3, 4, 6)) if name.endswith("/") else name, data, compress_type=method)


def bases(out: Path):
    seekable = io.BytesIO()
    write_zip(seekable)
    streamed = Unseekable()
    write_zip(streamed)
    (out / "src").mkdir(exist_ok=True)
    for name, data, _ in members():
        if not name.endswith("/"):
            (out / "src" / name).parent.mkdir(parents=True, exist_ok=True)
            (out / "src" / name).write_bytes(data)
    subprocess.run(["zip", "-q", "-X", "-r", str(out / "infozip.zip"), "."], cwd=out / "src", check=True)
    return {"py": seekable.getvalue(), "streamed": bytes(streamed.data), "infozip": (out / "infozip.zip").read_bytes()}


def read_all(data: bytes):
    """What zipfile reads: None when it cannot open; else names and, per member, SHA-256 or None."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception:
        return None
    out = []
    for info in infos:
        try:
            out.append(hashlib.sha256(zf.read(info)).hexdigest())
        except Exception:
            out.append(None)
    return {"names": [i.filename for i in infos], "sha256": out}


def unzip_reads(path: Path):
    """Names Info-ZIP `unzip -t` tests OK (it checks each member's CRC-32), or [] when it fails."""
    run = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True, errors="replace")
    return [m.group(1) for m in re.finditer(r"^\s+testing: (.+?)\s+OK$", run.stdout, re.M)]


def intact(data: bytes):
    """Per member of the intact base: name, SHA-256 and the offset where its data ends."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    out = []
    for info in zf.infolist():
        name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
        data_end = info.header_offset + LOCAL_HEADER_SIZE + name_len + extra_len + info.compress_size
        out.append({"name": info.filename, "sha256": hashlib.sha256(zf.read(info)).hexdigest(), "dataEnd": data_end})
    return out


def patch(data: bytes, at: int, fmt: str, value: int) -> bytes:
    b = bytearray(data)
    struct.pack_into(fmt, b, at, value)
    return bytes(b)


def central_headers(data: bytes):
    eocd = data.rfind(EOCD)
    size, offset = struct.unpack_from("<II", data, eocd + 12)
    pos, out = offset, []
    while pos < offset + size:
        out.append(pos)
        n, e, c = struct.unpack_from("<HHH", data, pos + 28)
        pos += 46 + n + e + c
    return eocd, out


def variants(base: bytes):
    eocd, headers = central_headers(base)
    cd_size = struct.unpack_from("<I", base, eocd + 12)[0]
    v = {
        "comment-past-eof": patch(base, eocd + 20, "<H", 53),
        "comment-past-eof-max": patch(base, eocd + 20, "<H", 0xFFFF),
        "count-lie-65534": patch(patch(base, eocd + 10, "<H", 65534), eocd + 8, "<H", 65534),
        "count-lie-0": patch(patch(base, eocd + 10, "<H", 0), eocd + 8, "<H", 0),
        "count-lie-1": patch(base, eocd + 10, "<H", 1),
        "cd-size-plus": patch(base, eocd + 12, "<I", cd_size + 10),
        "cd-size-minus": patch(base, eocd + 12, "<I", cd_size - 10),
        "cd-size-huge": patch(base, eocd + 12, "<I", 0xFFFFFFF0),
        "last-comment-past-cd": patch(base, headers[-1] + 32, "<H", 40),
        "middle-comment-swallows": patch(base, headers[1] + 32, "<H", 0xFFFF),
        "cd-middle-signature": patch(base, headers[3], "<I", 0x02014B51),
        "cd-first-signature": patch(base, headers[0], "<I", 0x02014B51),
        "eocd-signature": patch(base, eocd, "<I", 0x06054B51),
        "no-directory": base[: min(headers)],
    }
    for i, h in enumerate(headers):
        method, = struct.unpack_from("<H", base, h + 10)
        if method == zipfile.ZIP_DEFLATED:
            csize = struct.unpack_from("<I", base, h + 20)[0]
            v[f"deflated-{i}-csize-plus"] = patch(base, h + 20, "<I", csize + 50)
            v[f"deflated-{i}-csize-huge"] = patch(base, h + 20, "<I", 0x7FFFFFFF)
        if method == zipfile.ZIP_STORED and struct.unpack_from("<I", base, h + 24)[0] > 0:
            csize, usize = struct.unpack_from("<II", base, h + 20)
            v[f"stored-{i}-usize-plus"] = patch(base, h + 24, "<I", usize + 29)
            v[f"stored-{i}-csize-plus"] = patch(base, h + 20, "<I", csize + 20)
            v[f"stored-{i}-usize-minus"] = patch(base, h + 24, "<I", usize - 1)
    rng = random.Random(len(base))
    cuts = sorted({rng.randrange(1, len(base)) for _ in range(CUTS_PER_BASE)} | {len(base) - 1, len(base) - 22, min(headers), min(headers) + 3})
    for cut in cuts:
        v[f"cut-{cut}"] = base[:cut]
    return v


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    oracle = {}
    for base_name, base in bases(out).items():
        truth = intact(base)
        for name, data in variants(base).items():
            file = f"{base_name}-{name}.zip"
            (out / file).write_bytes(data)
            oracle[file] = {"base": base_name, "size": len(data), "intact": truth, "zipfile": read_all(data), "unzip": unzip_reads(out / file)}
    json.dump(oracle, sys.stdout)


if __name__ == "__main__":
    main()
