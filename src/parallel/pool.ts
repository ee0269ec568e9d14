// The worker threads of threaded fits: Node's worker_threads or Web Workers, each made from
// src/parallel/worker-source.ts's text. Workers outlive a fit: parked ones are handed the next fit
// (starting a worker and compiling its instance costs ~25 ms a fit otherwise).
import { NODE_WORKER, BROWSER_WORKER } from './worker-source.js';
import { nodeProcess, isNode } from './open.js';

type Message = { ready?: boolean; parked?: boolean; error?: string };

interface Port {
  post(message: unknown): void;
  onMessage(f: (m: Message) => void): void;
  terminate(): Promise<unknown> | void;
}

/** A worker between fits, and the module it instantiated. */
interface Parked {
  port: Port;
  module: WebAssembly.Module;
  listen(f: (m: Message) => void): void;
}
const parked: Parked[] = [];

type NodeWorker = {
  postMessage(m: unknown): void;
  on(e: string, f: (x: never) => void): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
};
type NodeWorkerThreads = { Worker: new (code: string, options: { eval: true }) => NodeWorker };

/** Why workers over shared memory cannot run here, or undefined when they can. */
export function whyNoThreads(): string | undefined {
  // First: browsers hide SharedArrayBuffer from pages that are not isolated, and the fix is the headers.
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) {
    return 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return 'SharedArrayBuffer is not available here';
  if (isNode) return nodeProcess?.getBuiltinModule ? undefined : 'this Node lacks process.getBuiltinModule (Node ≥ 20.16 or 22.3 has it)';
  return typeof Worker === 'function' && typeof Blob === 'function' && typeof URL?.createObjectURL === 'function'
    ? undefined
    : 'Web Workers are not available here';
}

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
export function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

function spawn(): Port {
  if (isNode) {
    const { Worker } = nodeProcess!.getBuiltinModule!('node:worker_threads') as NodeWorkerThreads;
    const w = new Worker(NODE_WORKER, { eval: true });
    // Held while it serves a fit (until it parks), never while parked: a process with nothing else
    // to do exits even with parked workers.
    return {
      post: (m) => {
        w.ref();
        w.postMessage(m);
      },
      onMessage: (f) => {
        w.on('message', (m: Message) => {
          if (m.parked || m.error !== undefined) w.unref();
          f(m);
        });
        w.on('error', (e: Error) => f({ error: String(e?.stack ?? e) }));
      },
      terminate: () => w.terminate(),
    };
  }
  const url = URL.createObjectURL(new Blob([BROWSER_WORKER], { type: 'text/javascript' }));
  let w: Worker;
  try {
    w = new Worker(url);
  } finally {
    URL.revokeObjectURL(url); // the worker has its own reference to the script
  }
  // A Content Security Policy that does not allow blob: workers blocks this one. The worker's error
  // event does not say why; the policy violation event, fired at this realm's global, does.
  const scope = globalThis as unknown as EventTarget;
  let unwatch = () => {};
  return {
    post: (m) => w.postMessage(m),
    onMessage: (f) => {
      const onViolation = (e: Event) => {
        const { blockedURI, effectiveDirective } = e as SecurityPolicyViolationEvent;
        if (blockedURI.startsWith('blob') && /^(worker|child|script|default)-src/.test(effectiveDirective)) {
          f({
            error: `the Content Security Policy blocks workers from blob: URLs (${effectiveDirective}); allow them with worker-src 'self' blob:`,
          });
        }
      };
      scope.addEventListener?.('securitypolicyviolation', onViolation);
      unwatch = () => scope.removeEventListener?.('securitypolicyviolation', onViolation);
      w.onmessage = (e) => {
        if (e.data?.ready) unwatch();
        f(e.data);
      };
      w.onerror = (e) =>
        f({
          error:
            e.message || "the worker failed to start (under a Content Security Policy, allow blob: workers with worker-src 'self' blob:)",
        });
    },
    terminate: () => {
      unwatch();
      w.terminate();
    },
  };
}

export interface Pool {
  /** The first error a worker reported, if any. */
  readonly error: string | undefined;
  close(): Promise<void>;
}

/**
 * Starts one worker per entry of `scratch` (thread ids 1, 2, …), each instantiating `module` over
 * `memory`; resolves once all are ready, rejects (after stopping them) if any fails. `ctl` and the
 * scratch offsets are element offsets of the module's type.
 */
export async function startWorkers(module: WebAssembly.Module, memory: WebAssembly.Memory, ctl: number, scratch: number[]): Promise<Pool> {
  const workers: Parked[] = [];
  const failed = new Set<Parked>();
  let error: string | undefined;
  const pool: Pool = {
    get error() {
      return error;
    },
    async close() {
      // After the trainer's QUIT, each healthy worker parks; a failed one is stopped for good.
      await Promise.all(
        workers.map((w) => {
          if (failed.has(w)) return w.port.terminate();
          return new Promise<void>((resolve) =>
            w.listen((m) => {
              if (m.parked) parked.push(w);
              else void w.port.terminate();
              resolve();
            }),
          );
        }),
      );
    },
  };
  try {
    await Promise.all(
      scratch.map(
        (at, i) =>
          new Promise<void>((resolve, reject) => {
            const k = parked.findIndex((w) => w.module === module);
            const w = k >= 0 ? parked.splice(k, 1)[0] : newWorker(module);
            workers.push(w);
            w.listen((m) => {
              if (m.error !== undefined) {
                failed.add(w);
                error ??= m.error;
                reject(new Error(m.error));
              } else if (m.ready) resolve();
            });
            w.port.post({ module, memory, ctl, tid: i + 1, scratch: at });
          }),
      ),
    );
  } catch (e) {
    workers.forEach((w) => failed.add(w));
    await pool.close();
    throw e;
  }
  return pool;
}

/** A new worker whose messages go to whichever listener the current fit set. */
function newWorker(module: WebAssembly.Module): Parked {
  const port = spawn();
  let listener: (m: Message) => void = () => {};
  port.onMessage((m) => listener(m));
  return { port, module, listen: (f) => void (listener = f) };
}
