"""Fixtures for the zipflight Python package suite: a data root built with oracles no one here
wrote (pydicom's test files zipped by Python's zipfile, CSV written by Python's csv), a real
zipflight server on port 0 over that root, and one local SparkSession per test module.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import pytest

TESTS = Path(__file__).resolve().parent
PACKAGE_SRC = TESTS.parent / "src"
REPO = Path(os.environ.get("ZIPFLIGHT_REPO") or TESTS.parents[2]).resolve()

# The package under test is importable even where `pip install -e client/python` did not run.
if str(PACKAGE_SRC) not in sys.path:
    sys.path.insert(0, str(PACKAGE_SRC))

from zipflight import testing  # noqa: E402  (after the path fix above)

# pydicom's own corpus: little/big endian, implicit/explicit, deflated, encapsulated, RT, SR.
DICOM_FILES = (
    "CT_small.dcm", "MR_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm", "rtplan.dcm",
    "image_dfl.dcm", "JPEG2000.dcm", "reportsi.dcm", "rtstruct.dcm", "nested_priv_SQ.dcm",
)
BAD_MEMBER = "not-dicom.dcm"
CSV_HEADER = ["patient_id", "test", "value", "flag"]


@dataclass
class DataRoot:
    path: Path
    dicom_members: List[str] = field(default_factory=list)  # "dicom/series.zip::CT_small.dcm", ...
    csv_rows: List[List[str]] = field(default_factory=list)  # data rows of every CSV member, in order


def _dicom_corpus() -> Path:
    import pydicom

    return Path(pydicom.__file__).parent / "data" / "test_files"


def _csv_member(rows: List[List[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture(scope="session")
def data_root(tmp_path_factory) -> DataRoot:
    root = DataRoot(tmp_path_factory.mktemp("zipflight-root"))
    corpus = _dicom_corpus()
    (root.path / "dicom").mkdir()
    names = [n for n in DICOM_FILES if (corpus / n).exists()]
    # Two archives, one deflated and one stored, so the read spans archives and methods.
    halves = {"dicom/series-a.zip": (names[::2], zipfile.ZIP_DEFLATED), "dicom/series-b.zip": (names[1::2], zipfile.ZIP_STORED)}
    for archive, (members, method) in halves.items():
        with zipfile.ZipFile(root.path / archive, "w", compression=method) as zf:
            for name in members:
                zf.write(corpus / name, arcname=name)
                root.dicom_members.append(f"{archive}::{name}")
    # An archive with one member that is not DICOM, between two good ones: bad input costs only itself.
    (root.path / "bad").mkdir()
    with zipfile.ZipFile(root.path / "bad" / "mixed.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(corpus / names[0], arcname="good-1.dcm")
        zf.writestr(BAD_MEMBER, b"this is not a DICOM file\n" * 20)
        zf.write(corpus / names[1], arcname="good-2.dcm")
    (root.path / "csv").mkdir()
    with zipfile.ZipFile(root.path / "csv" / "labs.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for part in range(3):
            rows = [[f"P{part}{i:03d}", "hba1c", f"{5 + i / 10:.1f}", "true" if i % 2 else "false"] for i in range(40)]
            root.csv_rows.extend(rows)
            zf.writestr(f"labs-{part}.csv", _csv_member(rows))
    return root


@dataclass
class Server:
    uri: str
    process: subprocess.Popen
    root: DataRoot
    sources: List[str]
    output: List[str]


def start_server(root: Optional[Path], args: Sequence[str] = (), env: Optional[Dict[str, str]] = None) -> tuple:
    """(process, uri, output lines) of `zipflight serve` on port 0; root None = the args name one (--sample)."""
    try:
        srv = testing.start_server(root, *args, env=env)
    except testing.ServerStartError as err:
        pytest.fail(str(err))
    return srv.process, srv.uri, srv.output


def stop_server(proc: subprocess.Popen) -> None:
    testing.stop_process(proc)


# The names other test modules import (test_zipdcm_*, test_zipcsv_*).
_start, _stop = start_server, stop_server


@pytest.fixture(scope="session")
def server(data_root) -> Server:
    """A real zipflight server (`node bin/zipflight.mjs serve --port 0`) over the test data root."""
    import zipflight

    proc, uri, output = start_server(data_root.path)
    try:
        with zipflight.connect(uri) as conn:
            sources = conn.list_sources()
        yield Server(uri, proc, data_root, sources, output)
        assert proc.poll() is None, "the zipflight server died during the tests:\n" + "\n".join(output)
    finally:
        stop_server(proc)


# Credentials of the secured server: a user (basic → bearer through Handshake) and a static token.
SECURE_USER = ("alice", "wonderland-7")
SECURE_TOKEN = "svc-token-for-the-client-suite"


@dataclass
class SecureServer:
    uri: str
    ca: Path  # PEM of the CA that signed the server's certificate (tls_root_certs)
    output: List[str]


def _openssl(cwd: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _certificates(d: Path) -> None:
    """A throwaway CA and a server certificate for 127.0.0.1 signed by it (openssl CLI)."""
    _openssl(d, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=zipflight test CA")
    _openssl(d, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl(d, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.pem", "-days", "1", "-extfile", "san.ext")
    # A client certificate from the same CA, for the mTLS server (RFC 5280 4.2.1.12: clientAuth).
    _openssl(d, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=zipflight-client")
    (d / "client.ext").write_text("extendedKeyUsage=clientAuth\n")
    _openssl(d, "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "client.pem", "-days", "1", "-extfile", "client.ext")


@pytest.fixture(scope="session")
def certificates(tmp_path_factory) -> Path:
    """The directory holding ca.pem, server.pem/.key and client.pem/.key (made once per session)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl CLI is needed to make a test certificate")
    d = tmp_path_factory.mktemp("tls")
    _certificates(d)
    return d


