"""ZIP fixtures for test/zip, written by Python's zipfile and Info-ZIP `zip`, with the oracle:
what Python's zipfile reads from each (names, sizes, CRCs, offsets, SHA-256 of every member).

Usage: make_fixtures.py OUTDIR           -> writes OUTDIR/*.zip and prints the oracle as JSON.
       make_fixtures.py --sparse64 OUTDIR -> only the sparse > 4 GiB ZIP64 archive and its oracle.
"""
import hashlib
import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

CT_SIDE = 512  # a 512x512 16-bit CT-like slice
SMALL_ZIP64_LIMIT = 1000  # makes zipfile write ZIP64 extras and end records for small members
BOMB_BYTES = 32 << 20  # zeros deflated at level 9: ~1030:1, past the default ratio limit
HOLE_END = (4 << 30) + 12345  # members after a filesystem hole sit past 4 GiB (ZIP64 offsets)
BIG_ZEROS = 256 << 20  # inflated size of the member past the hole
SHA_MAX = 64 << 20  # larger members are described by size and CRC only


def ct_like_slice():
    """Smooth anatomy-like gradient plus noise: compresses about as badly as real CT."""
    rng = random.Random(512)
    out = bytearray()
    for y in range(CT_SIDE):
        for x in range(CT_SIDE):
            r2 = (x - 256) ** 2 + (y - 256) ** 2
            base = 1000 + (40 if r2 < 200 ** 2 else -1000) + (x * 3 + y) % 64
            out += struct.pack("<H", max(0, base + rng.randrange(-30, 30)) & 0xFFFF)
    return bytes(out)


def contents():
    rng = random.Random(7)
    return [
        ("hello.txt", b"hello world\n" * 1000),
        ("random.bin", rng.randbytes(100_000)),
        ("zeros.bin", bytes(1 << 20)),
        ("empty.txt", b""),
        ("sub/", None),
        ("sub/ct.raw", ct_like_slice()),
    ]


def write_zip(target, members, compression=zipfile.ZIP_DEFLATED, level=None, force_zip64=False, comment=b""):
    with zipfile.ZipFile(target, "w", compression=compression, compresslevel=level) as zf:
        for name, data in members:
            if data is None:
                zf.mkdir(name.rstrip("/")) if hasattr(zf, "mkdir") else zf.writestr(name, b"")
            elif force_zip64:
                with zf.open(name, "w", force_zip64=True) as f:
                    f.write(data)
            else:
                zf.writestr(name, data)
        zf.comment = comment


class Unseekable(io.RawIOBase):
    """A write-only stream: zipfile then writes data descriptors (APPNOTE 4.3.9)."""

    def __init__(self):
        self.buf = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.buf += b
        return len(b)


def python_archives(out):
    files = contents()
    write_zip(out / "py-deflated.zip", files)
    write_zip(out / "py-stored.zip", files, compression=zipfile.ZIP_STORED)
    write_zip(out / "py-level0.zip", files, level=0)
    write_zip(out / "py-level9.zip", files, level=9)
    write_zip(out / "py-force64.zip", files, force_zip64=True)
    saved = zipfile.ZIP64_LIMIT
    zipfile.ZIP64_LIMIT = SMALL_ZIP64_LIMIT
    try:
        write_zip(out / "py-zip64.zip", files)
    finally:
        zipfile.ZIP64_LIMIT = saved
    stream = Unseekable()
    write_zip(stream, files)
    (out / "py-descriptor.zip").write_bytes(bytes(stream.buf))
    utf8 = [("Ünïcödé/ファイル.txt", "grüße\n".encode() * 50), ("emoji-😀.bin", bytes(range(256)) * 8)]
    write_zip(out / "py-utf8.zip", utf8, comment="archive comment: ok".encode())
    write_zip(out / "py-comment.zip", files[:2], comment=b"a comment with \x00 and \xff bytes")
    sfx = b"#!/bin/sh\necho self-extractor\nexit 0\n" + random.Random(9).randbytes(5000)
    (out / "py-prepended.zip").write_bytes(sfx + (out / "py-deflated.zip").read_bytes())
    write_zip(out / "py-bzip2.zip", files[:1], compression=zipfile.ZIP_BZIP2)
    write_zip(out / "py-lzma.zip", files[:1], compression=zipfile.ZIP_LZMA)
    write_zip(out / "py-empty.zip", [])
    write_zip(out / "py-bomb.zip", [("bomb.bin", bytes(BOMB_BYTES))], level=9)
    fuzz_seeds(out)


