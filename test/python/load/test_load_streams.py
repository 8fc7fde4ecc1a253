"""Load (issue 6 "Tests"): 32 concurrent DoGet streams over mixed sources (fake always; zipdcm
and zipcsv when registered) for a bounded time on loopback, each stream's table compared with a
single-stream read of the same endpoint; the server's peak RSS (VmHWM) is bounded; p50/p99
stream latencies are printed. Each thread has its own pyarrow FlightClient.
"""
from __future__ import annotations

import os
import threading
import time

import pyarrow.flight as flight

from conftest import command, run_clients, sources

STREAMS = 32
DURATION_S = float(os.environ.get("ZIPFLIGHT_LOAD_SECONDS", "15"))
# Peak resident set of the server process over the whole session (Node + worker pool).
MAX_SERVER_HWM_MB = 1536
CALL_TIMEOUT_S = 120


def _requests(server):
    have = sources(server)
    reqs = [
        ("fake", command("fake", numRows=20000, numPartitions=2, seed=1)),
        ("fake", command("fake", schema="id int, name string, ssn string, when timestamp, score double", numRows=5000, seed=2)),
    ]
    if "zipdcm" in have:
        reqs.append(("zipdcm", command("zipdcm", "dicom", numPartitions=3)))
    if "zipcsv" in have:
        reqs.append(("zipcsv", command("zipcsv", "csv", header=True, inferSchema=True, numPartitions=2)))
    return reqs


def _percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def test_32_concurrent_streams_exact_rows_bounded_rss(server):
    opts = flight.FlightCallOptions(timeout=CALL_TIMEOUT_S)
    client = flight.FlightClient(server.uri)
    # Reference: every endpoint of every request, read alone, one at a time.
    work = []
    for name, desc in _requests(server):
        for ep in client.get_flight_info(desc, opts).endpoints:
            work.append((name, ep.ticket, client.do_get(ep.ticket, opts).read_all()))
    client.close()
    assert work
    rss_before = server.status("VmRSS")

    stop_at = time.monotonic() + DURATION_S
    lock = threading.Lock()
    latencies = {name: [] for name, _, _ in work}
    mismatches = []
    rows = [0]
    lost = [0]

    def stream_loop(c: flight.FlightClient, k: int) -> int:
        done = 0
        i = k
        while time.monotonic() < stop_at or done == 0:
            name, ticket, expected = work[i % len(work)]
            t0 = time.perf_counter()
            got = c.do_get(ticket, opts).read_all()
            dt = time.perf_counter() - t0
            with lock:
                latencies[name].append(dt)
                rows[0] += got.num_rows
                if not got.equals(expected):
                    lost[0] += max(0, expected.num_rows - got.num_rows)
                    mismatches.append(f"{name} endpoint {i % len(work)}: {got.num_rows} rows vs {expected.num_rows}")
            done += 1
            i += 1  # each thread cycles through every endpoint, starting at its own
        return done

    counts, wall = run_clients(server.uri, STREAMS, stream_loop)
    hwm_mb = server.status("VmHWM") / 1024
    all_lat = [x for v in latencies.values() for x in v]
    print(f"\nload: {STREAMS} concurrent streams, {wall:.1f} s, {sum(counts)} streams, {rows[0]} rows, "
          f"{len(mismatches)} mismatched, {lost[0]} rows lost, server RSS before {rss_before / 1024:.0f} MiB, peak (VmHWM) {hwm_mb:.0f} MiB")
    print(f"load: all p50 {_percentile(all_lat, 50) * 1000:.0f} ms, p99 {_percentile(all_lat, 99) * 1000:.0f} ms")
    for name, lat in latencies.items():
        if lat:
            print(f"load: {name:7s} {len(lat):5d} streams, p50 {_percentile(lat, 50) * 1000:.0f} ms, p99 {_percentile(lat, 99) * 1000:.0f} ms")
    assert mismatches == []
    assert min(counts) >= 1
    assert hwm_mb < MAX_SERVER_HWM_MB
    assert server.alive()