@pytest.fixture(scope="session")
def secure_server(data_root, certificates) -> SecureServer:
    """The same data root served over TLS with auth on (`--tls-cert/--tls-key`, ZIPFLIGHT_USERS/TOKENS)."""
    d = certificates
    env = {"ZIPFLIGHT_USERS": ":".join(SECURE_USER), "ZIPFLIGHT_TOKENS": SECURE_TOKEN}
    proc, uri, output = start_server(data_root.path, ["--tls-cert", str(d / "server.pem"), "--tls-key", str(d / "server.key")], env)
    try:
        yield SecureServer(uri, d / "ca.pem", output)
    finally:
        stop_server(proc)


@dataclass
class MtlsServer:
    uri: str
    ca: Path  # tls_root_certs
    client_cert: Path  # cert_chain: signed by the CA the server requires (--tls-client-ca)
    client_key: Path  # private_key
    output: List[str]


@pytest.fixture(scope="session")
def mtls_server(data_root, certificates) -> MtlsServer:
    """The data root over TLS that requires a client certificate signed by the test CA (no user auth)."""
    d = certificates
    args = ["--tls-cert", str(d / "server.pem"), "--tls-key", str(d / "server.key"), "--tls-client-ca", str(d / "ca.pem")]
    proc, uri, output = start_server(data_root.path, args)
    try:
        yield MtlsServer(uri, d / "ca.pem", d / "client.pem", d / "client.key", output)
    finally:
        stop_server(proc)


def require_source(server: Server, name: str) -> None:
    """Skip, naming the reason, when the server does not serve ``name`` yet (ListFlights)."""
    if name not in server.sources:
        pytest.skip(f"source '{name}' is not registered in this zipflight server (ListFlights shows {server.sources})")


@pytest.fixture(scope="module")
def spark():
    """One local SparkSession per test module: the JVM start is the suite's main cost."""
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Spark's Python workers import zipflight too, also without the editable install.
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(PACKAGE_SRC), os.environ.get("PYTHONPATH")) if p)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("zipflight-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.python.worker.reuse", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
