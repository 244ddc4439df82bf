import { describe, expect, it } from 'vitest';
import { compileKongRegex } from '../../../src/config/regex.js';

describe('Kong (PCRE) patterns', () => {
  it('translates PCRE named groups and inline flags', () => {
    const r = compileKongRegex('(?i)/items/(?P<id>\\d+)', { anchored: true });
    if (!('regex' in r)) throw new Error(r.error);
    expect(r.regex.exec('/ITEMS/42')?.groups?.id).toBe('42');
    expect(r.regex.test('/x/ITEMS/42')).toBe(false);
  });
  it('reports patterns that do not compile', () => {
    const r = compileKongRegex('/items/(\\d+');
    expect('error' in r && r.error).toMatch(/Unterminated group/);
  });
});
