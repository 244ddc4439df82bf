/**
 * ai-request-transformer / ai-response-transformer end to end. The "LLM" is a tiny OpenAI-shaped
 * server that answers with its system prompt, `{{body}}` replaced by the user message, so each
 * test decides exactly what the LLM says.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { freePort, request, startUpstream, type TestUpstream } from '../../helpers/net.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { KEY, logFor } from '../ai-proxy/setup.js';

function fakeLlm(): Promise<TestUpstream> {
  return startUpstream((_req, res, raw) => {
    const body = JSON.parse(raw) as { model: string; messages: Array<{ role: string; content: string }> };
    const system = body.messages[0].content;
    if (system.includes('FAIL')) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"boom"}}');
      return;
    }
    const content = system.replace('{{body}}', body.messages[1].content);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: body.model, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 } }));
  });
}

const yamlString = (s: string): string => JSON.stringify(s);

describe('ai-request-transformer and ai-response-transformer', () => {
  let llm: TestUpstream;
  let echo: TestUpstream;
  let mock: MockServer;
  let gw: TestGateway;
  const logPath = join(mkdtempSync(join(tmpdir(), 'aigw-tr-')), 'ai.log');

  beforeAll(async () => {
    llm = await fakeLlm();
    echo = await startUpstream();
    mock = await startMock({ requireKey: KEY });
    const dead = `http://127.0.0.1:${await freePort()}`;
    const llmConf = (url: string): string => `{ route_type: llm/v1/chat, auth: { header_name: Authorization, header_value: "Bearer k" }, logging: { log_statistics: true, log_payloads: false }, model: { provider: openai, name: rewriter, options: { upstream_url: "${url}/v1/chat/completions", input_cost: 10, output_cost: 10 } } }`;
    const req = (name: string, prompt: string, extra = '', url = llm.url): string => `
  - name: ${name}
    paths: [/${name}]
    plugins:
    - name: ai-request-transformer
      config: { prompt: ${yamlString(prompt)}, llm: ${llmConf(url)}${extra} }`;
    const res = (name: string, prompt: string, extra = ''): string => `
  - name: ${name}
    paths: [/${name}]
    plugins:
    - name: ai-response-transformer
      config: { prompt: ${yamlString(prompt)}, llm: ${llmConf(llm.url)}${extra} }`;
    gw = await gatewayFrom(`
_format_version: "3.0"
plugins:
- name: file-log
  config: { path: ${logPath} }
services:
- name: echo
  url: ${echo.url}
  routes:${req('wrap', '{"wrapped": {{body}}}')}${req('extract', 'Sure! Here it is: {{body}} Hope that helps.', ', transformation_extract_pattern: "\\\\{.*\\\\}"')}${
  req('nomatch', 'I refuse.', ', transformation_extract_pattern: "\\\\{.*\\\\}"')}${req('llmfail', 'FAIL please')}${req('llmdown', 'x', '', dead)}${
  res('review', '{{body}} (reviewed)')}${res('instructions', '{"status": 209, "headers": {"content-type": "application/xml"}, "body": "<persons/>"}', ', parse_llm_response_json_instructions: true')}${
  res('nobody', '{"status": 201, "persons": 2}', ', parse_llm_response_json_instructions: true')}${res('badjson', 'this is not json', ', parse_llm_response_json_instructions: true')}${
  res('resfail', 'FAIL')}
- name: llm
  url: http://localhost:32000
  routes:${req('rewrite-chat', '{"messages": [{"role": "user", "content": "What is 1 + 1?"}]}')}
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }
        model: { provider: openai, name: gpt-4o, options: { upstream_url: "${mock.url}/v1/chat/completions" } }
`);
  });
  afterAll(async () => {
    await gw.close(100);
    await Promise.all([llm.close(), echo.close(), mock.close()]);
  });

  const post = (path: string, body: string): ReturnType<typeof request> => request(`${gw.proxyUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const upstreamBody = (r: { text: string }): string => (JSON.parse(r.text) as { body: string }).body;

  it('sends the LLM’s rewrite upstream, with the prompt as system message and the raw body as user message', async () => {
    const r = await post('/wrap', '{"a":1}');
    expect(r.status, r.text).toBe(200);
    expect(upstreamBody(r)).toBe('{"wrapped": {"a":1}}');
    const sent = JSON.parse(llm.seen.at(-1)!.body) as { messages: unknown; stream: boolean; model: string };
    expect(sent.messages).toEqual([{ role: 'system', content: '{"wrapped": {{body}}}' }, { role: 'user', content: '{"a":1}' }]);
    expect(sent.stream).toBe(false);
    expect(sent.model).toBe('rewriter');
    const rec = await logFor(logPath, String(r.headers['x-kong-request-id']));
    expect(rec.ai?.['ai-request-transformer']?.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10, cost: 0.0001 });
    expect(rec.ai?.['ai-request-transformer']?.meta).toMatchObject({ provider_name: 'openai', request_model: 'rewriter' });
  });

  it('keeps only the first match of transformation_extract_pattern', async () => {
    const r = await post('/extract', '{"b":2}');
    expect(upstreamBody(r)).toBe('{"b":2}');
  });

  it('answers Kong’s 400s when the pattern does not match or the LLM fails', async () => {
    const nomatch = await post('/nomatch', '{}');
    expect(nomatch.status).toBe(400);
    expect(JSON.parse(nomatch.text)).toEqual({ error: { message: 'AI response did not match specified regular expression' } });
    const fail = await post('/llmfail', '{}');
    expect(fail.status).toBe(400);
    expect(JSON.parse(fail.text)).toEqual({ error: { message: 'failed to introspect request with AI service: status code 500' } });
    const down = await post('/llmdown', '{}');
    expect(down.status).toBe(400);
    expect((JSON.parse(down.text) as { error: { message: string } }).error.message).toMatch(/^failed to introspect request with AI service: /);
  });

  it('feeds the rewritten body to ai-proxy on the same route', async () => {
    const r = await post('/rewrite-chat', '{"messages":[{"role":"user","content":"something else entirely"}]}');
    expect(r.status, r.text).toBe(200);
    expect((JSON.parse(r.text) as { choices: Array<{ message: { content: string } }> }).choices[0].message.content).toBe('The answer to 1 + 1 is 2.');
  });

  it('rewrites the upstream response, keeping status and headers', async () => {
    const r = await post('/review', 'hello');
    expect(r.status).toBe(200);
    expect(r.headers['x-upstream']).toBe('yes');
    expect(r.text).toMatch(/^\{"method":"POST".*\} \(reviewed\)$/);
    expect(r.headers['content-length']).toBe(String(Buffer.byteLength(r.text)));
  });

  it('applies {status, headers, body} instructions', async () => {
    const r = await post('/instructions', '{}');
    expect(r.status).toBe(209);
    expect(r.headers['content-type']).toBe('application/xml');
    expect(r.text).toBe('<persons/>');
    const whole = await post('/nobody', '{}');
    expect(whole.status).toBe(201);
    expect(JSON.parse(whole.text)).toEqual({ status: 201, persons: 2 });
  });

  it('answers 500 for instructions that are not JSON, and 400 when the LLM fails', async () => {
    const r = await post('/badjson', '{}');
    expect(r.status).toBe(500);
    expect((JSON.parse(r.text) as { error: { message: string } }).error.message).toMatch(/^failed to parse JSON response instructions from AI backend: /);
    const f = await post('/resfail', '{}');
    expect(f.status).toBe(400);
    expect(JSON.parse(f.text)).toEqual({ error: { message: 'failed to introspect request with AI service: status code 500' } });
  });
});
