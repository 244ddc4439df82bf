/** `aigw serve` (the command, in-process) on a temporary state file with the built-in mock LLM, for the dashboard tests. */
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { startServeFiles } from './serve-db.js';

/** key-auth + rate-limiting + ai-proxy (openai/gpt-4o, priced, payloads logged) on /ai/chat; a prompt guard on /ai/guarded. */
export const dashboardYaml = (mockUrl: string, extraRoute = ''): string => `_format_version: "3.0"
services:
  - name: openai
    url: https://api.openai.com
    routes:
      - name: ai-chat
        paths: [/ai/chat]
        plugins:
          - name: key-auth
            config: { key_names: [apikey], hide_credentials: true }
          - name: rate-limiting
            config: { minute: 60, policy: local }
          - name: ai-proxy
            config:
              route_type: llm/v1/chat
              auth: { header_name: Authorization, header_value: Bearer mock-key-not-a-secret }
              model: { provider: openai, name: gpt-4o, options: { max_tokens: 512, input_cost: 2.5, output_cost: 10, upstream_url: "${mockUrl}/v1/chat/completions" } }
              logging: { log_statistics: true, log_payloads: true }
      - name: ai-guarded
        paths: [/ai/guarded]
        plugins:
          - name: ai-prompt-guard
            config: { deny_patterns: ["(?i)ignore previous instructions"] }
          - name: ai-proxy
            config:
              route_type: llm/v1/chat
              auth: { header_name: Authorization, header_value: Bearer mock-key-not-a-secret }
              model: { provider: openai, name: gpt-4o-mini, options: { upstream_url: "${mockUrl}/v1/chat/completions" } }
${extraRoute}consumers:
  - username: demo-app
    keyauth_credentials:
      - key: demo-key
plugins:
  - name: prometheus
`;

export interface Served {
  proxyUrl: string;
  adminUrl: string;
  dashboardUrl: string;
  file: string;
  mock: MockServer;
  stderr(): string;
  close(): Promise<void>;
}

export async function serveDashboard(opts: Record<string, unknown> = {}): Promise<Served> {
  const mock = await startMock();
  const dir = mkdtempSync(join(tmpdir(), 'aigw-dash-'));
  const file = join(dir, 'kong.yaml');
  writeFileSync(file, dashboardYaml(mock.url));
  const gw = await startServeFiles([file], { opts });
  return {
    proxyUrl: gw.proxy,
    adminUrl: gw.admin,
    dashboardUrl: `${gw.admin}/dashboard/`,
    file,
    mock,
    stderr: () => gw.stderr(),
    async close() {
      await gw.stop();
      await mock.close();
    },
  };
}

export interface EventStream {
  /** Every event received so far, in order. */
  events: Array<{ event: string; data: unknown }>;
  /** Resolves with the first event (already received or to come) that `pred` accepts. */
  next(pred: (e: { event: string; data: unknown }) => boolean, ms?: number): Promise<{ event: string; data: unknown }>;
  close(): void;
}

/** Read the dashboard's server-sent events with a plain HTTP client. */
export function openEvents(url: string, headers: Record<string, string> = {}): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const events: EventStream['events'] = [];
    const waiters = new Set<() => void>();
    const req = http.get(url, { headers }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`events: HTTP ${res.statusCode}`));
        res.resume();
        return;
      }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
        for (const w of waiters) w();
      });
      resolve({
        events,
        next(pred, ms = 10_000) {
          return new Promise((ok, fail) => {
            const check = (): boolean => {
              const hit = events.find(pred);
              if (!hit) return false;
              waiters.delete(check);
              clearTimeout(timer);
              ok(hit);
              return true;
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no matching event in ${ms} ms; got ${events.map((e) => e.event).join(', ')}`));
            }, ms);
            if (!check()) waiters.add(check);
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}
