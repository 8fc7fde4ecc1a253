"""The benchmark's Flight client: pyarrow's own, as a user runs it (Arrow Flight RPC, issue 7).
GetFlightInfo for a CMD descriptor, then every endpoint's DoGet in parallel threads; reports rows,
Arrow bytes, client CPU seconds (all threads of this process) and wall time as one JSON object.

Usage: flight_client.py --port P --cmd JSON [--threads N] [--save FILE.arrow] [--count-errors]
"""
import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pyarrow.flight as flight

DEFAULT_THREADS = 8
ERROR_SAMPLES = 3  # error texts kept per read, so a report can say which members failed
HOST = "127.0.0.1"


def read_endpoint(client, endpoint, keep, count_errors):
    """One DoGet stream: rows, Arrow buffer bytes, non-null `error` cells (and the first few texts),
    optionally the batches."""
    reader = client.do_get(endpoint.ticket)
    rows = nbytes = errors = 0
    batches, samples = [], []
    for chunk in reader:
        batch = chunk.data
        rows += batch.num_rows
        nbytes += batch.nbytes
        if count_errors and "error" in batch.schema.names:
            column = batch.column(batch.schema.get_field_index("error"))
            errors += len(column) - column.null_count
            if column.null_count < len(column) and len(samples) < ERROR_SAMPLES:
                samples += [e for e in column.drop_null().to_pylist()[:ERROR_SAMPLES - len(samples)]]
        if keep:
            batches.append(batch)
    return rows, nbytes, errors, batches, reader.schema, samples


def read_all(port, cmd, threads, keep=False, count_errors=False):
    client = flight.connect(f"grpc://{HOST}:{port}")
    cpu0, wall0 = time.process_time(), time.perf_counter()
    info = client.get_flight_info(flight.FlightDescriptor.for_command(cmd.encode()))
    workers = max(1, min(threads, len(info.endpoints)))
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(lambda ep: read_endpoint(client, ep, keep, count_errors), info.endpoints))
    result = {
        "rows": sum(p[0] for p in parts), "bytes": sum(p[1] for p in parts),
        "errors": sum(p[2] for p in parts), "endpoints": len(info.endpoints),
        "error_samples": [e for p in parts for e in p[5]][:ERROR_SAMPLES],
        "cpu_s": time.process_time() - cpu0, "wall_s": time.perf_counter() - wall0,
    }
    client.close()
    schema = parts[0][4] if parts else info.schema
    table = pa.Table.from_batches([b for p in parts for b in p[3]], schema=schema) if keep else None
    return result, table


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cmd", required=True, help="the CMD descriptor's UTF-8 JSON")
    ap.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    ap.add_argument("--save", help="write what was read to this Arrow IPC file")
    ap.add_argument("--count-errors", action="store_true", help="count non-null `error` cells")
    args = ap.parse_args()
    try:
        result, table = read_all(args.port, args.cmd, args.threads, bool(args.save), args.count_errors)
    except (flight.FlightError, pa.ArrowException, KeyError) as exc:
        print(json.dumps({"failed": f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"}))
        return
    if table is not None:
        with pa.OSFile(args.save, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
    print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
