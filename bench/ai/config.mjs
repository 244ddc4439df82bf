// State files for the AI benchmarks (pure: the mock's URL in, YAML text out).
import { KEY } from '../aigw.mjs';

const proxy = (mockUrl, extra = '') => `
    - name: ai-proxy
      config:
        route_type: llm/v1/chat${extra}
        auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }
        model: { provider: openai, name: gpt-4o, options: { max_tokens: 512, upstream_url: "${mockUrl}/v1/chat/completions" } }`;

const governance = `
    - name: ai-prompt-guard
      config: { deny_patterns: ["(?i)ignore (all )?previous instructions", "(?i)system prompt"] }
    - name: ai-prompt-decorator
      config: { prompts: { prepend: [{ role: system, content: "You are a concise assistant." }] } }
    - name: ai-rate-limiting-advanced
      config: { identifier: ip, llm_providers: [{ name: openai, limit: [1000000000], window_size: [60] }] }`;

const cache = (mockUrl) => `
    - name: ai-semantic-cache
      config:
        embeddings: { auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }, model: { provider: openai, name: text-embedding-3-small, options: { upstream_url: "${mockUrl}/v1/embeddings" } } }
        vectordb: { strategy: memory, dimensions: 16, distance_metric: cosine, threshold: 0.01 }`;

/** One route, /ai/chat: OpenAI format in, openai provider (key, model, max_tokens added) → mock. */
export const oneRoute = (mockUrl) => `_format_version: "3.0"
services:
- name: llm
  url: http://localhost:32000
  routes:
  - name: chat
    paths: [/ai/chat]
    plugins:${proxy(mockUrl)}
`;

/**
 * The AI benchmark's routes: /ai/chat as above; /anthropic (Anthropic Messages in, OpenAI upstream
 * out); /ai/responses (the Responses API passed through to openai) and /ai/responses-anthropic
 * (Responses in, Anthropic Messages out, answers stored); /ai/governed (guard + decorator + token budget + semantic cache in front of ai-proxy) and
 * /ai/governed-no-cache (the same without the cache).
 */
export const aiRoutes = (mockUrl) => `${oneRoute(mockUrl)}  - name: governed
    paths: [/ai/governed]
    plugins:${governance}${cache(mockUrl)}${proxy(mockUrl)}
  - name: governed-no-cache
    paths: [/ai/governed-no-cache]
    plugins:${governance}${proxy(mockUrl)}
  - name: anthropic
    paths: [/anthropic]
    plugins:${proxy(mockUrl, '\n        llm_format: anthropic')}
  - name: responses
    paths: [/ai/responses]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/responses
        auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }
        model: { provider: openai, name: gpt-4o, options: { max_tokens: 512, upstream_url: "${mockUrl}/v1/responses" } }
  - name: responses-anthropic
    paths: [/ai/responses-anthropic]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/responses
        auth: { header_name: x-api-key, header_value: "${KEY}" }
        model: { provider: anthropic, name: claude-sonnet-4-5, options: { max_tokens: 512, anthropic_version: "2023-06-01", upstream_url: "${mockUrl}/v1/messages" } }
`;

/** `n` ai-proxy routes /r/0 … /r/{n-1} on 10 services, all → the mock (memory under load). */
export function manyRoutes(mockUrl, n, tag = 'a') {
  const lines = ['_format_version: "3.0"', 'services:'];
  const perService = Math.ceil(n / 10);
  for (let s = 0; s < 10 && s * perService < n; s++) {
    lines.push(`- name: llm-${s}`, '  url: http://localhost:32000', `  tags: [bench-${tag}]`, '  routes:');
    for (let i = s * perService; i < Math.min(n, (s + 1) * perService); i++) {
      lines.push(`  - name: r-${i}`, `    paths: ["/r/${i}"]`, `    plugins:${proxy(mockUrl)}`);
    }
  }
  return lines.join('\n') + '\n';
}

export const messages = [{ role: 'user', content: 'Please describe the benchmark of this gateway in a few short words' }];
/** The chat request as a client of /ai/chat sends it, and as it reaches the mock directly. */
export const chatBody = { messages };
export const directBody = { model: 'gpt-4o', max_tokens: 512, messages };
/** The same question as a Responses API request (`POST /v1/responses`), as clients send it and as it reaches the mock directly. */
export const responsesBody = { model: 'gpt-4o', input: messages[0].content };
export const directResponsesBody = { ...responsesBody, max_output_tokens: 512 };
