/**
 * The configuration process's entry (a child process with an IPC channel, `serialization:
 * 'advanced'`): loads and validates configurations away from the gateway, at a priority below it
 * (priority.ts), so a big reload never stalls the proxy's event loop nor takes its core while
 * requests wait. Started by off-thread.ts; ends when the gateway closes the channel or exits.
 */
import { loadState, loadTextAsync } from '../index.js';
import { useKongProfile } from '../schemas.js';
import { KINDS } from '../kinds.js';
import type { State } from '../state.js';
import { ConfigBodyError, jsonConfigText } from './config-body.js';
import { CONFIG_NICE, lowerThisProcess } from './priority.js';
import { entityDigest, PART_SIZE, reuseKey, textOf, type LoadAnswer, type LoadRequest } from './protocol.js';

/** Post a State's entities in parts; those the main thread has (same digest) as their ids, without their digest. */
function postEntities(id: number, state: State, known: ReadonlyMap<string, string>, post: (a: LoadAnswer) => void): void {
  for (const k of KINDS) {
    const list = state.entities[k.name];
    for (let i = 0; i < list.length; i += PART_SIZE) {
      const digests: string[] = [];
      const entities = list.slice(i, i + PART_SIZE).map((e) => {
        const d = entityDigest(e);
        if (known.get(reuseKey(k.name, e.id)) === d) return e.id;
        digests.push(d);
        return e;
      });
      post({ id, part: { kind: k.name, entities, digests } });
    }
  }
}

async function answer(req: LoadRequest, post: (a: LoadAnswer) => void): Promise<void> {
  try {
    useKongProfile(req.profile);
    let text = req.kind === 'text' ? textOf(req.text) : '';
    if (req.kind === 'text' && req.json === true) {
      try {
        text = jsonConfigText(text);
      } catch (err) {
        if (err instanceof ConfigBodyError) return post({ id: req.id, refused: err.message });
        throw err;
      }
    }
    const r = req.kind === 'files'
      ? await loadState(req.inputs, { env: req.env, cwd: req.cwd })
      : await loadTextAsync(text, { env: req.env, name: req.name });
    if (r.state === null) return post({ id: req.id, state: null, issues: r.issues });
    postEntities(req.id, r.state, new Map(req.known), post);
    post({ id: req.id, state: { workspace: r.state.workspace, selectTags: r.state.selectTags, entities: {} }, issues: r.issues });
  } catch (err) {
    post({ id: req.id, error: (err as Error)?.message ?? String(err) });
  }
}

// every thread of this process below the gateway's (already so when started in SCHED_IDLE by chrt;
// the nice value is then not used): the gateway preempts this process whenever it has requests to serve
const nice = Number(process.env.AIGW_CONFIG_NICE ?? CONFIG_NICE);
lowerThisProcess(Number.isInteger(nice) ? nice : CONFIG_NICE);
if (process.send !== undefined) {
  process.send({ ready: true } satisfies LoadAnswer);
  let busy = 0;
  process.on('message', (req: LoadRequest) => {
    busy++;
    void answer(req, (a) => process.send?.(a)).then(() => {
      // nothing else to load: give back what this load's heap grew by (started with --expose-gc;
      // off-thread.ts), after the answer is on its way
      if (--busy === 0) setImmediate(() => busy === 0 && (globalThis as { gc?: () => void }).gc?.());
    });
  });
  process.on('disconnect', () => process.exit(0));
}
