/** Shared pieces of the ai-proxy integration tests: per-provider configs against the mock LLM, SSE parsing, log reading. */
import { readFileSync } from 'node:fs';
import http from 'node:http';

export const KEY = 'sk-test';
export const AWS_SECRET = 'aws-secret-test';

export interface ProviderCase {
  id: string;
  provider: string;
  /** `model:` block (YAML flow) for a plain and a stream route. */
  model(mock: string, stream: boolean): string;
  auth: string;
}

const opts = (o: Record<string, unknown>): string => JSON.stringify(o);

/** Every provider (and format) of the seed example, each pointed at the mock. */
export const PROVIDER_CASES: ProviderCase[] = [
  { id: 'openai', provider: 'openai', auth: `{ header_name: Authorization, header_value: "Bearer ${KEY}" }`,
    model: (m) => `{ provider: openai, name: gpt-4o, options: ${opts({ max_tokens: 512, upstream_url: `${m}/v1/chat/completions`, input_cost: 10, output_cost: 20 })} }` },
  { id: 'azure', provider: 'azure', auth: `{ header_name: api-key, header_value: "${KEY}" }`,
    model: (m) => `{ provider: azure, name: gpt-4o, options: ${opts({ max_tokens: 512, azure_instance: 'inst', azure_deployment_id: 'dep', azure_api_version: '2024-06-01', upstream_url: `${m}/openai/deployments/dep/chat/completions`, input_cost: 10, output_cost: 20 })} }` },
  { id: 'anthropic', provider: 'anthropic', auth: `{ header_name: x-api-key, header_value: "${KEY}" }`,
    model: (m) => `{ provider: anthropic, name: claude-3-5-sonnet, options: ${opts({ max_tokens: 512, anthropic_version: '2023-06-01', upstream_url: `${m}/v1/messages`, input_cost: 10, output_cost: 20 })} }` },
  { id: 'cohere', provider: 'cohere', auth: `{ header_name: Authorization, header_value: "Bearer ${KEY}" }`,
    model: (m) => `{ provider: cohere, name: command-r, options: ${opts({ max_tokens: 512, upstream_url: `${m}/v2/chat`, input_cost: 10, output_cost: 20 })} }` },
  { id: 'mistral', provider: 'mistral', auth: `{ header_name: Authorization, header_value: "Bearer ${KEY}" }`,
    model: (m) => `{ provider: mistral, name: mistral-large, options: ${opts({ max_tokens: 512, mistral_format: 'openai', upstream_url: `${m}/v1/chat/completions`, input_cost: 10, output_cost: 20 })} }` },
  { id: 'llama2-raw', provider: 'llama2', auth: `{ header_name: Authorization, header_value: "Bearer ${KEY}" }`,
    model: (m) => `{ provider: llama2, name: llama-2-7b, options: ${opts({ max_tokens: 512, llama2_format: 'raw', upstream_url: `${m}/raw/generate`, input_cost: 10, output_cost: 20 })} }` },
  { id: 'llama2-openai', provider: 'llama2', auth: `{ header_name: Authorization, header_value: "Bearer ${KEY}" }`,
    model: (m) => `{ provider: llama2, name: llama-2-7b, options: ${opts({ max_tokens: 512, llama2_format: 'openai', upstream_url: `${m}/v1/chat/completions`, input_cost: 10, output_cost: 20 })} }` },
  { id: 'llama2-ollama', provider: 'llama2', auth: `{ header_name: Authorization, header_value: "Bearer ${KEY}" }`,
    model: (m) => `{ provider: llama2, name: llama2, options: ${opts({ max_tokens: 512, llama2_format: 'ollama', upstream_url: `${m}/api/chat`, input_cost: 10, output_cost: 20 })} }` },
  { id: 'gemini', provider: 'gemini', auth: `{ param_name: key, param_value: "${KEY}", param_location: query }`,
    model: (m, s) => `{ provider: gemini, name: gemini-1.5-pro, options: ${opts({ max_tokens: 512, upstream_url: `${m}/v1beta/models/gemini-1.5-pro:${s ? 'streamGenerateContent' : 'generateContent'}`, input_cost: 10, output_cost: 20 })} }` },
  { id: 'vertex', provider: 'gemini', auth: `{ header_name: Authorization, header_value: "Bearer ${KEY}" }`,
    model: (m, s) => `{ provider: gemini, name: gemini-1.5-pro, options: ${opts({ max_tokens: 512, gemini: { api_endpoint: 'x', project_id: 'p1', location_id: 'us-central1' }, upstream_url: `${m}/v1/projects/p1/locations/us-central1/publishers/google/models/gemini-1.5-pro:${s ? 'streamGenerateContent' : 'generateContent'}`, input_cost: 10, output_cost: 20 })} }` },
  { id: 'bedrock', provider: 'bedrock', auth: `{ aws_access_key_id: "${KEY}", aws_secret_access_key: "${AWS_SECRET}" }`,
    model: (m, s) => `{ provider: bedrock, name: anthropic.claude-3-haiku, options: ${opts({ max_tokens: 512, bedrock: { aws_region: 'us-east-1' }, upstream_url: `${m}/model/anthropic.claude-3-haiku/${s ? 'converse-stream' : 'converse'}`, input_cost: 10, output_cost: 20 })} }` },
  { id: 'deepseek', provider: 'deepseek', auth: `{ header_name: Authorization, header_value: "Bearer ${KEY}" }`,
    model: (m) => `{ provider: deepseek, name: deepseek-chat, options: ${opts({ max_tokens: 512, upstream_url: `${m}/v1/chat/completions`, input_cost: 10, output_cost: 20 })} }` },
  { id: 'xai', provider: 'xai', auth: `{ header_name: Authorization, header_value: "Bearer ${KEY}" }`,
    model: (m) => `{ provider: xai, name: grok-3, options: ${opts({ max_tokens: 512, upstream_url: `${m}/v1/chat/completions`, input_cost: 10, output_cost: 20 })} }` },
  { id: 'cerebras', provider: 'cerebras', auth: `{ header_name: Authorization, header_value: "Bearer ${KEY}" }`,
    model: (m) => `{ provider: cerebras, name: llama-3.3-70b, options: ${opts({ max_tokens: 512, upstream_url: `${m}/v1/chat/completions`, input_cost: 10, output_cost: 20 })} }` },
  { id: 'vllm', provider: 'vllm', auth: `{ header_name: Authorization, header_value: "Bearer ${KEY}" }`,
    model: (m) => `{ provider: vllm, name: meta-llama/Llama-3.1-8B-Instruct, options: ${opts({ max_tokens: 512, upstream_url: m, input_cost: 10, output_cost: 20 })} }` },
  { id: 'ollama', provider: 'ollama', auth: `{ header_name: Authorization, header_value: "Bearer ${KEY}" }`,
    model: (m) => `{ provider: ollama, name: llama3.2, options: ${opts({ max_tokens: 512, upstream_url: m, input_cost: 10, output_cost: 20 })} }` },
  { id: 'dashscope', provider: 'dashscope', auth: `{ header_name: Authorization, header_value: "Bearer ${KEY}" }`,
    model: (m) => `{ provider: dashscope, name: qwen-plus, options: ${opts({ max_tokens: 512, upstream_url: `${m}/compatible-mode/v1/chat/completions`, input_cost: 10, output_cost: 20 })} }` },
  { id: 'databricks', provider: 'databricks', auth: `{ header_name: Authorization, header_value: "Bearer ${KEY}" }`,
    model: (m) => `{ provider: databricks, name: databricks-gpt-oss-20b, options: ${opts({ max_tokens: 512, databricks: { workspace_instance_id: 'dbc-1' }, upstream_url: `${m}/serving-endpoints/v1/chat/completions`, input_cost: 10, output_cost: 20 })} }` },
  { id: 'huggingface', provider: 'huggingface', auth: `{ header_name: Authorization, header_value: "Bearer ${KEY}" }`,
    model: (m) => `{ provider: huggingface, name: meta-llama/Llama-3-8B, options: ${opts({ max_tokens: 512, upstream_url: `${m}/models/meta-llama/Llama-3-8B/v1/chat/completions`, input_cost: 10, output_cost: 20 })} }` },
];

