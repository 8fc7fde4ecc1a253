"""Write the fuzz seed archives in test/fuzz/seeds/ with Python's zipfile (an oracle no one here
wrote): deflated and stored DICOM members from pydicom's test files, ZIP64 (forced), a nested
archive, comments, directories, UTF-8 and CP437 names, an empty member and CSV members.
Deterministic (fixed timestamps). Run: .venv/bin/python test/fuzz/make_seeds.py
"""
from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pydicom

OUT = Path(__file__).resolve().parent / "seeds"
CORPUS = Path(pydicom.__file__).parent / "data" / "test_files"
STAMP = (2024, 1, 2, 3, 4, 6)


def add(zf: zipfile.ZipFile, name: str, data: bytes, method: int = zipfile.ZIP_DEFLATED, flag_bits: int = 0) -> None:
    info = zipfile.ZipInfo(name, date_time=STAMP)
    info.compress_type = method
    info.flag_bits |= flag_bits
    zf.writestr(info, data)


def dicom(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def write(name: str, fill, **kw) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", **kw) as zf:
        fill(zf)
    (OUT / name).write_bytes(buf.getvalue())


def main() -> None:
    OUT.mkdir(exist_ok=True)
    write("dicom-deflated.zip", lambda zf: [add(zf, n, dicom(n)) for n in ("rtplan.dcm", "reportsi.dcm", "nested_priv_SQ.dcm")])
    write("dicom-stored.zip", lambda zf: [add(zf, n, dicom(n), zipfile.ZIP_STORED) for n in ("rtstruct.dcm", "UN_sequence.dcm", "SC_rgb_small_odd.dcm")])
    # zipfile only writes ZIP64 extras when told the member may be large: force it per member.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for n in ("MR_small_RLE.dcm", "no_meta_group_length.dcm"):
            with zf.open(zipfile.ZipInfo(n, date_time=STAMP), "w", force_zip64=True) as fp:
                fp.write(dicom(n))
    (OUT / "zip64-extra.zip").write_bytes(buf.getvalue())
    inner = (OUT / "dicom-stored.zip").read_bytes()
    write("nested.zip", lambda zf: (add(zf, "inner/series.zip", inner, zipfile.ZIP_STORED), add(zf, "inner/deflated.zip", inner), add(zf, "ct.dcm", dicom("rtdose_1frame.dcm"))))

    def odd(zf: zipfile.ZipFile) -> None:
        zf.comment = b"archive comment"
        add(zf, "dir/", b"", zipfile.ZIP_STORED)
        add(zf, "dir/empty.dcm", b"")
        add(zf, "dir/\u00e9t\u00e9-\u65e5\u672c.dcm", dicom("rtdose_expb_1frame.dcm"))
        add(zf, "LICENSE", b"CC BY 4.0\n" * 30)

    write("odd-names.zip", odd)
    rows = [["id", "name", "note", "value"], ["1", "a,b", 'he said "hi"', "1.5"], ["2", "", "multi\nline", "-7"], ["3", "\u00e9", "", "1e3"]]
    write("csv.zip", lambda zf: (add(zf, "labs.csv", csv_bytes(rows)), add(zf, "raw.csv", b"a;b\n1;2\n\"x\"\"y\";3\r\n", zipfile.ZIP_STORED)))


if __name__ == "__main__":
    main()
