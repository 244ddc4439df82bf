/**
 * Load configurations in a process of their own (load-thread.ts) for `aigw serve`'s reloads: parsing
 * and validating 5,000 entities takes about a second of CPU, and V8's garbage collection and
 * compiles for it as much again on its helper threads. On the gateway's main thread that would stop
 * every request for that long; in a worker thread it still took the core from the proxy (a worker
 * shares its process's V8 helper threads, and a thread's priority does not reach them). A child
 * process runs all of it below the gateway's priority (priority.ts). It starts on the first load,
 * serves the loads that follow and ends after a quiet minute (it holds a V8 heap of its own).
 * Without the compiled script (source runs under a test runner) or when the process cannot start,
 * the load runs in-process, as before.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadState, loadTextAsync } from '../index.js';
import type { Issue } from '../issues.js';
import { kongProfile } from '../schemas.js';
import { deepFreeze, emptyEntities, freezeState, type Entity, type State } from '../state.js';
import { pauseOptimizerFor, runInSlices, type Steps } from '../../gateway/time-slices.js';
import type { KindName } from '../kinds.js';
import { ConfigBodyError, jsonConfigText } from './config-body.js';
import { entityDigest, reuseKey, textOf, type LoadAnswer, type LoadRequest } from './protocol.js';
import { KINDS } from '../kinds.js';
import { CONFIG_NICE, ESCALATE_MS, ESCALATED_NICE, STARVED_SHARE, idleLauncher, idleLauncherFailed, processCpuMs } from './priority.js';

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
type Pending = { req: LoadRequest; resolve: (r: Loaded) => void; reject: (e: Error) => void; base: Known; parts: Part[]; lost: boolean };
type Input = { kind: 'files'; inputs: string[]; cwd: string } | { kind: 'text'; text: string | Uint8Array; name: string; json?: boolean };

const IDLE_MS = 60_000;
/** How long after the last part of an answer V8's optimizing compiler stays paused (assembling it, in slices, pauses it too). */
const RECEIVE_PAUSE_MS = 500;
/**
 * The configuration process's V8: a small young generation (1 MiB semi-spaces instead of up to 16)
 * and `gc` for the full collection it runs after each answer. Loading 1,000 ai-proxy routes 40 times
 * over, its RSS was 150–255 MiB with V8's defaults and 119–131 MiB with these, each load 630 ms
 * instead of 437 (bench/README.md, "Reloads in a child process").
 */
const CHILD_NODE_FLAGS = ['--max-semi-space-size=1', '--expose-gc'];
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

