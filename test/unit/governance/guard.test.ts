import { describe, expect, it } from 'vitest';
import { compileKongRegex } from '../../../src/config/regex.js';
import { aiPromptGuard, collectPrompt, judge } from '../../../src/gateway/plugins/ai-prompt-guard/index.js';
import { aiPromptDecorator } from '../../../src/gateway/plugins/ai-prompt-decorator/index.js';
import { aiPromptTemplate } from '../../../src/gateway/plugins/ai-prompt-template/index.js';
import { AI_REQUEST } from '../../../src/gateway/llm/formats/request.js';
import type { CanonicalRequest } from '../../../src/gateway/llm/wire/openai-types.js';
import { config, deps, drive } from './drive.js';

const re = (...p: string[]) => p.map((x) => compileKongRegex(x));

describe('collectPrompt', () => {
  const body = { messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'U1' }, { role: 'assistant', content: 'A' }, { role: 'user', content: 'U2' }] } as CanonicalRequest;
  it('joins user messages newest first', () => {
    expect(collectPrompt(body, false, false)).toEqual({ ok: true, text: 'U2 U1' });
    expect(collectPrompt(body, false, true)).toEqual({ ok: true, text: 'U2 A U1 S' });
  });
  it('takes only the last message with allow_all_conversation_history', () => {
    expect(collectPrompt(body, true, false)).toEqual({ ok: true, text: 'U2' });
    const lastAssistant = { messages: [{ role: 'user', content: 'U' }, { role: 'assistant', content: 'A' }] } as CanonicalRequest;
    expect(collectPrompt(lastAssistant, true, false)).toEqual({ ok: true, text: '' });
  });
  it('refuses malformed messages and bodies without a prompt', () => {
    expect(collectPrompt({ messages: [{ content: 'x' }] } as unknown as CanonicalRequest, false, false).ok).toBe(false);
    expect(collectPrompt({ messages: [{ role: 'user', content: 5 }] } as unknown as CanonicalRequest, false, false).ok).toBe(false);
    expect(collectPrompt({ input: 'x' } as CanonicalRequest, false, false)).toEqual({ ok: false, reason: "no 'prompt' or 'messages' received" });
    expect(collectPrompt({ prompt: ['a', 'b'] } as CanonicalRequest, false, false)).toEqual({ ok: true, text: 'a b' });
  });
});

describe('judge', () => {
  it('deny first, then allow', () => {
    expect(judge('hello', re('bye'), [])).toBe('allowed');
    expect(judge('hello', re('ell'), re('hello'))).toBe('blocked');
    expect(judge('hello', [], re('^h'))).toBe('allowed');
    expect(judge('hello', [], re('^x'))).toBe('blocked');
    expect(judge('hello', [], re('(?i)HELLO'))).toBe('allowed');
  });
  it('reports patterns that do not compile', () => {
    expect(judge('x', re('('), [])).toEqual({ error: expect.any(String) });
    expect(judge('x', [], re('['))).toEqual({ error: expect.any(String) });
  });
});

describe('plugin phases over a real request', () => {
  it('a pattern that does not compile answers a bare 500 and logs it', async () => {
    const d = deps();
    const inst = aiPromptGuard.create(aiPromptGuard.parse!(config('ai-prompt-guard', { deny_patterns: ['(unclosed'] })), d);
    const { reply } = await drive(inst, JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(reply).toEqual({ status: 500, body: '' });
    expect(d.logger.lines.some((l) => l.level === 'error' && l.msg.includes('bad regex'))).toBe(true);
  });

  it('needs at least one pattern list', () => {
    expect(() => aiPromptGuard.parse!(config('ai-prompt-guard', {}))).toThrow(/allow_patterns, deny_patterns/);
    expect(() => aiPromptDecorator.parse!(config('ai-prompt-decorator', { prompts: {} }))).toThrow(/prompts.prepend, prompts.append/);
  });

  it('decorator edits the shared body and the proxied body', async () => {
    const inst = aiPromptDecorator.create(aiPromptDecorator.parse!(config('ai-prompt-decorator', { prompts: { append: [{ role: 'user', content: 'bye' }] } })), deps());
    const { reply, ctx } = await drive(inst, JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(reply).toBeNull();
    expect(ctx.get(AI_REQUEST)?.body.messages).toEqual([{ role: 'user', content: 'hi' }, { role: 'user', content: 'bye' }]);
    expect(JSON.parse(ctx.bufferedBody()!.toString()).messages).toHaveLength(2);
  });

  it('template marks the request as templated and keeps the same body object', async () => {
    const inst = aiPromptTemplate.create(aiPromptTemplate.parse!(config('ai-prompt-template', { templates: [{ name: 't', template: '{"messages":[{"role":"user","content":"{{x}}"}]}' }] })), deps());
    const { reply, ctx } = await drive(inst, JSON.stringify({ messages: '{template://t}', properties: { x: 'y' }, model: 'm' }));
    expect(reply).toBeNull();
    const req = ctx.get(AI_REQUEST)!;
    expect(req.templated).toBe(true);
    expect(req.body).toEqual({ messages: [{ role: 'user', content: 'y' }] });
  });

  it('a non-JSON content type is refused before parsing', async () => {
    const inst = aiPromptGuard.create(aiPromptGuard.parse!(config('ai-prompt-guard', { deny_patterns: ['x'] })), deps());
    const { reply } = await drive(inst, 'messages=hi', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(reply).toEqual({ status: 400, json: { error: { message: 'this LLM route only supports application/json requests' } } });
  });
});
