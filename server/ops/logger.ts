// Structured JSON logs (issue 6 "Operations"): pino, one JSON object a line, on stdout by default.
// Servers started without a logger (unit tests, embedding) log nothing.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

const STDOUT_FD = 1;

/** A JSON logger at `level`; `destination` defaults to stdout (tests pass a capturing stream). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'zipflight' }, timestamp: pino.stdTimeFunctions.isoTime };
  // Synchronous writes: a line per call is cheap, and nothing is lost when the process exits.
  return pino(options, destination ?? pino.destination({ dest: STDOUT_FD, sync: true }));
}

/** A logger that drops everything. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
