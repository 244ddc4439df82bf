/** Shared pieces of the governance integration tests: an ai-proxy route to the mock LLM, requests, SSE and file-log reading. */
import { existsSync, readFileSync } from 'node:fs';
import { request, type Res } from '../../helpers/net.js';

export const KEY = 'sk-test';

/** An ai-proxy plugin entry (YAML, indented for a route's `plugins:` list) pointed at the mock's OpenAI API. */
export function aiProxy(mock: string, opts: { provider?: string; routeType?: string; costs?: boolean; model?: string | null } = {}): string {
  const routeType = opts.routeType ?? 'llm/v1/chat';
  const path = routeType === 'llm/v1/completions' ? 'v1/completions' : 'v1/chat/completions';
  const costs = opts.costs ? ', input_cost: 1000000, output_cost: 1000000' : '';
  return `
    - name: ai-proxy
      config:
        route_type: ${routeType}
        logging: { log_statistics: true }
        auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }
        model: { provider: ${opts.provider ?? 'openai'}${opts.model === null ? '' : `, name: ${opts.model ?? 'gpt-4o'}`}, options: { upstream_url: "${mock}/${path}"${costs} } }`;
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Res> {
  return request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

export const chat = (content: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ messages: [{ role: 'user', content }], ...extra });

export function answerOf(res: Res): string {
  return (res.json() as { choices: Array<{ message: { content: string } }> }).choices[0].message.content;
}

export function errorOf(res: Res): string {
  return (res.json() as { error: { message: string } }).error.message;
}

/** Text of an OpenAI chat SSE body. */
export function streamText(text: string): string {
  let out = '';
  for (const block of text.split('\n\n')) {
    const line = block.split('\n').find((l) => l.startsWith('data:'));
    if (!line) continue;
    const data = line.slice(5).trim();
    if (data === '[DONE]') continue;
    const j = JSON.parse(data) as { choices?: Array<{ delta?: { content?: string | null } }> };
    for (const c of j.choices ?? []) out += c.delta?.content ?? '';
  }
  return out;
}

export type LogLine = { request: { id: string }; ai?: Record<string, Record<string, unknown>> } & Record<string, unknown>;

/** The file-log line of one request (waits for it to be written). */
export async function logFor(path: string, requestId: string, ms = 15_000): Promise<{ record: LogLine; raw: string }> {
  const end = Date.now() + ms;
  for (;;) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      // only complete lines: the last one may still be being written
      for (const raw of text.slice(0, text.lastIndexOf('\n') + 1).split('\n')) {
        if (raw.trim() === '') continue;
        const record = JSON.parse(raw) as LogLine;
        if (record.request.id === requestId) return { record, raw };
      }
    }
    if (Date.now() > end) throw new Error(`no log line for ${requestId}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
