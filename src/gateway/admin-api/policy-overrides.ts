/**
 * Kong Enterprise's consumer-group endpoints that the generic entity routes do not cover (Kong EE
 * api/routes/consumer_groups.lua): `GET /consumer_groups/{g}` answers `{consumer_group, consumers,
 * plugins}` (the group, its members, its policy overrides; empty lists left out, as Kong's cjson
 * does), and `PUT|DELETE /consumer_groups/{g}/overrides/plugins/rate-limiting-advanced` write and
 * remove the group's policy override (entity consumer_group_plugins; PUT `{config}` answers 201
 * `{consumer_group: <name>, plugin, config}` as go-kong's ConsumerGroupRLA reads it).
 */
import { KIND_BY_NAME } from '../../config/kinds.js';
import { refId, type Entity } from '../../config/state.js';
import { build, commit, resolve, type CrudContext } from './entities.js';
import { AdminHttpError, kongError } from './respond.js';

/** What these endpoints read of a request (routes.ts's EntityRequest). */
interface GroupRequest {
  method: string;
  segments: string[];
  body: () => Promise<Record<string, unknown>>;
  writable: boolean;
}

interface Reply {
  status: number;
  body?: unknown;
}

const OVERRIDES = KIND_BY_NAME.consumer_group_plugins;
const OVERRIDABLE = 'rate-limiting-advanced';

function group(ctx: CrudContext, key: string): Entity {
  const g = resolve(ctx, KIND_BY_NAME.consumer_groups, key);
  if (g === undefined) throw new AdminHttpError(404, { message: `Group '${key}' not found` });
  return g;
}

function overridesOf(ctx: CrudContext, groupId: string): Entity[] {
  return ctx.store.list(OVERRIDES.name).filter((o) => refId(o.consumer_group) === groupId);
}

function show(ctx: CrudContext, key: string): Reply {
  const g = group(ctx, key);
  const consumers = ctx.store.list('consumer_group_consumers').filter((m) => refId(m.consumer_group) === g.id)
    .map((m) => ctx.store.get('consumers', refId(m.consumer) ?? '')).filter((c): c is Entity => c !== undefined);
  const plugins = overridesOf(ctx, g.id);
  return { status: 200, body: { consumer_group: g, ...(consumers.length > 0 ? { consumers } : {}), ...(plugins.length > 0 ? { plugins } : {}) } };
}

async function put(ctx: CrudContext, req: GroupRequest, g: Entity, changed: () => void): Promise<Reply> {
  const body = await req.body();
  if (body.config === undefined || body.config === null) throw new AdminHttpError(400, { message: 'No configuration provided' });
  const existing = overridesOf(ctx, g.id).find((o) => o.name === OVERRIDABLE);
  const entity = build(ctx, OVERRIDES, { name: OVERRIDABLE, consumer_group: { id: g.id }, config: body.config }, existing);
  commit(ctx, [{ kind: OVERRIDES.name, put: entity }]);
  changed();
  return { status: 201, body: { consumer_group: g.name ?? g.id, plugin: OVERRIDABLE, config: body.config } };
}

/** The consumer-group endpoint, or undefined when the path is another one. */
export async function consumerGroupRoute(ctx: CrudContext, req: GroupRequest, changed: () => void): Promise<Reply | undefined> {
  const s = req.segments;
  if (s[0] !== 'consumer_groups') return undefined;
  if (s.length === 2 && req.method === 'GET') return show(ctx, s[1]);
  if (s.length !== 5 || s[2] !== 'overrides' || s[3] !== 'plugins' || s[4] !== OVERRIDABLE) return undefined;
  if (req.method !== 'PUT' && req.method !== 'DELETE') throw new AdminHttpError(405, { message: 'Method not allowed' });
  if (!req.writable) throw kongError('unsupported', `cannot ${req.method === 'PUT' ? 'create or update' : 'delete'} '${OVERRIDES.name}' entities when not using a database`);
  const g = group(ctx, s[1]);
  if (req.method === 'PUT') return put(ctx, req, g, changed);
  const existing = overridesOf(ctx, g.id).find((o) => o.name === OVERRIDABLE);
  if (existing === undefined) throw new AdminHttpError(404, { message: `Consumer group config for id '${g.id}' not found` });
  ctx.store.write([{ kind: OVERRIDES.name, remove: existing.id }]);
  changed();
  return { status: 204 };
}
