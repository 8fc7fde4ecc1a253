"""Rows per second of a `fake` read through pyarrow's own FlightClient (not a test: a figure).

Starts `zipflight serve` on port 0 (or uses --uri), plans one CMD descriptor with GetFlightInfo and
reads every endpoint with DoGet on its own thread, as read_arrow does. Prints the best of --repeat
runs per schema, so a noisy shared machine costs less of the figure.

    .venv/bin/python client/python/benchmarks/fake_read.py --rows 1000000 --partitions 4
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.flight as flight

REPO = Path(__file__).resolve().parents[3]
READY_LINE = re.compile(r"zipflight listening on (grpc://\S+)")
SCHEMAS = {
    "default": None,  # the source's own default: name, date, zipcode, state
    "numeric": "id bigint, x double, n int, ok boolean",
    "people": "first_name string, last_name string, email string, city string, phone_number string, uuid4 string",
}


def read_once(uri: str, options: dict) -> tuple:
    client = flight.connect(uri)
    try:
        started = time.perf_counter()
        cmd = json.dumps({"source": "fake", "options": options}).encode()
        info = client.get_flight_info(flight.FlightDescriptor.for_command(cmd))
        with ThreadPoolExecutor(max_workers=len(info.endpoints)) as pool:
            tables = list(pool.map(lambda e: client.do_get(e.ticket).read_all(), info.endpoints))
        seconds = time.perf_counter() - started
        return pa.concat_tables(tables).num_rows, seconds
    finally:
        client.close()


def start_server() -> tuple:
    root = tempfile.mkdtemp(prefix="zipflight-bench-")
    cmd = ["node", str(REPO / "bin" / "zipflight.mjs"), "serve", "--root", root, "--port", "0", "--log-level", "warn"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        found = READY_LINE.search(line)
        if found:
            return proc, found.group(1)
    raise SystemExit("zipflight serve exited before it was ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uri")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--schema", choices=sorted(SCHEMAS), action="append")
    args = parser.parse_args()
    proc, uri = (None, args.uri) if args.uri else start_server()
    try:
        read_once(uri, {"numRows": 1000})  # warm the server's JIT and the connection
        for name in args.schema or ["default", "numeric"]:
            options = {"numRows": args.rows, "numPartitions": args.partitions, "seed": 1}
            if SCHEMAS[name]:
                options["schema"] = SCHEMAS[name]
            runs = [read_once(uri, options) for _ in range(args.repeat)]
            rows, best = runs[0][0], min(s for _, s in runs)
            assert rows == args.rows, f"read {rows} rows, asked for {args.rows}"
            print(f"{name:8s} {rows} rows x{args.partitions} partitions: best {best:.2f}s = {rows / best:,.0f} rows/s"
                  f" (runs {', '.join(f'{s:.2f}' for _, s in runs)}; load {os.getloadavg()[0]:.1f})")
    finally:
        if proc:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
