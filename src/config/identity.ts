import { createHash } from 'node:crypto';
import { KINDS, type KindName } from './kinds.js';
import type { RawEntity, RawRef } from './collect.js';
import type { Issue } from './issues.js';
import { brokenSuffix, resolveOnGateway, type GatewayScope } from './gateway-refs.js';

/**
 * Entity identity: ids (explicit, or derived deterministically from the natural key so that two
 * files meaning the same thing give equal States), foreign-reference resolution and uniqueness.
 */

/** A stable UUID (v5 layout) from a kind and its natural key. */
export function derivedId(kind: KindName, parts: readonly string[]): string {
  const h = createHash('sha1').update(`aigw\0${kind}\0${parts.join('\0')}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** Human name of a raw entity, for messages. */
export function displayName(raw: RawEntity): string {
  const d = raw.data;
  const n = str(d.name) ?? str(d.username) ?? str(d.custom_id) ?? str(d.target) ?? str(d.group) ?? str(d.prefix) ?? str(d.key) ?? str(d.id);
  return n === null ? raw.kind.singular : `${raw.kind.singular} '${n}'`;
}

/**
 * Identity of an entity without id or natural key (certificates, CA certificates): its PEM, so the
 * id survives moving it to another file; the file position as a last resort.
 */
function contentKey(raw: RawEntity): string[] {
  const cert = str(raw.data.cert);
  return cert !== null ? ['cert', cert.trim()] : raw.path.map(String).concat(raw.file.name);
}

export class Identities {
  private readonly byId = new Map<KindName, Map<string, RawEntity>>();
  private readonly byName = new Map<KindName, Map<string, RawEntity>>();
  private readonly byKey = new Map<string, RawEntity>();
  readonly issues: Issue[] = [];

  constructor(private readonly gateway: GatewayScope = { lookupTags: {} }) {
    for (const k of KINDS) {
      this.byId.set(k.name, new Map());
      this.byName.set(k.name, new Map());
    }
  }

  private issue(raw: RawEntity, sub: Array<string | number>, at: 'key' | 'value', code: Issue['code'], message: string): void {
    this.issues.push(raw.file.issueAt([...raw.path, ...sub], at, 'error', code, message));
  }

  private where(raw: RawEntity): string {
    const i = raw.file.issueAt(raw.path, 'value', 'error', 'AIGW_DUPLICATE', '');
    return `${i.file}:${i.line}:${i.column}`;
  }

  /** Resolve a reference to an id; reports a broken reference and returns null. */
  resolve(raw: RawEntity, field: string, ref: RawRef, target: KindName): string | null {
    if (ref.by === 'parent') return ref.parent.id ?? null;
    const table = ref.by === 'id' ? this.byId.get(target) : this.byName.get(target);
    // `{custom_id: x}` names a consumer by custom_id; any other form by id or username/name
    const found = table?.get(ref.by === 'name' && ref.field === 'custom_id' ? `custom_id:${ref.value}` : ref.value);
    if (found?.id) return found.id;
    const tk = KINDS.find((k) => k.name === target);
    const what = `${tk?.singular ?? target} '${ref.value}' referenced by ${displayName(raw)} (field '${field}')`;
    const onGateway = resolveOnGateway(raw, what, ref, target, this.gateway);
    if (onGateway !== null) {
      if (onGateway.issue) this.issues.push(onGateway.issue);
      return onGateway.id;
    }
    this.issues.push(raw.file.issueAt(ref.path, 'value', 'error', 'AIGW_REFERENCE', `${what} does not exist${brokenSuffix(target, this.gateway)}`));
    return null;
  }

  /** Natural-key parts of an entity whose foreign keys are already resolved. */
  naturalKey(raw: RawEntity, fks: Record<string, string | null>): string[] | null {
    const k = raw.kind;
    const parts: string[] = [];
    if (k.naturalKey.length > 0) {
      // alternatives (a consumer's username, else its custom_id) are separate namespaces: a custom_id may
      // equal another consumer's username (decK: GDR state/consumer.go); the first keeps its bare value
      const i = k.naturalKey.findIndex((f) => str(raw.data[f]) !== null);
      if (i < 0) return k.naturalKeyFks.length > 0 && k.naturalKey.length === 0 ? [] : null;
      const value = str(raw.data[k.naturalKey[i]]) as string;
      parts.push(...(i === 0 ? [value] : [k.naturalKey[i], value]));
    }
    for (const f of k.naturalKeyFks) parts.push(fks[f] ?? '');
    return parts;
  }

  /**
   * Kong's unique foreign keys (`uniqueFks`): a second entity pointing at the same service or
   * route is refused with the message of Kong's database (its cache_key, printed by Penlight:
   * `{route={id="…"},service=null}`), at the reference, or at the entity when nested under it.
   */
  private uniqueFks(raw: RawEntity, fks: Record<string, string | null>): void {
    const k = raw.kind;
    for (const field of k.uniqueFks ?? []) {
      const id = fks[field];
      if (!id) continue;
      const label = `${k.name}\0unique\0${field}\0${id}`;
      const first = this.byKey.get(label);
      if (first === undefined) {
        this.byKey.set(label, raw);
        continue;
      }
      const shown = (k.uniqueFks ?? []).map((f) => `${f}=${fks[f] ? `{id="${fks[f]}"}` : 'null'}`).join(',');
      const ref = raw.refs[field];
      const target = KINDS.find((t) => t.name === k.foreignKeys.find((fk) => fk.field === field)?.kind);
      const why = `Kong allows one ${k.singular.replace('_', ' ')} per ${target?.singular ?? field}; ${displayName(first)} is first at ${this.where(first)}`;
      const message = `UNIQUE violation detected on '{${shown}}' (${why})`;
      if (ref !== undefined && ref.by !== 'parent') this.issues.push(raw.file.issueAt(ref.path, 'value', 'error', 'AIGW_DUPLICATE', message));
      else this.issue(raw, [], 'key', 'AIGW_DUPLICATE', message);
    }
  }

  /** Assign the id and register it under its id, natural key and names; reports duplicates. */
  register(raw: RawEntity, fks: Record<string, string | null>): void {
    const k = raw.kind;
    const explicit = str(raw.data.id);
    const key = this.naturalKey(raw, fks);
    raw.id = explicit ?? derivedId(k.name, key ?? contentKey(raw));
    const ids = this.byId.get(k.name);
    const names = this.byName.get(k.name);
    const dup = (other: RawEntity, field?: string) =>
      this.issue(raw, field ? [field] : explicit ? ['id'] : [], field || explicit ? 'value' : 'key', 'AIGW_DUPLICATE',
        `${displayName(raw)} is defined more than once (first at ${this.where(other)})`);
    const keyLabel = key === null || key.length === 0 ? null : `\0key\0${key.join('\0')}`;
    const sameKey = keyLabel === null ? undefined : this.byKey.get(`${k.name}${keyLabel}`);
    const sameId = ids?.get(raw.id);
    if (sameKey || sameId) {
      dup((sameKey ?? sameId) as RawEntity);
      return;
    }
    ids?.set(raw.id, raw);
    if (keyLabel !== null) this.byKey.set(`${k.name}${keyLabel}`, raw);
    this.uniqueFks(raw, fks);
    const refFields = k.name === 'consumers' ? ['username', 'custom_id'] : k.refField ? [k.refField] : [];
    for (const f of refFields) {
      const n = str(raw.data[f]);
      if (n === null) continue;
      const other = names?.get(`${f}:${n}`);
      if (other) {
        dup(other, f);
        continue;
      }
      names?.set(`${f}:${n}`, raw);
      // a bare reference (`consumer: judy`) names the id or the username, never a custom_id (GDR GetByIDOrUsername)
      if (f === (k.refField ?? f) && !names?.has(n)) names?.set(n, raw);
    }
  }
}
