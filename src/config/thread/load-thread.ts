/**
 * Worker-thread entry (node:worker_threads): loads and validates configurations away from the
 * main thread, so a big reload never stalls the proxy's event loop. Started by off-thread.ts.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { loadState, loadTextAsync } from '../index.js';
import { useKongProfile } from '../schemas.js';
import { KINDS } from '../kinds.js';
import { PART_SIZE, type LoadAnswer, type LoadRequest } from './protocol.js';

/**
 * Yield the CPU to the main thread when both share a core (a gateway pinned to one CPU): Linux
 * gives each thread its own nice value; /proc/thread-self names this thread's id.
 */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 5);
  } catch {
    // not Linux, or not permitted: the thread runs at the process's priority
  }
}

async function answer(req: LoadRequest, post: (a: LoadAnswer) => void): Promise<void> {
  try {
    useKongProfile(req.profile);
    const r = req.kind === 'files'
      ? await loadState(req.inputs, { env: req.env, cwd: req.cwd })
      : await loadTextAsync(req.text, { env: req.env, name: req.name });
    if (r.state === null) return post({ id: req.id, state: null, issues: r.issues });
    for (const k of KINDS) {
      const list = r.state.entities[k.name];
      for (let i = 0; i < list.length; i += PART_SIZE) post({ id: req.id, part: { kind: k.name, entities: list.slice(i, i + PART_SIZE) } });
    }
    post({ id: req.id, state: { workspace: r.state.workspace, selectTags: r.state.selectTags, entities: {} }, issues: r.issues });
  } catch (err) {
    post({ id: req.id, error: (err as Error)?.message ?? String(err) });
  }
}

lowerPriority();
parentPort?.on('message', (req: LoadRequest) => void answer(req, (a) => parentPort?.postMessage(a)));
