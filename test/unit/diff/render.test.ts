import { describe, expect, it } from 'vitest';
import { plan } from '../../../src/diff/plan.js';
import { order } from '../../../src/diff/order.js';
import { lookupIn, renderReport, renderText } from '../../../src/diff/render.js';
import { maskEntity, secretPathsFromSchema } from '../../../src/diff/secrets.js';
import { ID, stateOf } from './build.js';

const cur = stateOf({
  services: [{ id: ID(1), name: 'svc', host: 'old.example.com', port: 80 }],
  consumers: [{ id: ID(2), username: 'alice' }],
  keyauth_credentials: [{ id: ID(3), key: 'old-secret-key', consumer: { id: ID(2) } }],
  plugins: [{ id: ID(4), name: 'ai-proxy', service: { id: ID(1) }, config: { auth: { header_value: 'Bearer sk-old' }, model: { name: 'gpt-4o' } } }],
});
const tgt = stateOf({
  services: [{ id: ID(1), name: 'svc', host: 'new.example.com', port: 80 }],
  consumers: [{ id: ID(2), username: 'alice' }],
  keyauth_credentials: [{ id: ID(3), key: 'new-secret-key', consumer: { id: ID(2) } }],
  plugins: [
    { id: ID(4), name: 'ai-proxy', service: { id: ID(1) }, config: { auth: { header_value: 'Bearer sk-new' }, model: { name: 'gpt-4o-mini' } } },
    { id: ID(5), name: 'cors', config: { origins: ['https://app.example.com'] } },
  ],
});
const pluginSecrets = (name: string) => (name === 'ai-proxy' ? [['auth', 'header_value']] : []);

function ops() {
  const p = plan(cur, tgt);
  return { ops: order(p.ops).flatMap((s) => s.ops), lookup: lookupIn(p.target, p.current) };
}

describe('render text', () => {
  it('prints verbs, display names, field-level diffs and the summary', () => {
    const { ops: list, lookup } = ops();
    const text = renderText(list, lookup, { pluginSecrets, envValues: ['new.example.com'] });
    // the new host comes from the environment: the old one is not shown either
    expect(text).toContain('updating service svc\n  ~ host: "[masked]" (secret changed)\n');
    expect(text).toContain('creating plugin cors (global)');
    expect(text).toContain('updating plugin ai-proxy for service svc');
    expect(text).toContain('  + config.model.name: "gpt-4o-mini"');
    expect(text).toContain('Summary:\n  Created: 1\n  Updated: 3\n  Deleted: 0\n');
    for (const secret of ['sk-old', 'sk-new', 'old-secret-key', 'new-secret-key', 'new.example.com', 'old.example.com']) expect(text).not.toContain(secret);
    // a changed secret is still reported as a change
    expect(text).toMatch(/updating key-auth \S+ for consumer alice\n {2}~ key: "\[masked\]" \(secret changed\)/);
    expect(text).toContain('  ~ config.auth.header_value: "[masked]" (secret changed)');
  });

  it('paints each verb with its colour', () => {
    const { ops: list, lookup } = ops();
    const paint = { create: (t: string) => `<G>${t}`, update: (t: string) => `<Y>${t}`, delete: (t: string) => `<R>${t}`, dim: (t: string) => t };
    const text = renderText(list, lookup, { pluginSecrets, paint });
    expect(text).toContain('<G>creating plugin cors (global)');
    expect(text).toContain('<Y>updating service svc');
    expect(text).toContain('<R>  - config.model.name: "gpt-4o"');
  });

  it('shows secrets with show', () => {
    const { ops: list, lookup } = ops();
    const text = renderText(list, lookup, { pluginSecrets, show: true });
    expect(text).toContain('+ config.auth.header_value: "Bearer sk-new"');
    expect(text).toContain('- key: "old-secret-key"');
  });
});

describe('render JSON report', () => {
  it('has decK keys and masks old and new bodies', () => {
    const { ops: list, lookup } = ops();
    const report = renderReport(list, lookup, { pluginSecrets });
    expect(Object.keys(report)).toEqual(['changes', 'summary', 'warnings', 'errors']);
    expect(report.summary).toEqual({ creating: 1, updating: 3, deleting: 0, total: 4 });
    expect(report.changes.dropped_creations).toBeUndefined();
    const plugin = report.changes.updating.find((e) => e.kind === 'plugin')!;
    expect(JSON.stringify(plugin.body)).not.toMatch(/sk-(old|new)/);
    expect(plugin.name).toBe('ai-proxy for service svc');
  });

  it('lists failures in errors and dropped ops under dropped_*', () => {
    const { ops: list, lookup } = ops();
    const report = renderReport([], lookup, {}, { done: [], failed: [{ op: list[0], error: new Error('HTTP 500') }], dropped: [{ op: list[1], reason: 'x' }] });
    expect(report.errors[0]).toMatch(/failed: HTTP 500$/);
    const droppedKey = list[1].action === 'create' ? 'dropped_creations' : 'dropped_updates';
    expect(report.changes[droppedKey]).toHaveLength(1);
  });
});

describe('secrets', () => {
  it('finds x-secret paths through properties, items and maps', () => {
    const schema = {
      type: 'object',
      properties: {
        auth: { type: 'object', properties: { header_value: { type: 'string', 'x-secret': true }, name: { type: 'string' } } },
        keys: { type: 'array', items: { type: 'string', 'x-secret': true } },
        extra: { type: 'object', additionalProperties: { type: 'object', properties: { token: { 'x-secret': true } } } },
      },
    };
    expect(secretPathsFromSchema(schema)).toEqual([['auth', 'header_value'], ['keys', '*'], ['extra', '*', 'token']]);
  });

  it('masks kind secrets and env values everywhere but keeps nulls', () => {
    const out = maskEntity('basicauth_credentials', { id: ID(1), username: 'u-SECRETVAL', password: null }, { envValues: ['SECRETVAL'] });
    expect(out).toEqual({ id: ID(1), username: 'u-[masked]', password: null });
  });
});
