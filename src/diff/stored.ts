/**
 * Fields a gateway stores transformed: the comparison looks at the target entity as the gateway
 * would store it, while the write still sends what the file says.
 *
 * basic-auth passwords: Kong (and Konnect) keep `sha1(password .. consumer_id)` in hex
 * (kong/plugins/basic-auth/crypto.lua); a current credential whose stored password is the hash of
 * the file's password is unchanged.
 */
import { createHash } from 'node:crypto';
import type { KindName } from '../config/kinds.js';
import { refId, type Entity } from '../config/state.js';

export function storedForm(kind: KindName, target: Entity, current: Entity): Entity {
  if (kind !== 'basicauth_credentials') return target;
  const password = target.password;
  const consumer = refId(current.consumer);
  if (typeof password !== 'string' || consumer === null || current.password === password) return target;
  const hashed = createHash('sha1').update(`${password}${consumer}`).digest('hex');
  return current.password === hashed ? { ...target, password: hashed } : target;
}