export interface SseEvent { event?: string; data: string }

/** Splits an SSE body into events. */
export function parseSse(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  for (const block of text.split('\n\n')) {
    if (block.trim() === '') continue;
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    out.push(event === undefined ? { data: data.join('\n') } : { event, data: data.join('\n') });
  }
  return out;
}

/** Text of an OpenAI chat stream (all `delta.content`). */
export function streamText(events: SseEvent[]): string {
  let text = '';
  for (const e of events) {
    if (e.data === '[DONE]') continue;
    const j = JSON.parse(e.data) as { choices?: Array<{ delta?: { content?: string | null } }> };
    for (const c of j.choices ?? []) text += c.delta?.content ?? '';
  }
  return text;
}

export type LogLine = Record<string, unknown> & { request: { id: string }; ai?: Record<string, Record<string, Record<string, unknown>>> };

/** The file-log record of one request, waiting for it to be written. */
export async function logFor(path: string, requestId: string, ms = 15_000): Promise<LogLine> {
  const end = Date.now() + ms;
  for (;;) {
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch { /* not yet created */ }
    // only complete lines: the last one may still be being written
    for (const line of text.slice(0, text.lastIndexOf('\n') + 1).split('\n')) {
      if (line.includes(requestId)) {
        const rec = JSON.parse(line) as LogLine;
        if (rec.request.id === requestId) return rec;
      }
    }
    if (Date.now() > end) throw new Error(`no log line for ${requestId}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** POST JSON; never throws for non-2xx. */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}
