"""A throwaway zipflight server for tests: start `zipflight serve` on a free port over a data root,
wait for its one ready line (``zipflight listening on grpc[+tls]://HOST:PORT``), hand back its URI,
and stop it with SIGTERM (a graceful stop) when done. Useful to anyone testing their own pipeline
against a real server::

    from zipflight.testing import local_server

    def test_my_job(tmp_path):
        make_archives(tmp_path / "scans")
        with local_server(tmp_path) as srv:
            table = zipflight.read_arrow(srv.uri, "zipdcm", "scans")

The server is found, in order: the command in ``ZIPFLIGHT_SERVE_CMD`` (split on spaces, e.g.
``"zipflight serve"``), the ``bin/zipflight.mjs`` of a zipflight checkout (``ZIPFLIGHT_REPO`` or
the checkout this file sits in) run with ``node``, else ``zipflight serve`` on the PATH.
"""
from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Union

__all__ = ["LocalServer", "ServerStartError", "local_server", "start_server", "stop_process", "serve_command"]

READY_LINE = re.compile(r"zipflight listening on (grpc(?:\+tls)?://\S+)")
# Node + tsx compile the server on its first start: a cold, busy machine needs this long.
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 10.0
# Lines of server output quoted when a start fails.
FAILURE_TAIL_LINES = 50
# A checkout holds the package at client/python/src/zipflight/: the repo is four levels up.
_CHECKOUT = Path(__file__).resolve().parents[4]

PathLike = Union[str, "os.PathLike[str]"]


class ServerStartError(RuntimeError):
    """The server exited or printed no ready line in time; the message quotes its output."""


@dataclass
class LocalServer:
    uri: str
    process: subprocess.Popen
    output: List[str] = field(default_factory=list)  # every stdout/stderr line so far (JSON logs)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        stop_process(self.process, timeout)


def stop_process(process: subprocess.Popen, timeout: float = STOP_TIMEOUT_S) -> None:
    """SIGTERM (the server finishes its calls and exits), then SIGKILL after `timeout` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _repo() -> Optional[Path]:
    named = os.environ.get("ZIPFLIGHT_REPO")
    for candidate in ([Path(named)] if named else []) + [_CHECKOUT]:
        if (candidate / "bin" / "zipflight.mjs").is_file():
            return candidate.resolve()
    return None


def serve_command() -> List[str]:
    """The argv prefix that runs `zipflight serve` here (see the module docstring for the order)."""
    custom = os.environ.get("ZIPFLIGHT_SERVE_CMD", "").split()
    if custom:
        return custom
    repo = _repo()
    if repo is not None:
        # node directly, not through npm: the process's pid is the server's own.
        return ["node", str(repo / "bin" / "zipflight.mjs"), "serve"]
    if shutil.which("zipflight"):
        return ["zipflight", "serve"]
    raise ServerStartError("no zipflight server found: set ZIPFLIGHT_SERVE_CMD or ZIPFLIGHT_REPO")


def _server_env(env: Optional[Dict[str, str]]) -> Dict[str, str]:
    # The server reads users, tokens and its ticket key from ZIPFLIGHT_* variables: a throwaway
    # server takes only the ones the caller passes, never the ones the shell happens to hold.
    kept = {k: v for k, v in os.environ.items() if not k.startswith("ZIPFLIGHT_") or k == "ZIPFLIGHT_REPO"}
    return {**kept, **(env or {})}


def _pump(stream, lines: "queue.Queue[str]", keep: List[str]) -> None:
    """Drain the server's output for its whole life, so it never blocks on a full pipe."""
    for raw in iter(stream.readline, ""):
        keep.append(raw.rstrip("\n"))
        lines.put(raw)
    lines.put("")


def _wait_ready(proc: subprocess.Popen, lines: "queue.Queue[str]", output: List[str], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            proc.kill()
            proc.wait()
            raise ServerStartError(f"zipflight serve printed no ready line in {timeout:g}s:\n" + "\n".join(output[-FAILURE_TAIL_LINES:]))
        found = READY_LINE.search(line)
        if found:
            return found.group(1)
        if line == "":
            proc.wait()
            raise ServerStartError(f"zipflight serve exited with {proc.returncode} before it was ready:\n" + "\n".join(output[-FAILURE_TAIL_LINES:]))


def start_server(root: Optional[PathLike], *extra_args: str, env: Optional[Dict[str, str]] = None,
                 host: str = "127.0.0.1", start_timeout: float = START_TIMEOUT_S,
                 command: Optional[Sequence[str]] = None) -> LocalServer:
    """Start `zipflight serve --root ROOT --host HOST --port 0 EXTRA_ARGS` and wait until it listens.

    `root` None leaves the data root to `extra_args` (e.g. ``"--sample"``). The caller stops the
    server with ``.stop()``; prefer `local_server`, which always does.
    """
    repo = _repo()
    cmd = [*(command or serve_command()), *(["--root", str(root)] if root is not None else []),
           "--host", host, "--port", "0", *extra_args]
    proc = subprocess.Popen(cmd, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_server_env(env))
    lines: "queue.Queue[str]" = queue.Queue()
    output: List[str] = []
    threading.Thread(target=_pump, args=(proc.stdout, lines, output), daemon=True).start()
    return LocalServer(_wait_ready(proc, lines, output, start_timeout), proc, output)


@contextmanager
def local_server(root: Optional[PathLike], *extra_args: str, env: Optional[Dict[str, str]] = None,
                 **options) -> Iterator[LocalServer]:
    """`start_server` as a context manager: the server is stopped (SIGTERM) on exit, also on errors."""
    server = start_server(root, *extra_args, env=env, **options)
    try:
        yield server
    finally:
        server.stop()
