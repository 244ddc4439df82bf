/**
 * Kong's own route checks on the stream and TLS matchers (routes.lua, routes_subschemas.lua): an
 * error with Kong's message at the field. Where Kong accepts them, aigw serve refuses them
 * (serve-refusals.ts), with a warning at validate.
 */
import { describe, expect, it } from 'vitest';
import { loadText } from '../../../src/config/index.js';

function issues(route: string): string[] {
  const text = `_format_version: "3.0"\nservices:\n- name: s\n  url: http://localhost:9\n  routes:\n  - name: r\n${route}`;
  return loadText(text, { env: {}, name: 'kong.yaml' }).issues.map((i) => `${i.line}:${i.column} ${i.severity} ${i.code} ${i.message}`);
}

describe("Kong's route checks on snis, sources and destinations", () => {
  it("refuses sources and destinations on an http or https route", () => {
    expect(issues('    paths: [/r]\n    sources: [{ ip: 10.0.0.1 }]\n    destinations: [{ port: 80 }]\n')).toEqual([
      "8:5 error AIGW_ENTITY_CHECK cannot set 'sources' when 'protocols' is 'http' or 'https'",
      "9:5 error AIGW_ENTITY_CHECK cannot set 'destinations' when 'protocols' is 'http' or 'https'",
    ]);
    expect(issues('    protocols: [https, tcp]\n    paths: [/r]\n    sources: [{ ip: 10.0.0.1 }]\n')).toEqual([
      "9:5 error AIGW_ENTITY_CHECK cannot set 'sources' when 'protocols' is 'http' or 'https'",
    ]);
  });

  it('refuses snis unless a protocol carries TLS', () => {
    expect(issues('    protocols: [http]\n    paths: [/r]\n    snis: [a.example.com]\n')).toEqual([
      "9:5 error AIGW_ENTITY_CHECK 'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'",
    ]);
  });

  it('accepts what Kong accepts, with a warning that aigw serve refuses it', () => {
    expect(issues('    paths: [/r]\n    snis: [a.example.com]\n')).toEqual([
      "8:5 warning AIGW_UNSUPPORTED 'snis' is accepted for Kong compatibility but aigw serve refuses it: aigw serve has no TLS listener and no stream routes: it cannot match on it, and a route that ignored it would match more than it says",
    ]);
    expect(issues('    protocols: [tcp]\n    sources: [{ ip: 10.0.0.1 }]\n')).toEqual([
      "8:5 warning AIGW_UNSUPPORTED 'sources' is accepted for Kong compatibility but aigw serve refuses it: aigw serve has no TLS listener and no stream routes: it cannot match on it, and a route that ignored it would match more than it says",
    ]);
  });
});
