/**
 * How plan ops become Admin API calls. Creates and updates are `PUT /{kind}/{id}` (an idempotent
 * upsert with the id chosen by the plan, so a retried or re-run sync converges); deletes are
 * `DELETE /{kind}/{id}` (204 even when already gone). Memberships use their parent's collection.
 * A DB-less target instead receives the whole target state through `POST /config`.
 */
import { KIND_BY_NAME, type KindDef } from '../config/kinds.js';
import { refId, type Entity, type State } from '../config/state.js';
import { writeState } from '../config/write.js';
import type { Executor } from '../diff/apply.js';
import type { Op } from '../diff/plan.js';
import { AdminApiError, type AdminClient } from './client.js';
import { describeKonnectError, parseKonnectError } from './konnect/errors.js';
import { nestingParent } from './read-state.js';

/** The body sent for an entity: no id (it is in the path), no server-managed fields, no top-level nulls. */
export function payload(kind: KindDef, e: Entity): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (k === 'id' || kind.ignore.includes(k) || v === null || v === undefined) continue;
    out[k] = v;
  }
  return out;
}

function membershipPath(client: AdminClient, kind: KindDef, e: Entity): { collection: string; member: string } {
  const m = kind.membership!;
  const parentFk = kind.foreignKeys.find((f) => f.field === m.parent)!;
  const parent = KIND_BY_NAME[parentFk.kind];
  const collection = client.scoped(`${parent.endpoint}/${refId(e[m.parent])}/${kind.nestedEndpoint}`);
  return { collection, member: refId(e[m.member]) ?? '' };
}

function alreadyMember(body: unknown): boolean {
  const e = parseKonnectError(body);
  return e !== null && e.details.some((d) => d.messages.some((m) => m.includes('(type: unique) constraint failed')));
}

function describe(body: unknown): string {
  const e = parseKonnectError(body);
  return e === null ? 'HTTP 400' : describeKonnectError(e);
}

async function runMembership(client: AdminClient, kind: KindDef, op: Op): Promise<void> {
  const m = kind.membership!;
  if (op.action === 'update') return; // a membership has no fields of its own
  if (op.action === 'create') {
    const p = membershipPath(client, kind, op.after);
    // already a member (an interrupted earlier run) — the goal is reached: Kong says 409, Konnect a
    // 400 unique-constraint error
    const res = await client.call('POST', p.collection, { [m.member]: p.member }, { idempotent: true, accept: [409, 400] });
    if (res.status === 400 && !alreadyMember(res.body)) throw new AdminApiError('POST', p.collection, 400, describe(res.body), res.body);
    return;
  }
  const p = membershipPath(client, kind, op.before);
  await client.call('DELETE', `${p.collection}/${p.member}`, undefined, { accept: [404] });
}

/** A consumer group's policy override: `PUT {config}` / `DELETE` at `/consumer_groups/{g}/overrides/plugins/{name}` (GDR consumer_group_plugin.go). */
async function runOverride(client: AdminClient, kind: KindDef, op: Op): Promise<void> {
  const e = op.action === 'delete' ? op.before : op.after;
  const path = client.scoped(`${kind.endpoint}/${refId(e.consumer_group) ?? ''}/${kind.nestedEndpoint}/${encodeURIComponent(String(e.name))}`);
  if (op.action === 'delete') await client.call('DELETE', path, undefined, { accept: [404] });
  else await client.call('PUT', path, { config: e.config });
}

/**
 * Where an entity is written: under its required parent when it has one (`/upstreams/{u}/targets/{id}`,
 * `/consumers/{c}/key-auth/{id}`: Kong serves some kinds only there), else its own collection.
 */
export function entityPath(client: AdminClient, kind: KindDef, e: Entity): string {
  const nest = nestingParent(kind);
  const parentId = nest === undefined ? null : refId(e[nest.field]);
  if (nest !== undefined && parentId !== null) return client.scoped(`${nest.parent.endpoint}/${parentId}/${kind.nestedEndpoint}/${e.id}`);
  return client.scoped(`${kind.endpoint}/${e.id}`);
}

/** An executor that applies ops one entity at a time. */
export function adminExecutor(client: AdminClient): Executor {
  return {
    async run(op) {
      const kind = KIND_BY_NAME[op.kind];
      if (kind.membership !== undefined) return runMembership(client, kind, op);
      if (kind.policyOverride === true) return runOverride(client, kind, op);
      if (op.action === 'delete') {
        await client.call('DELETE', entityPath(client, kind, op.before), undefined, { accept: [404] });
        return;
      }
      await client.call('PUT', entityPath(client, kind, op.after), payload(kind, op.after));
    },
  };
}

/** Replace a DB-less target's whole configuration in one call. */
export async function pushConfig(client: AdminClient, state: State): Promise<void> {
  const text = writeState(state, { format: 'json', withId: true, mask: { show: true } });
  await client.call('POST', client.scoped('/config'), text, { idempotent: true });
}

/** What `GET /` says about the target. */
export interface TargetInfo {
  version: string;
  edition: string;
  database: string;
  dbless: boolean;
  hostname: string | null;
  /** The target is `aigw serve` (it accepts aigw's extensions); false for a real Kong. */
  aigw: boolean;
  /** For `aigw serve`: the Kong version (schema profile) it serves with; null for a real Kong. */
  kongVersion: string | null;
}

export async function targetInfo(client: AdminClient): Promise<TargetInfo> {
  const body = await client.get('/');
  const o = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const conf = o.configuration !== null && typeof o.configuration === 'object' ? (o.configuration as Record<string, unknown>) : {};
  const database = typeof conf.database === 'string' ? conf.database : 'unknown';
  return {
    version: typeof o.version === 'string' ? o.version : 'unknown',
    edition: typeof o.edition === 'string' ? o.edition : 'community',
    database,
    dbless: database === 'off',
    hostname: typeof o.hostname === 'string' ? o.hostname : null,
    aigw: typeof o.tagline === 'string' && o.tagline.includes('aigw'),
    kongVersion: typeof o.aigw_kong_version === 'string' ? o.aigw_kong_version : null,
  };
}
