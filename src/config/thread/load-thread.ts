/**
 * Worker-thread entry (node:worker_threads): loads and validates configurations away from the
 * main thread, so a big reload never stalls the proxy's event loop. Started by off-thread.ts.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { serialize } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { loadState, loadText } from '../index.js';
import { useKongProfile } from '../schemas.js';
import { KINDS } from '../kinds.js';
import type { State } from '../state.js';
import { PART_SIZE, reuseKey, type LoadAnswer, type LoadRequest } from './protocol.js';

/**
 * Every entity of the last State answered, serialised (structured clone's own format, so equal
 * bytes are an exact copy, `undefined` and key order included), by kind and id. An entity whose
 * bytes did not change is sent as its id; the main thread keeps its object (off-thread.ts).
 */
let sent = new Map<string, Buffer>();

/** Post a State's entities in parts, unchanged ones as their ids; what to remember once the answer is complete. */
function postEntities(id: number, state: State, post: (a: LoadAnswer) => void): Map<string, Buffer> {
  const next = new Map<string, Buffer>();
  for (const k of KINDS) {
    const list = state.entities[k.name];
    for (let i = 0; i < list.length; i += PART_SIZE) {
      const entities = list.slice(i, i + PART_SIZE).map((e) => {
        const key = reuseKey(k.name, e.id);
        const bytes = serialize(e);
        next.set(key, bytes);
        return sent.get(key)?.equals(bytes) === true ? e.id : e;
      });
      post({ id, part: { kind: k.name, entities } });
    }
  }
  return next;
}

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
      : loadText(req.text, { env: req.env, name: req.name });
    if (r.state === null) return post({ id: req.id, state: null, issues: r.issues });
    const next = postEntities(req.id, r.state, post);
    post({ id: req.id, state: { workspace: r.state.workspace, selectTags: r.state.selectTags, entities: {} }, issues: r.issues });
    sent = next;
  } catch (err) {
    post({ id: req.id, error: (err as Error)?.message ?? String(err) });
  }
}

lowerPriority();
parentPort?.on('message', (req: LoadRequest) => void answer(req, (a) => parentPort?.postMessage(a)));
