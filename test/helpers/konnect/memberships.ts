/**
 * Consumer-group membership, managed through its own endpoints (control-planes-config/v2 openapi):
 * `GET|POST|DELETE /consumer_groups/{g}/consumers` (POST `{"consumer": "<id or username>"}` or a list →
 * 201 `{consumer_group, consumers}`; DELETE removes everyone), `DELETE /consumer_groups/{g}/consumers/{c}`,
 * and the consumer side `GET|POST|DELETE /consumers/{c}/consumer_groups` (POST `{"group": …}` → 201
 * `{consumer, consumer_groups}`), `DELETE /consumers/{c}/consumer_groups/{g}`. GDR adds members with
 * `POST /consumer_groups/{g}/consumers {"consumer":"<id>"}` (konnect.md §4.4). Adding a member twice is a
 * unique constraint error (inferred).
 */
import type { Routes, Scope } from './core-entities.js';
import { page } from './paging.js';
import { entityDetail, isObject, validationError, type Json, type JsonObject, type Reply } from './wire.js';

function idsFrom(body: Json | undefined, key: string): string[] {
  const v = isObject(body) ? body[key] : undefined;
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  const ids = list.filter((x): x is string => typeof x === 'string');
  if (ids.length === 0) throw validationError([entityDetail(`missing properties: '${key}'`)]);
  return ids;
}

function groupSide(s: Scope, groupKey: string, consumerKey: string | undefined): Routes | undefined {
  const store = s.ctx.store;
  const group = (): JsonObject => store.mustResolve('consumer_groups', groupKey);
  if (consumerKey !== undefined)
    return {
      DELETE: () => {
        store.removeMember(group().id as string, store.mustResolve('consumers', consumerKey).id as string);
        return { status: 204 };
      },
    };
  return {
    GET: () => page(store.membersOf(group().id as string), s.req.query, `${s.base}/${s.rest.join('/')}`),
    POST: (): Reply => {
      const g = group();
      const consumers = idsFrom(s.req.body, 'consumer').map((k) => store.mustResolve('consumers', k));
      for (const c of consumers) store.addMember(g.id as string, c.id as string);
      return { status: 201, body: { consumer_group: g, consumers } };
    },
    DELETE: () => {
      store.removeMember(group().id as string);
      return { status: 204 };
    },
  };
}

function consumerSide(s: Scope, consumerKey: string, groupKey: string | undefined): Routes | undefined {
  const store = s.ctx.store;
  const consumer = (): JsonObject => store.mustResolve('consumers', consumerKey);
  if (groupKey !== undefined)
    return {
      DELETE: () => {
        store.removeMember(store.mustResolve('consumer_groups', groupKey).id as string, consumer().id as string);
        return { status: 204 };
      },
    };
  return {
    GET: () => page(store.groupsOf(consumer().id as string), s.req.query, `${s.base}/${s.rest.join('/')}`),
    POST: (): Reply => {
      const c = consumer();
      for (const k of idsFrom(s.req.body, 'group')) store.addMember(store.mustResolve('consumer_groups', k).id as string, c.id as string);
      return { status: 201, body: { consumer: c, consumer_groups: store.groupsOf(c.id as string) } };
    },
    DELETE: () => {
      const c = consumer();
      for (const g of store.groupsOf(c.id as string)) store.removeMember(g.id as string, c.id as string);
      return { status: 204 };
    },
  };
}

/** The membership endpoints, or undefined when `rest` is not one of them. */
export function membershipRoutes(s: Scope, rest: string[]): Routes | undefined {
  const [a, b, c, d] = rest;
  if (b === undefined || rest.length < 3 || rest.length > 4) return undefined;
  if (a === 'consumer_groups' && c === 'consumers') return groupSide(s, b, d);
  if (a === 'consumers' && c === 'consumer_groups') return consumerSide(s, b, d);
  return undefined;
}
