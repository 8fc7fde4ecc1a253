"""zipdcm with bad input, partitions and options, through pyarrow's own FlightClient (issue 3).

Oracles: Python's zipfile (what members exist, which are DICOM by the `DICM` magic), Info-ZIP
`zip -P` (an encrypted member), pydicom 3.0 (what a good or truncated member reads as), pyarrow
(which Flight status a failure arrives as). Bad input must cost only itself: one error row
(PERMISSIVE), no row (DROPMALFORMED) or a DATA_LOSS naming archive and member (FAILFAST); the
good members of the same archive arrive intact and the server stays up.
"""
from __future__ import annotations

import io
import json
import random
import subprocess
import zipfile
from pathlib import Path
from typing import Dict, List

import pyarrow as pa
import pyarrow.flight as flight
import pytest

from conftest import start_server, stop_server
from test_zipdcm_parity import CORPUS, Expected, KEY_COLUMNS, pydicom  # noqa: F401  (pydicom: importorskip)

GOOD = ("CT_small.dcm", "MR_small.dcm", "rtplan.dcm")
TRUNCATE_AT = 710  # inside a value in CT_small's header: pydicom reads what comes before, silently
MANY_MEMBERS = 240
MANY_PARTITIONS = 8
BIG_FRAMES = 34  # frames of 1 MiB: members of ~34 MiB, over the 32 MiB whole-member limit
LATE_GOOD = 4500  # over two batches of rows (the server cuts batches at ~2k rows)


class Root:
    """The test's data root and what each path in it should read as."""

    def __init__(self, path: Path):
        self.path = path
        self.good: Dict[str, bytes] = {}  # row path → member bytes pydicom reads without complaint
        self.bad: Dict[str, str] = {}  # row path → a word its error must contain
        self.truncated: Dict[str, bytes] = {}  # row path → bytes of a member cut inside its header


