"""Fixtures for the Flight interop suite: one real zipflight server, started the way a user starts
it (`node bin/zipflight.mjs serve --root DIR --port 0`), and pyarrow's own FlightClient on it.
zipflight.testing starts it and waits for its ready line `zipflight listening on grpc://HOST:PORT`.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(os.environ.get("ZIPFLIGHT_REPO") or Path(__file__).resolve().parents[3]).resolve()
# zipflight.testing starts the server even where `pip install -e client/python` did not run.
sys.path.insert(0, str(REPO / "client" / "python" / "src"))

from zipflight.testing import LocalServer, local_server  # noqa: E402


@pytest.fixture(scope="session")
def flight_server(tmp_path_factory) -> LocalServer:
    with local_server(tmp_path_factory.mktemp("flight-root")) as server:
        yield server
        assert server.alive(), "the server died during the suite:\n" + "\n".join(server.output)


@pytest.fixture()
def client(flight_server):
    import pyarrow.flight as flight

    c = flight.connect(flight_server.uri)
    try:
        yield c
    finally:
        c.close()
