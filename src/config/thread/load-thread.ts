/**
 * Worker-thread entry (node:worker_threads): loads and validates configurations away from the
 * main thread, so a big reload never stalls the proxy's event loop. Started by off-thread.ts.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { loadState, loadText } from '../index.js';
import { useKongProfile } from '../schemas.js';
import type { LoadAnswer, LoadRequest } from './protocol.js';

/**
 * Yield the CPU to the main thread when both share a core (a gateway pinned to one CPU): Linux
 * gives each thread its own nice value; /proc/thread-self names this thread's id.
 */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // not Linux, or not permitted: the thread runs at the process's priority
  }
}

async function answer(req: LoadRequest): Promise<LoadAnswer> {
  try {
    useKongProfile(req.profile);
    const r = req.kind === 'files'
      ? await loadState(req.inputs, { env: req.env, cwd: req.cwd })
      : loadText(req.text, { env: req.env, name: req.name });
    return { id: req.id, state: r.state, issues: r.issues };
  } catch (err) {
    return { id: req.id, error: (err as Error)?.message ?? String(err) };
  }
}

lowerPriority();
parentPort?.on('message', (req: LoadRequest) => {
  void answer(req).then((a) => parentPort?.postMessage(a));
});
