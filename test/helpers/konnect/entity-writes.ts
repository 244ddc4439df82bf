/**
 * Turning a request body into the entity Konnect stores: kind-specific normalisation, defaults from the
 * JSON Schema (and, for plugins, from the plugin's Lua schema), validation with Konnect's error details,
 * then the store write (constraints) and certificate SNIs.
 *
 * Kong behaviours Konnect keeps (Kong Admin API docs; koko ProcessDefaults): `url` on a service sets
 * protocol/host/port/path; a target without a port gets `:8000`; key-auth/hmac-auth/jwt secrets are
 * generated when absent; basic-auth passwords are stored hashed (Kong's salted sha1 of password+consumer id)
 * unless `?skip_hash=true` (go-kong credentials_service.go, decK `--skip-hash-for-basic-auth`);
 * `cert_digest` is the sha256 of a CA certificate; `snis` on a certificate creates/replaces its SNI
 * entities (GDR strips it and manages `/snis` itself, pkg/types/certificate.go).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { kindSpec, type KindSpec } from './entity-kinds.js';
import type { JsonSchema } from './json-schemas.js';
import { compact, fillDefaults, validateEntity } from './json-validate.js';
import { fillPlugin, mirrorShorthands, validatePlugin } from './lua-validate.js';
import { passthroughSchema, type PluginSchema } from './plugin-schemas.js';
import { refId, type EntityStore } from './store.js';
import { clone, constraintError, entityDetail, fieldDetail, isObject, validationError, type ErrorDetail, type Json, type JsonObject } from './wire.js';

export interface PluginCatalog {
  schemas: Record<string, PluginSchema>;
  passthrough: string[];
}

export interface WriteContext {
  store: EntityStore;
  schemas: Record<string, JsonSchema>;
  plugins: PluginCatalog;
}

export function pluginSchemaFor(catalog: PluginCatalog, name: string): PluginSchema | undefined {
  return catalog.schemas[name] ?? (catalog.passthrough.includes(name) ? passthroughSchema() : undefined);
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

function expandUrl(v: JsonObject): ErrorDetail[] {
  if (typeof v.url !== 'string') return [];
  let u: URL;
  try {
    u = new URL(v.url);
  } catch {
    return [fieldDetail('url', 'must be a valid URL')];
  }
  const protocol = u.protocol.replace(/:$/, '');
  const rawPath = v.url.replace(/^[a-z]+:\/\/[^/?#]*/i, '');
  delete v.url;
  v.protocol = protocol;
  v.host = u.hostname;
  v.port = u.port ? Number(u.port) : protocol === 'https' || protocol === 'grpcs' || protocol === 'wss' ? 443 : 80;
  if (rawPath !== '') v.path = u.pathname;
  return [];
}

/** Kind-specific changes before defaults and validation; returns early errors. */
function normalise(spec: KindSpec, v: JsonObject, skipHash: boolean): ErrorDetail[] {
  switch (spec.kind) {
    case 'services':
      return expandUrl(v);
    case 'targets':
      if (typeof v.target === 'string' && !/:\d+$/.test(v.target) && !v.target.startsWith('[')) v.target = `${v.target}:8000`;
      return [];
    case 'ca_certificates':
      if (typeof v.cert === 'string') v.cert_digest = createHash('sha256').update(v.cert).digest('hex');
      return [];
    case 'key-auths':
      v.key ??= hex(16);
      return [];
    case 'hmac-auths':
      v.secret ??= hex(16);
      return [];
    case 'jwts':
      v.key ??= hex(16);
      v.secret ??= hex(16);
      return [];
    case 'basic-auths':
      if (!skipHash && typeof v.password === 'string')
        v.password = createHash('sha1')
          .update(`${v.password}${refId(v.consumer) ?? ''}`)
          .digest('hex');
      return [];
    default:
      return [];
  }
}

/** Where a partial's config goes in a plugin when the reference names no `path` (Kong's redis partials fill `config.redis`). */
const PARTIAL_PATH: Record<string, string> = { 'redis-ce': 'config.redis', 'redis-ee': 'config.redis' };

/**
 * The plugin as Kong validates it: each referenced partial's config set in place at the reference's
 * `path` (Kong merges partials before the plugin's entity checks, so `strategy: redis` with the
 * host in a `redis-ee` partial is valid). Only for validation: the plugin is stored as sent.
 */
