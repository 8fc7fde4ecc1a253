"""zipdcm parity with pydicom 3.0 through pyarrow's own FlightClient (issue 3, "Tests").

Oracles no one here wrote: pydicom's own test corpus (every file pydicom reads), written into
archives by Python's zipfile (deflated, stored, ZIP64 via force_zip64, data descriptors via a
non-seekable stream) and by Info-ZIP `zip` (plain, -fz ZIP64, streamed to stdout), and as bare
files; `meta` must equal pydicom's `to_json_dict()` minus the default dicomKeysFilter (NaN → null),
header-only by default and the full read with hashes=true; `hash`/`pixel_hash` equal hashlib's
SHA-1 of the file and of `ds.PixelData`; the paths equal zipfile's namelist.

`midi-b-sr-sample.zip` (in `../shared/data/` beside the repo, and committed as `sample/`) is a real TCIA archive: Rutherford, M. W. et al. (2025).
Data in Support of the MIDI-B Challenge (Version 1) [Dataset]. The Cancer Imaging Archive.
https://doi.org/10.7937/CF2P-AW56, licensed CC BY 4.0.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
import struct
import subprocess
import warnings
import zipfile
from pathlib import Path
from typing import Dict, List, Optional

import pyarrow as pa
import pyarrow.flight as flight
import pytest

from conftest import start_server, stop_server

pydicom = pytest.importorskip("pydicom")
# pydicom logs every odd value it meets in its own test corpus: not what these tests are about.
logging.getLogger("pydicom").setLevel(logging.CRITICAL)

CORPUS = Path(pydicom.__file__).parent / "data" / "test_files"
_REPO = Path(os.environ.get("ZIPFLIGHT_REPO") or Path(__file__).resolve().parents[3])
# The shared copy beside the repo when there is one (CI has it), else the committed sample.
MIDI_B = next(p for p in (_REPO.parent / "shared" / "data" / "midi-b-sr-sample.zip", _REPO / "sample" / "midi-b-sr-sample.zip") if p.exists())
DEFAULT_FILTER = ("60003000", "7FE00010", "00283010", "00283006")
# Key column → (tag keyword, read from file meta?)
KEY_COLUMNS = {
    "sop_instance_uid": "SOPInstanceUID", "sop_class_uid": "SOPClassUID", "study_instance_uid": "StudyInstanceUID",
    "series_instance_uid": "SeriesInstanceUID", "patient_id": "PatientID", "modality": "Modality",
    "study_date": "StudyDate", "rows": "Rows", "columns": "Columns", "number_of_frames": "NumberOfFrames",
}
ZIP_FLAVOURS = ("deflated", "stored", "zip64", "descriptors", "infozip", "infozip64", "infozip-stream")
FLAVOURS = ZIP_FLAVOURS + ("bare",)
PARITY: Dict[str, Dict[str, int]] = {}


def flat_json(d: dict) -> dict:
    """pydicom's dict as JSON would carry it: NaN/Infinity → null (JSON has neither)."""
    return json.loads(json.dumps(d), parse_constant=lambda _c: None)


def drop_keys(d: dict, keys=DEFAULT_FILTER) -> dict:
    return {k: v for k, v in d.items() if k not in keys}


def first(v):
    if isinstance(v, (list, tuple)) or type(v).__name__ == "MultiValue":
        return v[0] if len(v) else None
    return v


def as_int(v) -> Optional[int]:
    """An int32 column's value: pydicom's number, or null when it holds none (an invalid IS stays text)."""
    try:
        n = int(v)
    except (TypeError, ValueError):
        return None
    return n if -(2**31) <= n < 2**31 else None


def key_values(ds) -> dict:
    out = {}
    for col, kw in KEY_COLUMNS.items():
        v = first(ds[kw].value) if kw in ds else None
        if col in ("rows", "columns", "number_of_frames"):
            out[col] = as_int(v)
        else:
            out[col] = str(v) if v not in (None, "") else None
    tsuid = ds.file_meta.get("TransferSyntaxUID") if getattr(ds, "file_meta", None) is not None else None
    out["transfer_syntax_uid"] = str(tsuid) if tsuid else None
    return out


UNDEFINED_LENGTH = 0xFFFFFFFF


