/**
 * Kong's ai-sanitizer end to end: aigw serve → a PII service on loopback (its documented API) →
 * the mock LLM, which echoes the last user message, so the answer shows what the LLM saw.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { startPiiService, type FakePiiService } from '../../helpers/pii-service.js';
import { aiProxy, answerOf, chat, errorOf, KEY, logFor, postJson, streamText } from './setup.js';

const PII = 'I am John Doe, call 123-456-7890 or mail john@example.com.';

describe("ai-sanitizer (Kong's PII-service client)", () => {
  let mock: MockServer;
  let pii: FakePiiService;
  let gw: TestGateway;
  const logPath = join(mkdtempSync(join(tmpdir(), 'aigw-kong-pii-')), 'ai.log');
  const lastUser = (): string => {
    const r = mock.requests();
    const body = JSON.parse(r[r.length - 1].raw ?? '{}') as { messages: Array<{ role: string; content: string }> };
    return body.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
  };
  const sentMessages = (): Array<{ role: string; content: string }> => {
    const r = mock.requests();
    return (JSON.parse(r[r.length - 1].raw ?? '{}') as { messages: Array<{ role: string; content: string }> }).messages;
  };

  beforeAll(async () => {
    mock = await startMock({ requireKey: KEY });
    pii = await startPiiService();
    const svc = `host: 127.0.0.1, port: ${pii.port}`;
    const route = (name: string, config: string) => `
  - name: ${name}
    paths: [/${name}]
    plugins:${aiProxy(mock.url)}
    - name: ai-sanitizer
      config: { ${svc}${config} }`;
    gw = await gatewayFrom(`
_format_version: "3.0"
plugins:
- name: file-log
  config: { path: ${logPath} }
services:
- name: llm
  url: http://127.0.0.1:9
  routes:${route('placeholder', ', anonymize: [general, phone, email]')}${route('synthetic', ', anonymize: [all], redact_type: synthetic')}${route('norecover', ', recover_redacted: false')}${route('block', ', block_if_detected: true')}${route('output', ', sanitization_mode: OUTPUT, skip_logging_sanitized_items: true')}${route('lenient', ', stop_on_error: false')}${route('last', ', allow_all_conversation_history: false')}${route('custom', ', anonymize: [custom], custom_patterns: [{ name: ticket, regex: "TCK-[0-9]{6}", score: 0.9 }]')}
`);
  });

  afterAll(async () => {
    await gw.close();
    await pii.close();
    await mock.close();
  });

  beforeEach(() => {
    mock.reset();
    pii.failWith(null);
    pii.calls().length = 0;
  });

  it('placeholders: the LLM sees placeholders, the client gets the values back; the service gets Kong\'s request', async () => {
    const res = await postJson(`${gw.proxyUrl}/placeholder`, chat(PII));
    expect(res.status).toBe(200);
    expect(lastUser()).toBe('I am PLACEHOLDER1, call PLACEHOLDER2 or mail PLACEHOLDER3.');
    expect(answerOf(res)).toBe(`Mock answer to: ${PII}`);
    expect(pii.calls()).toEqual([{ text: PII, anonymize: ['general', 'phone', 'email'], options: { redact_type: 'placeholder' } }]);
    const { record } = await logFor(logPath, String(res.headers['x-kong-request-id']));
    expect(record.ai?.['ai-sanitizer']).toMatchObject({
      identified_pii: { general: 1, phone: 1, email: 1 }, anonymized_pii: { general: 1, phone: 1, email: 1 }, total: 3, restored: true,
      sanitized_items: [{ original: 'John Doe', replacement: 'PLACEHOLDER1' }, { original: '123-456-7890', replacement: 'PLACEHOLDER2' }, { original: 'john@example.com', replacement: 'PLACEHOLDER3' }],
    });
  });

  it('restores streamed answers too', async () => {
    const res = await postJson(`${gw.proxyUrl}/placeholder`, chat(PII, { stream: true }));
    expect(res.status).toBe(200);
    expect(lastUser()).toContain('PLACEHOLDER1');
    expect(streamText(res.text)).toBe(`Mock answer to: ${PII}`);
  });

  it('synthetic values are recovered as well', async () => {
    const res = await postJson(`${gw.proxyUrl}/synthetic`, chat(PII));
    expect(lastUser()).toBe('I am Jesse Mason, call 001-204-028-1684x83574 or mail jane.roe@example.net.');
    expect(answerOf(res)).toBe(`Mock answer to: ${PII}`);
  });

  it('recover_redacted: false leaves the replacements in the answer (default anonymize: all_and_credentials)', async () => {
    const res = await postJson(`${gw.proxyUrl}/norecover`, chat('ping john@example.com'));
    expect(answerOf(res)).toBe('Mock answer to: ping PLACEHOLDER1');
    expect(pii.calls()[0]).toMatchObject({ anonymize: ['all_and_credentials'] });
  });

  it('block_if_detected: 400 with the identified types and their count; the LLM is not called', async () => {
    const res = await postJson(`${gw.proxyUrl}/block`, chat(PII));
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: { message: 'request blocked: PII detected', identified_pii: { general: 1, phone: 1, email: 1 }, count: 3 } });
    expect(mock.requests()).toHaveLength(0);
    expect((await postJson(`${gw.proxyUrl}/block`, chat('What is 1 + 1?'))).status).toBe(200);
  });

  it('OUTPUT: the request goes as is, the answer is sanitized; a streamed request is refused', async () => {
    const res = await postJson(`${gw.proxyUrl}/output`, chat(PII));
    expect(lastUser()).toBe(PII);
    expect(answerOf(res)).toBe('Mock answer to: I am PLACEHOLDER1, call PLACEHOLDER2 or mail PLACEHOLDER3.');
    const { record } = await logFor(logPath, String(res.headers['x-kong-request-id']));
    expect(record.ai?.['ai-sanitizer']).toMatchObject({ output_sanitized: true, total: 3 });
    expect(record.ai?.['ai-sanitizer']).not.toHaveProperty('sanitized_items');
    const stream = await postJson(`${gw.proxyUrl}/output`, chat(PII, { stream: true }));
    expect(stream.status).toBe(400);
    expect(errorOf(stream)).toMatch(/cannot sanitize a streamed response/);
  });

  it('the service failing: 500 with stop_on_error (default), the request unsanitized without', async () => {
    pii.failWith(500);
    const res = await postJson(`${gw.proxyUrl}/placeholder`, chat(PII));
    expect(res.status).toBe(500);
    expect(errorOf(res)).toBe('failed to sanitize the request with the PII service');
    expect(mock.requests()).toHaveLength(0);
    const lenient = await postJson(`${gw.proxyUrl}/lenient`, chat(PII));
    expect(lenient.status).toBe(200);
    expect(lastUser()).toBe(PII);
    expect(gw.logger.lines.some((l) => l.msg === 'ai-sanitizer: the PII service failed')).toBe(true);
  });

  it('allow_all_conversation_history: false sanitizes the last message only', async () => {
    const body = { messages: [{ role: 'system', content: 'Operator: Ann Lee' }, { role: 'user', content: PII }] };
    await postJson(`${gw.proxyUrl}/last`, body);
    expect(sentMessages()[0].content).toBe('Operator: Ann Lee');
    expect(pii.calls()).toHaveLength(1);
    await postJson(`${gw.proxyUrl}/placeholder`, body);
    expect(sentMessages()[0].content).toBe('Operator: PLACEHOLDER1');
  });

  it('custom patterns are sent with each call', async () => {
    const res = await postJson(`${gw.proxyUrl}/custom`, chat('ticket TCK-123456 is open'));
    expect(pii.calls()[0].custom_patterns).toEqual([{ name: 'ticket', regex: 'TCK-[0-9]{6}', score: 0.9 }]);
    expect(lastUser()).toBe('ticket PLACEHOLDER1 is open');
    expect(answerOf(res)).toBe('Mock answer to: ticket TCK-123456 is open');
  });
});
