// Worker-thread entry for the pool (server/workers/pool.ts). Worker threads do not inherit the
// tsx loader that bin/zipflight.mjs registered in the main thread, so register it here first,
// then hand piscina the TypeScript handler as this module's default export.
import { register } from 'tsx/esm/api';

register();
const { handleMemberTask } = await import('./member-task.ts');
export default handleMemberTask;
