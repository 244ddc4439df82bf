/**
 * Golden outputs of the readable diff (text and Markdown) on fixtures/review/diff: prompt edits,
 * guard-pattern and scalar-array edits, a multi-line template edit, secrets old and new (a literal
 * replaced by an env value, an env value inside an array item, a basic-auth password), creates and
 * deletes. The fixture's "before" plays the gateway, its "after" the files (env from env.json).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadText } from '../../../src/config/index.js';
import { schemas } from '../../../src/config/schemas.js';
import { renderMarkdown } from '../../../src/diff/markdown.js';
import { order } from '../../../src/diff/order.js';
import { plan } from '../../../src/diff/plan.js';
import { lookupIn, renderReport, renderText } from '../../../src/diff/render.js';
import { secretPathsFromSchema, type MaskOptions } from '../../../src/diff/secrets.js';
import { expectGolden } from '../../helpers/golden.js';

const DIR = resolve(import.meta.dirname, '../../../fixtures/review/diff');
const read = (name: string) => readFileSync(join(DIR, name), 'utf8');
const env = JSON.parse(read('env.json')) as Record<string, string>;
const forbidden = JSON.parse(read('forbidden.json')) as string[];

function planned() {
  const before = loadText(read('before.yaml'), { env: {}, name: 'before.yaml' });
  const after = loadText(read('after.yaml'), { env, name: 'after.yaml' });
  if (before.state === null || after.state === null) throw new Error('fixtures must load');
  const p = plan(before.state, after.state);
  const mask: MaskOptions = {
    envValues: after.envValues,
    pluginSecrets: (name) => {
      const schema = schemas().plugin(name);
      return schema === undefined ? [] : secretPathsFromSchema(schema);
    },
  };
  return { ops: order(p.ops).flatMap((s) => s.ops), lookup: lookupIn(p.target, p.current), mask };
}

function expectNoSecrets(text: string): void {
  for (const secret of forbidden) expect(text, `leaks ${secret}`).not.toContain(secret);
}

describe('readable diff goldens', () => {
  it('text', () => {
    const { ops, lookup, mask } = planned();
    const text = renderText(ops, lookup, mask);
    expectGolden(join(DIR, 'expected.txt'), text);
    expectNoSecrets(text);
    // the one changed word of the system prompt, in its line
    expect(text).toContain('~ config.prompts.prepend[0].content: "You are a helpful assistant for ACME Corp. Always answer [-politely-]{+briefly+} and concisely');
  });

  it('markdown', () => {
    const { ops, lookup, mask } = planned();
    const warnings = ['after.yaml:51:19  warning  AIGW_UNKNOWN_PLUGIN  a made-up warning, to show where warnings go'];
    const md = renderMarkdown(ops, lookup, { ...mask, warnings });
    expectGolden(join(DIR, 'expected.md'), md);
    expectNoSecrets(md);
    expect(md).toContain('! config.prompts.prepend[0].content: "You are a helpful assistant for ACME Corp. Always answer [-politely-]{+briefly+} and concisely');
  });

  it('markdown cut to a small budget says what it left out', () => {
    const { ops, lookup, mask } = planned();
    const md = renderMarkdown(ops, lookup, { ...mask, limit: 2_500, maxLines: 8 });
    expectGolden(join(DIR, 'expected.small.md'), md);
    expect(md.length).toBeLessThanOrEqual(2_500);
    expect(md).toMatch(/\d+ more changed entities not shown\*\* to stay under GitHub's comment size limit/);
  });

  it('the JSON report keeps decK\'s shape and masks old and new bodies', () => {
    const { ops, lookup, mask } = planned();
    const report = renderReport(ops, lookup, mask);
    expect(Object.keys(report)).toEqual(['changes', 'summary', 'warnings', 'errors']);
    expect(Object.keys(report.changes)).toEqual(['creating', 'updating', 'deleting']);
    for (const list of Object.values(report.changes)) for (const e of list ?? []) expect(Object.keys(e)).toEqual(['name', 'kind', 'body']);
    expectNoSecrets(JSON.stringify(report));
  });

  it('highlights changed words with the paint given (a terminal) instead of marks', () => {
    const { ops, lookup, mask } = planned();
    const paint = { create: (t: string) => t, update: (t: string) => t, delete: (t: string) => t, dim: (t: string) => t, removedWords: (t: string) => `<R>${t}</R>`, addedWords: (t: string) => `<G>${t}</G>` };
    const text = renderText(ops, lookup, { ...mask, paint });
    expect(text).toContain('Always answer <R>politely</R><G>briefly</G> and concisely');
    expect(text).not.toContain('[-politely-]');
  });
});
