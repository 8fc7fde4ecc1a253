"""A minimal ZIP writer for the benchmark corpora (PKWARE APPNOTE 6.3.10: 4.3.7 local file header,
4.3.12 central directory, 4.3.14-4.3.16 ZIP64 end records, 4.5.3 ZIP64 extra field).

Python's zipfile compresses every member itself; the generators here hand it pre-deflated chunks
(one deflate run per pixel buffer, reused across slices) and sparse holes, which zipfile cannot take.
"""
import struct
import zlib

LOCAL_SIGNATURE = 0x04034B50
CENTRAL_SIGNATURE = 0x02014B50
EOCD_SIGNATURE = 0x06054B50
ZIP64_EOCD_SIGNATURE = 0x06064B50
ZIP64_LOCATOR_SIGNATURE = 0x07064B50
ZIP64_EXTRA_ID = 0x0001
METHOD_STORED = 0
METHOD_DEFLATED = 8
VERSION_DEFAULT = 20
VERSION_ZIP64 = 45
FLAG_UTF8 = 0x0800
# zipfile switches a member to ZIP64 at 2 GiB - 1; we do the same so readers see familiar archives.
ZIP64_MEMBER_LIMIT = (1 << 31) - 1
U32_MAX = 0xFFFFFFFF
U16_MAX = 0xFFFF
DOS_DATE_2024_01_01 = ((2024 - 1980) << 9) | (1 << 5) | 1
DOS_TIME_NOON = 12 << 11
UNIX_FILE_MODE = 0o100644 << 16
ZERO_CHUNK = bytes(16 << 20)


def raw_deflate(data, level=6, final=False):
    """Raw deflate (RFC 1951) of `data`, ending on a byte boundary so runs can be concatenated.

    A fresh compressor has no history, so its back-references stay inside its own output and the
    run stays valid wherever it is placed; a sync flush ends it on a byte boundary, non-final.
    """
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)


DEFLATE_END = raw_deflate(b"", final=True)


def crc32_zeros(length, crc=0):
    """CRC-32 of `length` zero bytes continuing from `crc` (for sparse stored members)."""
    while length > 0:
        n = min(length, len(ZERO_CHUNK))
        crc = zlib.crc32(memoryview(ZERO_CHUNK)[:n], crc)
        length -= n
    return crc


class ZipWriter:
    """Writes members whose compressed bytes the caller supplies; sizes and CRC are known upfront."""

    def __init__(self, path):
        self._f = open(path, "wb")
        self._entries = []

    def add(self, name, pieces, crc, size, compressed_size, method=METHOD_DEFLATED):
        """Write one member. `pieces`: bytes to write, or ints = that many zero bytes left as a hole."""
        offset = self._f.tell()
        zip64 = size >= ZIP64_MEMBER_LIMIT or compressed_size >= ZIP64_MEMBER_LIMIT
        raw_name = name.encode("utf-8")
        extra = struct.pack("<HHQQ", ZIP64_EXTRA_ID, 16, size, compressed_size) if zip64 else b""
        sizes = (U32_MAX, U32_MAX) if zip64 else (compressed_size, size)
        self._f.write(struct.pack(
            "<IHHHHHIIIHH", LOCAL_SIGNATURE, VERSION_ZIP64 if zip64 else VERSION_DEFAULT, FLAG_UTF8,
            method, DOS_TIME_NOON, DOS_DATE_2024_01_01, crc, *sizes, len(raw_name), len(extra)))
        self._f.write(raw_name + extra)
        written = 0
        for piece in pieces:
            if isinstance(piece, int):
                self._f.seek(piece, 1)  # a hole: the filesystem keeps it sparse
                written += piece
            else:
                self._f.write(piece)
                written += len(piece)
        if written != compressed_size:
            raise ValueError(f"{name}: wrote {written} bytes, declared {compressed_size}")
        self._entries.append((raw_name, method, crc, size, compressed_size, offset))

    def close(self):
        cd_offset = self._f.tell()
        for raw_name, method, crc, size, csize, offset in self._entries:
            self._f.write(central_header(raw_name, method, crc, size, csize, offset))
        cd_size = self._f.tell() - cd_offset
        count = len(self._entries)
        if count >= U16_MAX or cd_offset >= U32_MAX or cd_size >= U32_MAX:
            zip64_eocd = self._f.tell()
            self._f.write(struct.pack("<IQHHIIQQQQ", ZIP64_EOCD_SIGNATURE, 44, VERSION_ZIP64,
                                      VERSION_ZIP64, 0, 0, count, count, cd_size, cd_offset))
            self._f.write(struct.pack("<IIQI", ZIP64_LOCATOR_SIGNATURE, 0, zip64_eocd, 1))
            count, cd_size, cd_offset = min(count, U16_MAX), min(cd_size, U32_MAX), min(cd_offset, U32_MAX)
        self._f.write(struct.pack("<IHHHHIIH", EOCD_SIGNATURE, 0, 0, count, count, cd_size, cd_offset, 0))
        self._f.close()


def central_header(raw_name, method, crc, size, csize, offset):
    """Central directory header (4.3.12); ZIP64 fields go in the extra field in APPNOTE's order."""
    extra_values = []
    if size >= ZIP64_MEMBER_LIMIT or csize >= ZIP64_MEMBER_LIMIT:
        extra_values += [size, csize]
        size, csize = U32_MAX, U32_MAX
    if offset >= U32_MAX:
        extra_values.append(offset)
        offset = U32_MAX
    extra = b""
    if extra_values:
        extra = struct.pack(f"<HH{len(extra_values)}Q", ZIP64_EXTRA_ID, 8 * len(extra_values), *extra_values)
    version = VERSION_ZIP64 if extra else VERSION_DEFAULT
    return struct.pack(
        "<IHHHHHHIIIHHHHHII", CENTRAL_SIGNATURE, (3 << 8) | version, version, FLAG_UTF8, method,
        DOS_TIME_NOON, DOS_DATE_2024_01_01, crc, csize, size, len(raw_name), len(extra), 0, 0, 0,
        UNIX_FILE_MODE, offset) + raw_name + extra
