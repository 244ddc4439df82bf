/**
 * A target's refusal of one entity, pointed at the file: each field the error names becomes an
 * issue at that field's `file:line:col` (or at the entity when the file does not spell the field:
 * a default, a field set by the service `url`, a parent given by nesting).
 *
 * Konnect: `{code:3, message:"validation error"|"data constraint error", details:[{field, messages}]}`
 * (fields dotted with `[i]` indexes; go-kong#398 `value.` prefix dropped). Kong: `{code, name,
 * message, fields:{port:"…", config:{…}}}` (nested).
 */
import type { Issue } from '../../config/issues.js';
import type { EntitySources } from '../../config/index.js';
import { KIND_BY_NAME, type KindName } from '../../config/kinds.js';
import type { JsonPath } from '../../config/source.js';
import { AdminApiError } from '../../kong/client.js';
import { parseKonnectError } from '../../kong/konnect/errors.js';

const URL_PARTS = new Set(['protocol', 'host', 'port', 'path']);
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `config.rules[2].name` → `['config', 'rules', 2, 'name']`. */
export function fieldPath(field: string): JsonPath {
  const out: JsonPath = [];
  for (const part of field.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (m === null) {
      out.push(part);
      continue;
    }
    if (m[1] !== '') out.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** Kong's nested `fields` object → `[dotted field, message]` pairs. */
function kongFields(fields: unknown, prefix = ''): Array<[string, string]> {
  if (typeof fields === 'string') return [[prefix, fields]];
  if (Array.isArray(fields)) return fields.flatMap((f, i) => kongFields(f, `${prefix}[${i}]`));
  if (!isObj(fields)) return [];
  return Object.entries(fields).flatMap(([k, v]) => kongFields(v, k === '@entity' ? prefix : prefix === '' ? k : `${prefix}.${k}`));
}

/** `[field or '', message]` pairs of an error body, and its headline. */
function detailsOf(err: AdminApiError): { headline: string; pairs: Array<[string, string]>; konnect: boolean } {
  const k = parseKonnectError(err.body);
  if (k !== null && k.details.length > 0) {
    return { headline: k.message, pairs: k.details.flatMap((d) => (d.messages.length === 0 ? [''] : d.messages).map((m) => [d.field ?? '', m] as [string, string])), konnect: true };
  }
  if (isObj(err.body) && isObj(err.body.fields)) return { headline: err.kongMessage, pairs: kongFields(err.body.fields), konnect: false };
  return { headline: err.kongMessage, pairs: [], konnect: k !== null };
}

/** Where a field of an entity is written in the file, best effort. */
function subPath(kind: KindName, field: string, data: Record<string, unknown>, refs: Record<string, { path?: JsonPath } | undefined>): { path: JsonPath; relative: boolean } {
  const path = fieldPath(field);
  const head = path[0];
  if (typeof head === 'string') {
    const fk = KIND_BY_NAME[kind].foreignKeys.find((f) => f.field === head);
    if (fk !== undefined) {
      const ref = refs[head];
      return ref?.path !== undefined ? { path: ref.path, relative: false } : { path: [], relative: true };
    }
    if (kind === 'services' && URL_PARTS.has(head) && data[head] === undefined && typeof data.url === 'string') return { path: ['url'], relative: true };
  }
  return { path, relative: true };
}

/** Issues at the file positions an error names; empty when the error names no entity field. */
export function errorIssues(kind: KindName, id: string, err: unknown, sources: EntitySources, who: string): Issue[] {
  if (!(err instanceof AdminApiError) || err.status < 400 || err.status >= 500) return [];
  const where = sources.locate(kind, id);
  if (where === undefined) return [];
  const { headline, pairs, konnect } = detailsOf(err);
  const code: Issue['code'] = konnect ? 'AIGW_KONNECT_VALIDATION' : 'AIGW_ADMIN_API';
  const source = konnect ? `Konnect: ${headline}` : `Kong: ${headline}`;
  const list = pairs.length > 0 ? pairs : [['', headline] as [string, string]];
  return list.map(([field, message]) => {
    const sub = field === '' ? { path: [], relative: true } : subPath(kind, field, where.data, where.refs as Record<string, { path?: JsonPath } | undefined>);
    const path = sub.relative ? [...where.path, ...sub.path] : sub.path;
    const text = field === '' ? `${who}: ${message} (${source})` : `${who}: ${field}: ${message} (${source})`;
    return where.file.issueAt(path, field === '' ? 'key' : 'value', 'error', code, text);
  });
}
