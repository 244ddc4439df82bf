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
import { ConfigBodyError, jsonConfigText } from './config-body.js';
import { entityDigest, reuseKey, textOf, type LoadAnswer, type LoadRequest } from './protocol.js';
import { KINDS } from '../kinds.js';

export { ConfigBodyError } from './config-body.js';

export interface Loaded {
  state: State | null;
  issues: Issue[];
}

/** An entity the main thread holds, with its digest and its key in `Known` (kept, not made again, by every answer that reuses it). */
export type Held = { entity: Entity; digest: string; key: string };
type Known = ReadonlyMap<string, Held>;
export type Part = { kind: KindName; held: Held[] };
/** A load under way: the entities the request said it holds (`base`), and the answer's parts so far. */
type Pending = { resolve: (r: Loaded) => void; reject: (e: Error) => void; base: Known; parts: Part[]; lost: boolean };
type Input = { kind: 'files'; inputs: string[]; cwd: string } | { kind: 'text'; text: string | Uint8Array; name: string; json?: boolean };

const IDLE_MS = 60_000;
const DEFAULT_SCRIPT = fileURLToPath(new URL('./load-thread.js', import.meta.url));

export interface ThreadLoader {
  /** Load state files/directories (no stdin). */
  files(inputs: readonly string[], opts: { env: Readonly<Record<string, string | undefined>>; cwd: string }): Promise<Loaded>;
  /**
   * Load a configuration text (`POST /config`). `json`: the text is an `application/json` body, whose
   * `config` member is the configuration (config-body.ts); one that is not JSON rejects with ConfigBodyError.
   */
  text(text: string | Uint8Array, opts: { env: Readonly<Record<string, string | undefined>>; name: string; json?: boolean }): Promise<Loaded>;
  /**
   * The State that serves was loaded without the thread (the first load runs in-process): hold its
   * entities as if the thread had answered it, so the next load sends those it does not change as
   * ids and the gateway keeps what it built from them. Their digests are made at that next load,
   * in slices (nothing is done if no load ever comes).
   */
  adopt(state: State): void;
  close(): Promise<void>;
}

function inProcess(input: Input, env: Readonly<Record<string, string | undefined>>): Promise<Loaded> {
  if (input.kind === 'files') return loadState(input.inputs, { env, cwd: input.cwd });
  try {
    const text = textOf(input.text);
    return loadTextAsync(input.json === true ? jsonConfigText(text) : text, { env, name: input.name });
  } catch (err) {
    return Promise.reject(err as Error);
  }
}

/**
 * A State that crossed the thread boundary in parts: assembled and frozen again, as every State
 * is, and the entities it holds for the next request (`known`), entity by entity in slices
 * between other tasks.
 */
export function* assembled(a: Extract<LoadAnswer, { state: unknown }>, parts: readonly Part[]): Steps<{ loaded: Loaded; known: Known | null }> {
  if (a.state === null) return { loaded: { state: null, issues: a.issues }, known: null };
  const entities = emptyEntities();
  const known = new Map<string, Held>();
  for (const p of parts) {
    for (const h of p.held) {
      entities[p.kind].push(deepFreeze(h.entity));
      known.set(h.key, h);
      yield;
    }
  }
  return { loaded: { state: freezeState({ workspace: a.state.workspace, selectTags: [...a.state.selectTags], entities }), issues: a.issues }, known };
}

/** The entities of a State loaded elsewhere, digested one per step, as `known`. */
export function* heldOf(state: State): Steps<Known> {
  const known = new Map<string, Held>();
  for (const k of KINDS) {
    for (const entity of state.entities[k.name]) {
      const key = reuseKey(k.name, entity.id);
      known.set(key, { entity, digest: entityDigest(entity), key });
      yield;
    }
  }
  return known;
}

/**
 * A text given as bytes, to transfer to the thread without a copy: the bytes themselves when they
 * own their whole ArrayBuffer (the caller gives them up), else a copy (a small Buffer shares
 * Node's pool, which must not be detached).
 */
