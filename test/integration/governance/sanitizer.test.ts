/**
 * aigw-pii-sanitizer end to end: the mock LLM echoes the (sanitized) last user message, so the answer
 * carries the placeholders back and shows what the LLM saw.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { aiProxy, answerOf, chat, errorOf, KEY, logFor, postJson, streamText } from './setup.js';

const PII = 'Mail ann@example.com, card 4111 1111 1111 1111, host 10.1.2.3, key sk-proj-abcdefghijklmnopqrstuvwx123';

describe('aigw-pii-sanitizer', () => {
  let mock: MockServer;
  let gw: TestGateway;
  const logPath = join(mkdtempSync(join(tmpdir(), 'aigw-pii-')), 'ai.log');
  const lastUser = (): string => {
    const r = mock.requests();
    const body = JSON.parse(r[r.length - 1].raw ?? '{}') as { messages: Array<{ role: string; content: string }> };
    return body.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
  };

  beforeAll(async () => {
    mock = await startMock({ requireKey: KEY });
    const m = mock.url;
    const route = (name: string, config: string) => `
  - name: ${name}
    paths: [/${name}]
    plugins:${aiProxy(m)}
    - name: aigw-pii-sanitizer
      config: ${config}`;
    gw = await gatewayFrom(`
_format_version: "3.0"
plugins:
- name: file-log
  config: { path: ${logPath} }
services:
- name: llm
  url: http://127.0.0.1:9
  routes:${route('placeholder', '{}')}${route('redact', '{ mode: redact }')}${route('block', '{ mode: block, block_status: 422, block_message: "no PII please" }')}${route('norestore', '{ restore_response: false }')}${route('custom', '{ anonymize: [custom, email], custom_patterns: [{ name: employee, regex: "EMP-\\\\d{4}" }, { name: project, regex: "PRJ-[A-Z]+", placeholder: "<SECRET PROJECT>" }] }')}${route('system', '{ anonymize: [email], scan_roles: [system] }')}
  - name: payloads
    paths: [/payloads]
    plugins:${aiProxy(m).replace('log_statistics: true', 'log_statistics: true, log_payloads: true')}
    - name: aigw-pii-sanitizer
`);
  });

  afterAll(async () => {
    await gw.close();
    await mock.close();
  });

  beforeEach(() => mock.reset());

  it('placeholder mode: the LLM sees placeholders, the client gets its values back', async () => {
    const res = await postJson(`${gw.proxyUrl}/placeholder`, chat(PII));
    expect(res.status).toBe(200);
    expect(lastUser()).toBe('Mail <EMAIL_1>, card <CREDIT_CARD_1>, host <IP_1>, key <API_KEY_1>');
    expect(answerOf(res)).toBe(`Mock answer to: ${PII}`);
  });

  it('restores streamed answers', async () => {
    const res = await postJson(`${gw.proxyUrl}/placeholder`, chat('write to ann@example.com and bob@example.org', { stream: true }));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/event-stream/);
    expect(lastUser()).toBe('write to <EMAIL_1> and <EMAIL_2>');
    expect(streamText(res.text)).toBe('Mock answer to: write to ann@example.com and bob@example.org');
    expect(res.text).toContain('data: [DONE]');
  });

  it('leaves placeholders in the answer when restore_response is false', async () => {
    const res = await postJson(`${gw.proxyUrl}/norestore`, chat('ping ann@example.com'));
    expect(answerOf(res)).toBe('Mock answer to: ping <EMAIL_1>');
  });

  it('redact mode masks values for good', async () => {
    const res = await postJson(`${gw.proxyUrl}/redact`, chat(PII));
    expect(res.status).toBe(200);
    expect(lastUser()).toBe('Mail [REDACTED_EMAIL], card [REDACTED_CREDIT_CARD], host [REDACTED_IP], key [REDACTED_API_KEY]');
    expect(answerOf(res)).toContain('[REDACTED_EMAIL]');
  });

  it('block mode refuses with the configured status and message, without calling the LLM', async () => {
    const res = await postJson(`${gw.proxyUrl}/block`, chat('my IBAN is DE89 3704 0044 0532 0130 00'));
    expect(res.status).toBe(422);
    expect(errorOf(res)).toBe('no PII please');
    expect(mock.requests()).toHaveLength(0);
    const clean = await postJson(`${gw.proxyUrl}/block`, chat('nothing to see'));
    expect(clean.status).toBe(200);
  });

  it('custom patterns, with their own or a fixed placeholder', async () => {
    const res = await postJson(`${gw.proxyUrl}/custom`, chat('EMP-1234 on PRJ-APOLLO mails a@b.io; 10.0.0.1 stays'));
    expect(lastUser()).toBe('<EMPLOYEE_1> on <SECRET PROJECT> mails <EMAIL_1>; 10.0.0.1 stays');
    expect(answerOf(res)).toBe('Mock answer to: EMP-1234 on PRJ-APOLLO mails a@b.io; 10.0.0.1 stays');
  });

  it('scans only the configured roles', async () => {
    await postJson(`${gw.proxyUrl}/system`, { messages: [{ role: 'system', content: 'admin is root@corp.io' }, { role: 'user', content: 'me: me@corp.io' }] });
    const r = mock.requests();
    const sent = JSON.parse(r[r.length - 1].raw ?? '{}') as { messages: Array<{ content: string }> };
    expect(sent.messages.map((x) => x.content)).toEqual(['admin is <EMAIL_1>', 'me: me@corp.io']);
  });

  it('logs what was found by type and count, never the values', async () => {
    const res = await postJson(`${gw.proxyUrl}/placeholder`, chat('a@x.io b@x.io a@x.io 10.0.0.1'));
    const { record, raw } = await logFor(logPath, String(res.headers['x-kong-request-id']));
    expect(record.ai?.['aigw-pii-sanitizer']).toEqual({ mode: 'placeholder', action: 'placeholder', findings: { email: 3, ip: 1 }, total: 4, restored: true });
    expect(raw).not.toContain('a@x.io');
    const blocked = await postJson(`${gw.proxyUrl}/block`, chat('call +1 415 555 0100'));
    const b = await logFor(logPath, String(blocked.headers['x-kong-request-id']));
    expect(b.record.ai?.['aigw-pii-sanitizer']).toMatchObject({ mode: 'block', action: 'blocked', findings: { phone: 1 } });
    expect(b.raw).not.toContain('555 0100');
  });

  it('payload logging (log_payloads) gets the sanitized request', async () => {
    const res = await postJson(`${gw.proxyUrl}/payloads`, chat('secret ann@example.com'));
    expect(answerOf(res)).toBe('Mock answer to: secret ann@example.com');
    const { record, raw } = await logFor(logPath, String(res.headers['x-kong-request-id']));
    const payload = (record.ai?.proxy as { payload?: { request?: string } }).payload;
    expect(payload?.request).toContain('<EMAIL_1>');
    expect(raw).not.toContain('ann@example.com');
  });

  it('a clean prompt passes untouched', async () => {
    const res = await postJson(`${gw.proxyUrl}/placeholder`, chat('What is 1 + 1?'));
    expect(answerOf(res)).toBe('The answer to 1 + 1 is 2.');
    const { record } = await logFor(logPath, String(res.headers['x-kong-request-id']));
    expect(record.ai?.['aigw-pii-sanitizer']).toMatchObject({ action: 'none', total: 0 });
  });
});
