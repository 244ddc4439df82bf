import { describe, expect, it } from 'vitest';
import { loadText } from '../../../src/config/index.js';
import { errorIssues, fieldPath } from '../../../src/commands/deck/error-positions.js';
import { AdminApiError } from '../../../src/kong/client.js';

const FILE = `_format_version: "3.0"
services:
  - name: svc
    url: http://svc.internal:8080
    routes:
      - name: r
        paths: [/a, /b]
        plugins:
          - name: rate-limiting
            config:
              minute: 5
`;

describe('a refused write, pointed at the file', () => {
  const r = loadText(FILE, { env: {}, name: 'kong.yaml' });
  const state = r.state!;
  const route = state.entities.routes[0];
  const plugin = state.entities.plugins[0];
  const service = state.entities.services[0];
  const konnect = (details: unknown[]) => new AdminApiError('PUT', '/x', 400, 'validation error', { code: 3, message: 'validation error', details });

  it('parses dotted fields with indexes', () => {
    expect(fieldPath('config.rules[2].name')).toEqual(['config', 'rules', 2, 'name']);
    expect(fieldPath('paths[1]')).toEqual(['paths', 1]);
  });

  it("Konnect's field details: a field in the file, a field set by the url, the entity itself", () => {
    const issues = [
      ...errorIssues('routes', route.id, konnect([{ type: 'ERROR_TYPE_FIELD', field: 'paths[1]', messages: ['bad path'] }]), r.sources, 'route r'),
      ...errorIssues('services', service.id, konnect([{ type: 'ERROR_TYPE_FIELD', field: 'port', messages: ['must be <= 65535'] }]), r.sources, 'service svc'),
      ...errorIssues('plugins', plugin.id, konnect([{ type: 'ERROR_TYPE_ENTITY', messages: ['only one of these fields must be non-empty'] }]), r.sources, 'plugin rate-limiting'),
      ...errorIssues('plugins', plugin.id, konnect([{ type: 'ERROR_TYPE_FIELD', field: 'config.redis.host', messages: ['required field missing'] }]), r.sources, 'plugin rate-limiting'),
    ];
    expect(issues.map((i) => `${i.line}:${i.column} ${i.code} ${i.message}`)).toEqual([
      '7:21 AIGW_KONNECT_VALIDATION route r: paths[1]: bad path (Konnect: validation error)',
      '4:10 AIGW_KONNECT_VALIDATION service svc: port: must be <= 65535 (Konnect: validation error)',
      '9:13 AIGW_KONNECT_VALIDATION plugin rate-limiting: only one of these fields must be non-empty (Konnect: validation error)',
      // the file has no redis record: the nearest ancestor that exists
      '11:15 AIGW_KONNECT_VALIDATION plugin rate-limiting: config.redis.host: required field missing (Konnect: validation error)',
    ]);
  });

  it("Kong's nested `fields` body too; server errors and network failures have no position", () => {
    const kong = new AdminApiError('PUT', '/x', 400, 'schema violation (config.minute: expected a number)', { code: 2, name: 'schema violation', fields: { config: { minute: 'expected a number' } } });
    expect(errorIssues('plugins', plugin.id, kong, r.sources, 'plugin rate-limiting').map((i) => `${i.line}:${i.column} ${i.code} ${i.message}`)).toEqual([
      '11:23 AIGW_ADMIN_API plugin rate-limiting: config.minute: expected a number (Kong: schema violation (config.minute: expected a number))',
    ]);
    expect(errorIssues('plugins', plugin.id, new AdminApiError('PUT', '/x', 500, 'boom', null), r.sources, 'p')).toEqual([]);
    expect(errorIssues('plugins', plugin.id, new AdminApiError('PUT', '/x', 0, 'ECONNREFUSED', null), r.sources, 'p')).toEqual([]);
  });
});
