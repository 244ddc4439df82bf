import { describe, expect, it } from 'vitest';
import { MARKDOWN_LIMIT, MARKER, renderMarkdown } from '../../../src/diff/markdown.js';
import { order } from '../../../src/diff/order.js';
import { plan } from '../../../src/diff/plan.js';
import { lookupIn } from '../../../src/diff/render.js';
import { ID, stateOf } from '../diff/build.js';

const prompt = (n: number, word: string) => `Prompt ${n}: you are a careful assistant; ${'always cite the policy document. '.repeat(8)}Answer ${word}.`;

function bigPlan(count: number) {
  const plugin = (i: number, word: string) => ({ id: ID(i + 1), name: 'ai-prompt-decorator', config: { prompts: { prepend: [{ role: 'system', content: prompt(i, word) }] } }, instance_name: `p${i}` });
  const before = stateOf({ plugins: Array.from({ length: count }, (_, i) => plugin(i, 'politely')) });
  const after = stateOf({ plugins: Array.from({ length: count }, (_, i) => plugin(i, 'briefly')) });
  const p = plan(before, after);
  return { ops: order(p.ops).flatMap((s) => s.ops), lookup: lookupIn(p.target, p.current) };
}

describe('diff --format markdown', () => {
  it('says there is nothing to do when the plan is empty', () => {
    const md = renderMarkdown([], () => undefined, {});
    expect(md.startsWith(`${MARKER}\n### aigw diff: no changes\n`)).toBe(true);
  });

  it('stays under GitHub\'s comment limit however large the plan, and counts what it left out', () => {
    const { ops, lookup } = bigPlan(1_000);
    const md = renderMarkdown(ops, lookup, { warnings: Array.from({ length: 500 }, (_, i) => `kong.yaml:${i}:1  warning  AIGW_SHELL_VAR  ${'x'.repeat(2_000)}`) });
    expect(md.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    expect(MARKDOWN_LIMIT).toBeLessThan(65_536);
    const left = /\*\*(\d+) more changed entities not shown\*\*/.exec(md);
    expect(left).not.toBeNull();
    const shown = md.split('<details><summary><b>updating</b>').length - 1;
    expect(shown + Number(left?.[1])).toBe(1_000);
    expect(md).toContain('450 more warnings');
    expect(md).toContain('| **total** | **0** | **1000** | **0** |');
  });

  it('cuts one huge entity diff with a count of the lines left out', () => {
    const before = stateOf({ plugins: [{ id: ID(1), name: 'ai-prompt-guard', config: { deny_patterns: Array.from({ length: 150 }, (_, i) => `old-${i}`) } }] });
    const after = stateOf({ plugins: [{ id: ID(1), name: 'ai-prompt-guard', config: { deny_patterns: Array.from({ length: 150 }, (_, i) => `new-${i}`) } }] });
    const p = plan(before, after);
    const md = renderMarkdown(p.ops, lookupIn(p.target, p.current), {});
    expect(md).toContain('# … 100 more lines not shown (aigw diff prints them all)');
  });

  it('fences a diff with more backticks than the values hold, and escapes HTML in summaries', () => {
    const before = stateOf({ services: [{ id: ID(1), name: 'svc<b>', host: 'a', tags: ['```'] }] });
    const after = stateOf({ services: [{ id: ID(1), name: 'svc<b>', host: 'b', tags: ['```'] }] });
    const p = plan(before, after);
    const md = renderMarkdown(p.ops, lookupIn(p.target, p.current), {});
    expect(md).toContain('<summary><b>updating</b> service svc&lt;b&gt;</summary>');
    const before2 = stateOf({ services: [{ id: ID(1), name: 's', host: 'a```b' }] });
    const after2 = stateOf({ services: [{ id: ID(1), name: 's', host: 'c```d' }] });
    const p2 = plan(before2, after2);
    const md2 = renderMarkdown(p2.ops, lookupIn(p2.target, p2.current), {});
    expect(md2).toContain('````diff\n- host: "a```b"\n+ host: "c```d"\n````');
  });
});
