/**
 * Where a state file may hold a vault reference. Kong resolves `{vault://…}` only in fields its
 * schemas mark referenceable (`x-referenceable` in ours); anywhere else the text would be used as
 * written by Kong — and resolved by a gateway that resolved everywhere, publishing a secret in a
 * field meant to be public (`cors.exposed_headers`). So a reference outside a referenceable field is
 * refused: at validate (here) and when a Runtime is built (gateway/vault.ts).
 */
import { resolveSchema } from './defaults.js';
import { schemas, type JsonSchema } from './schemas.js';

/** Kong's `kong.vault.is_reference`: the whole value is `{vault://…}`. */
export function isVaultReference(v: unknown): v is string {
  return typeof v === 'string' && v.length > 10 && v.startsWith('{vault://') && v.endsWith('}');
}

export interface VaultSite {
  path: Array<string | number>;
  reference: string;
  /** The field is referenceable (Kong resolves references there). */
  referenceable: boolean;
}

/** Whether a schema node (after `$ref`s, on any branch of a union) is marked referenceable. */
function referenceable(schema: JsonSchema, rel: string): boolean {
  if (schema['x-referenceable'] === true) return true;
  const reg = schemas();
  const r = schema.$ref !== undefined ? reg.resolve(schema, rel) : { schema, relPath: rel };
  if (r.schema['x-referenceable'] === true) return true;
  return [...(r.schema.anyOf ?? []), ...(r.schema.oneOf ?? [])].some((b) => referenceable(b, r.relPath));
}

function childSchema(schema: JsonSchema, rel: string, key: string | number): { schema: JsonSchema; rel: string } | null {
  const r = resolveSchema(schema, rel);
  const s = r.schema;
  if (typeof key === 'number') return s.items ? { schema: s.items, rel: r.relPath } : null;
  const prop = s.properties?.[key] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
  return prop ? { schema: prop, rel: r.relPath } : null;
}

function containsReference(v: unknown): boolean {
  if (isVaultReference(v)) return true;
  if (Array.isArray(v)) return v.some(containsReference);
  if (v !== null && typeof v === 'object') return Object.values(v).some(containsReference);
  return false;
}

/**
 * Every vault reference in `value`, walked along `schema` (relative to schemas/ at `rel`); a
 * field the schema does not know is not referenceable. `value` is a validated config (bounded depth).
 */
export function vaultSites(schema: JsonSchema | undefined, rel: string, value: unknown): VaultSite[] {
  const out: VaultSite[] = [];
  if (!containsReference(value)) return out;
  const visit = (s: { schema: JsonSchema; rel: string } | null, v: unknown, path: Array<string | number>): void => {
    if (isVaultReference(v)) {
      out.push({ path, reference: v, referenceable: s !== null && referenceable(s.schema, s.rel) });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => visit(s && childSchema(s.schema, s.rel, i), item, [...path, i]));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) visit(s && childSchema(s.schema, s.rel, k), item, [...path, k]);
    }
  };
  visit(schema ? { schema, rel } : null, value, []);
  return out;
}

/** The message for a reference where Kong would not resolve one. */
export function notReferenceable(path: ReadonlyArray<string | number>): string {
  const field = path.filter((p) => typeof p === 'string').at(-1) ?? 'this field';
  return `'${field}' is not a referenceable field: Kong resolves {vault://…} references only in fields it marks referenceable (credentials, passwords), and would use this text as written; put the value itself here, or the reference in a referenceable field`;
}

/**
 * Strings that hold a vault reference inside other text (`"Bearer {vault://env/key}"`): Kong
 * resolves a reference only when it is the whole value, so such text is sent as written.
 */
export function embeddedReferences(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value === 'string') return value.includes('{vault://') && !isVaultReference(value) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => embeddedReferences(v, [...path, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => embeddedReferences(v, [...path, k]));
  return [];
}

export const EMBEDDED_REFERENCE =
  "a vault reference is resolved only when it is the whole value ('{vault://env/name}'): this text is used as written (put the whole value in the secret instead)";
