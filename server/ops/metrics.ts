// Prometheus metrics (issue 6 "Operations"; Prometheus text exposition format 0.0.4 via
// prom-client): calls, rows, bytes, errors by status, stream durations, active streams, plus the
// process's own (RSS, event-loop lag). One registry per server, so tests may run several.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const PREFIX = 'zipflight_';
/** Seconds: loopback calls of a few ms up to long full-corpus streams. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];
const METRICS_PATH = '/metrics';
const HTTP_OK = 200;
const HTTP_NOT_FOUND = 404;
const HTTP_ERROR = 500;

export interface CallSample {
  method: string;
  /** Registered source name, or '' when the call named none (or an unknown one). */
  source: string;
  /** gRPC status name: OK, CANCELLED, NOT_FOUND, ... */
  status: string;
  rows: number;
  bytes: number;
  seconds: number;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly calls = new Counter({ name: `${PREFIX}calls_total`, help: 'Flight calls finished, by method and gRPC status', labelNames: ['method', 'status'], registers: [this.registry] });
  private readonly errors = new Counter({ name: `${PREFIX}errors_total`, help: 'Flight calls that ended in an error, by method and gRPC status', labelNames: ['method', 'status'], registers: [this.registry] });
  private readonly rows = new Counter({ name: `${PREFIX}rows_total`, help: 'Rows sent in DoGet streams, by source', labelNames: ['source'], registers: [this.registry] });
  private readonly bytes = new Counter({ name: `${PREFIX}bytes_total`, help: 'FlightData bytes sent, by method and source', labelNames: ['method', 'source'], registers: [this.registry] });
  private readonly durations = new Histogram({ name: `${PREFIX}call_duration_seconds`, help: 'Call and stream durations, by method', labelNames: ['method'], buckets: DURATION_BUCKETS, registers: [this.registry] });
  private readonly active = new Gauge({ name: `${PREFIX}active_streams`, help: 'DoGet streams running now', registers: [this.registry] });

  /** `poolQueue` reports tasks waiting for a parsing worker, when the pool exposes it. */
  constructor(options: { processMetrics?: boolean; poolQueue?: () => number } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
    const poolQueue = options.poolQueue;
    if (poolQueue) {
      new Gauge({ name: `${PREFIX}worker_queue_tasks`, help: 'Parsing tasks waiting for a worker thread', registers: [this.registry], collect() { this.set(poolQueue()); } });
    }
  }

  streamStarted(): void {
    this.active.inc();
  }

  streamEnded(): void {
    this.active.dec();
  }

  callFinished(s: CallSample): void {
    this.calls.inc({ method: s.method, status: s.status });
    if (s.status !== 'OK') this.errors.inc({ method: s.method, status: s.status });
    if (s.rows > 0) this.rows.inc({ source: s.source }, s.rows);
    if (s.bytes > 0) this.bytes.inc({ method: s.method, source: s.source }, s.bytes);
    this.durations.observe({ method: s.method }, s.seconds);
  }
}

export interface MetricsEndpoint {
  url: string;
  close(): Promise<void>;
}

/** Serves `GET /metrics` in Prometheus text format on host:port (0 picks a free port). */
export async function serveMetrics(metrics: Metrics, host: string, port: number): Promise<MetricsEndpoint> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== METRICS_PATH) {
      res.writeHead(HTTP_NOT_FOUND).end('not found; try GET /metrics\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(HTTP_OK, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(HTTP_ERROR).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${bound}${METRICS_PATH}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
