"""Fixtures for the Flight interop suite: one real zipflight server, started the way a user starts
it (`node bin/zipflight.mjs serve --root DIR --port 0`), and pyarrow's own FlightClient on it.
The server's readiness is its one stdout line `zipflight listening on grpc://HOST:PORT`.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import List

import pytest

REPO = Path(os.environ.get("ZIPFLIGHT_REPO") or Path(__file__).resolve().parents[3]).resolve()
READY = re.compile(r"^zipflight listening on (grpc://\S+)$")
# The first start compiles TypeScript through tsx: allow a cold, busy machine.
START_TIMEOUT_S = 90
STOP_TIMEOUT_S = 15


@dataclass
class FlightServer:
    uri: str
    process: subprocess.Popen
    log: List[str]

    def alive(self) -> bool:
        return self.process.poll() is None


def _wait_ready(proc: subprocess.Popen, log: List[str]) -> str:
    found: List[str] = []
    ready = threading.Event()

    def pump() -> None:
        # Keep draining after the ready line so the server never blocks on a full pipe.
        for line in iter(proc.stdout.readline, ""):
            log.append(line.rstrip("\n"))
            match = READY.match(line.strip())
            if match and not found:
                found.append(match.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    if not ready.wait(START_TIMEOUT_S) or not found:
        proc.kill()
        pytest.fail("zipflight serve did not print its ready line:\n" + "\n".join(log))
    return found[0]


@pytest.fixture(scope="session")
def flight_server(tmp_path_factory) -> FlightServer:
    root = tmp_path_factory.mktemp("flight-root")
    cmd = ["node", str(REPO / "bin" / "zipflight.mjs"), "serve", "--root", str(root), "--port", "0"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log: List[str] = []
    server = FlightServer(_wait_ready(proc, log), proc, log)
    try:
        yield server
        assert server.alive(), "the server died during the suite:\n" + "\n".join(log)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture()
def client(flight_server):
    import pyarrow.flight as flight

    c = flight.connect(flight_server.uri)
    try:
        yield c
    finally:
        c.close()
