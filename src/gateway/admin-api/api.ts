/**
 * The Kong-compatible Admin API of `aigw serve`.
 *
 *   request ─► token check (constant time) ─► node endpoints (/, /status, /config, /schemas, /tags,
 *              /plugins/enabled) ─► entity endpoints (routes.ts) ─► store write ─► coalesced onChange
 *
 * Two modes as in Kong: `declarative` (entity writes answer 405 code 12; `POST /config` replaces
 * everything atomically) and `db` (CRUD on the store). Every accepted change reaches `onChange`
 * with a fresh State; bursts of writes are coalesced into one call.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { NODE_ID } from '../node-id.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { State } from '../../config/state.js';
import { config, root, schemas, status, tags, type NodeContext } from './node.js';
import { AdminHttpError, kongError, parseObject, readBody, readBodyBytes, send } from './respond.js';
import { prepareEarlyReply } from '../early-reply.js';
import { BAD_REQUEST_MESSAGE, malformedTarget } from '../request-target.js';
import { entityRoute, type EntityRequest, type Reply } from './routes.js';
import { configRules } from './config-rules.js';
import type { EntityRules } from './rules.js';
import { withWrites, type Store, type Write } from './store.js';
import type { PluginInstance } from '../plugin.js';
import { loadPlugins, pluginNamesIn } from '../plugins/index.js';
import type { BrokenEntity } from '../broken-entities.js';
import type { KindName } from '../../config/kinds.js';

export interface AdminApiOptions {
  store: Store;
  mode: 'declarative' | 'db';
  /** When set, every request must carry it as `Kong-Admin-Token`. */
  token?: string;
  version: string;
  /** Resolves once the change is serving (`POST /config` answers after it). */
  onChange(state: State): void | Promise<void>;
  /** Validation, defaults and schemas; src/config's when omitted. */
  rules?: EntityRules;
  /** Quiet period before a burst of writes is published (ms). */
  debounceMs?: number;
  /** Longest a burst may delay publication (ms). */
  maxDelayMs?: number;
  /** Seconds since the epoch, for created_at/updated_at. */
  now?: () => number;
  /** Plugins' own endpoints (`/proxy-cache`…): undefined when no plugin serves the path. */
  pluginApi?: (method: string, segments: readonly string[]) => Promise<Reply | undefined>;
  /** The running plugin instance of a plugin entity id (plugins' own endpoints, `POST /<plugin>/<id>/<action>`). */
  pluginInstance?: (id: string) => { name: string; instance: PluginInstance } | undefined;
  /**
   * The written entities that would not build into the running gateway, given the candidate
   * State (store + batch). A write with any is refused with 400 and nothing is stored.
   */
  unbuildable?: (candidate: State, changed: ReadonlyArray<{ kind: KindName; id: string }>) => BrokenEntity[];
  /**
   * `POST /config`: build and serve the new State before it is stored; a throw is the 400 of an
   * invalid declarative config, and the last good configuration keeps serving. Without it, the
   * State is stored and published through `onChange`.
   */
  applyConfig?: (state: State) => Promise<void>;
}

export type AdminHandler = ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) & {
  /** Publish pending changes now (tests, shutdown). */
  flush(): void;
};

/** Coalesce change notifications: publish after a quiet period, or at most `maxDelay` after the first. */
export function coalescer(publish: () => void | Promise<void>, debounceMs: number, maxDelayMs: number): { changed(): void; flush(): Promise<void> } {
  let timer: NodeJS.Timeout | null = null;
  let first = 0;
  const fire = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    return publish();
  };
  return {
    changed() {
      const now = Date.now();
      if (timer === null) first = now;
      else clearTimeout(timer);
      const wait = Math.max(0, Math.min(debounceMs, first + maxDelayMs - now));
      timer = setTimeout(fire, wait);
    },
    /** Publish now, if anything changed; resolves when the change is published. */
    async flush() {
      if (timer !== null) await fire();
    },
  };
}

/** An answer that may come before the body was read (a refused token, a body over the limit). */
function reply(req: IncomingMessage, res: ServerResponse, status: number, body?: unknown): void {
  prepareEarlyReply(req, res);
  send(res, status, body);
}

/** The request target as a URL; one that cannot be parsed is Kong's 400. */
function parseUrl(target: string | undefined): URL {
  try {
    return new URL(target ?? '/', 'http://admin.invalid');
  } catch {
    throw new AdminHttpError(400, { message: BAD_REQUEST_MESSAGE });
  }
}

/** Path segments, percent-decoded; escapes that are not UTF-8 (`%E0%A4%41`) are a 400, not a 500. */
function pathSegments(pathname: string): string[] {
  try {
    return pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    throw new AdminHttpError(400, { message: BAD_REQUEST_MESSAGE });
  }
}

