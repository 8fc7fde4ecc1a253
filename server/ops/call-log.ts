// One record per Flight call (issue 6 "Operations"): a request id, method, source, principal,
// rows, bytes, duration and final status, written as one JSON log line and fed to the metrics.
// Knows nothing of gRPC: the protocol layer reports status codes and names.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

const REQUEST_ID_BYTES = 8;
const MS_PER_S = 1000;
/** Statuses that mean the server (not the request) failed: logged as errors. */
const SERVER_FAULTS = new Set(['INTERNAL', 'UNKNOWN', 'DATA_LOSS', 'UNAVAILABLE']);

export interface CallRecord {
  readonly requestId: string;
  /** The authenticated user or token, when auth is on. */
  principal?: string;
  /** The registered source the call read, once known. */
  source?: string;
  rows: number;
  bytes: number;
  /** Records the final status once; later calls are ignored. */
  finish(status: string, details?: string): void;
  readonly finished: boolean;
}

export interface CallObserver {
  start(method: string, peer: string, stream: boolean): CallRecord;
}

export class CallLog implements CallObserver {
  private readonly logger?: Logger;
  private readonly metrics?: Metrics;
  /** Distinguishes this process's ids from another replica's. */
  private readonly prefix = randomBytes(REQUEST_ID_BYTES / 2).toString('hex');
  private counter = 0;

  constructor(options: { logger?: Logger; metrics?: Metrics }) {
    this.logger = options.logger;
    this.metrics = options.metrics;
  }

  start(method: string, peer: string, stream: boolean): CallRecord {
    const t0 = performance.now();
    const requestId = `${this.prefix}-${(++this.counter).toString(16)}`;
    if (stream) this.metrics?.streamStarted();
    const log = this;
    const record: CallRecord = {
      requestId,
      rows: 0,
      bytes: 0,
      finished: false,
      finish(status: string, details?: string) {
        if (record.finished) return;
        (record as { finished: boolean }).finished = true;
        if (stream) log.metrics?.streamEnded();
        log.report(method, peer, record, status, details, (performance.now() - t0) / MS_PER_S);
      },
    };
    return record;
  }

  private report(method: string, peer: string, r: CallRecord, status: string, details: string | undefined, seconds: number): void {
    this.metrics?.callFinished({ method, source: r.source ?? '', status, rows: r.rows, bytes: r.bytes, seconds });
    if (!this.logger) return;
    const line = {
      reqId: r.requestId,
      method,
      source: r.source,
      user: r.principal,
      peer,
      rows: r.rows,
      bytes: r.bytes,
      durationMs: Math.round(seconds * MS_PER_S * 10) / 10,
      status,
      error: status === 'OK' ? undefined : details,
    };
    if (status === 'OK') this.logger.info(line, 'call');
    else if (SERVER_FAULTS.has(status)) this.logger.error(line, 'call failed');
    else this.logger.warn(line, 'call refused or cancelled');
  }
}
