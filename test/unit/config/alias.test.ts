import { describe, expect, it } from 'vitest';
import { loadText } from '../../../src/config/index.js';

describe('YAML aliases', () => {
  it('reports an alias used before its anchor instead of crashing', () => {
    const r = loadText('_format_version: *v\nservices: []\n', { env: {}, name: 'kong.yaml' });
    expect(r.state).toBeNull();
    expect(r.issues.map((i) => [i.code, i.line, i.column, i.message])).toEqual([
      ['AIGW_SYNTAX', 1, 18, 'unresolved alias *v: define the anchor &v before using it'],
    ]);
  });

  it('accepts anchors and aliases used in order', () => {
    const r = loadText('_format_version: "3.0"\nservices:\n  - &svc { name: a, url: "http://x" }\nroutes:\n  - { name: r, paths: [/r], service: { name: a } }\n', { env: {} });
    expect(r.issues).toEqual([]);
  });
});

describe('YAML tags', () => {
  it('refuses tags that make non-JSON values, at the tagged node', () => {
    const r = loadText('_format_version: "3.0"\nservices:\n  - name: !!binary aGVsbG8=\n    host: h\n', { env: {}, name: 'kong.yaml' });
    expect(r.state).toBeNull();
    expect(r.issues.map((i) => [i.code, i.line, i.column, i.message])).toEqual([
      ['AIGW_SYNTAX', 3, 11, 'unsupported YAML tag !!binary: state files hold plain JSON values'],
    ]);
  });

  it('keeps the JSON-compatible core tags', () => {
    const r = loadText('_format_version: !!str 3.0\nservices:\n  - name: s\n    host: h\n    port: !!int "8080"\n', { env: {} });
    expect(r.issues).toEqual([]);
    expect(r.state?.entities.services[0].port).toBe(8080);
  });
});
