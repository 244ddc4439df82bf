/**
 * Validates a core entity against its JSON Schema the way Konnect reports it, and fills defaults.
 *
 * Messages are santhosh-tekuri/jsonschema v5's ("missing properties: 'host'", "additionalProperties 'x'
 * not allowed", "expected integer, but got string", "must be <= 65535 but found 69420", "length must be
 * <= 128, but got 141") as koko's tests and Kong/deck#1957 show them; a property with a `description`
 * reports the description instead (koko validation/translator.go descriptionOrErrHandleFunc). The field
 * is the instance location in dotted form with `[i]` indexes (translator.go `pretty`); an error at the
 * entity's root is ERROR_TYPE_ENTITY without a field. Entity rules (route matching, consumer identity,
 * key format) carry koko's rule descriptions (internal/resource/{route,consumer,key}.go).
 */
import type { JsonSchema } from './json-schemas.js';
import { clone, entityDetail, fieldDetail, isObject, type ErrorDetail, type Json, type JsonObject } from './wire.js';

type Loc = Array<string | number>;

export function pretty(loc: Loc): string {
  let out = '';
  for (const part of loc) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out;
}

const detailAt = (loc: Loc, message: string): ErrorDetail => (loc.length === 0 ? entityDetail(message) : fieldDetail(pretty(loc), message));

function jsonType(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeOk(type: NonNullable<JsonSchema['type']>, v: Json): boolean {
  const t = jsonType(v);
  return t === type || (type === 'number' && t === 'integer');
}

const quote = (names: string[]): string => names.map((n) => `'${n}'`).join(', ');

/** Only the PEM envelope is checked; the certificate inside is not parsed. */
const FORMATS: Record<string, RegExp> = {
  'pem-encoded-cert': /^\s*-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/,
  'pem-encoded-private-key': /^\s*-----BEGIN ([A-Z]+ )?PRIVATE KEY-----[\s\S]+-----END ([A-Z]+ )?PRIVATE KEY-----\s*$/,
};
const VAULT_REFERENCE = /^\{vault:\/\/.+\}$/;

const regexps = new Map<string, RegExp>();
function regexp(pattern: string): RegExp {
  let r = regexps.get(pattern);
  if (!r) regexps.set(pattern, (r = new RegExp(pattern, 'u')));
  return r;
}

function checkScalar(s: JsonSchema, v: Json): string | undefined {
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) return `value must be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  if (typeof v === 'string') {
    const len = [...v].length;
    if (s.minLength !== undefined && len < s.minLength) return `length must be >= ${s.minLength}, but got ${len}`;
    if (s.maxLength !== undefined && len > s.maxLength) return `length must be <= ${s.maxLength}, but got ${len}`;
    if (s.pattern !== undefined && !regexp(s.pattern).test(v)) return `must match pattern '${s.pattern}'`;
    if (s.format !== undefined && !(FORMATS[s.format]?.test(v) ?? true) && !VAULT_REFERENCE.test(v)) return `'${v}' is not valid '${s.format}'`;
  }
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) return `must be >= ${s.minimum} but found ${v}`;
    if (s.maximum !== undefined && v > s.maximum) return `must be <= ${s.maximum} but found ${v}`;
  }
  return undefined;
}

function check(s: JsonSchema, v: Json, loc: Loc, out: ErrorDetail[]): void {
  if (v === null) return; // every field is nullable; null means "not set"
  const mark = out.length;
  const report = (message: string): void => void out.push(detailAt(loc, s.description ?? message));
  if (s.type && !typeOk(s.type, v)) return report(`expected ${s.type}, but got ${jsonType(v)}`);
  const scalar = checkScalar(s, v);
  if (scalar) return report(scalar);
  if (Array.isArray(v)) {
    if (s.maxItems !== undefined && v.length > s.maxItems) return report(`maximum ${s.maxItems} items allowed, but found ${v.length} items`);
    if (s.items) v.forEach((item, i) => check(s.items as JsonSchema, item, [...loc, i], out));
  } else if (isObject(v) && s.properties) {
    const missing = (s.required ?? []).filter((k) => v[k] === undefined || v[k] === null);
    if (missing.length) report(`missing properties: ${quote(missing)}`);
    const extra = Object.keys(v).filter((k) => !(k in (s.properties as object)));
    if (s.additionalProperties === false && extra.length) report(`additionalProperties ${quote(extra)} not allowed`);
    for (const k of Object.keys(v)) {
      const ps = s.properties[k];
      if (ps) check(ps, v[k] as Json, [...loc, k], out);
    }
  }
  // A described property reports one message for everything inside it.
  if (s.description && loc.length && out.length > mark) out.splice(mark, out.length - mark, detailAt(loc, s.description));
}

const isSet = (v: Json | undefined): boolean => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
const has = (o: JsonObject, ...keys: string[]): boolean => keys.some((k) => isSet(o[k]));

function routeRules(r: JsonObject): string[] {
  const protocols = Array.isArray(r.protocols) ? (r.protocols as string[]) : [];
  const p = (...names: string[]): boolean => names.some((n) => protocols.includes(n));
  const errs: string[] = [];
  if (has(r, 'snis') && !p('https', 'grpcs', 'tls', 'tls_passthrough'))
    errs.push("'snis' can be set only when protocols has one of 'https', 'grpcs', 'tls' or 'tls_passthrough'");
  if (isSet(r.expression)) return errs;
  if (p('http') && !has(r, 'methods', 'hosts', 'paths', 'headers'))
    errs.push("when protocols has 'http', at least one of 'hosts', 'methods', 'paths' or 'headers' must be set");
  if (p('https') && !has(r, 'methods', 'hosts', 'paths', 'headers', 'snis'))
    errs.push("when protocols has 'https', at least one of 'snis', 'hosts', 'methods', 'paths' or 'headers' must be set");
  if (p('tcp', 'tls', 'tls_passthrough', 'udp') && has(r, 'methods', 'hosts', 'paths', 'headers'))
    errs.push("when protocol has 'tcp', 'tls', 'tls_passthrough' or 'udp', 'methods', 'hosts', 'paths', 'headers' cannot be set");
  return errs;
}

const ENTITY_RULES: Record<string, (e: JsonObject) => string[]> = {
  route: routeRules,
  consumer: (c) => (has(c, 'username', 'custom_id') ? [] : ['at least one of custom_id or username must be set']),
  key: (k) => (has(k, 'jwk') !== has(k, 'pem') ? [] : ['Keys must be defined either in JWK or PEM format']),
};

/** All problems with an entity (after defaults were filled), as Konnect's `details`. */
export function validateEntity(schemaName: string, s: JsonSchema, entity: Json): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  check(s, entity, [], out);
  if (out.length === 0 && isObject(entity)) for (const m of ENTITY_RULES[schemaName]?.(entity) ?? []) out.push(entityDetail(m));
  return out;
}

/** Fill absent (or null) fields with their defaults, recursing into records that are present. */
export function fillDefaults(s: JsonSchema, v: JsonObject): JsonObject {
  for (const [k, ps] of Object.entries(s.properties ?? {})) {
    const cur = v[k];
    if ((cur === undefined || cur === null) && ps.default !== undefined) v[k] = clone(ps.default);
    else if (isObject(cur) && ps.properties) fillDefaults(ps, cur);
  }
  return v;
}

/** What Konnect stores back: no nulls, no empty lists (protobuf drops unset fields). */
export function compact(v: JsonObject): JsonObject {
  for (const [k, x] of Object.entries(v)) if (x === null || (Array.isArray(x) && x.length === 0)) delete v[k];
  return v;
}
