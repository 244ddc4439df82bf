/**
 * ai-llm-as-judge end to end: the route's LLM is the mock; the judge is a loopback server speaking
 * OpenAI's chat API that answers with a score, so the test sees exactly what the judge was asked.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../helpers/net.js';
import { aiProxy, answerOf, chat, KEY, logFor, postJson, streamText } from './setup.js';

describe('ai-llm-as-judge', () => {
  let mock: MockServer;
  let judgeLlm: TestUpstream;
  let gw: TestGateway;
  let reply = '87';
  let status = 200;
  const logPath = join(mkdtempSync(join(tmpdir(), 'aigw-judge-')), 'ai.log');
  const asked = (): { messages: Array<{ role: string; content: string }> } => JSON.parse(judgeLlm.seen.at(-1)?.body ?? '{}') as never;

  beforeAll(async () => {
    mock = await startMock({ requireKey: KEY });
    judgeLlm = await startUpstream((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200
        ? { id: 'j1', object: 'chat.completion', created: 1, model: 'judge-1', choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 } }
        : { error: { message: 'judge down' } }));
    });
    const judge = (name: string, extra: string) => `
  - name: ${name}
    paths: [/${name}]
    plugins:${aiProxy(mock.url)}
    - name: ai-llm-as-judge
      config:
        prompt: "Score it."
        ${extra}
        llm: { route_type: llm/v1/chat, auth: { header_name: Authorization, header_value: "Bearer judge-key" }, model: { provider: openai, name: judge-1, options: { upstream_url: "${judgeLlm.url}/v1/chat/completions" } } }`;
    gw = await gatewayFrom(`
_format_version: "3.0"
plugins:
- name: file-log
  config: { path: ${logPath} }
services:
- name: llm
  url: http://127.0.0.1:9
  routes:${judge('judged', 'message_countback: 2')}${judge('never', 'sampling_rate: 0')}
`);
  });

  afterAll(async () => {
    await gw.close();
    await judgeLlm.close();
    await mock.close();
  });

  beforeEach(() => {
    mock.reset();
    judgeLlm.seen.length = 0;
    reply = '87';
    status = 200;
  });

  it('scores the answer before it completes (the score is in its log record); the judge sees its prompt, the conversation and the answer', async () => {
    const body = { messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Name a colour.' }, { role: 'assistant', content: 'Red.' }, { role: 'user', content: 'Another one?' }] };
    const res = await postJson(`${gw.proxyUrl}/judged`, body);
    expect(answerOf(res)).toBe('Mock answer to: Another one?');
    const { record } = await logFor(logPath, String(res.headers['x-kong-request-id']));
    expect(record.ai?.proxy).toMatchObject({ 'llm-as-judge': { score: 87, model: 'judge-1' } });
    expect(judgeLlm.seen.at(-1)?.headers.authorization).toBe('Bearer judge-key');
    expect(asked().messages).toEqual([
      { role: 'system', content: 'Score it.' },
      { role: 'user', content: 'Prompt:\nuser: Name a colour.\nuser: Another one?\n\nResponse:\nMock answer to: Another one?' },
    ]);
  });

  it('streamed answers are judged too, unchanged for the client; scores are clamped to 1..100', async () => {
    reply = 'Score: 250';
    const res = await postJson(`${gw.proxyUrl}/judged`, chat('Name a fruit.', { stream: true }));
    expect(streamText(res.text)).toBe('Mock answer to: Name a fruit.');
    const { record } = await logFor(logPath, String(res.headers['x-kong-request-id']));
    expect(record.ai?.proxy).toMatchObject({ 'llm-as-judge': { score: 100 } });
    expect(asked().messages[1].content).toContain('Response:\nMock answer to: Name a fruit.');
  });

  it('a failing judge or a reply without a number is logged, the client unaffected; sampling_rate 0 never calls it', async () => {
    status = 500;
    const res = await postJson(`${gw.proxyUrl}/judged`, chat('Name a city.'));
    expect(res.status).toBe(200);
    expect((await logFor(logPath, String(res.headers['x-kong-request-id']))).record.ai?.proxy).toMatchObject({ 'llm-as-judge': { error: expect.any(String) } });
    status = 200;
    reply = 'excellent';
    const res2 = await postJson(`${gw.proxyUrl}/judged`, chat('Name a river.'));
    expect((await logFor(logPath, String(res2.headers['x-kong-request-id']))).record.ai?.proxy).toMatchObject({ 'llm-as-judge': { error: 'the judge answered without a score' } });
    judgeLlm.seen.length = 0;
    const never = await postJson(`${gw.proxyUrl}/never`, chat('Name a city.'));
    const { record } = await logFor(logPath, String(never.headers['x-kong-request-id']));
    expect(record.ai?.proxy).not.toHaveProperty('llm-as-judge');
    expect(judgeLlm.seen).toHaveLength(0);
  });
});
