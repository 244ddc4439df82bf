/**
 * Listing semantics of Kong's Admin API: `size` (1..1000, default 100), opaque `offset`, `next`,
 * and tag filters (`a,b` = all of, `a/b` = any of, never mixed).
 */
import type { Entity } from '../../config/state.js';
import { kongError } from './respond.js';

export interface Page {
  data: readonly Entity[];
  offset?: string;
  next: string | null;
}

export type TagFilter = { mode: 'and' | 'or'; tags: string[] } | null;

export function parseSize(value: string | null): number {
  if (value === null) return 100;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1 || n > 1000) throw kongError('size', 'size must be an integer between 1 and 1000');
  return n;
}

export function parseTags(value: string | null): TagFilter {
  if (value === null) return null;
  if (value === '') throw kongError('options', 'invalid option (tags: cannot be null)', { tags: 'cannot be null' });
  const hasAnd = value.includes(',');
  const hasOr = value.includes('/');
  if (hasAnd && hasOr) throw kongError('options', 'invalid option (tags: invalid filter syntax)', { tags: 'invalid filter syntax' });
  const tags = value.split(hasOr ? '/' : ',');
  if (tags.some((t) => t === '')) throw kongError('options', 'invalid option (tags: invalid filter syntax)', { tags: 'invalid filter syntax' });
  return { mode: hasOr ? 'or' : 'and', tags };
}

export function matchesTags(e: Entity, filter: TagFilter): boolean {
  if (filter === null) return true;
  const tags = Array.isArray(e.tags) ? (e.tags as unknown[]) : [];
  return filter.mode === 'and' ? filter.tags.every((t) => tags.includes(t)) : filter.tags.some((t) => tags.includes(t));
}

function decodeOffset(offset: string): string {
  const id = Buffer.from(offset, 'base64url').toString('utf8');
  if (id === '' || Buffer.from(id, 'utf8').toString('base64url') !== offset) throw kongError('offset', `'${offset}' is not a valid offset: bad base64 encoding`);
  return id;
}

/** First index whose id is greater than `id` in a list sorted by id. */
function after(list: readonly Entity[], id: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].id <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One page of a list sorted by id; `path` is the collection path used to build `next`. */
export function paginate(sorted: readonly Entity[], query: URLSearchParams, path: string, keep: (e: Entity) => boolean): Page {
  const size = parseSize(query.get('size'));
  const tags = parseTags(query.get('tags'));
  const offset = query.get('offset');
  let i = offset === null ? 0 : after(sorted, decodeOffset(offset));
  const data: Entity[] = [];
  for (; i < sorted.length && data.length < size; i++) {
    const e = sorted[i];
    if (keep(e) && matchesTags(e, tags)) data.push(e);
  }
  while (i < sorted.length && !(keep(sorted[i]) && matchesTags(sorted[i], tags))) i++;
  if (i >= sorted.length || data.length === 0) return { data, next: null };
  const nextOffset = Buffer.from(data[data.length - 1].id, 'utf8').toString('base64url');
  const params = new URLSearchParams({ offset: nextOffset });
  if (query.get('size') !== null) params.set('size', String(size));
  if (query.get('tags') !== null) params.set('tags', query.get('tags')!);
  return { data, offset: nextOffset, next: `${path}?${params.toString()}` };
}
