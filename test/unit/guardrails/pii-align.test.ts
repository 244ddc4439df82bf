import { describe, expect, it } from 'vitest';
import { replacements, restoreMap } from '../../../src/gateway/plugins/ai-sanitizer/align.js';

const TEXT = 'My name is John Doe, my phone number is 123-456-7890.';

describe("ai-sanitizer: aligning the PII service's answer with the original", () => {
  it('placeholders: one pair per placeholder', () => {
    expect(replacements(TEXT, 'My name is PLACEHOLDER1, my phone number is PLACEHOLDER2.')).toEqual([
      { original: 'John Doe', replacement: 'PLACEHOLDER1' },
      { original: '123-456-7890', replacement: 'PLACEHOLDER2' },
    ]);
  });

  it('synthetic values: runs joined across a space and across punctuation', () => {
    expect(replacements(TEXT, 'My name is Jesse Mason, my phone number is 001-204-028-1684x83574.')).toEqual([
      { original: 'John Doe', replacement: 'Jesse Mason' },
      { original: '123-456-7890', replacement: '001-204-028-1684x83574' },
    ]);
  });

  it('two placeholders side by side stay two pairs', () => {
    expect(replacements('Call John 555-0100 now', 'Call PLACEHOLDER1 PLACEHOLDER2 now')).toEqual([
      { original: 'John', replacement: 'PLACEHOLDER1' },
      { original: '555-0100', replacement: 'PLACEHOLDER2' },
    ]);
  });

  it('changes separated by words are separate pairs; unchanged text gives none', () => {
    expect(replacements('mail ann@example.com or bob@example.com', 'mail PLACEHOLDER1 or PLACEHOLDER2')).toEqual([
      { original: 'ann@example.com', replacement: 'PLACEHOLDER1' },
      { original: 'bob@example.com', replacement: 'PLACEHOLDER2' },
    ]);
    expect(replacements('nothing here', 'nothing here')).toEqual([]);
  });

  it('credentials masked with #', () => {
    expect(replacements('key sk-abc123 here', 'key ######### here')).toEqual([{ original: 'sk-abc123', replacement: '#########' }]);
  });

  it('restore map: same placeholder for the same value; ambiguous or colliding replacements dropped', () => {
    const same = replacements('ann@example.com and ann@example.com', 'PLACEHOLDER1 and PLACEHOLDER1');
    expect([...restoreMap(same, ['ann@example.com and ann@example.com'])]).toEqual([['PLACEHOLDER1', 'ann@example.com']]);
    const clash = [{ original: 'a1', replacement: 'X9' }, { original: 'b2', replacement: 'X9' }, { original: 'c3', replacement: 'Y8' }];
    expect([...restoreMap(clash, ['a1 b2 c3'])]).toEqual([['Y8', 'c3']]);
    expect([...restoreMap([{ original: 'John', replacement: 'Paul' }], ['John and Paul'])]).toEqual([]);
  });
});

describe('ai-sanitizer alignment edge cases', () => {
  it('punctuation the alignment pulls into a run is trimmed', () => {
    expect(replacements('mail john@example.com.', 'mail PLACEHOLDER3.')).toEqual([{ original: 'john@example.com', replacement: 'PLACEHOLDER3' }]);
  });
});
