import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { elide, lineDiff, wordSegments } from '../../../src/diff/text-diff.js';
import { formatLine, TEXT_STYLE } from '../../../src/diff/render.js';
import { maskOldLikeNew, MASK } from '../../../src/diff/secrets.js';
import { formatPath, valueDiff, type Side } from '../../../src/diff/value-diff.js';

const plain = (v: unknown): Side => ({ raw: v, shown: v });
const text = (before: Side, after: Side) => valueDiff(before, after).map((l) => formatLine(l, TEXT_STYLE)).join('\n');
/** A side whose string values contain `secret` shown masked, as the env masker does. */
const envSide = (v: unknown, secret: string): Side => ({ raw: v, shown: JSON.parse(JSON.stringify(v).split(secret).join(MASK)) });
/** The old side as the renderers build it: masked like the new one wherever the new one holds a secret. */
const oldSide = (v: unknown, after: Side): Side => ({ raw: v, shown: maskOldLikeNew(v, after.raw, after.shown) });

describe('value diff', () => {
  it('diffs objects by path and shows only the side that has a value', () => {
    expect(text(plain({ a: { b: 1, c: null } }), plain({ a: { b: 2, c: 'x' } }))).toBe('  - a.b: 1\n  + a.b: 2\n  + a.c: "x"');
    expect(formatPath(['config', 'headers', 'x.y', 0, 'a b'])).toBe('config.headers["x.y"][0]["a b"]');
  });

  it('matches arrays of objects element by element', () => {
    const before = { prepend: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] };
    const after = { prepend: [{ role: 'system', content: 'Be short.' }, { role: 'user', content: 'Hi' }, { role: 'user', content: 'Bye' }] };
    expect(text(plain(before), plain(after))).toBe(
      ['  - prepend[0].content: "Be brief."', '  + prepend[0].content: "Be short."', '  + prepend[2].content: "Bye"', '  + prepend[2].role: "user"'].join('\n'),
    );
  });

  it('edits arrays of scalars as sequences, with old indexes for removals and new ones for additions', () => {
    expect(text(plain({ tags: ['a', 'b', 'c'] }), plain({ tags: ['a', 'c', 'd'] }))).toBe('  - tags[1]: "b"\n  + tags[2]: "d"');
    expect(text(plain({ tags: null }), plain({ tags: ['a', 'b'] }))).toBe('  + tags: ["a","b"]');
    expect(text(plain({ n: [1, 2] }), plain({ n: [1, 3] }))).toBe('  - n[1]: 2\n  + n[1]: 3');
  });

  it('word-diffs long single-line strings and marks the changed words', () => {
    const a = 'You are a helpful assistant. Always answer politely and concisely.';
    const b = 'You are a helpful assistant. Always answer briefly and concisely.';
    expect(text(plain({ p: a }), plain({ p: b }))).toBe('  ~ p: "You are a helpful assistant. Always answer [-politely-]{+briefly+} and concisely."');
    // a complete rewrite reads better as - / +
    expect(wordSegments('a'.repeat(50), 'completely different text that shares nothing at all')).toBeNull();
    // short strings stay a pair
    expect(text(plain({ m: 'gpt-4o' }), plain({ m: 'gpt-4o-mini' }))).toBe('  - m: "gpt-4o"\n  + m: "gpt-4o-mini"');
  });

  it('keeps quotes and escapes of JSON around marked words', () => {
    const a = 'Say "hello" to the user and then wait for the answer patiently';
    const b = 'Say "goodbye" to the user and then wait for the answer patiently';
    expect(text(plain({ p: a }), plain({ p: b }))).toBe('  ~ p: "Say \\"[-hello-]{+goodbye+}\\" to the user and then wait for the answer patiently"');
  });

  it('shortens long unchanged runs around the change', () => {
    const long = 'word '.repeat(60);
    const segs = elide([{ text: long, op: 'same' }, { text: 'x', op: 'del' }, { text: long, op: 'same' }]);
    expect(segs[0].text.startsWith('…')).toBe(true);
    expect(segs[0].text.length).toBeLessThanOrEqual(41);
    expect(segs[2].text.endsWith('…')).toBe(true);
  });

  it('line-diffs multi-line strings with context, and word-diffs lines that changed a little', () => {
    const before = ['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'the answer is yes', 'line 9'].join('\n');
    const after = ['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'the answer is no', 'line 9', 'line 10'].join('\n');
    const out = lineDiff(before, after, 2).map((l) => formatLine(l, TEXT_STYLE));
    expect(out).toEqual(['      … 4 unchanged lines', '      line 5', '      line 6', '      line 7', '    ~ the answer is [-yes-]{+no+}', '      line 9', '    + line 10']);
    expect(text(plain({ t: null }), plain({ t: 'a\nb' }))).toBe('  + t: |\n    + a\n    + b');
  });
});

describe('secrets inside diffs', () => {
  it('hides the old value of a field whose new value holds a secret, and never word-diffs it', () => {
    const after = envSide({ url: 'https://api.example.com/v1/chat?key=NEWSECRET123' }, 'NEWSECRET123');
    const out = text(oldSide({ url: 'https://api.example.com/v1/chat?key=OLDSECRET456' }, after), after);
    expect(out).toBe('  ~ url: "https://api.example.com/v1/chat?key=[masked]" (secret changed)');
  });

  it('masks removed array elements next to a new secret, wherever they sat', () => {
    const after = envSide({ headers: ['x-partner-key:NEWSECRET123'] }, 'NEWSECRET123');
    const out = text(oldSide({ headers: ['x-b:1', 'x-partner-key:OLDSECRET456'] }, after), after);
    expect(out).not.toContain('OLDSECRET456');
    expect(out).not.toContain('NEWSECRET123');
  });

  it('never shows a piece of a secret, old or new, whatever text surrounds it', () => {
    const hex = fc.stringMatching(/^[0-9a-f]{16}$/);
    const words = fc.array(fc.constantFrom('answer', 'politely', 'the', 'user', 'key', '=', 'Bearer', ' ', '-', ':'), { minLength: 0, maxLength: 30 });
    fc.assert(
      fc.property(hex, hex, words, words, (oldSecret, newSecret, pre, post) => {
        fc.pre(oldSecret !== newSecret);
        const wrap = (s: string) => `${pre.join(' ')} ${s} ${post.join(' ')}`;
        const after = envSide({ config: { value: wrap(newSecret), list: [wrap(newSecret)] } }, newSecret);
        const out = text(oldSide({ config: { value: wrap(oldSecret), list: [wrap(oldSecret), 'x'] } }, after), after);
        for (const secret of [oldSecret, newSecret]) {
          for (let i = 0; i + 8 <= secret.length; i++) expect(out).not.toContain(secret.slice(i, i + 8));
        }
      }),
    );
  });
});
