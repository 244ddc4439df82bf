/**
 * One gateway + one mock for the real-client tests: each backend (`oa`: OpenAI upstream, `an`:
 * Anthropic upstream) serves the three client APIs under `/<backend>/v1`, so a client's base URL is
 * all that changes between backends:
 *
 *   /<b>/v1/responses          route_type llm/v1/responses (openai: passed through; anthropic: translated, stored)
 *   /<b>/v1/chat/completions   route_type llm/v1/chat
 *   /<b>/v1/messages           route_type llm/v1/chat, llm_format anthropic (Claude Code, @anthropic-ai/sdk)
 *
 * Every route logs to one file (file-log) with statistics, for the usage checks, and takes the
 * consumer key as the README's routes do (key-auth on x-api-key or Authorization: Bearer).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';

export const KEY = 'sk-upstream';
/** The consumer keys the clients send (Claude Code's is told apart for nothing but readability). */
export const CLIENT_KEYS = ['sk-client', 'sk-ant-client'];

export const BACKENDS = ['oa', 'an'] as const;
export type Backend = (typeof BACKENDS)[number];

function model(backend: Backend, mock: string, api: 'responses' | 'chat'): string {
  if (backend === 'oa') {
    const path = api === 'responses' ? '/v1/responses' : '/v1/chat/completions';
    return `{ provider: openai, name: gpt-4o, options: { upstream_url: "${mock}${path}", input_cost: 2, output_cost: 8 } }`;
  }
  return `{ provider: anthropic, name: claude-sonnet-4-5, options: { upstream_url: "${mock}/v1/messages", anthropic_version: "2023-06-01", max_tokens: 1024, input_cost: 3, output_cost: 15 } }`;
}

function auth(backend: Backend): string {
  return backend === 'oa' ? `{ header_name: Authorization, header_value: "Bearer ${KEY}" }` : `{ header_name: x-api-key, header_value: "${KEY}" }`;
}

const KEY_AUTH = `
    - name: key-auth
      config: { key_names: [x-api-key, authorization], hide_credentials: true }`;

function routes(backend: Backend, mock: string): string {
  const common = `auth: ${auth(backend)}
        logging: { log_statistics: true }
        max_request_body_size: 1048576`;
  return `
  - name: ${backend}-responses
    paths: [/${backend}/v1/responses]
    plugins:${KEY_AUTH}
    - name: ai-proxy
      config:
        route_type: llm/v1/responses
        ${common}
        model: ${model(backend, mock, 'responses')}
  - name: ${backend}-chat
    paths: [/${backend}/v1/chat/completions]
    plugins:${KEY_AUTH}
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        ${common}
        model: ${model(backend, mock, 'chat')}
  - name: ${backend}-messages
    paths: [/${backend}/v1/messages]
    plugins:${KEY_AUTH}
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        llm_format: anthropic
        ${common}
        model: ${model(backend, mock, 'chat')}`;
}

export interface ClientsEnv {
  mock: MockServer;
  gw: TestGateway;
  logPath: string;
  /** The base URL a client of `backend` is given (`…/<backend>/v1`). */
  base(backend: Backend): string;
  close(): Promise<void>;
}

export async function startClientsEnv(): Promise<ClientsEnv> {
  const mock = await startMock({ requireKey: KEY });
  const logPath = join(mkdtempSync(join(tmpdir(), 'aigw-clients-')), 'ai.log');
  const gw = await gatewayFrom(`
_format_version: "3.0"
consumers:
- username: dev
  keyauth_credentials: [${CLIENT_KEYS.map((k) => `{ key: ${k} }`).join(', ')}]
plugins:
- name: file-log
  config: { path: ${logPath} }
services:
- name: llm
  url: http://localhost:32000
  routes:${BACKENDS.map((b) => routes(b, mock.url)).join('')}
`);
  return {
    mock, gw, logPath,
    base: (b) => `${gw.proxyUrl}/${b}/v1`,
    async close() {
      await gw.close(100);
      await mock.close();
    },
  };
}
