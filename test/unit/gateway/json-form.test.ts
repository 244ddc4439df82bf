/**
 * The comparison that lets ai-proxy send an upstream's bytes instead of serialising its answer again
 * (llm/wire/json-form.ts): equal exactly when JSON.stringify would write the same text.
 */
import { describe, expect, it } from 'vitest';
import { sameJson } from '../../../src/gateway/llm/wire/json-form.js';

const ANSWER = '{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Two\\n\\"q\\" \\\\ é 😀 / </x>","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}';

describe('sameJson', () => {
  it('compares as JSON.stringify would, key order included', () => {
    const b = JSON.parse(ANSWER) as Record<string, unknown>;
    const { object: _o, ...noObject } = b;
    const cases: Array<[unknown, unknown, boolean]> = [
      [Object.assign({}, b, { usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } }), b, true],
      [{ ...b, object: 'chat.completion' }, b, true],
      [{ ...b, usage: { completion_tokens: 3, prompt_tokens: 12, total_tokens: 15 } }, b, false],
      [{ ...b, usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 16 } }, b, false],
      [{ ...b, extra: 1 }, b, false],
      [{ ...noObject, object: 'chat.completion' }, b, false],
      [[1, [2]], [1, [2]], true],
      [[1, [2]], [1, { 0: 2 }], false],
      [{ a: '1' }, { a: 1 }, false],
      [{ a: null }, { a: {} }, false],
    ];
    for (const [x, y, expected] of cases) {
      expect(sameJson(x, y)).toBe(expected);
      expect(JSON.stringify(x) === JSON.stringify(y)).toBe(expected);
    }
    // conservative where JSON.stringify would drop a property
    expect(sameJson({ ...b, x: undefined }, b)).toBe(false);
  });
});
