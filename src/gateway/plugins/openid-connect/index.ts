/**
 * openid-connect (Kong Enterprise): validated against Kong's schema (schema.mjs), not run. `aigw serve` refuses a
 * configuration that enables it at startup; database mode stores it as Kong would and answers every request in
 * its scope with a 500 (a broken entity, listed by GET /status) — an authentication plugin is never skipped.
 */
import { refusedPlugin } from '../../plugin.js';

export const openidConnect = refusedPlugin('openid-connect', 'aigw serve has no OpenID Connect relying party or token verification', { stored: true });
