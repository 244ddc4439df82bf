import { answer, conversation } from '../answer.js';
import { embedding } from '../embedding.js';
import { field, isRecord, num } from '../json.js';
import { type AuthConfig, type AuthInput, bearer, checkKey, type MockCall, type MockProvider } from '../provider.js';
import { jsonReply, type Reply } from '../reply.js';
import { chatCompletion } from './openai.js';

/**
 * Hugging Face Inference API: POST /models/{model}/v1/chat/completions (OpenAI format) and POST
 * /models/{model} with `{"inputs": …}`: text generation `[{"generated_text": answer}]`, or
 * feature extraction (a vector per input) when the model id looks like an embedding model
 * (embed, sentence-transformers, MiniLM, bge, e5, gte). Auth: `Authorization: Bearer`.
 */

const EMBEDDING_MODEL = /embed|sentence-transformers|minilm|bge|\be5\b|e5-|gte/i;

function hfError(status: number, message: string): Reply {
  return jsonReply(status, status === 503 ? { error: message, estimated_time: 20 } : { error: message });
}

function authenticate(req: AuthInput, { requireKey }: AuthConfig): Reply | undefined {
  return checkKey(bearer(req.headers), requireKey, (reason) =>
    hfError(401, reason === 'missing' ? 'Invalid credentials in Authorization header' : 'Authorization header is correct, but the token seems invalid'),
  );
}

function inference(c: MockCall): Reply {
  const model = c.params[0];
  const body = c.body;
  if (!isRecord(body) || body.inputs === undefined) return hfError(400, 'Failed to deserialize the JSON body into the target type: missing field `inputs`');
  const inputs = body.inputs;
  if (EMBEDDING_MODEL.test(model)) {
    if (typeof inputs === 'string') return jsonReply(200, embedding(inputs, c.settings.embeddingDims));
    if (Array.isArray(inputs)) return jsonReply(200, inputs.map((i) => embedding(String(i), c.settings.embeddingDims)));
    return hfError(400, 'inputs must be a string or a list of strings');
  }
  const prompts = Array.isArray(inputs) ? inputs.map(String) : [String(inputs)];
  const maxTokens = num(field(body.parameters, 'max_new_tokens')) ?? num(field(body.parameters, 'max_length'));
  return jsonReply(
    200,
    prompts.map((p) => ({ generated_text: answer(conversation({ texts: [p], lastUser: p, maxTokens })).text })),
  );
}

export const huggingface: MockProvider = {
  name: 'huggingface',
  base: '/models/{model}',
  authenticate,
  error: hfError,
  routes: [
    { method: 'POST', pattern: /^\/models\/(.+)\/v1\/chat\/completions$/, handle: (c) => chatCompletion(c.body, c.params[0], hfError) },
    { method: 'POST', pattern: /^\/models\/(.+)$/, handle: inference },
  ],
};