/** NODE_OPTIONS for the configuration process: the gateway's, without an inspector (its port is the gateway's). */
function childNodeOptions(): string {
  return (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter((o) => o !== '' && !/^--inspect/.test(o) && !/^--debug/.test(o)).join(' ');
}

export interface LoaderOptions {
  /** How long a load may wait at the lowest priority, starved, before it runs again in a process at ESCALATED_NICE. */
  escalateMs?: number;
  /** A process's CPU time so far in ms, or null when unknown (then a load that waited escalateMs is escalated); default from /proc. */
  cpuMs?: (pid: number) => number | null;
}

export function threadLoader(script: string = DEFAULT_SCRIPT, opts: LoaderOptions = {}): ThreadLoader {
  const escalateMs = opts.escalateMs ?? ESCALATE_MS;
  const cpuMs = opts.cpuMs ?? processCpuMs;
  let child: ChildProcess | null = null;
  /** The running process was started at ESCALATED_NICE (a load waited too long at the lowest priority). */
  let escalated = false;
  let escalation: NodeJS.Timeout | null = null;
  let idle: NodeJS.Timeout | null = null;
  let seq = 0;
  const pending = new Map<number, Pending>();
  /**
   * The entities of the last State answer with their digests, by kind and id. Each request lists
   * the digests; an entity the answer does not change crosses as its id and is this object, so a
   * reload keeps the objects of the entities it did not change (and what the gateway built from
   * them, see gateway/runtime-reuse.ts). The process itself remembers nothing.
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
    // run thousands of times per reload: not worth V8's optimizing compiler taking the proxy's core (time-slices.ts)
    pauseOptimizerFor(RECEIVE_PAUSE_MS);
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
    disarmEscalation();
  };
  const disarmEscalation = (): void => {
    if (escalation) clearTimeout(escalation);
    escalation = null;
  };
  /**
   * While loads are pending in a lowest-priority process: after escalateMs, if it was starved over
   * that time (less than STARVED_SHARE of a core, or its CPU time unknown), run them again in one at
   * ESCALATED_NICE; if it was not, look again after another escalateMs.
   */
  const armEscalation = (cpuBefore?: number): void => {
    if (escalated || escalation !== null) return;
    const watched = child;
    const cpuAtArm = cpuBefore ?? (watched?.pid === undefined ? null : cpuMs(watched.pid));
    escalation = setTimeout(() => {
      escalation = null;
      if (pending.size === 0 || escalated) return;
      // a process started since (chrt refused) gets a window of its own
      if (child !== null && child !== watched) return armEscalation();
      if (child !== null && child.pid !== undefined && cpuAtArm !== null) {
        const used = cpuMs(child.pid);
        if (used !== null && used - cpuAtArm >= STARVED_SHARE * escalateMs) return armEscalation(used);
      }
      const old = child;
      child = null;
      escalated = true;
      if (old !== null) {
        // what it still sends is dropped: the loads start again from nothing in the new process
        old.removeAllListeners();
        old.on('error', () => undefined);
        old.kill('SIGKILL'); // it holds nothing to save; a stopped process would not take a SIGTERM
      }
      resend();
    }, escalateMs);
    escalation.unref();
  };
  /** The pending loads, from nothing, to a new process. */
  const resend = (): void => {
    const c = start();
    if (c === null) return failAll(new Error('the configuration process could not be started again'));
    for (const p of pending.values()) {
      p.parts = [];
      p.lost = false;
      c.send(p.req);
    }
  };
  const start = (): ChildProcess | null => {
    if (child !== null) return child;
    if (!existsSync(script)) return null;
    try {
      const chrt = escalated ? null : idleLauncher();
      const node = [process.execPath, ...CHILD_NODE_FLAGS, script];
      const c = spawn(chrt ?? node[0], chrt === null ? node.slice(1) : ['--idle', '0', ...node], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        serialization: 'advanced',
        env: { ...process.env, AIGW_CONFIG_NICE: String(escalated ? ESCALATED_NICE : CONFIG_NICE), NODE_OPTIONS: childNodeOptions() },
      });
      c.unref();
      c.channel?.unref();
      let started = false;
      /** Ended, or failed to start: through chrt before it started, it is chrt that failed (EPERM under a seccomp profile): again without it. */
      const gone = (why: string): void => {
        if (child !== c) return;
        child = null;
        if (chrt !== null && !started) {
          idleLauncherFailed();
          if (pending.size > 0) resend();
          return;
        }
        failAll(new Error(why));
      };
      c.on('message', (a: LoadAnswer) => {
        if ('ready' in a) {
          started = true;
          return;
        }
        const p = pending.get(a.id);
        if (p === undefined) return;
        if ('part' in a) return receive(p, a.part);
        pending.delete(a.id);
        if ('error' in a) p.reject(new Error(a.error));
        else if ('refused' in a) p.reject(new ConfigBodyError(a.refused));
        else if (p.lost) p.reject(new Error('the configuration process referred to an entity the gateway does not have'));
        else settle(p, a);
        if (pending.size === 0) {
          disarmEscalation();
          c.channel?.unref();
          armIdle();
        }
      });
      c.on('error', (err) => gone(`the configuration process failed: ${err.message}`));
      c.on('exit', (code, signal) => gone(`the configuration process stopped (${signal ?? `exit code ${code}`})`));
      child = c;
      return c;
    } catch {
      return null;
    }
  };
  const armIdle = (): void => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => {
      const c = child;
      child = null;
      escalated = false;
      c?.kill('SIGKILL');
    }, IDLE_MS);
    idle.unref();
  };
  const load = async (input: Input, env: Readonly<Record<string, string | undefined>>): Promise<Loaded> => {
    const c = start();
    if (c === null) return inProcess(input, env);
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
    if (idle) clearTimeout(idle);
    const id = ++seq;
    const base = known;
    knownList ??= [...base.values()].map((h) => [h.key, h.digest]);
    const req = { id, profile: kongProfile(), env: { ...env }, known: knownList, ...input } as LoadRequest;
    return new Promise<Loaded>((resolve, reject) => {
      pending.set(id, { req, resolve, reject, base, parts: [], lost: false });
      const now = start(); // the process may have ended while the adopted state was digested
      if (now === null) {
        pending.delete(id);
        inProcess(input, env).then(resolve, reject);
        return;
      }
      now.channel?.ref();
      now.send(req);
      armEscalation();
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
      disarmEscalation();
      const c = child;
      child = null;
      escalated = false;
      failAll(new Error('the configuration process was closed'));
      if (c === null || c.exitCode !== null || c.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGKILL');
      });
    },
  };
}

/** The process's loader (the configuration process is shared by file reloads and `POST /config`). */
export const configThread: ThreadLoader = threadLoader();
