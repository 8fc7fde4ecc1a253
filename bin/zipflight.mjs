#!/usr/bin/env node
// The `zipflight` command. Sources are TypeScript run through tsx's loader (no build step);
// `serve` belongs to the server, everything else (ls, get, info, schema) to the client CLI.
import v8 from 'node:v8';
import { register } from 'tsx/esm/api';

/**
 * V8 grows the heap limit after each mark-compact by a factor it picks (often ~1.1–1.5 on a
 * heap this small). A DoGet stream churns hundreds of MB of short-lived ArrayBuffers (grpc-js
 * copies every FlightData into a new one), which then triggers a mark-compact every few tens of
 * MB: 12–19 per 352 MB DoGet of the bench table, about a third of the main thread's time. Letting
 * the limit grow to 3× the live heap leaves ~1 mark-compact per read (issue 7, measured with
 * --trace-gc); garbage stays bounded by 3× what is live. GC flags are read at each limit
 * recomputation, so setting it here, before the server loads, applies to every isolate.
 */
const HEAP_GROWING_FLAG = '--heap-growing-percent';
const HEAP_GROWING_PERCENT = 200;

const command = process.argv[2];
const flagGiven = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => a.startsWith(HEAP_GROWING_FLAG));
if (command === 'serve' && !flagGiven) v8.setFlagsFromString(`${HEAP_GROWING_FLAG}=${HEAP_GROWING_PERCENT}`);
register();
if (command === 'serve') await import('../server/main.ts');
else await import('../client/cli.ts');
