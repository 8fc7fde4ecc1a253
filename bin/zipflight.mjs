#!/usr/bin/env node
// The `zipflight` command. Sources are TypeScript run through tsx's loader (no build step);
// `serve` belongs to the server, everything else (ls, get, info, schema) to the client CLI.
import { register } from 'tsx/esm/api';

register();
const command = process.argv[2];
if (command === 'serve') await import('../server/main.ts');
else await import('../client/cli.ts');
