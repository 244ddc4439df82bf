/**
 * Kong's check of a key's material (kong/db/schema/entities/keys.lua custom_entity_check): a JWK
 * string must parse as JSON and carry the key's `kid`; a PEM record needs one of its keys (its
 * own at_least_one_of says so). Vault references are checked when resolved, not here.
 */

export function keyMaterial(obj: unknown): { path: string[]; message: string } | null {
  if (obj === null || typeof obj !== 'object') return null;
  const { jwk, kid } = obj as { jwk?: unknown; kid?: unknown };
  if (typeof jwk !== 'string' || jwk.startsWith('{vault://')) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(jwk);
  } catch {
    return { path: ['jwk'], message: 'could not json decode jwk string' };
  }
  if (parsed === null || typeof parsed !== 'object' || (parsed as { kid?: unknown }).kid !== kid) {
    return { path: ['kid'], message: 'kid in jwk.kid must be equal to keys.kid' };
  }
  return null;
}
