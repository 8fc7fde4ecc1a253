// Worker-thread entry for the pool (server/workers/pool.ts). Worker threads do not inherit the
// tsx loader that bin/zipflight.mjs registered in the main thread. tsx's CommonJS hook compiles
// in this thread; its ESM hook would start one more loader thread per worker (measured: ~38 MB
// per worker with the ESM hook, ~20 MB with this one). The handler is piscina's export: a chunk
// of an archive's members or of bare files (member-batch.ts), or one member whose bytes come with the task.
const { register } = require('tsx/cjs/api');

register();
const { handleMemberTask } = require('./member-task.ts');
const { handleBatchTask, handleFilesTask } = require('./member-batch.ts');
const { packedBuffers } = require('./member-columns.ts');
const { setLimits } = require('../limits.ts');
const { move, transferableSymbol, valueSymbol } = require('piscina');
const { startWarmUp } = require('./warm-up.ts');

// JIT warm-up in the background from thread start; the first real task ends it (warm-up.ts).
const warmUp = startWarmUp();

// One task at a time: the pool hands a worker its next task while one runs (pool.ts
// TASKS_PER_WORKER), and piscina would start it at once, interleaving the two at their awaits
// over this thread's shared buffers (member-batch.ts's sink and block buffer).
let previous = Promise.resolve();
module.exports = (message) => {
  const run = previous.then(() => handle(message));
  previous = run.then(ignore, ignore);
  return run;
};

function ignore() {}

// The main thread's limits come with every task (pool.ts WorkerMessage): this thread's copy of
// server/limits.ts would otherwise keep its defaults.
function handle({ task, limits }) {
  warmUp.stop();
  setLimits(limits);
  if (task.kind === 'batch') return handleBatchTask(task).then(transferred);
  return task.kind === 'files' ? transferred(handleFilesTask(task)) : handleMemberTask(task);
}

// A chunk's columns go to the main thread by transfer, not by a structured clone (one copy of
// ~100 KiB of meta text fewer per chunk, on each side).
function transferred(columns) {
  return move({ [transferableSymbol]: packedBuffers(columns), [valueSymbol]: columns });
}