export function tokenMatches(expected: string, given: string | string[] | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

async function nodeRoute(ctx: NodeContext, req: IncomingMessage, url: URL, segments: string[], body: () => Promise<Record<string, unknown>>, raw: () => Promise<string>): Promise<Reply | undefined> {
  const method = req.method ?? 'GET';
  const [first, second] = segments;
  const readOnly = (r: () => Reply): Reply => {
    if (method !== 'GET' && method !== 'HEAD') throw new AdminHttpError(405, { message: 'Method not allowed' });
    return r();
  };
  if (segments.length === 0) return readOnly(() => root(ctx));
  if (first === 'status' && segments.length === 1) return readOnly(() => status(ctx));
  if (first === 'plugins' && second === 'enabled' && segments.length === 2) return readOnly(() => ({ status: 200, body: { enabled_plugins: ctx.rules.knownPlugins() } }));
  if (first === 'tags' && segments.length === 2) return readOnly(() => tags(ctx, second, url.searchParams));
  if (first === 'schemas') return schemas(ctx, method, segments, body);
  if (first === 'config' && segments.length === 1) return config(ctx, method, url.searchParams, raw, req.headers['content-type'], () => readBodyBytes(req));
  return undefined;
}

/** `POST /<plugin name>/<plugin id>/<action>` of a plugin that has its own endpoints (ai-rag-injector). */
async function pluginRoute(opts: AdminApiOptions, method: string, segments: string[], body: () => Promise<Record<string, unknown>>): Promise<Reply | undefined> {
  if (segments.length !== 3 || !opts.pluginInstance) return undefined;
  const found = opts.pluginInstance(segments[1]);
  if (!found || found.name !== segments[0] || !found.instance.admin) return undefined;
  if (method !== 'POST') throw new AdminHttpError(405, { message: 'Method not allowed' });
  return found.instance.admin(segments[2], await body());
}

/** Kong's schema violation (400, code 2) for a batch whose entities would not build; nothing is stored. */
function refuseUnbuildable(opts: AdminApiOptions, batch: readonly Write[]): void {
  const changed = batch.flatMap((w) => ('put' in w ? [{ kind: w.kind, id: w.put.id }] : []));
  if (opts.unbuildable === undefined || changed.length === 0) return;
  const broken = opts.unbuildable(withWrites(opts.store.snapshot(), batch), changed);
  if (broken.length === 0) return;
  const written = new Set(changed.map((c) => c.id));
  const messages = broken.map((b) => (written.has(b.id) ? b.message : `${b.kind.replace(/s$/, '')} '${b.name ?? b.id}' (${b.id}) would not build: ${b.message}`));
  throw kongError('schema', messages.length === 1 ? `schema violation (${messages[0]})` : `${messages.length} schema violations (${messages.join('; ')})`, { '@entity': messages });
}

/** Build the Admin API request handler. Resolves true when the request was an Admin API path. */
export function createAdminApi(opts: AdminApiOptions): AdminHandler {
  const rules = opts.rules ?? configRules(process.env);
  const publisher = coalescer(() => opts.onChange(opts.store.snapshot()), opts.debounceMs ?? 50, opts.maxDelayMs ?? 1000);
  const ctx: NodeContext = {
    store: opts.store,
    rules,
    mode: opts.mode,
    version: opts.version,
    nodeId: NODE_ID,
    now: opts.now ?? (() => Math.floor(Date.now() / 1000)),
    checkBuild: (batch) => refuseUnbuildable(opts, batch),
    replace: async (state) => {
      if (opts.applyConfig === undefined) {
        await opts.store.replaceAllInSlices(state);
        publisher.changed();
        return publisher.flush();
      }
      // built and serving first (a config that does not build is refused, nothing stored), then stored
      await opts.applyConfig(state);
      await opts.store.replaceAllInSlices(state);
    },
  };
  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    try {
      // as nginx does, before the token is looked at (see request-target.ts)
      if (malformedTarget(req.url)) throw new AdminHttpError(400, { message: BAD_REQUEST_MESSAGE });
      if (opts.token !== undefined && !tokenMatches(opts.token, req.headers['kong-admin-token'])) {
        reply(req, res, 401, { message: 'Invalid credentials. Token or User credentials required' });
        return true;
      }
      const url = parseUrl(req.url);
      const segments = pathSegments(url.pathname);
      let rawCache: Promise<string> | null = null;
      const raw = () => (rawCache ??= readBody(req));
      const body = async () => {
        const text = await raw();
        // a plugin entity is validated (its parse is the build check) and built at once: import it first
        await loadPlugins(pluginNamesIn(text));
        return parseObject(text, req.headers['content-type']);
      };
      const answer =
        (await nodeRoute(ctx, req, url, segments, body, raw)) ??
        (await opts.pluginApi?.(req.method ?? 'GET', segments)) ??
        (await pluginRoute(opts, req.method ?? 'GET', segments, body)) ??
        (await entityRoute(ctx, { method: req.method ?? 'GET', segments, query: url.searchParams, body, writable: opts.mode === 'db' } satisfies EntityRequest, url.pathname, publisher.changed));
      if (answer === undefined) return false;
      reply(req, res, answer.status, answer.body);
    } catch (err) {
      if (err instanceof AdminHttpError) reply(req, res, err.status, err.body);
      else reply(req, res, 500, { message: 'An unexpected error occurred' });
    }
    return true;
  };
  return Object.assign(handler, { flush: () => void publisher.flush() });
}
