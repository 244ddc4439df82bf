/**
 * Where secrets live in an entity: the text every printed output puts in their place, and the
 * paths of `"x-secret": true` fields in a plugin's JSON Schema. Shared by the masker (src/diff)
 * and by the loader, which refuses a masked dump used as input.
 */

/** What a secret is printed as unless `--show-secrets`. */
export const MASK = '[masked]';

/** Paths of `x-secret` fields in a JSON Schema (`*` stands for any array item or map value). */
export function secretPathsFromSchema(schema: unknown, prefix: string[] = [], out: string[][] = [], depth = 0): string[][] {
  if (schema === null || typeof schema !== 'object' || depth > 12) return out;
  const s = schema as Record<string, unknown>;
  if (s['x-secret'] === true && prefix.length > 0) {
    out.push(prefix);
    return out;
  }
  const props = s.properties;
  if (props !== null && typeof props === 'object') {
    for (const [key, sub] of Object.entries(props as Record<string, unknown>)) secretPathsFromSchema(sub, [...prefix, key], out, depth + 1);
  }
  if (s.items !== undefined) secretPathsFromSchema(s.items, [...prefix, '*'], out, depth + 1);
  if (s.additionalProperties !== null && typeof s.additionalProperties === 'object') {
    secretPathsFromSchema(s.additionalProperties, [...prefix, '*'], out, depth + 1);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = s[key];
    if (Array.isArray(list)) for (const sub of list) secretPathsFromSchema(sub, prefix, out, depth + 1);
  }
  return out;
}