def cut_short(ds) -> bool:
    """Did pydicom read a value shorter than its declared length (a truncated file it reads
    silently, where zipdcm's `error` must say where it was cut)? Call before any element is
    accessed: pydicom keeps the raw elements as read until then."""
    from pydicom.dataelem import RawDataElement

    for elem in ds._dict.values():
        if isinstance(elem, RawDataElement):
            if elem.length != UNDEFINED_LENGTH and elem.value is not None and len(elem.value) < elem.length:
                return True
        elif elem.VR == "SQ" and any(cut_short(item) for item in elem.value):
            return True
    return False


class Expected:
    """What pydicom makes of one file's bytes."""

    def __init__(self, data: bytes, force: bool):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            head = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True, force=force)
            full = pydicom.dcmread(io.BytesIO(data), force=force)
            self.header_cut, self.full_cut = cut_short(head), cut_short(full)
            self.header = drop_keys(flat_json(head.to_json_dict()))
            self.full = drop_keys(flat_json(full.to_json_dict()))
        self.keys = key_values(head)
        self.hash = hashlib.sha1(data).hexdigest()
        self.pixel_hash = hashlib.sha1(full.PixelData).hexdigest() if "PixelData" in full else None
        self.size = len(data)


def pydicom_reads(data: bytes, force: bool) -> Optional[Expected]:
    try:
        return Expected(data, force)
    except Exception:
        return None


def corpus_files() -> Dict[str, Expected]:
    """Member name → pydicom's reading, for every corpus file pydicom reads (without force, or
    with force for .dcm files lacking the preamble: the issue asks for force=True's reading)."""
    out: Dict[str, Expected] = {}
    for p in sorted(CORPUS.rglob("*")):
        if not p.is_file():
            continue
        data = p.read_bytes()
        exp = pydicom_reads(data, force=False)
        if exp is None and p.name.lower().endswith(".dcm"):
            exp = pydicom_reads(data, force=True)
        if exp is None:
            continue
        rel = p.relative_to(CORPUS).as_posix()
        out[rel if rel.lower().endswith(".dcm") else rel + ".dcm"] = exp
    return out


class Unseekable(io.RawIOBase):
    """A write-only stream zipfile cannot seek: it then writes data descriptors (APPNOTE 4.3.9)."""

    def __init__(self, sink):
        self.sink = sink

    def writable(self):
        return True

    def write(self, b):
        return self.sink.write(b)


def write_zipfile(dest: Path, staging: Path, names: List[str], flavour: str) -> None:
    method = zipfile.ZIP_STORED if flavour == "stored" else zipfile.ZIP_DEFLATED
    with open(dest, "wb") as raw:
        target = Unseekable(raw) if flavour == "descriptors" else raw
        with zipfile.ZipFile(target, "w", compression=method) as zf:
            for name in names:
                with zf.open(name, "w", force_zip64=flavour == "zip64") as out:
                    out.write((staging / name).read_bytes())


def write_infozip(dest: Path, staging: Path, flavour: str) -> None:
    flags = {"infozip": [], "infozip64": ["-fz"], "infozip-stream": []}[flavour]
    if flavour == "infozip-stream":
        # zip writing to a pipe cannot seek back to fill in sizes: it writes data descriptors.
        piped = subprocess.run(["zip", "-q", "-X", "-D", "-r", "-", "."], cwd=staging, stdout=subprocess.PIPE, check=True)
        dest.write_bytes(piped.stdout)
    else:
        subprocess.run(["zip", "-q", "-X", "-D", "-r", *flags, str(dest), "."], cwd=staging, check=True)


ZIP64_EXTRA_ID = 0x0001  # APPNOTE 4.5.3


def local_extra_ids(f, info: zipfile.ZipInfo) -> List[int]:
    """Header IDs of a member's local extra field (APPNOTE 4.3.7: name and extra lengths at 26, 28)."""
    f.seek(info.header_offset)
    head = f.read(30)
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    extra = f.read(name_len + extra_len)[name_len:]
    ids, at = [], 0
    while at + 4 <= len(extra):
        hid, size = struct.unpack("<HH", extra[at:at + 4])
        ids.append(hid)
        at += 4 + size
    return ids


