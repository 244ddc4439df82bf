// Fields several core plugins share (Kong 3.10).
import { bool, el, map, str } from './dsl.mjs';

export const LUA = 'Lua code cannot run in aigw';
export const anonymous = () => str('Consumer id or username used when authentication fails; unset fails with 401.', { len_min: 0 });
export const hideCredentials = () => bool('Remove the credential from the request before proxying.', { required: true, default: false });
export const runOnPreflight = () => bool('Authenticate OPTIONS preflight requests too.', { required: true, default: true });
export const realm = () => str('Realm of the WWW-Authenticate header on 401 responses.');
export function customFieldsByLua() {
  return map('Lua code producing extra log fields, by field name.', el('string', { len_min: 1 }), { unsupported: LUA });
}