function withPartials(ctx: WriteContext, v: JsonObject): JsonObject {
  if (!Array.isArray(v.partials) || v.partials.length === 0) return v;
  const merged = clone(v);
  for (const ref of v.partials) {
    if (!isObject(ref)) continue;
    const partial =
      typeof ref.id === 'string' ? ctx.store.get('partials', ref.id.toLowerCase()) : ctx.store.list('partials').find((p) => p.name === ref.name);
    if (!partial || !isObject(partial.config)) continue;
    const path = typeof ref.path === 'string' ? ref.path : PARTIAL_PATH[String(partial.type)];
    if (path === undefined) continue;
    let at: JsonObject = merged;
    for (const step of path.split('.')) {
      if (!isObject(at[step])) at[step] = {};
      at = at[step] as JsonObject;
    }
    for (const [k, x] of Object.entries(partial.config)) if (x !== null && x !== undefined) at[k] = clone(x);
  }
  return merged;
}

function pluginDetails(ctx: WriteContext, v: JsonObject): ErrorDetail[] {
  if (typeof v.name !== 'string') return [];
  const schema = pluginSchemaFor(ctx.plugins, v.name);
  if (!schema) return [fieldDetail('name', `plugin(${v.name}) does not exist`)];
  fillPlugin(schema, v);
  const details = validatePlugin(schema, withPartials(ctx, v));
  if (details.length === 0) mirrorShorthands(schema, v);
  return details;
}

export interface Prepared {
  value: JsonObject;
  /** Certificate SNI names to materialise, when the body had `snis`. */
  snis?: string[];
}

/** Everything short of the store: normalise, fill defaults, validate. Throws Konnect's 400. */
export function prepare(spec: KindSpec, raw: Json | undefined, ctx: WriteContext, opts: { skipHash?: boolean } = {}): Prepared {
  if (!isObject(raw))
    throw validationError([entityDetail(`expected object, but got ${raw === undefined ? 'null' : Array.isArray(raw) ? 'array' : typeof raw}`)]);
  const v = clone(raw);
  const early = normalise(spec, v, opts.skipHash ?? false);
  if (early.length) throw validationError(early);
  let snis: string[] | undefined;
  if (spec.kind === 'certificates' && Array.isArray(v.snis)) {
    snis = v.snis.filter((s): s is string => typeof s === 'string');
    delete v.snis;
  }
  const schema = ctx.schemas[spec.schema] as JsonSchema;
  fillDefaults(schema, v);
  const details = validateEntity(spec.schema, schema, v);
  if (details.length === 0 && spec.kind === 'plugins') details.push(...pluginDetails(ctx, v));
  if (details.length) throw validationError(details);
  const config = spec.kind === 'plugins' ? v.config : undefined;
  compact(v);
  if (config !== undefined) v.config = config;
  return { value: v, snis };
}

/** Create or replace `id` with a request body; returns what Konnect answers. */
export function writeEntity(spec: KindSpec, raw: Json | undefined, ctx: WriteContext, id: string, opts: { skipHash?: boolean } = {}): JsonObject {
  const { value, snis } = prepare(spec, raw, ctx, opts);
  value.id = id;
  if (snis) checkSnis(ctx.store, id, snis);
  ctx.store.save(spec, value);
  if (snis) replaceSnis(ctx, id, snis);
  return render(spec, value, ctx.store);
}

function checkSnis(store: EntityStore, certId: string, names: string[]): void {
  for (const name of names) {
    const sni = store.resolve('snis', name);
    if (sni && refId(sni.certificate) !== certId) throw constraintError('snis', 'unique');
  }
}

function replaceSnis(ctx: WriteContext, certId: string, names: string[]): void {
  const current = ctx.store.list('snis', { parent: { field: 'certificate', id: certId } });
  for (const sni of current) if (!names.includes(sni.name as string)) ctx.store.delete('snis', sni.id as string);
  const spec = kindSpec('snis') as KindSpec;
  for (const name of names) if (!ctx.store.resolve('snis', name)) ctx.store.save(spec, { id: randomUUID(), name, certificate: { id: certId } });
}

/** The entity as Konnect returns it (a certificate lists its SNI names). */
export function render(spec: KindSpec, value: JsonObject, store: EntityStore): JsonObject {
  if (spec.kind !== 'certificates') return value;
  const snis = store.list('snis', { parent: { field: 'certificate', id: value.id as string } }).map((s) => s.name as string);
  return snis.length ? { ...value, snis } : value;
}
