"""Fixtures for the security suite: throwaway certificates made by the openssl CLI at test time
(a CA, a server certificate for 127.0.0.1, a client certificate, and a rogue CA's client
certificate), a data root with a zipped pydicom file inside and a "secret" archive outside it
reachable only through escapes, and real `zipflight serve` processes (TLS + auth, and mTLS).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

import pytest

REPO = Path(os.environ.get("ZIPFLIGHT_REPO") or Path(__file__).resolve().parents[3]).resolve()
# zipflight.testing starts the servers even where `pip install -e client/python` did not run.
sys.path.insert(0, str(REPO / "client" / "python" / "src"))

from zipflight import testing  # noqa: E402
from zipflight.testing import LocalServer  # noqa: E402

USERS = {"alice": "secret"}
BCRYPT_USER = ("bob", "hunter2")
STATIC_TOKEN = "svc-token-7f3a"
# Short enough to watch a token expire in a test, long enough for a few calls on a busy machine.
TOKEN_TTL_S = 4
# An old access time: reading the file would move it (relatime updates atime <= mtime).
OLD_ATIME = 1_000_000_000


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _ca(d: Path, name: str) -> None:
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.pem",
             "-days", "2", "-subj", f"/CN={name}", cwd=d)


def _leaf(d: Path, name: str, ca: str, ext: str) -> None:
    (d / f"{name}.ext").write_text(ext)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=d)
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key", "-CAcreateserial",
             "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=d)


@dataclass
class Certs:
    dir: Path

    def read(self, name: str) -> bytes:
        return (self.dir / name).read_bytes()


@pytest.fixture(scope="session")
def certs(tmp_path_factory) -> Certs:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl CLI is needed to make test certificates")
    d = tmp_path_factory.mktemp("certs")
    _ca(d, "ca")
    _ca(d, "rogue-ca")
    _leaf(d, "server", "ca", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    _leaf(d, "client", "ca", "extendedKeyUsage=clientAuth\n")
    _leaf(d, "rogue-client", "rogue-ca", "extendedKeyUsage=clientAuth\n")
    return Certs(d)


@dataclass
class Sandbox:
    root: Path
    outside: Path
    secret: Path
    inside_members: List[str]


def _dicom_file() -> Path:
    import pydicom

    return Path(pydicom.__file__).parent / "data" / "test_files" / "CT_small.dcm"


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory) -> Sandbox:
    base = tmp_path_factory.mktemp("sandbox")
    root, outside = base / "root", base / "outside"
    (root / "inside").mkdir(parents=True)
    outside.mkdir()
    with zipfile.ZipFile(root / "inside" / "series.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(_dicom_file(), arcname="inside.dcm")
    secret = outside / "secret.zip"
    with zipfile.ZipFile(secret, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(_dicom_file(), arcname="SECRET.dcm")
    (root / "link.zip").symlink_to(secret)
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    return Sandbox(root, outside, secret, ["inside/series.zip::inside.dcm"])


def mark_unread(path: Path) -> None:
    """Give `path` an atime older than its mtime, so any read of it moves the atime."""
    os.utime(path, (OLD_ATIME, time.time()))


def was_read(path: Path) -> bool:
    return os.stat(path).st_atime != OLD_ATIME


def start_server(args: List[str], env: Dict[str, str]) -> LocalServer:
    """A server on port 0 with `args` (they name the root) and only the ZIPFLIGHT_* variables in `env`."""
    try:
        return testing.start_server(None, *args, env=env)
    except testing.ServerStartError as err:
        pytest.fail(str(err))


def stop_server(server: LocalServer) -> None:
    server.stop()


def _bcrypt_hash(password: str) -> str:
    """A bcrypt hash made by bcryptjs (the server's verifier is the same library's compare)."""
    script = "process.stdout.write(require('bcryptjs').hashSync(process.argv[1], 4))"
    return subprocess.run(["node", "-e", script, password], cwd=REPO, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="session")
def tls_auth_server(certs, sandbox, tmp_path_factory):
    """TLS, users alice (env, plain) and bob (users file, bcrypt), a static token, short token TTL."""
    users_file = tmp_path_factory.mktemp("users") / "users.txt"
    users_file.write_text(f"# test users\n{BCRYPT_USER[0]}:{_bcrypt_hash(BCRYPT_USER[1])}\n")
    server = start_server(
        ["--root", str(sandbox.root), "--tls-cert", str(certs.dir / "server.pem"), "--tls-key", str(certs.dir / "server.key"),
         "--users-file", str(users_file), "--token-ttl", str(TOKEN_TTL_S)],
        {"ZIPFLIGHT_USERS": ",".join(f"{u}:{p}" for u, p in USERS.items()), "ZIPFLIGHT_TOKENS": STATIC_TOKEN},
    )
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def mtls_server(certs, sandbox):
    """mTLS: clients must present a certificate signed by the test CA; no user auth."""
    server = start_server(
        ["--root", str(sandbox.root), "--tls-cert", str(certs.dir / "server.pem"), "--tls-key", str(certs.dir / "server.key"),
         "--tls-client-ca", str(certs.dir / "ca.pem")],
        {},
    )
    yield server
    stop_server(server)