def corrupt_dir(root: Root) -> None:
    d = root.path / "corrupt"
    d.mkdir()
    good = {n: (CORPUS / n).read_bytes() for n in GOOD}
    with zipfile.ZipFile(d / "mixed.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("good-1.dcm", good["CT_small.dcm"])
        zf.writestr("not-dicom.dcm", b"this is not a DICOM file\n" * 20)
        zf.writestr("cut.dcm", good["CT_small.dcm"][:TRUNCATE_AT])
        zf.writestr("bzip2.dcm", good["MR_small.dcm"], compress_type=zipfile.ZIP_BZIP2)
        zf.writestr("empty.dcm", b"")
        zf.writestr("README.txt", b"not a member zipdcm reads\n")
        zf.writestr("good-2.dcm", good["MR_small.dcm"])
    root.good.update({"corrupt/mixed.zip::good-1.dcm": good["CT_small.dcm"], "corrupt/mixed.zip::good-2.dcm": good["MR_small.dcm"]})
    root.bad.update({"corrupt/mixed.zip::not-dicom.dcm": "", "corrupt/mixed.zip::bzip2.dcm": "BZIP2", "corrupt/mixed.zip::empty.dcm": ""})
    root.truncated["corrupt/mixed.zip::cut.dcm"] = good["CT_small.dcm"][:TRUNCATE_AT]
    # Info-ZIP: one member encrypted (-P), then a plain one added to the same archive.
    stage = root.path.parent / "stage-enc"
    stage.mkdir()
    (stage / "secret.dcm").write_bytes(good["rtplan.dcm"])
    (stage / "plain.dcm").write_bytes(good["rtplan.dcm"])
    subprocess.run(["zip", "-q", "-P", "pw", str(d / "encrypted.zip"), "secret.dcm"], cwd=stage, check=True)
    subprocess.run(["zip", "-q", str(d / "encrypted.zip"), "plain.dcm"], cwd=stage, check=True)
    with zipfile.ZipFile(d / "encrypted.zip") as zf:
        assert [bool(i.flag_bits & 1) for i in zf.infolist()] == [True, False]
    root.good["corrupt/encrypted.zip::plain.dcm"] = good["rtplan.dcm"]
    root.bad["corrupt/encrypted.zip::secret.dcm"] = "encrypt"
    whole = (root.path / "corrupt" / "mixed.zip").read_bytes()
    (d / "truncated.zip").write_bytes(whole[: len(whole) // 2])  # no central directory
    (d / "empty.zip").write_bytes(b"")
    (d / "garbage.zip").write_bytes(random.Random(3).randbytes(5000))
    (d / "garbage.dcm").write_bytes(b"<html>not DICOM either</html>\n" * 10)
    (d / "empty.dcm").write_bytes(b"")
    for p in ("truncated.zip", "empty.zip", "garbage.zip", "garbage.dcm", "empty.dcm"):
        root.bad[f"corrupt/{p}"] = ""


def many_dir(root: Root) -> None:
    (root.path / "many").mkdir()
    data = (CORPUS / "CT_small.dcm").read_bytes()
    with zipfile.ZipFile(root.path / "many" / "many.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(MANY_MEMBERS):
            zf.writestr(f"series/IM{i:05d}.dcm", data)


def sniff_dir(root: Root) -> None:
    """A DICOMDIR-style layout: extension-less members, some DICOM, some not."""
    (root.path / "sniff").mkdir()
    tree = CORPUS / "dicomdirtests"
    with zipfile.ZipFile(root.path / "sniff" / "layout.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(tree.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(tree).as_posix())
        zf.writestr("README", b"x" * 300)
        zf.writestr("short", b"DICM")


def tiny_dicom(i: int) -> bytes:
    """A small Part 10 file written by pydicom itself."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    meta.MediaStorageSOPInstanceUID = f"1.2.3.{i}"
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.PatientID, ds.Modality, ds.StudyInstanceUID = f"P{i}", "OT", generate_uid(entropy_srcs=[str(i)])
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def loose_dir(root: Root) -> None:
    """Bare files without the .dcm extension: one Part 10 file, one text file."""
    (root.path / "loose").mkdir()
    (root.path / "loose" / "IM0001").write_bytes((CORPUS / "CT_small.dcm").read_bytes())
    (root.path / "loose" / "README").write_bytes(b"scanned on the old scanner\n")


def late_dir(root: Root) -> None:
    """More good members than one batch holds, then a bad one: FAILFAST fails after batches went out."""
    (root.path / "late").mkdir()
    data = tiny_dicom(1)
    with zipfile.ZipFile(root.path / "late" / "late.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(LATE_GOOD):
            zf.writestr(f"IM{i:05d}.dcm", data)
        zf.writestr("zz-bad.dcm", b"not DICOM\n" * 30)


def big_dicom(encapsulated: bool) -> bytes:
    """A member past the server's 32 MiB whole-member limit, written by pydicom: hashes mode
    streams it. Encapsulated frames hide a Sequence Delimitation pattern inside a fragment (only
    walking the items finds the value's real end); both carry an element after Pixel Data."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.encaps import encapsulate

    rng = random.Random(5)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = "1.2.840.10008.5.1.4.1.1.7", "1.2.3.4"
    meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.50" if encapsulated else "1.2.840.10008.1.2.1"
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = meta.MediaStorageSOPClassUID, "1.2.3.4", "OT"
    ds.Rows, ds.Columns, ds.NumberOfFrames, ds.SamplesPerPixel = 1024, 1024, BIG_FRAMES, 1
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.PhotometricInterpretation = "MONOCHROME2"
    if encapsulated:
        frames = [rng.randbytes(1 << 20) for _ in range(BIG_FRAMES)]
        frames[3] = frames[3][:1000] + b"\xfe\xff\xdd\xe0\x00\x00\x00\x00" + frames[3][1008:]
        ds.PixelData = encapsulate(frames)
        ds["PixelData"].VR, ds["PixelData"].is_undefined_length = "OB", True
    else:
        ds.PixelData = rng.randbytes(16 << 10) * (BIG_FRAMES * 64)  # deflates ~100:1, quickly
        ds["PixelData"].VR = "OB"
    ds.DataSetTrailingPadding = b"\0" * 8
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def big_dir(root: Root) -> None:
    (root.path / "big").mkdir()
    with zipfile.ZipFile(root.path / "big" / "big.zip", "w") as zf:
        zf.writestr("encapsulated.dcm", big_dicom(True), compress_type=zipfile.ZIP_STORED)
        zf.writestr("native.dcm", big_dicom(False), compress_type=zipfile.ZIP_DEFLATED)


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Root:
    r = Root(tmp_path_factory.mktemp("zipdcm-robust") / "root")
    r.path.mkdir()
    corrupt_dir(r)
    many_dir(r)
    sniff_dir(r)
    late_dir(r)
    big_dir(r)
    loose_dir(r)
    return r


@pytest.fixture(scope="module")
def uri(root):
    proc, uri, output = start_server(root.path)
    try:
        yield uri
        assert proc.poll() is None, "the zipflight server died:\n" + "\n".join(output)
    finally:
        stop_server(proc)


def plan(uri: str, path: str, **options) -> flight.FlightInfo:
    client = flight.connect(uri)
    try:
        body = {"source": "zipdcm", "path": path, "options": options}
        return client.get_flight_info(flight.FlightDescriptor.for_command(json.dumps(body).encode()))
    finally:
        client.close()


def read(uri: str, path: str, **options) -> pa.Table:
    info = plan(uri, path, **options)
    client = flight.connect(uri)
    try:
        tables = [client.do_get(e.ticket).read_all() for e in info.endpoints]
        return pa.concat_tables(tables) if tables else info.schema.empty_table()
    finally:
        client.close()


def rows_by_path(table: pa.Table) -> Dict[str, dict]:
    rows = table.to_pylist()
    paths = [r["path"] for r in rows]
    assert len(paths) == len(set(paths)), "a row arrived twice"
    return dict(zip(paths, rows))


def assert_good(row: dict, data: bytes) -> None:
    exp = Expected(data, force=False)
    assert row["error"] is None, row["error"]
    assert json.loads(row["meta"]) == exp.header
    assert {c: row[c] for c in (*KEY_COLUMNS, "transfer_syntax_uid")} == exp.keys


def test_permissive_one_error_row_per_bad_member_or_file(uri, root):
    rows = rows_by_path(read(uri, "corrupt"))
    assert set(rows) == set(root.good) | set(root.bad) | set(root.truncated)
    for path, data in root.good.items():
        assert_good(rows[path], data)
    for path, word in root.bad.items():
        error = rows[path]["error"]
        assert error is not None, f"{path}: no error"
        archive, _, member = path.partition("::")
        assert archive in error and member in error, f"{path}: error does not say where: {error}"
        assert word.lower() in error.lower(), f"{path}: error does not say {word!r}: {error}"


def test_member_cut_inside_its_header_reads_as_pydicom_does(uri, root):
    rows = rows_by_path(read(uri, "corrupt/mixed.zip"))
    for path, data in root.truncated.items():
        row = rows[path]
        exp = Expected(data, force=False)
        assert exp.header_cut, "pydicom should see a value cut short here"
        assert row["error"] is not None and path.split("::")[1] in row["error"] and "TRUNCATED" in row["error"]
        assert json.loads(row["meta"]) == exp.header


def test_dropmalformed_keeps_only_good_members(uri, root):
    rows = rows_by_path(read(uri, "corrupt", mode="DROPMALFORMED"))
    assert set(rows) == set(root.good)
    for path, data in root.good.items():
        assert_good(rows[path], data)
    # A partition whose every row was dropped still answers with its schema and no rows.
    info = plan(uri, "corrupt/garbage.zip", mode="DROPMALFORMED")
    assert len(info.endpoints) == 1
    client = flight.connect(uri)
    try:
        empty = client.do_get(info.endpoints[0].ticket).read_all()
    finally:
        client.close()
    assert empty.num_rows == 0 and empty.schema == info.schema


@pytest.mark.parametrize("path", ["corrupt/mixed.zip", "corrupt/encrypted.zip", "corrupt/truncated.zip", "corrupt/garbage.zip", "corrupt/garbage.dcm"])
def test_failfast_is_data_loss_naming_archive_and_member(uri, root, path):
    with pytest.raises(flight.FlightError) as failure:
        read(uri, path, mode="FAILFAST")
    text = str(failure.value)
    assert "data loss" in text.lower(), text  # pyarrow's words for gRPC DATA_LOSS
    assert path in text
    bad_members = [p.split("::")[1] for p in (*root.bad, *root.truncated) if p.startswith(path + "::")]
    if bad_members:
        assert any(m in text for m in bad_members), text


def test_failfast_after_batches_were_sent(uri, root):
    info = plan(uri, "late/late.zip", mode="FAILFAST", numPartitions=1)
    client = flight.connect(uri)
    try:
        reader = client.do_get(info.endpoints[0].ticket)
        got = 0
        with pytest.raises(flight.FlightError) as failure:
            while True:
                got += reader.read_chunk().data.num_rows
    finally:
        client.close()
    assert 0 < got < LATE_GOOD + 1, "the error should come after some rows, before the end"
    assert "data loss" in str(failure.value).lower() and "late/late.zip::zz-bad.dcm" in str(failure.value)


def test_cancelled_stream_leaves_the_server_serving(uri, root):
    info = plan(uri, "late/late.zip", numPartitions=1)
    client = flight.connect(uri)
    try:
        reader = client.do_get(info.endpoints[0].ticket)
        assert reader.read_chunk().data.num_rows > 0
        reader.cancel()
    finally:
        client.close()
    table = read(uri, "late/late.zip", mode="DROPMALFORMED")
    assert table.num_rows == LATE_GOOD and sorted(table.column("rowid").to_pylist()) == list(range(LATE_GOOD))


def test_hashes_stream_members_too_large_to_hold(uri, root):
    with zipfile.ZipFile(root.path / "big" / "big.zip") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    assert all(len(b) > 32 * 1024 * 1024 for b in members.values())
    rows = rows_by_path(read(uri, "big", hashes="true"))
    assert set(rows) == {f"big/big.zip::{n}" for n in members}
    for name, data in members.items():
        row, exp = rows[f"big/big.zip::{name}"], Expected(data, force=False)
        assert row["error"] is None, row["error"]
        assert (row["hash"], row["pixel_hash"]) == (exp.hash, exp.pixel_hash), name
        assert json.loads(row["meta"]) == exp.full and "FFFCFFFC" in exp.full


def test_failfast_reads_good_archives(uri, root):
    assert read(uri, "many", mode="FAILFAST").num_rows == MANY_MEMBERS


def test_member_range_partitions_split_one_archive(uri, root):
    info = plan(uri, "many/many.zip", numPartitions=MANY_PARTITIONS)
    assert 1 < len(info.endpoints) <= MANY_PARTITIONS
    client = flight.connect(uri)
    try:
        parts = [client.do_get(e.ticket).read_all() for e in info.endpoints]
    finally:
        client.close()
    seen: List[str] = [p for t in parts for p in t.column("path").to_pylist()]
    assert all(t.num_rows > 0 for t in parts)
    assert len(seen) == len(set(seen)), "partitions overlap"
    with zipfile.ZipFile(root.path / "many" / "many.zip") as zf:
        assert sorted(seen) == sorted(f"many/many.zip::{n}" for n in zf.namelist())
    ids = [i for t in parts for i in t.column("rowid").to_pylist()]
    assert len(ids) == len(set(ids))
    if info.total_records >= 0:
        assert info.total_records == MANY_MEMBERS


def test_member_filter_dicom_sniffs_extensionless_members(uri, root):
    with zipfile.ZipFile(root.path / "sniff" / "layout.zip") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    dicom = {n for n, b in members.items() if b[128:132] == b"DICM"}
    named = {n for n in members if n.lower().endswith(".dcm")}
    assert 0 < len(dicom) < len(members) and len(dicom) > len(named)
    # The default filter selects by name only.
    assert set(rows_by_path(read(uri, "sniff"))) == {f"sniff/layout.zip::{n}" for n in named}
    rows = rows_by_path(read(uri, "sniff", memberFilter="dicom"))
    assert set(rows) == {f"sniff/layout.zip::{n}" for n in dicom}
    for n in sorted(dicom)[:10]:
        assert_good(rows[f"sniff/layout.zip::{n}"], members[n])


def test_member_filter_glob_and_path_glob_filter(uri, root):
    rows = rows_by_path(read(uri, "many", memberFilter="IM0000?.dcm"))
    assert set(rows) == {f"many/many.zip::series/IM0000{i}.dcm" for i in range(10)}
    rows = rows_by_path(read(uri, "corrupt", pathGlobFilter="*.dcm"))
    assert set(rows) == {"corrupt/garbage.dcm", "corrupt/empty.dcm"}


def test_extensionless_part10_files_read_as_bare_dicom(uri, root):
    data = (root.path / "loose" / "IM0001").read_bytes()
    assert_good(rows_by_path(read(uri, "loose/IM0001"))["loose/IM0001"], data)
    rows = rows_by_path(read(uri, "loose", pathGlobFilter="*"))
    assert set(rows) == {"loose/IM0001", "loose/README"}
    assert_good(rows["loose/IM0001"], data)
    assert rows["loose/README"]["error"] is not None and "loose/README" in rows["loose/README"]["error"]
    assert read(uri, "loose").num_rows == 0  # the default pathGlobFilter (*.zip, *.dcm) matches neither


def test_recursive_file_lookup_false_keeps_to_the_top_level(uri, root):
    assert read(uri, "", recursiveFileLookup="false").num_rows == 0  # the root holds only directories
    found = rows_by_path(read(uri, "", pathGlobFilter="mixed.zip,encrypted.zip"))  # found below the root
    assert {p.split("::")[0] for p in found} == {"corrupt/mixed.zip", "corrupt/encrypted.zip"}


def test_dicom_keys_filter_removes_top_level_keys_only_from_meta(uri, root):
    row = rows_by_path(read(uri, "corrupt/mixed.zip", dicomKeysFilter="00080018,00100010"))["corrupt/mixed.zip::good-1.dcm"]
    meta = json.loads(row["meta"])
    full = Expected(root.good["corrupt/mixed.zip::good-1.dcm"], force=False)
    assert "00080018" not in meta and "00100010" not in meta
    assert row["sop_instance_uid"] == full.keys["sop_instance_uid"]
    assert "00280010" in meta  # the default filter no longer applies either: Rows stays


@pytest.mark.parametrize("path", ["../", "../../etc/passwd", "/etc/passwd", "corrupt/../../x"])
def test_paths_outside_the_root_are_refused(uri, path):
    with pytest.raises((flight.FlightUnauthorizedError, pa.ArrowInvalid, pa.ArrowKeyError)):
        plan(uri, path)


def test_bad_options_are_invalid_argument(uri):
    for options in ({"mode": "SOMETIMES"}, {"numPartitions": 0}, {"dicomKeysFilter": "PixelData"}, {"noSuchOption": 1}):
        with pytest.raises(pa.ArrowInvalid):
            plan(uri, "many", **options)


def test_missing_path_is_not_found(uri):
    with pytest.raises(pa.ArrowKeyError):
        plan(uri, "no/such/dir")


MEMBER_LIMIT = 100


@pytest.fixture(scope="module")
def limited_uri(root):
    """A second server over the same root allowing MEMBER_LIMIT members per request."""
    proc, uri, output = start_server(root.path, ["--max-members-per-request", str(MEMBER_LIMIT)])
    try:
        yield uri
    finally:
        stop_server(proc)


def test_more_members_than_the_limit_is_resource_exhausted(limited_uri, root):
    for path in ("many/many.zip", "many", ""):  # one archive over the limit; many archives together
        with pytest.raises(pa.ArrowException) as failure:  # pyarrow: ArrowInvalid for RESOURCE_EXHAUSTED
            plan(limited_uri, path)
        assert "resource exhausted" in str(failure.value).lower() and "max-members-per-request" in str(failure.value)
    mixed = [p for p in (*root.good, *root.bad, *root.truncated) if p.startswith("corrupt/mixed.zip::")]
    assert sorted(read(limited_uri, "corrupt/mixed.zip").column("path").to_pylist()) == sorted(mixed)
