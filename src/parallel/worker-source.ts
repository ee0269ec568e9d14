// The worker threads' code, as text: a worker is made from it (Node: `eval: true`; browsers: a Blob
// URL), so there is no worker file for users or bundlers to locate and serve. Self-contained: it
// instantiates the threads module over the shared memory once, then, for each fit it is handed,
// runs its shard of each chunk when the main thread bumps the `go` word, until the command word
// says quit; then it parks, ready for the next fit.
import { SYNC_WORD, QUIT } from './control.js';

const BODY = `
let k, mem;
const run = async ({ module, memory, ctl, tid, scratch }) => {
  let failed = false;
  try {
    if (!k) {
      const abort = (_m, _f, line, col) => { throw new Error('backprop wasm: assertion failed at ' + line + ':' + col); };
      k = (await WebAssembly.instantiate(module, { env: { memory, abort, now: () => performance.now() } })).exports;
      mem = memory;
    }
    k.setScratch(scratch);
    const words = new Int32Array(mem.buffer, ctl * k.elementBytes(), 8); // ctl: an element offset of the module's type
    post({ ready: true });
    let seen = 0;
    for (;;) {
      Atomics.wait(words, ${SYNC_WORD.go}, seen);
      seen = Atomics.load(words, ${SYNC_WORD.go});
      if (Atomics.load(words, ${SYNC_WORD.cmd}) === ${QUIT}) break;
      try {
        k.trainShards(ctl, tid, 1);
      } catch (e) {
        Atomics.store(words, ${SYNC_WORD.abort}, 1);
        Atomics.notify(words, ${SYNC_WORD.gen});
        throw e;
      }
    }
  } catch (e) {
    failed = true;
    post({ error: String((e && e.stack) || e) });
  }
  // Parked until the next threaded fit hands over its control block (a failed worker is not reused).
  if (!failed) {
    post({ parked: true });
    on(run);
  }
};
on(run);
`;

// Not require(): an eval worker runs as an ES module when the parent process has --input-type=module.
export const NODE_WORKER = `'use strict';
const { parentPort } = process.getBuiltinModule('node:worker_threads');
const on = (f) => parentPort.once('message', f);
const post = (m) => parentPort.postMessage(m);
${BODY}`;

export const BROWSER_WORKER = `'use strict';
const on = (f) => { self.onmessage = (e) => { self.onmessage = null; f(e.data); }; };
const post = (m) => self.postMessage(m);
${BODY}`;