function ownBytes(t: Uint8Array): Uint8Array & { buffer: ArrayBuffer } {
  const own = t.buffer instanceof ArrayBuffer && t.byteOffset === 0 && t.byteLength === t.buffer.byteLength ? t : new Uint8Array(t);
  return own as Uint8Array & { buffer: ArrayBuffer };
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
  /** `known` as a request lists it (made once per `known`). */
  let knownList: Array<[string, string]> | null = null;
  /** Answers are assembled one after the other, so `known` is the latest answer's. */
  let assembling: Promise<unknown> = Promise.resolve();
  /** A State `adopt`ed and not yet digested into `known`. */
  let adopted: State | null = null;

  /** A part's entities, those sent as ids taken from what the request listed; `lost` when one is not there or a digest is missing (never expected). */
  const receive = (p: Pending, part: { kind: KindName; entities: Array<Entity | string>; digests: string[] }): void => {
    const held: Held[] = [];
    let d = 0;
    for (const x of part.entities) {
      const h = typeof x === 'string' ? p.base.get(reuseKey(part.kind, x)) : { entity: x, digest: part.digests[d++], key: reuseKey(part.kind, x.id) };
      if (h === undefined || typeof h.digest !== 'string') p.lost = true;
      else held.push(h);
    }
    if (d !== part.digests.length) p.lost = true;
    p.parts.push({ kind: part.kind, held });
  };
  const settle = (p: Pending, a: Extract<LoadAnswer, { state: unknown }>): void => {
    const run = assembling.then(() => runInSlices(assembled(a, p.parts)));
    assembling = run.catch(() => undefined);
    run.then((r) => {
      if (r.known !== null) {
        known = r.known;
        knownList = null;
      }
      p.resolve(r.loaded);
    }, p.reject);
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
        else if ('refused' in a) p.reject(new ConfigBodyError(a.refused));
        else if (p.lost) p.reject(new Error('the configuration thread referred to an entity this thread does not have'));
        else settle(p, a);
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
  const load = async (given: Input, env: Readonly<Record<string, string | undefined>>): Promise<Loaded> => {
    const w = start();
    if (w === null) return inProcess(given, env);
    if (adopted !== null) {
      const state = adopted;
      const digested = assembling.then(() => runInSlices(heldOf(state)));
      assembling = digested.catch(() => undefined);
      const held = await digested;
      if (adopted === state) {
        adopted = null;
        known = held;
        knownList = null;
      }
    }
    const transfer: ArrayBuffer[] = [];
    let input = given;
    if (input.kind === 'text' && typeof input.text !== 'string') {
      const own = ownBytes(input.text);
      transfer.push(own.buffer);
      input = { ...input, text: own };
    }
    if (idle) clearTimeout(idle);
    const id = ++seq;
    const base = known;
    knownList ??= [...base.values()].map((h) => [h.key, h.digest]);
    const req = { id, profile: kongProfile(), env: { ...env }, known: knownList, ...input } as LoadRequest;
    return new Promise<Loaded>((resolve, reject) => {
      pending.set(id, { resolve, reject, base, parts: [], lost: false });
      w.postMessage(req, transfer);
    });
  };
  return {
    files: (inputs, opts) => load({ kind: 'files', inputs: [...inputs], cwd: opts.cwd }, opts.env),
    text: (text, opts) => load({ kind: 'text', text, name: opts.name, ...(opts.json === true ? { json: true } : {}) }, opts.env),
    adopt(state) {
      adopted = state;
      known = new Map();
      knownList = null;
    },
    async close() {
      if (idle) clearTimeout(idle);
      await worker?.terminate();
      worker = null;
    },
  };
}

/** The process's loader (the thread is shared by file reloads and `POST /config`). */
export const configThread: ThreadLoader = threadLoader();