def check_flavour(path: Path, flavour: str) -> None:
    """The archive really has the feature it stands for (else the parity proves nothing)."""
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
    if flavour in ("descriptors", "infozip-stream"):
        assert all(i.flag_bits & 0x08 for i in infos), f"{flavour}: members without data descriptors"
    if flavour in ("zip64", "infozip64"):
        with open(path, "rb") as f:
            assert all(ZIP64_EXTRA_ID in local_extra_ids(f, i) for i in infos if not i.is_dir()), f"{flavour}: no ZIP64 extra"
    if flavour == "stored":
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
    if flavour == "deflated":
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in infos)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("zipdcm-parity")
    expected = corpus_files()
    staging = tmp_path_factory.mktemp("zipdcm-staging")
    for name in expected:
        src = CORPUS / (name if (CORPUS / name).exists() else name[: -len(".dcm")])
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, staging / name)
    (root / "flavours").mkdir()
    for flavour in ZIP_FLAVOURS:
        dest = root / "flavours" / f"{flavour}.zip"
        if flavour.startswith("infozip"):
            write_infozip(dest, staging, flavour)
        else:
            write_zipfile(dest, staging, sorted(expected), flavour)
        check_flavour(dest, flavour)
    shutil.copytree(staging, root / "bare")
    (root / "tcia").mkdir()
    shutil.copyfile(MIDI_B, root / "tcia" / MIDI_B.name)
    return root, expected


@pytest.fixture(scope="module")
def uri(corpus):
    proc, uri, output = start_server(corpus[0])
    try:
        yield uri
        assert proc.poll() is None, "the zipflight server died:\n" + "\n".join(output)
    finally:
        stop_server(proc)
        for name, counts in sorted(PARITY.items()):  # the lead reports these (pytest -s)
            print(f"zipdcm parity {name:24s} {counts}")


def read(uri: str, path: str, **options) -> pa.Table:
    """Plan with GetFlightInfo, read every endpoint with DoGet: pyarrow's client, our descriptor."""
    client = flight.connect(uri)
    try:
        body = {"source": "zipdcm", "path": path, "options": options}
        info = client.get_flight_info(flight.FlightDescriptor.for_command(json.dumps(body).encode()))
        tables = [client.do_get(e.ticket).read_all() for e in info.endpoints]
        return pa.concat_tables(tables) if tables else info.schema.empty_table()
    finally:
        client.close()


def member_of(path: str, flavour: str) -> str:
    if flavour == "bare":
        assert path.startswith("bare/"), path
        return path[len("bare/"):]
    prefix = f"flavours/{flavour}.zip::"
    assert path.startswith(prefix), path
    return path[len(prefix):]


def expected_members(corpus_root: Path, flavour: str) -> List[str]:
    """zipfile's namelist (members selected by the default *.dcm filter), or the bare files."""
    if flavour == "bare":
        return sorted(p.relative_to(corpus_root / "bare").as_posix() for p in (corpus_root / "bare").rglob("*.dcm"))
    with zipfile.ZipFile(corpus_root / "flavours" / f"{flavour}.zip") as zf:
        return sorted(n for n in zf.namelist() if n.lower().endswith(".dcm"))


def first_difference(got: dict, want: dict) -> str:
    for tag in sorted(set(got) | set(want)):
        if got.get(tag) != want.get(tag):
            return f"{tag}: got {json.dumps(got.get(tag))[:200]} want {json.dumps(want.get(tag))[:200]}"
    return "order only"


def order_difference(got, want, where: str = "") -> str:
    """Where two equal JSON values first list keys in another order."""
    if isinstance(got, dict):
        if list(got) != list(want):
            return f"at {where or 'top'}: {list(got)[:6]}... vs {list(want)[:6]}..."
        return next((d for k in got if (d := order_difference(got[k], want[k], f"{where}/{k}"))), "")
    if isinstance(got, list):
        return next((d for i, (g, w) in enumerate(zip(got, want)) if (d := order_difference(g, w, f"{where}[{i}]"))), "")
    return ""


