/**
 * Core-entity list paging and filters: `size` (1–1000, default 100) and an opaque `offset`, answering
 * `{data, next, offset}` with `next` null on the last page (control-planes-config/v2 openapi
 * PaginationSize/PaginationOffset/PaginationNextResponse). The bad-size message is koko's
 * (internal/server/admin/helper.go validateListOptions).
 */
import type { ListFilter } from './store.js';
import { clientError, type JsonObject, type Reply } from './wire.js';

export function listFilter(q: URLSearchParams): ListFilter {
  const f: ListFilter = {};
  const tags = q.get('tags');
  if (tags) f.tags = tags;
  const eq = q.get('filter[name][eq]') ?? q.get('filter[name]');
  if (eq !== null) f.nameEq = eq;
  const contains = q.get('filter[name][contains]');
  if (contains !== null) f.nameContains = contains;
  const customId = q.get('custom_id');
  if (customId !== null) f.customId = customId;
  return f;
}

function pageSize(q: URLSearchParams): number {
  const raw = q.get('size');
  if (raw === null || raw === '') return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw clientError(`invalid page_size '${raw}', must be within range [1 - 1000]`);
  return n;
}

function start(q: URLSearchParams): number {
  const raw = q.get('offset');
  if (raw === null || raw === '') return 0;
  const n = Number(Buffer.from(raw, 'base64url').toString('utf8'));
  if (!Number.isInteger(n) || n < 0) throw clientError(`invalid offset '${raw}'`);
  return n;
}

/** One page of `items`; `path` is the request path the `next` link repeats. */
export function page(items: JsonObject[], q: URLSearchParams, path: string): Reply {
  const size = pageSize(q);
  const from = start(q);
  const data = items.slice(from, from + size);
  const end = from + data.length;
  if (end >= items.length) return { status: 200, body: { data, next: null } };
  const offset = Buffer.from(String(end)).toString('base64url');
  const nextQuery = new URLSearchParams(q);
  nextQuery.set('offset', offset);
  nextQuery.set('size', String(size));
  return { status: 200, body: { data, next: `${path}?${nextQuery.toString()}`, offset } };
}
