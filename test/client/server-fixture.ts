// A real zipflight server on port 0 in this process, and our Flight client connected to it: the
// fixture every client/protocol integration test starts from (like arrow-rs's roundtrip tests).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlightClient, type ConnectOptions } from '../../client/flight-client.ts';
import { startFlightServer, type FlightServerOptions, type RunningFlightServer } from '../../server/protocol/flight-server.ts';
import { randomTicketKey } from '../../server/protocol/ticket.ts';
import { SourceRegistry, SOURCES } from '../../server/sources/registry.ts';
import type { Source } from '../../server/sources/source.ts';
import { DataRoot } from '../../server/storage/data-root.ts';

/** Grace period on stop: tests leave no stream running, so anything longer only slows them. */
const STOP_GRACE_MS = 200;

export interface TestServer {
  server: RunningFlightServer;
  client: FlightClient;
  ticketKey: Uint8Array;
  /** Another client on the same server, e.g. with other receive limits. */
  connect(options?: ConnectOptions): FlightClient;
  stop(): Promise<void>;
}

/**
 * The registered sources plus `extra` (test-only sources), over an empty temporary data root;
 * `overrides` set anything else the server takes (auth, its ticket key).
 */
export async function startTestServer(extra: Source[] = [], overrides: Partial<FlightServerOptions> = {}): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'zipflight-client-test-'));
  const ticketKey = overrides.ticketKey ?? randomTicketKey();
  const server = await startFlightServer({
    host: '127.0.0.1',
    port: 0,
    sources: new SourceRegistry([...SOURCES, ...extra]),
    root: await DataRoot.open(dir),
    ...overrides,
    ticketKey,
  });
  const clients: FlightClient[] = [];
  const connect = (options?: ConnectOptions) => {
    const c = FlightClient.connect(server.url, options);
    clients.push(c);
    return c;
  };
  const client = connect();
  return {
    server,
    client,
    ticketKey,
    connect,
    async stop() {
      for (const c of clients) c.close();
      await server.shutdown(STOP_GRACE_MS);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