def compare(table: pa.Table, corpus, flavour: str, hashes: bool) -> Dict[str, List[str]]:
    root, expected = corpus
    rows = table.to_pylist()
    paths = [member_of(r["path"], flavour) for r in rows]
    assert len(paths) == len(set(paths)), "a member arrived twice"
    assert sorted(paths) == expected_members(root, flavour), "members dropped or invented"
    text_differs: List[str] = []
    bad: Dict[str, List[str]] = {"meta": [], "error": [], "keys": [], "size": [], **({"hash": []} if hashes else {})}
    for name, row in zip(paths, rows):
        exp = expected[name]
        want = exp.full if hashes else exp.header
        got = json.loads(row["meta"]) if row["meta"] is not None else None
        if got != want:
            bad["meta"].append(f"{name}: " + (first_difference(got, want) if got is not None else f"meta null, error {row['error']}"))
        elif order_difference(got, want):  # equal as dicts: pydicom's attribute order too
            bad["meta"].append(f"{name}: keys in another order than pydicom's {order_difference(got, want)}")
        if got is not None and json.dumps(got) != json.dumps(want):
            # Informational: equal numbers, other JSON text (JS writes DS 5.0 as 5: int in Python).
            text_differs.append(name)
        cut = exp.full_cut if hashes else exp.header_cut
        if (row["error"] is not None) != cut or (cut and "TRUNCATED" not in row["error"]):
            bad["error"].append(f"{name}: {row['error']} (pydicom read a value cut short: {cut})")
        keys = {c: row[c] for c in (*KEY_COLUMNS, "transfer_syntax_uid")}
        if keys != exp.keys:
            bad["keys"].append(f"{name}: {[(c, keys[c], exp.keys[c]) for c in keys if keys[c] != exp.keys[c]]}")
        if row["member_size"] != exp.size:
            bad["size"].append(f"{name}: {row['member_size']} != {exp.size}")
        if hashes and (row["hash"], row["pixel_hash"]) != (exp.hash, exp.pixel_hash):
            bad["hash"].append(f"{name}: {(row['hash'], row['pixel_hash'])} != {(exp.hash, exp.pixel_hash)}")
    counts = {"members": len(rows), **{f"{k}_equal": len(rows) - len(v) for k, v in bad.items()}, "meta_text_equal": len(rows) - len(text_differs)}
    PARITY[f"{flavour}{' hashes' if hashes else ''}"] = counts
    print(f"zipdcm parity {flavour}{' hashes=true' if hashes else ''}: {counts}")
    return bad


def assert_none_differ(bad: Dict[str, List[str]]) -> None:
    lines = [f"{kind} differs for {len(v)} members, e.g.:\n  " + "\n  ".join(v[:4]) for kind, v in bad.items() if v]
    if lines:
        pytest.fail("\n".join(lines), pytrace=False)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_header_meta_equals_pydicom(uri, corpus, flavour):
    path = "bare" if flavour == "bare" else f"flavours/{flavour}.zip"
    table = read(uri, path)
    assert table.column("rowid").to_pylist() == sorted(set(table.column("rowid").to_pylist()))
    bad = compare(table, corpus, flavour, hashes=False)
    assert_none_differ(bad)


@pytest.mark.parametrize("flavour", ("deflated", "stored", "zip64", "descriptors", "infozip-stream", "bare"))
def test_hashes_mode_equals_full_pydicom_read(uri, corpus, flavour):
    path = "bare" if flavour == "bare" else f"flavours/{flavour}.zip"
    table = read(uri, path, hashes="true")
    assert {"hash", "pixel_hash"} <= set(table.schema.names)
    bad = compare(table, corpus, flavour, hashes=True)
    assert_none_differ(bad)


def test_rowids_unique_and_stable_across_endpoints(uri, corpus):
    first_read = read(uri, "", numPartitions=16)
    again = read(uri, "", numPartitions=16)
    ids = first_read.column("rowid").to_pylist()
    assert len(ids) == len(set(ids)) and len(ids) > len(corpus[1]) * len(FLAVOURS) - 1
    mapping = dict(zip(ids, first_read.column("path").to_pylist()))
    assert mapping == dict(zip(again.column("rowid").to_pylist(), again.column("path").to_pylist()))


def test_tcia_sr_sample_reads_as_pydicom_does(uri, corpus):
    with zipfile.ZipFile(MIDI_B) as zf:
        names = zf.namelist()
        dicoms = {n: zf.read(n) for n in names if n.lower().endswith(".dcm")}
    assert any(not n.lower().endswith(".dcm") for n in names), "the sample's LICENSE member is gone"
    for hashes in (False, True):
        rows = read(uri, f"tcia/{MIDI_B.name}", hashes=str(hashes).lower()).to_pylist()
        assert sorted(r["path"] for r in rows) == sorted(f"tcia/{MIDI_B.name}::{n}" for n in dicoms)
        for r in rows:
            exp = Expected(dicoms[r["path"].split("::", 1)[1]], force=False)
            assert r["error"] is None
            assert json.loads(r["meta"]) == (exp.full if hashes else exp.header)
            assert {c: r[c] for c in (*KEY_COLUMNS, "transfer_syntax_uid")} == exp.keys
            if hashes:
                assert (r["hash"], r["pixel_hash"]) == (exp.hash, exp.pixel_hash)
