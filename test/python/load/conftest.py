"""Fixtures for the load and end-to-end fuzz suites: a data root built with Python's zipfile and
pydicom's test files (oracles no one here wrote) plus fuzzed archives from test/fuzz/write-corpus.ts,
and one real zipflight server (`node bin/zipflight.mjs serve --port 0`) over it, read with
pyarrow's Flight client. The server's pid is exposed so tests can read its RSS from /proc.
"""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional, Tuple, TypeVar

import pyarrow as pa
import pyarrow.flight as flight
import pytest

REPO = Path(os.environ.get("ZIPFLIGHT_REPO") or Path(__file__).resolve().parents[3]).resolve()
# zipflight.testing starts the server even where `pip install -e client/python` did not run.
sys.path.insert(0, str(REPO / "client" / "python" / "src"))

from zipflight.testing import LocalServer, local_server  # noqa: E402

T = TypeVar("T")
# Fuzzed archives served end to end: the same cases the in-process zip fuzz target runs.
CORPUS_SEED = 9001
CORPUS_CASES = 60
DICOM_FILES = (
    "CT_small.dcm", "MR_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm", "rtplan.dcm",
    "image_dfl.dcm", "JPEG2000.dcm", "reportsi.dcm", "rtstruct.dcm", "nested_priv_SQ.dcm", "SC_rgb_small_odd.dcm",
)


@dataclass
class Root:
    path: Path
    dicom_members: List[str] = field(default_factory=list)
    corrupt: List[str] = field(default_factory=list)


def _pydicom_files() -> Path:
    import pydicom

    return Path(pydicom.__file__).parent / "data" / "test_files"


@pytest.fixture(scope="session")
def data_root(tmp_path_factory) -> Root:
    root = Root(tmp_path_factory.mktemp("zipflight-load-root"))
    corpus = _pydicom_files()
    (root.path / "dicom").mkdir()
    names = [n for n in DICOM_FILES if (corpus / n).exists()]
    for archive, members, method in (("a.zip", names[::2], zipfile.ZIP_DEFLATED), ("b.zip", names[1::2], zipfile.ZIP_STORED)):
        with zipfile.ZipFile(root.path / "dicom" / archive, "w", compression=method) as zf:
            for n in members:
                zf.write(corpus / n, arcname=n)
                root.dicom_members.append(f"dicom/{archive}::{n}")
    (root.path / "csv").mkdir()
    with zipfile.ZipFile(root.path / "csv" / "labs.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for part in range(4):
            out = io.StringIO()
            w = csv.writer(out, lineterminator="\n")
            w.writerow(["patient_id", "test", "value", "note"])
            w.writerows([[f"P{part}{i:04d}", "hba1c", f"{5 + i / 100:.2f}", 'says "ok", twice' if i % 7 == 0 else ""] for i in range(500)])
            zf.writestr(f"labs-{part}.csv", out.getvalue())
    corrupt = root.path / "corrupt"
    subprocess.run(
        ["node", "--import", "tsx", "test/fuzz/write-corpus.ts", str(corrupt), str(CORPUS_CASES), str(CORPUS_SEED)],
        cwd=REPO, check=True, timeout=120,
    )
    root.corrupt = sorted(p.name for p in corrupt.iterdir())
    return root


@dataclass
class Server(LocalServer):
    root: Optional[Root] = None

    def status(self, key: str) -> int:
        """A /proc/<pid>/status field in kB (VmRSS, VmHWM)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
        raise KeyError(key)


@pytest.fixture(scope="session")
def server(data_root) -> Server:
    # zipflight.testing runs node directly (not through npm): the pid is the server's own, for /proc readings.
    with local_server(data_root.path) as started:
        yield Server(started.uri, started.process, started.output, data_root)


def command(source: str, path: str | None = None, **options) -> flight.FlightDescriptor:
    body = {"source": source, "options": options}
    if path is not None:
        body["path"] = path
    return flight.FlightDescriptor.for_command(json.dumps(body).encode("utf-8"))


def read_all(client: flight.FlightClient, desc: flight.FlightDescriptor, timeout: float = 60) -> pa.Table:
    """Every endpoint of the plan, in order, as one table (schema from GetFlightInfo when empty)."""
    opts = flight.FlightCallOptions(timeout=timeout)
    info = client.get_flight_info(desc, opts)
    tables = [client.do_get(ep.ticket, opts).read_all() for ep in info.endpoints]
    return pa.concat_tables(tables) if tables else info.schema.empty_table()


def run_clients(uri: str, n: int, work: Callable[[flight.FlightClient, int], T]) -> Tuple[List[T], float]:
    """work(client, k) for k in range(n) at once, each on its own thread with its own FlightClient
    (closed after): (the results in k order, wall seconds)."""

    def one(k: int) -> T:
        client = flight.FlightClient(uri)
        try:
            return work(client, k)
        finally:
            client.close()

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(one, range(n)))
    return results, time.monotonic() - t0


def tally_line(tally: Counter) -> str:
    """A parity tally as one printed line, keys sorted: "both read: 410, neither reads: 3"."""
    return ", ".join(f"{k}: {v}" for k, v in sorted(tally.items()))


def sources(server: Server) -> List[str]:
    client = flight.FlightClient(server.uri)
    try:
        return [json.loads(f.descriptor.command)["source"] if f.descriptor.command else f.descriptor.path[0].decode() for f in client.list_flights()]
    finally:
        client.close()
