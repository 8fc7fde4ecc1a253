// Worker-thread entry for the fuzz runner (test/fuzz/runner.ts). Worker threads do not inherit
// tsx's loader, so register it first, then run the TypeScript case loop.
import { register } from 'tsx/esm/api';

register();
await import('./worker-loop.ts');
