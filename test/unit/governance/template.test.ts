import { describe, expect, it } from 'vitest';
import { jsonEscape, luaType, render, templateReference } from '../../../src/gateway/plugins/ai-prompt-template/template.js';
import { applyTemplate } from '../../../src/gateway/plugins/ai-prompt-template/index.js';
import { ReplyError } from '../../../src/gateway/plugin.js';
import type { CanonicalRequest } from '../../../src/gateway/llm/wire/openai-types.js';

const cfg = (allowUntemplated = true) => ({
  templates: new Map([
    ['greet', '{"messages":[{"role":"user","content":"Hello {{name}}, I am {{age}}"}]}'],
    ['complete', '{"prompt":"Say {{word}}"}'],
    ['broken', '{"messages": {{raw}}'],
    ['array', '[1,2]'],
  ]),
  allowUntemplated,
  logOriginal: false,
  maxBodySize: 8192,
});

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ReplyError) {
      expect(err.reply.status).toBe(400);
      return (err.reply.json as { error: { message: string } }).error.message;
    }
    throw err;
  }
  throw new Error('expected a ReplyError');
}

describe('templater', () => {
  it('replaces placeholders with JSON-escaped values', () => {
    const out = render('{"c":"{{a}} and {{b}} and {{a}}"}', { a: 'x"y\\z\n', b: 'ünï' });
    expect(out).toEqual({ ok: true, text: '{"c":"x\\"y\\\\z\\n and ünï and x\\"y\\\\z\\n"}' });
    if (out.ok) expect(JSON.parse(out.text)).toEqual({ c: 'x"y\\z\n and ünï and x"y\\z\n' });
  });

  it('lists each missing parameter once, in order', () => {
    expect(render('{{a}} {{b}} {{a}} {{c}}', { c: 'ok' })).toEqual({ ok: false, error: 'missing template parameters: [a], [b]' });
  });

  it('reports placeholders a value brought in as missing, like Kong', () => {
    expect(render('{{a}}', { a: '{{evil}}' })).toEqual({ ok: false, error: 'missing template parameters: [evil]' });
  });

  it('refuses non-string values with the Lua type name', () => {
    expect(render('{{a}}', { a: 1 })).toEqual({ ok: false, error: 'property values must be a string, got number' });
    expect(render('{{a}}', { a: true })).toEqual({ ok: false, error: 'property values must be a string, got boolean' });
    expect(luaType({})).toBe('table');
    expect(luaType([])).toBe('table');
    expect(luaType(null)).toBe('userdata');
  });

  it('ignores placeholders that are not [A-Za-z0-9_]+', () => {
    expect(render('{{a-b}} {{ a }}', {})).toEqual({ ok: true, text: '{{a-b}} {{ a }}' });
    expect(jsonEscape('<tag>')).toBe('<tag>');
  });

  it('recognises {template://name} references only', () => {
    expect(templateReference('{template://greet}')).toBe('greet');
    expect(templateReference('{template://}')).toBeNull();
    expect(templateReference('template://greet')).toBeNull();
    expect(templateReference('{template://greet')).toBeNull();
    expect(templateReference(['{template://greet}'])).toBeNull();
  });
});

describe('applyTemplate', () => {
  it('renders a chat template that replaces the whole body', () => {
    const body = { messages: '{template://greet}', properties: { name: 'Ann', age: '30' }, model: 'gpt-4', stream: true } as unknown as CanonicalRequest;
    expect(applyTemplate(body, cfg())).toEqual({ messages: [{ role: 'user', content: 'Hello Ann, I am 30' }] });
  });

  it('renders a completions template', () => {
    const body = { prompt: '{template://complete}', properties: { word: 'hi' } } as CanonicalRequest;
    expect(applyTemplate(body, cfg())).toEqual({ prompt: 'Say hi' });
  });

  it('passes untemplated requests when allowed and refuses them otherwise', () => {
    const body = { messages: [{ role: 'user', content: 'hi' }] } as CanonicalRequest;
    expect(applyTemplate(body, cfg(true))).toBeNull();
    expect(errorOf(() => applyTemplate(body, cfg(false)))).toBe('this LLM route only supports templated requests');
  });

  it("has Kong's error messages", () => {
    expect(errorOf(() => applyTemplate({ messages: '{template://greet}', prompt: 'x' } as unknown as CanonicalRequest, cfg()))).toBe("cannot run 'messages' and 'prompt' templates at the same time");
    expect(errorOf(() => applyTemplate({ input: 'x' } as CanonicalRequest, cfg()))).toBe("only 'llm/v1/chat' and 'llm/v1/completions' formats are supported for templating");
    expect(errorOf(() => applyTemplate({ messages: '{template://nope}' } as unknown as CanonicalRequest, cfg()))).toBe('could not find template name [nope]');
    expect(errorOf(() => applyTemplate({ messages: '{template://greet}', properties: 'x' } as unknown as CanonicalRequest, cfg()))).toBe('properties must be an object');
    expect(errorOf(() => applyTemplate({ messages: '{template://greet}', properties: ['a'] } as unknown as CanonicalRequest, cfg()))).toBe('properties must be an object');
    expect(errorOf(() => applyTemplate({ messages: '{template://greet}', properties: { name: 1 } } as unknown as CanonicalRequest, cfg()))).toBe('property values must be a string, got number');
    expect(errorOf(() => applyTemplate({ messages: '{template://greet}' } as unknown as CanonicalRequest, cfg()))).toBe('missing template parameters: [name], [age]');
    expect(errorOf(() => applyTemplate({ messages: '{template://broken}', properties: { raw: 'x' } } as unknown as CanonicalRequest, cfg()))).toMatch(/^failed to parse template to JSON: /);
    expect(errorOf(() => applyTemplate({ messages: '{template://array}' } as unknown as CanonicalRequest, cfg()))).toBe('failed to parse template to JSON: not an object');
  });
});
