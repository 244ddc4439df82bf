/**
 * Kong's own route checks on the stream and TLS matchers (routes.lua, routes_subschemas.lua): an
 * error with Kong's message at the field. Where Kong accepts them on an HTTP route, aigw serve
 * refuses them (serve-refusals.ts), with a warning at validate; a stream route is stored and left
 * out of routing (config/stream.ts), with a warning saying so.
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
      "7:5 error AIGW_ENTITY_CHECK these sets are mutually exclusive: ('http', 'https'), ('tcp', 'tls', 'udp')",
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
      "8:5 warning AIGW_UNSUPPORTED 'snis' is accepted for Kong compatibility but aigw serve refuses it: aigw serve has no TLS listener and routes HTTP requests only: it cannot match an HTTP route on it, and a route that ignored it would match more than it says",
    ]);
  });
});

/** The file with a tcp service of stream routes (Kong's stream_listen) and an http one. */
function streamFile(routes: string, service = 'protocol: tcp\n  host: db.internal\n  port: 5432'): string[] {
  const text = `_format_version: "3.0"\nservices:\n- name: db\n  ${service}\n  routes:\n${routes}`;
  return loadText(text, { env: {}, name: 'kong.yaml' }).issues.map((i) => `${i.line}:${i.column} ${i.severity} ${i.code} ${i.message}`);
}

const STREAM_SERVICE = "4:3 warning AIGW_STREAM service 'db': protocol 'tcp' is a stream protocol: only stream routes reach it (Kong's stream_listen); aigw serve has no stream listener, so it stores the service and proxies nothing to it, and does not run the plugins scoped to it";
const streamRoute = (at: string, name: string, protocols: string): string =>
  `${at} warning AIGW_STREAM route '${name}' is a stream route (protocols: ${protocols}): Kong serves it on its stream listener (stream_listen), never to HTTP requests; `
  + 'aigw serve has no stream listener, so it stores the route and leaves it out of routing, with the plugins scoped to it';

describe("Kong's stream routes (routes_subschemas.lua: tcp, tls, udp, tls_passthrough)", () => {
  it('a valid stream route: a warning that aigw serve stores it and leaves it out of routing (not a refusal of its matchers)', () => {
    expect(streamFile('  - name: pg\n    protocols: [tcp]\n    destinations: [{ port: 5432 }]\n    sources: [{ ip: 10.0.0.0/8 }]\n')).toEqual([
      STREAM_SERVICE, streamRoute('9:5', 'pg', 'tcp'),
    ]);
    expect(streamFile('  - name: sni\n    protocols: [tls, udp]\n    snis: [db.example.com]\n')).toEqual([STREAM_SERVICE, streamRoute('9:5', 'sni', 'tls, udp')]);
    expect(streamFile('  - name: pass\n    protocols: [tls_passthrough]\n    snis: [db.example.com]\n')).toEqual([STREAM_SERVICE, streamRoute('9:5', 'pass', 'tls_passthrough')]);
  });

  it("refuses HTTP matchers on a stream route, and a stream route that matches on nothing, with Kong's messages", () => {
    expect(streamFile('  - name: pg\n    protocols: [tcp]\n    paths: [/x]\n    methods: [GET]\n')).toEqual([
      STREAM_SERVICE,
      "9:5 error AIGW_ENTITY_CHECK must set one of 'sources', 'destinations', 'snis' when 'protocols' is 'tcp', 'tls' or 'udp'",
      streamRoute('9:5', 'pg', 'tcp'),
      "10:5 error AIGW_ENTITY_CHECK cannot set 'paths' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'",
      "11:5 error AIGW_ENTITY_CHECK cannot set 'methods' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'",
    ]);
    expect(streamFile('  - name: pass\n    protocols: [tls_passthrough]\n    destinations: [{ port: 443 }]\n').filter((i) => i.includes('error'))).toEqual([
      "9:5 error AIGW_ENTITY_CHECK must set snis when 'protocols' is 'tls_passthrough'",
    ]);
  });

  it('refuses protocols of different kinds in one route (mutually exclusive sets)', () => {
    expect(streamFile('  - name: mixed\n    protocols: [tcp, tls_passthrough, http]\n    snis: [a.example.com]\n').filter((i) => i.includes('error'))).toEqual([
      "9:5 error AIGW_ENTITY_CHECK these sets are mutually exclusive: ('tcp', 'tls', 'udp'), ('tls_passthrough'), ('http', 'https')",
    ]);
  });

  it("checks the stream matchers' values as Kong's typedefs do", () => {
    expect(streamFile('  - name: pg\n    protocols: [tls]\n    snis: [10.0.0.1, "db.example.com:443", ok.example.com]\n    sources: [{}, { ip: 300.1.1.1 }, { ip: 10.0.0.0/33 }, { ip: "::1", port: 1 }]\n')
      .filter((i) => i.includes('error'))).toEqual([
      '10:12 error AIGW_VALUE must not be an IP',
      '10:22 error AIGW_VALUE must not have a port',
      "11:15 error AIGW_VALUE at least one of these fields must be non-empty: 'ip', 'port'",
      "11:25 error AIGW_VALUE invalid ip or cidr range: '300.1.1.1'",
      "11:44 error AIGW_VALUE invalid ip or cidr range: '10.0.0.0/33'",
    ]);
  });

  it("refuses a plugin whose protocols the route's do not share (Kong's plugin DAO check, met by decK's sync)", () => {
    const plugin = (protocols: string) => `  - name: pg\n    protocols: [tcp]\n    destinations: [{ port: 5432 }]\n    plugins:\n    - name: ip-restriction\n${protocols}      config: { allow: [10.0.0.0/8] }\n`;
    expect(streamFile(plugin('')).filter((i) => i.includes('error'))).toEqual(["12:7 error AIGW_ENTITY_CHECK must match the associated route's protocols"]);
    expect(streamFile(plugin('      protocols: [tcp, tls]\n')).filter((i) => i.includes('error'))).toEqual([]);
    expect(streamFile(`${plugin('      protocols: [tcp, tls]\n')}    - name: key-auth\n      protocols: [http]\n`).filter((i) => i.includes('error'))).toEqual([
      "16:7 error AIGW_ENTITY_CHECK must match the associated route's protocols",
    ]);
  });

  it('an http route to a stream service: a warning that aigw serve refuses the route', () => {
    expect(streamFile('  - name: web\n    paths: [/db]\n')).toEqual([
      STREAM_SERVICE,
      "8:5 warning AIGW_UNSUPPORTED aigw serve refuses this route: its service 'db' has protocol 'tcp', a stream protocol that only stream routes reach in Kong; aigw serve proxies HTTP routes to http and https services only",
    ]);
  });
});
