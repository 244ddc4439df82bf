import { answer, conversation, type Answer } from '../answer.js';
import { embedding } from '../embedding.js';
import { field, isRecord, list, num, str, type JsonObject } from '../json.js';
import { type AuthConfig, type AuthInput, bearer, checkKey, type MockCall, type MockProvider } from '../provider.js';
import { jsonReply, ndjsonReply, type Reply } from '../reply.js';
import { chatConversation } from './openai.js';

/**
 * Ollama: POST /api/chat and /api/generate (NDJSON stream by default, as Ollama does, unless
 * `"stream": false`), POST /api/embed, POST /api/embeddings (legacy), GET /api/tags. Ollama has no
 * auth: any request passes unless the mock runs with `requireKey` (then `Authorization: Bearer`).
 */

const CREATED_AT = '2023-11-14T22:13:20Z';

function ollamaError(status: number, message: string): Reply {
  return jsonReply(status, { error: message });
}

function authenticate(req: AuthInput, { requireKey }: AuthConfig): Reply | undefined {
  if (requireKey === undefined) return undefined;
  return checkKey(bearer(req.headers), requireKey, () => ollamaError(401, 'unauthorized'));
}

function stats(a: Answer): JsonObject {
  return {
    total_duration: 1_000_000 * (a.promptTokens + a.completionTokens + 1),
    load_duration: 1_000_000,
    prompt_eval_count: a.promptTokens,
    prompt_eval_duration: 1_000_000 * a.promptTokens,
    eval_count: a.completionTokens,
    eval_duration: 1_000_000 * a.completionTokens,
  };
}

function doneReason(a: Answer): string {
  return a.finish === 'length' ? 'length' : 'stop';
}

function chat(c: MockCall): Reply {
  const body = c.body;
  if (!isRecord(body) || typeof body.model !== 'string') return ollamaError(400, 'model is required');
  const a = answer(chatConversation({ ...body, tool_choice: undefined, max_tokens: num(field(body.options, 'num_predict')) }));
  const head = { model: body.model, created_at: CREATED_AT };
  const calls = a.toolCall === undefined ? undefined : [{ function: { name: a.toolCall.name, arguments: a.toolCall.args } }];
  const message = { role: 'assistant', content: a.text, ...(calls === undefined ? {} : { tool_calls: calls }) };
  const last = { ...head, done_reason: doneReason(a), done: true, ...stats(a) };
  if (body.stream === false) return jsonReply(200, { ...head, message, ...last });
  const chunks: JsonObject[] = a.pieces.map((content) => ({ ...head, message: { role: 'assistant', content }, done: false }));
  if (calls !== undefined) chunks.push({ ...head, message: { role: 'assistant', content: '', tool_calls: calls }, done: false });
  chunks.push({ ...last, message: { role: 'assistant', content: '' } });
  return ndjsonReply(chunks);
}

function generate(c: MockCall): Reply {
  const body = c.body;
  if (!isRecord(body) || typeof body.model !== 'string') return ollamaError(400, 'model is required');
  const prompt = str(body.prompt) ?? '';
  const a = answer(conversation({ texts: [str(body.system) ?? '', prompt], lastUser: prompt, maxTokens: num(field(body.options, 'num_predict')) }));
  const head = { model: body.model, created_at: CREATED_AT };
  const last = { ...head, response: '', done: true, done_reason: doneReason(a), context: [1, 2, 3], ...stats(a) };
  if (body.stream === false) return jsonReply(200, { ...last, response: a.text });
  return ndjsonReply([...a.pieces.map((response) => ({ ...head, response, done: false })), last]);
}

function embed(c: MockCall): Reply {
  const body = c.body;
  if (!isRecord(body) || typeof body.model !== 'string') return ollamaError(400, 'model is required');
  const inputs = typeof body.input === 'string' ? [body.input] : list(body.input).filter((i): i is string => typeof i === 'string');
  if (inputs.length === 0) return ollamaError(400, 'input is required');
  const tokens = inputs.reduce((n, t) => n + (t.match(/\S+/g)?.length ?? 0), 0);
  return jsonReply(200, {
    model: body.model,
    embeddings: inputs.map((t) => embedding(t, c.settings.embeddingDims)),
    total_duration: 1_000_000,
    load_duration: 1_000_000,
    prompt_eval_count: tokens,
  });
}

function legacyEmbeddings(c: MockCall): Reply {
  const body = c.body;
  if (!isRecord(body) || typeof body.model !== 'string') return ollamaError(400, 'model is required');
  return jsonReply(200, { embedding: embedding(str(body.prompt) ?? '', c.settings.embeddingDims) });
}

const TAGS = jsonReply(200, {
  models: ['llama2:latest', 'mistral:latest'].map((name) => ({ name, model: name, modified_at: CREATED_AT, size: 1, digest: 'mock', details: { format: 'gguf' } })),
});

export const ollama: MockProvider = {
  name: 'ollama',
  base: '/api',
  authenticate,
  error: ollamaError,
  routes: [
    { method: 'POST', pattern: /^\/api\/chat$/, handle: chat },
    { method: 'POST', pattern: /^\/api\/generate$/, handle: generate },
    { method: 'POST', pattern: /^\/api\/embed$/, handle: embed },
    { method: 'POST', pattern: /^\/api\/embeddings$/, handle: legacyEmbeddings },
    { method: 'GET', pattern: /^\/api\/tags$/, handle: () => TAGS },
  ],
};
