// Flight location URIs (Flight.proto `Location`; Arrow's scheme names): grpc:// and grpc+tcp://
// are plaintext, grpc+tls:// uses TLS. The port is required: Flight has no default port.
import { ClientError, Status } from './client-error.ts';

const PLAINTEXT = new Set(['grpc:', 'grpc+tcp:']);
const TLS = 'grpc+tls:';

export interface FlightTarget {
  /** host:port as grpc-js wants it (IPv6 hosts keep their brackets). */
  target: string;
  tls: boolean;
}

export function parseFlightUri(uri: string): FlightTarget {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ClientError(Status.INVALID_ARGUMENT, `not a Flight URI: '${uri}' (expected grpc://HOST:PORT)`);
  }
  const tls = url.protocol === TLS;
  if (!tls && !PLAINTEXT.has(url.protocol)) {
    throw new ClientError(Status.INVALID_ARGUMENT, `unsupported scheme '${url.protocol}' in '${uri}' (use grpc://, grpc+tcp:// or grpc+tls://)`);
  }
  if (!url.hostname || !url.port) throw new ClientError(Status.INVALID_ARGUMENT, `'${uri}' needs a host and a port, e.g. grpc://127.0.0.1:8815`);
  return { target: `${url.hostname}:${url.port}`, tls };
}
