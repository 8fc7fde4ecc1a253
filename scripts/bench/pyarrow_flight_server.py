"""pyarrow's own C++ Flight server as the throughput baseline (issue 7): a FlightServerBase serving
one table, loaded from an Arrow IPC file, with the same batches zipflight sent. Any CMD descriptor
gets one endpoint whose DoGet streams the table. Prints `listening on grpc://HOST:PORT`, then
serves until stdin closes (the harness ends it by closing the pipe).

Usage: pyarrow_flight_server.py TABLE.arrow
"""
import sys
import threading

import pyarrow as pa
import pyarrow.flight as flight

HOST = "127.0.0.1"
TICKET = b"table"


class TableServer(flight.FlightServerBase):
    def __init__(self, table):
        super().__init__(f"grpc://{HOST}:0")
        self._table = table

    def get_flight_info(self, context, descriptor):
        endpoint = flight.FlightEndpoint(TICKET, [])
        return flight.FlightInfo(self._table.schema, descriptor, [endpoint],
                                 self._table.num_rows, self._table.nbytes)

    def do_get(self, context, ticket):
        if ticket.ticket != TICKET:
            raise KeyError(ticket.ticket)
        return flight.RecordBatchStream(self._table)


def main():
    with pa.OSFile(sys.argv[1]) as source:  # copied into memory, as a server holding a table would
        table = pa.ipc.open_file(source).read_all()
    server = TableServer(table)
    print(f"listening on grpc://{HOST}:{server.port}", flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), server.shutdown()), daemon=True).start()
    server.wait()


if __name__ == "__main__":
    main()
