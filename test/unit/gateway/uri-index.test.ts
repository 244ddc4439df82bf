/** The router's URI index gives the same hit as testing every path in order, only faster. */
import { describe, expect, it } from 'vitest';
import { literalHead, UriIndex } from '../../../src/gateway/uri-index.js';

/** The scan the index replaces: regexes in priority order, then the longest plain prefix. */
function scan(regexes: Array<{ value: string; regex: RegExp }>, plain: string[], path: string): string | null {
  for (const u of regexes) if (u.regex.test(path)) return u.value;
  for (const p of [...plain].sort((a, b) => b.length - a.length)) if (path.startsWith(p)) return p;
  return null;
}

const re = (value: string) => ({ value, regex: new RegExp(`^(?:${value.slice(1)})`) });

describe('literalHead', () => {
  it.each([
    ['~/svc/items/(\\d+)$', '/svc/items/'],
    ['~/ab?', '/a'],
    ['~/ab*c', '/a'],
    ['~/ab{0,2}', '/a'],
    ['~/ab+', '/a'],
    ['~/a|/b', ''],
    ['~(/x)', ''],
    ['~/v1\\.0/x', '/v1'],
    ['~/files/.*', '/files/'],
    ['~^/x', ''],
    ['~/plain', '/plain'],
  ])('%s → %s', (path, head) => {
    expect(literalHead(path)).toBe(head);
  });
});

describe('UriIndex', () => {
  it('hits what a scan in priority order hits, on random routes and paths', () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const segs = ['a', 'b', 'ab', 'v1', 'items', 'x'];
    const seg = (): string => segs[rnd(segs.length)];
    for (let round = 0; round < 20; round++) {
      const regexes = Array.from({ length: 1 + rnd(20) }, () => {
        const kind = rnd(5);
        if (kind === 0) return re(`~/${seg()}/(\\d+)$`);
        if (kind === 1) return re(`~/${seg()}/${seg()}?`);
        if (kind === 2) return re(`~/(${seg()}|${seg()})/x`);
        if (kind === 3) return re(`~/${seg()}.*`);
        return re(`~/${seg()}/${seg()}`);
      });
      const plain = [...new Set(Array.from({ length: 1 + rnd(20) }, () => (rnd(2) ? `/${seg()}` : `/${seg()}/${seg()}`)))];
      const index = new UriIndex(regexes, plain);
      for (let i = 0; i < 100; i++) {
        const path = `/${seg()}${rnd(2) ? `/${rnd(3) ? seg() : String(rnd(100))}` : ''}${rnd(3) ? '' : `/${seg()}`}`;
        expect(index.hit(path), `${path} with ${regexes.map((r) => r.value).join(' ')} | ${plain.join(' ')}`).toBe(scan(regexes, plain, path));
      }
    }
  });

  it('prefers an earlier regex over a later one with a longer head, and regexes over plain paths', () => {
    const index = new UriIndex([re('~/a.*'), re('~/ab/c')], ['/ab/c', '/ab']);
    expect(index.hit('/ab/c')).toBe('~/a.*');
    expect(new UriIndex([re('~/ab/c'), re('~/a.*')], ['/ab']).hit('/ab/c')).toBe('~/ab/c');
    expect(new UriIndex([re('~/z')], ['/ab', '/a', '/']).hit('/abc')).toBe('/ab');
    expect(new UriIndex([], ['/ab']).hit('/a')).toBeNull();
  });
});
