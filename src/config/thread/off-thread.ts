/**
 * Load configurations in a worker thread (load-thread.ts) for `aigw serve`'s reloads: parsing and
 * validating 5,000 entities takes about a second of CPU, which on the main thread would stop every
 * request for that long. The thread starts on the first load, serves the loads that follow and
 * ends after a quiet minute (it holds a second V8 heap). Without the compiled thread script (source
 * runs under a test runner) or when a thread cannot start, the load runs in-process, as before.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadState, loadTextAsync } from '../index.js';
import type { Issue } from '../issues.js';
import { kongProfile } from '../schemas.js';
import { deepFreeze, emptyEntities, freezeState, type Entity, type State } from '../state.js';
import { runInSlices, type Steps } from '../../gateway/time-slices.js';
import type { KindName } from '../kinds.js';
import { reuseKey, type LoadAnswer, type LoadRequest } from './protocol.js';

export interface Loaded {
  state: State | null;
  issues: Issue[];
}

type Part = { kind: KindName; entities: Entity[]; digests: string[] };
/** A load under way: the entities the request said it holds (`base`), and the answer's parts so far. */
type Pending = { resolve: (r: Loaded) => void; reject: (e: Error) => void; base: Known; parts: Part[]; lost: boolean };
type Known = ReadonlyMap<string, { entity: Entity; digest: string }>;
type Input = { kind: 'files'; inputs: string[]; cwd: string } | { kind: 'text'; text: string; name: string };

const IDLE_MS = 60_000;
const DEFAULT_SCRIPT = fileURLToPath(new URL('./load-thread.js', import.meta.url));

export interface ThreadLoader {
  /** Load state files/directories (no stdin). */
  files(inputs: readonly string[], opts: { env: Readonly<Record<string, string | undefined>>; cwd: string }): Promise<Loaded>;
  /** Load a configuration text (`POST /config`). */
  text(text: string, opts: { env: Readonly<Record<string, string | undefined>>; name: string }): Promise<Loaded>;
  close(): Promise<void>;
}

function inProcess(input: Input, env: Readonly<Record<string, string | undefined>>): Promise<Loaded> {
  return input.kind === 'files' ? loadState(input.inputs, { env, cwd: input.cwd }) : loadTextAsync(input.text, { env, name: input.name });
}

/**
 * A State that crossed the thread boundary in parts: assembled and frozen again, as every State
 * is (entity by entity, in slices between other tasks).
 */
function* assembled(a: Extract<LoadAnswer, { state: unknown }>, parts: ReadonlyArray<{ kind: KindName; entities: Entity[] }>): Steps<Loaded> {
  if (a.state === null) return { state: null, issues: a.issues };
  const entities = emptyEntities();
  for (const p of parts) {
    for (const e of p.entities) {
      entities[p.kind].push(deepFreeze(e));
      yield;
    }
  }
  return { state: freezeState({ workspace: a.state.workspace, selectTags: [...a.state.selectTags], entities }), issues: a.issues };
}

export function threadLoader(script: string = DEFAULT_SCRIPT): ThreadLoader {
  let worker: Worker | null = null;
  let idle: NodeJS.Timeout | null = null;
  let seq = 0;
  const pending = new Map<number, Pending>();
  /**
   * The entities of the last State answer with their digests, by kind and id. Each request lists
   * the digests; an entity the answer does not change crosses as its id and is this object, so a
   * reload keeps the objects of the entities it did not change (and what the gateway built from
   * them, see gateway/runtime-reuse.ts). The thread itself remembers nothing.
   */
  let known: Known = new Map();

  /** A part's entities, those sent as ids taken from what the request listed; `lost` when one is not there (never expected). */
  const receive = (p: Pending, part: { kind: KindName; entities: Array<Entity | string>; digests: string[] }): void => {
    const entities: Entity[] = [];
    for (const x of part.entities) {
      const e = typeof x === 'string' ? p.base.get(reuseKey(part.kind, x))?.entity : x;
      if (e === undefined) p.lost = true;
      else entities.push(e);
    }
    p.parts.push({ kind: part.kind, entities, digests: part.digests });
  };
  /** A complete State answer: its entities become the known ones. */
  const remember = (parts: readonly Part[]): void => {
    const next = new Map<string, { entity: Entity; digest: string }>();
    for (const p of parts) p.entities.forEach((e, i) => next.set(reuseKey(p.kind, e.id), { entity: e, digest: p.digests[i] }));
    known = next;
  };

  const failAll = (err: Error): void => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const start = (): Worker | null => {
    if (worker !== null) return worker;
    if (!existsSync(script)) return null;
    try {
      const w = new Worker(script);
      w.unref();
      w.on('message', (a: LoadAnswer) => {
        const p = pending.get(a.id);
        if (p === undefined) return;
        if ('part' in a) return receive(p, a.part);
        pending.delete(a.id);
        if ('error' in a) p.reject(new Error(a.error));
        else if (p.lost) p.reject(new Error('the configuration thread referred to an entity this thread does not have'));
        else {
          if (a.state !== null) remember(p.parts);
          runInSlices(assembled(a, p.parts)).then(p.resolve, p.reject);
        }
        if (pending.size === 0) armIdle();
      });
      w.on('error', (err) => failAll(err));
      w.on('exit', () => {
        if (worker === w) worker = null;
        failAll(new Error('the configuration thread stopped'));
      });
      worker = w;
      return w;
    } catch {
      return null;
    }
  };
  const armIdle = (): void => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => void worker?.terminate(), IDLE_MS);
    idle.unref();
  };
  const load = (input: Input, env: Readonly<Record<string, string | undefined>>): Promise<Loaded> => {
    const w = start();
    if (w === null) return inProcess(input, env);
    if (idle) clearTimeout(idle);
    const id = ++seq;
    const base = known;
    const req = { id, profile: kongProfile(), env: { ...env }, known: [...base].map(([k, v]) => [k, v.digest]), ...input } as LoadRequest;
    return new Promise<Loaded>((resolve, reject) => {
      pending.set(id, { resolve, reject, base, parts: [], lost: false });
      w.postMessage(req);
    });
  };
  return {
    files: (inputs, opts) => load({ kind: 'files', inputs: [...inputs], cwd: opts.cwd }, opts.env),
    text: (text, opts) => load({ kind: 'text', text, name: opts.name }, opts.env),
    async close() {
      if (idle) clearTimeout(idle);
      await worker?.terminate();
      worker = null;
    },
  };
}

/** The process's loader (the thread is shared by file reloads and `POST /config`). */
export const configThread: ThreadLoader = threadLoader();
