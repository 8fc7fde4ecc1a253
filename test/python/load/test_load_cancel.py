"""Cancellation under load (issue 6 "Operations": client cancellation stops the server's work):
32 threads each open big DoGet streams, read one batch and cancel. Afterwards the server must go
quiet — its CPU time (/proc/<pid>/stat utime+stime) barely moves while no one is reading, so no
orphaned generating, inflating or parsing continues — and a fresh read is still exact.
"""
from __future__ import annotations

import os
import time

import pyarrow.flight as flight

from conftest import command, read_all, run_clients, sources

STREAMS = 32
ROUNDS = 3
# Each stream would take seconds of server CPU if it ran to the end.
BIG_FAKE_ROWS = 3_000_000
SETTLE_S = 1.5
QUIET_WINDOW_S = 2.0
# CPU seconds the server may burn in the quiet window (GC, timers), far below one orphaned stream.
MAX_QUIET_CPU_S = 0.4
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14, 15)


def test_cancelled_streams_stop_server_work(server):
    opts = flight.FlightCallOptions(timeout=120)
    client = flight.FlightClient(server.uri)
    descs = [command("fake", numRows=BIG_FAKE_ROWS, seed=11)]
    if "zipdcm" in sources(server):
        descs.append(command("zipdcm", "dicom", numPartitions=1, hashes=True))
    if "zipcsv" in sources(server):
        descs.append(command("zipcsv", "csv", header=True, inferSchema=True, numPartitions=1))
    tickets = [ep.ticket for d in descs for ep in client.get_flight_info(d, opts).endpoints]
    reference = read_all(client, command("fake", numRows=2000, seed=3))

    def cancel_after_first_batch(c: flight.FlightClient, k: int) -> int:
        got = 0
        for r in range(ROUNDS):
            reader = c.do_get(tickets[(k + r) % len(tickets)], opts)
            chunk = reader.read_chunk()
            got += chunk.data.num_rows
            reader.cancel()
        return got

    counts, cancel_s = run_clients(server.uri, STREAMS, cancel_after_first_batch)
    rows = sum(counts)
    time.sleep(SETTLE_S)
    cpu0 = _cpu_seconds(server.process.pid)
    time.sleep(QUIET_WINDOW_S)
    quiet_cpu = _cpu_seconds(server.process.pid) - cpu0
    print(f"\ncancel: {STREAMS * ROUNDS} streams cancelled after their first batch ({rows} rows read) in {cancel_s:.1f} s; "
          f"server CPU in the next {QUIET_WINDOW_S:.0f} s: {quiet_cpu:.2f} s; VmHWM {server.status('VmHWM') / 1024:.0f} MiB")
    assert quiet_cpu < MAX_QUIET_CPU_S, f"server kept working {quiet_cpu:.2f} CPU-s after every client cancelled"
    assert read_all(client, command("fake", numRows=2000, seed=3)).equals(reference)
    assert server.alive()
