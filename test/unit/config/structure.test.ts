import { describe, expect, it } from 'vitest';
import { loadText } from '../../../src/config/index.js';
import { parseDocument } from 'yaml';
import { documentValue, MAX_DEPTH } from '../../../src/config/structure.js';

const head = '_format_version: "3.0"\nservices:\n  - name: x\n    url: http://a\n';
const issues = (text: string) => {
  const r = loadText(text, { env: {}, name: 'kong.yaml' });
  expect(r.state).toBeNull();
  return r.issues.map((i) => [i.code, i.line, i.column, i.message]);
};

describe('state files that are not trees of JSON values', () => {
  it('reports an alias inside its own anchor at the alias, instead of crashing', () => {
    expect(issues('_format_version: "3.0"\nservices: &s [{name: x, url: "http://a", tags: *s}]\n')).toEqual([
      ['AIGW_SYNTAX', 2, 48, 'alias *s refers to its own anchor &s: the value would contain itself (a cycle); state files must be trees'],
    ]);
  });

  it('finds a cycle through several anchors and in plugin configs', () => {
    const text = `${head}plugins:\n  - &p\n    name: cors\n    config: { origins: [a], headers: [*p] }\n`;
    expect(issues(text)).toEqual([['AIGW_SYNTAX', 8, 39, expect.stringContaining('alias *p refers to its own anchor &p')]]);
  });

  it('reports nesting deeper than the limit where it goes too deep, flow and block', () => {
    const depth = MAX_DEPTH - 3; // root map, services, the service: 3 levels above tags
    const ok = `${head}    tags: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    expect(loadText(ok, { env: {} }).issues.every((i) => i.code !== 'AIGW_SYNTAX')).toBe(true);
    const flow = `${head}    tags: ${'['.repeat(1000)}${']'.repeat(1000)}\n`;
    expect(issues(flow)).toEqual([['AIGW_SYNTAX', 5, 11 + depth, `nested more than ${MAX_DEPTH} levels deep: a state file cannot hold structures this deep`]]);
    const block = `${head}    tags:\n${Array.from({ length: 1000 }, (_, i) => `${'  '.repeat(i + 3)}-`).join('\n')}\n`;
    const [[code, line, , message]] = issues(block);
    expect([code, line, message]).toEqual(['AIGW_SYNTAX', 6 + depth, expect.stringContaining('levels deep')]);
  });

  it('counts depth through aliases, and walks a shared anchor once (no exponential blow-up)', () => {
    const chain = Array.from({ length: 30 }, (_, i) => `a${i + 1}: &a${i + 1} [*a${i}, *a${i}]`).join('\n');
    const text = `_format_version: "3.0"\na0: &a0 [x]\n${chain}\n`;
    // CPU time of this process, not wall time: other processes on a loaded machine do not count
    const started = process.cpuUsage();
    expect(issues(text)).toEqual([['AIGW_SYNTAX', expect.any(Number), expect.any(Number), expect.stringContaining('aliases expand this document to more than 2,000,000 values')]]);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(2000);
    const deepThroughAlias = `_format_version: "3.0"\nd: &d ${'['.repeat(60)}${']'.repeat(60)}\nservices: [{name: x, url: "http://a", tags: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*d]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}]\n`;
    expect(issues(deepThroughAlias)).toContainEqual(['AIGW_SYNTAX', 3, expect.any(Number), expect.stringContaining('levels deep')]);
  });

  it('a document without aliases (the walk without alias bookkeeping) gives the value one with an alias does', () => {
    const body = 'a: [1, 2.5, true, null, "s", ~]\nb: { c: { d: [[], {}] } }\n? [k, 1]\n: complex key\n"__proto__": { polluted: 1 }\ne:\n  - - x\n    -\n  - { }\n';
    const plain = documentValue(parseDocument(body)) as Record<string, unknown>;
    const aliased = documentValue(parseDocument(`${body}f: &f 1\ng: *f\n`)) as Record<string, unknown>;
    expect({ ...plain, f: 1, g: 1 }).toEqual(aliased);
    expect(Object.getOwnPropertyNames(plain)).toEqual(Object.getOwnPropertyNames(aliased).slice(0, -2));
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect((plain.__proto__ as { polluted: number }).polluted).toBe(1);
    expect(plain['["k",1]']).toBe('complex key');
  });
});