def fuzz_seeds(out):
    """Small archives (a few hundred bytes) for the mutation fuzz: every structure, little data."""
    rng = random.Random(11)
    small = [("a.txt", b"alpha\n" * 50), ("b.bin", rng.randbytes(300)), ("c/", None), ("c/d.txt", "δέλτα".encode() * 40)]
    write_zip(out / "fuzz-deflated.zip", small, comment=b"seed")
    write_zip(out / "fuzz-stored.zip", small, compression=zipfile.ZIP_STORED)
    stream = Unseekable()
    write_zip(stream, small)
    (out / "fuzz-descriptor.zip").write_bytes(bytes(stream.buf))
    saved = zipfile.ZIP64_LIMIT
    zipfile.ZIP64_LIMIT = 100
    try:
        write_zip(out / "fuzz-zip64.zip", small)
    finally:
        zipfile.ZIP64_LIMIT = saved
    (out / "fuzz-prepended.zip").write_bytes(b"MZ" + bytes(40) + (out / "fuzz-deflated.zip").read_bytes())


def sparse_zip64(out):
    """zipfile writes a first member, then (told its directory starts past 4 GiB) the next ones
    after a hole: real ZIP64 offsets, extras and end records in a file of ~1 MB on disk."""
    with zipfile.ZipFile(out / "py-sparse64.zip", "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("first.txt", b"before the hole\n" * 100)
        zf.start_dir = HOLE_END  # where zipfile will write next; the gap stays a hole
        chunk = bytes(1 << 20)
        with zf.open("after-hole/zeros.bin", "w", force_zip64=True) as member:
            for _ in range(BIG_ZEROS // len(chunk)):
                member.write(chunk)
        zf.writestr("after-hole/tail.txt", b"past four GiB\n" * 100)


def infozip_archives(out):
    if shutil.which("zip") is None:
        return
    src = out / "src"
    for name, data in contents():
        path = src / name
        if data is None:
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    (src / b"caf\x81.txt".decode("latin-1")).write_bytes(b"a name that is not UTF-8\n")
    names = sorted(p.relative_to(src).as_posix() for p in src.rglob("*"))

    def zip_to(target, *flags, stdin=None):
        cmd = ["zip", "-q", "-X", *flags]
        with open(out / target, "wb") as sink:
            # Piping stdout makes zip stream: local headers without sizes plus data descriptors.
            proc = subprocess.run(cmd, cwd=src, input=stdin, stdout=subprocess.PIPE, check=True)
            sink.write(proc.stdout)

    zip_to("iz-default.zip", "-", *names)
    zip_to("iz-store.zip", "-0", "-", *names)
    zip_to("iz-stdin.zip", "-", "-", stdin=b"piped through stdin\n" * 4000)
    zip_to("iz-encrypted.zip", "-P", "secret", "-", "hello.txt")
    # Seekable output: sizes patched into local headers. `-fz` forces ZIP64 records; streamed to a
    # pipe, zip 3.0 writes a broken end record with -fz (its own unzip rejects it), so not here.
    for target, flags in (("iz-seekable.zip", []), ("iz-fz.zip", ["-fz"])):
        subprocess.run(["zip", "-q", "-X", *flags, str(out / target), *names], cwd=src, check=True)
    shutil.rmtree(src)


def oracle(path):
    with zipfile.ZipFile(path) as zf:
        entries = []
        for info in zf.infolist():
            entry = {
                "name": info.filename,
                "size": info.file_size,
                "compressedSize": info.compress_size,
                "crc32": info.CRC,
                "method": info.compress_type,
                "flags": info.flag_bits,
                "headerOffset": info.header_offset,
            }
            if not info.flag_bits & 1 and info.file_size <= SHA_MAX:
                entry["sha256"] = hashlib.sha256(zf.read(info)).hexdigest()
            entries.append(entry)
        return {"entries": entries, "comment": zf.comment.decode("cp437"), "startDir": zf.start_dir}


def main():
    out = Path(sys.argv[-1])
    out.mkdir(parents=True, exist_ok=True)
    if sys.argv[1] == "--sparse64":
        sparse_zip64(out)
    else:
        python_archives(out)
        infozip_archives(out)
    print(json.dumps({p.name: oracle(p) for p in sorted(out.glob("*.zip"))}))


if __name__ == "__main__":
    main()
