/**
 * Node-level endpoints: `/`, `/status`, `/plugins/enabled`, `/tags/{tag}`, `/schemas/…` and
 * `/schemas/…/validate`, and the declarative `/config`.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { KINDS, KIND_BY_NAME, type KindName } from '../../config/kinds.js';
import type { Entity, State } from '../../config/state.js';
import { build, isUuid, type CrudContext } from './entities.js';
import { matchesTags, paginate, parseTags } from './query.js';
import { AdminHttpError, JsonText, kongError, notFound } from './respond.js';
import { ConfigBodyError } from '../../config/thread/config-body.js';
import { runAtOnce, runInSlices, type Steps } from '../time-slices.js';
import type { Reply } from './routes.js';
import { kongSchema } from '../../kong/schema-format.js';
import { kongProfile } from '../../config/schemas.js';
import type { Store } from './store.js';

export interface NodeContext extends CrudContext {
  mode: 'declarative' | 'db';
  version: string;
  nodeId: string;
  /** Replace the whole configuration (declarative); throws when it does not build. */
  replace(state: State): Promise<void>;
}

const hashes = new WeakMap<State, string>();

/** Entities hashed per step of `stateHash`. */
export const HASHED_PER_STEP = 16;

const remember = (snap: State, hex: string): string => (hashes.set(snap, hex), hex);

/** The hash of the store's content; computed once per snapshot (a store keeps its snapshot until a write). */
export function configHash(store: Store): string {
  const snap = store.snapshot();
  return hashes.get(snap) ?? remember(snap, runAtOnce(stateHash(snap)));
}

/** `configHash` in time slices (`POST /config?check_hash=1`). */
export async function configHashInSlices(store: Store): Promise<string> {
  const snap = store.snapshot();
  return hashes.get(snap) ?? remember(snap, await runInSlices(stateHash(snap)));
}

const byId = (a: Entity, b: Entity): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A kind's entities as a store holding them lists them: one per id (the last), sorted by id. */
function asStored(list: readonly Entity[]): readonly Entity[] {
  for (let i = 1; i < list.length; i++) if (!(list[i - 1].id < list[i].id)) return [...new Map(list.map((e) => [e.id, e])).values()].sort(byId);
  return list;
}

/**
 * The configuration hash of a store holding `state` (what `configHash` gives after
 * `replaceAll(state)`), in steps of HASHED_PER_STEP entities; each entity's JSON comes from the
 * cache the answer to `POST /config` fills.
 */
export function* stateHash(state: State): Steps<string> {
  const h = createHash('md5');
  let n = 0;
  for (const k of KINDS) {
    for (const e of asStored(state.entities[k.name])) {
      if (++n % HASHED_PER_STEP === 0) yield;
      h.update(`${k.name}\0${jsonOf(e)}\n`);
    }
  }
  return h.digest('hex');
}

export function root(ctx: NodeContext): Reply {
  const plugins = ctx.rules.knownPlugins();
  return {
    status: 200,
    body: {
      tagline: 'Welcome to aigw',
      version: ctx.version,
      // the Kong version (schema profile) this gateway checks configurations against: diff/sync use it
      aigw_kong_version: kongProfile(),
      edition: 'community',
      hostname: hostname(),
      node_id: ctx.nodeId,
      lua_version: null,
      plugins: { available_on_server: Object.fromEntries(plugins.map((p) => [p, { version: ctx.version }])), enabled_in_cluster: [] },
      configuration: { database: ctx.mode === 'declarative' ? 'off' : ctx.store.backing, role: 'traditional' },
      timers: { running: 0, pending: 0 },
    },
  };
}

export function status(ctx: NodeContext): Reply {
  const base = { memory: {}, server: { connections_accepted: 0, connections_active: 0, total_requests: 0 } };
  return {
    status: 200,
    body: ctx.mode === 'declarative' ? { ...base, configuration_hash: configHash(ctx.store) } : { ...base, database: { reachable: true } },
  };
}

export function tags(ctx: NodeContext, tag: string, query: URLSearchParams): Reply {
  parseTags(tag);
  const rows: Entity[] = [];
  for (const k of KINDS) {
    if (k.membership !== undefined) continue;
    for (const e of ctx.store.list(k.name)) if (matchesTags(e, { mode: 'and', tags: [tag] })) rows.push({ id: e.id, tag, entity_name: k.name, entity_id: e.id });
  }
  rows.sort((a, b) => (a.id < b.id ? -1 : 1));
  const page = paginate(rows, query, `/tags/${encodeURIComponent(tag)}`, () => true);
  return { status: 200, body: { data: page.data.map(({ id: _id, ...row }) => row), next: page.next } };
}

function schemaKind(name: string): KindName | undefined {
  return KINDS.find((k) => k.schemaName === name || k.name === name)?.name;
}

/** `/schemas/{entity}`, `/schemas/plugins/{name}`, `POST /schemas/{entity|plugins}/validate`. */
export async function schemas(ctx: NodeContext, method: string, segments: string[], body: () => Promise<Record<string, unknown>>): Promise<Reply> {
  const [, a, b] = segments;
  if (a === 'plugins' && b !== undefined && b !== 'validate') {
    const s = ctx.rules.pluginSchema(b);
    if (s === undefined) throw new AdminHttpError(404, { message: `No plugin named '${b}'` });
    return { status: 200, body: kongSchema(s, true) };
  }
  const kind = a === undefined ? undefined : schemaKind(a);
  if (kind === undefined) throw new AdminHttpError(404, { message: `No entity named '${a ?? ''}'` });
  if (b === 'validate') {
    if (method !== 'POST') throw new AdminHttpError(405, { message: 'Method not allowed' });
    const input = await body();
    // Kong's validate endpoint checks the schema only: no uniqueness, and a foreign key given by id need not
    // exist yet (decK's gateway validate sends a file's routes with the ids of services it has not created)
    const get: typeof ctx.store.get = (k, id) => ctx.store.get(k, id) ?? (isUuid(id) ? ({ id } as Entity) : undefined);
    const dryRun: CrudContext = { ...ctx, store: { ...ctx.store, get, idByUnique: () => undefined } };
    build(dryRun, KIND_BY_NAME[kind], input);
    return { status: 200, body: { message: 'schema validation successful' } };
  }
  if (b !== undefined) throw notFound();
  return { status: 200, body: kongSchema(ctx.rules.entitySchema(kind), false) };
}

/** The configuration text of a form body (a JSON body is read in the configuration thread: config/thread/config-body.ts). */
function configText(raw: string, contentType: string | undefined): string {
  if (contentType?.includes('application/x-www-form-urlencoded')) return new URLSearchParams(raw).get('config') ?? '';
  return raw;
}

/** `GET|POST /config`, declarative mode only. */
export async function config(ctx: NodeContext, method: string, query: URLSearchParams, raw: () => Promise<string>, contentType: string | undefined, bytes?: () => Promise<Uint8Array>): Promise<Reply> {
  if (ctx.mode !== 'declarative') {
    throw new AdminHttpError(400, { message: 'this endpoint is only available when aigw is configured to not use a database' });
  }
  if (method === 'GET') return { status: 200, body: { config: ctx.rules.renderConfig(ctx.store.snapshot()) } };
  if (method !== 'POST') throw new AdminHttpError(405, { message: 'Method not allowed' });
  const json = contentType?.includes('application/json') === true;
  // a JSON or raw body crosses to the configuration thread as bytes, decoded there
  const form = contentType?.includes('application/x-www-form-urlencoded') === true;
  const text = form ? configText(await raw(), contentType) : bytes !== undefined ? await bytes() : await raw();
  const loaded = await ctx.rules.loadConfig(text, json ? { json } : undefined).catch((err: unknown) => {
    if (err instanceof ConfigBodyError) throw kongError('declarative', `declarative config is invalid: ${err.message.replace(/^Cannot/, 'cannot')}`);
    return { state: null, errors: [`the configuration could not be loaded: ${(err as Error)?.message ?? String(err)}`] };
  });
  if (loaded.state === null || loaded.errors.length > 0) {
    const body: Record<string, unknown> = {
      code: 14,
      name: 'invalid declarative configuration',
      message: `declarative config is invalid: ${loaded.errors.join('; ')}`,
      fields: {},
    };
    if (query.get('flatten_errors') === '1') body.flattened_errors = loaded.errors.map((message) => ({ message }));
    throw new AdminHttpError(400, body);
  }
  if (query.get('check_hash') === '1') {
    const before = await configHashInSlices(ctx.store);
    if ((await runInSlices(stateHash(loaded.state))) === before) return { status: 304 };
  }
  try {
    await ctx.replace(loaded.state);
  } catch (err) {
    const message = `declarative config is invalid: ${(err as Error)?.message ?? String(err)}`;
    const body: Record<string, unknown> = { code: 14, name: 'invalid declarative configuration', message, fields: {} };
    if (query.get('flatten_errors') === '1') body.flattened_errors = [{ message: (err as Error)?.message ?? String(err) }];
    throw new AdminHttpError(400, body);
  }
  return { status: 201, body: await runInSlices(configAnswer(loaded.state)) };
}

/**
 * Each entity's JSON, kept while the (frozen) entity lives: a reload keeps the objects of the
 * entities it did not change (config/thread/off-thread.ts), so the next answer reuses their text.
 */
const answered = new WeakMap<Entity, string>();

function jsonOf(e: Entity): string {
  let json = answered.get(e);
  if (json === undefined) answered.set(e, (json = JSON.stringify(e)));
  return json;
}

/** About how many characters of JSON a chunk of the answer holds. */
export const ANSWER_CHUNK = 64 * 1024;

/**
 * `JSON.stringify` of every non-empty kind's entities, an entity at a time, in chunks of about
 * ANSWER_CHUNK characters (each joined and measured in its own step).
 */
export function* configAnswer(state: State): Steps<JsonText> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let part: string[] = [];
  let size = 0;
  const flush = (): void => {
    // encoded at once: the answer waits for its write outside the JS heap, not as ~2 MB of strings
    // that the reload's scavenges would copy and promote (the joined string dies young)
    const c = Buffer.from(part.join(''));
    chunks.push(c);
    bytes += c.length;
    part = [];
    size = 0;
  };
  const add = (s: string): void => {
    part.push(s);
    size += s.length;
  };
  add('{');
  let first = true;
  for (const k of KINDS) {
    const list = state.entities[k.name];
    if (list.length === 0) continue;
    add(`${first ? '' : ','}${JSON.stringify(k.name)}:[`);
    first = false;
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      const json = jsonOf(e);
      add(i === 0 ? json : `,${json}`);
      yield;
      if (size >= ANSWER_CHUNK) {
        flush();
        yield;
      }
    }
    add(']');
  }
  add('}');
  flush();
  return new JsonText(chunks, bytes);
}
