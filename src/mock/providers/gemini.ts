import { answer, conversation, type Answer, type Conversation, type ToolChoice, type ToolSpec } from '../answer.js';
import { embedding } from '../embedding.js';
import { field, isRecord, list, num, str, textOf, type JsonObject } from '../json.js';
import { type AuthConfig, type AuthInput, bearer, checkKey, header, type MockCall, type MockProvider } from '../provider.js';
import { chunksReply, jsonReply, sseReply, type Reply } from '../reply.js';

/**
 * Gemini (Google AI): POST /v1beta/models/{model}:{op} (also /v1), op = generateContent,
 * streamGenerateContent (a streamed JSON array by default, SSE with `?alt=sse`), embedContent,
 * batchEmbedContents, countTokens. Auth: `?key=` or `x-goog-api-key` (or a Bearer token); as the
 * real API, a missing key is 403 PERMISSION_DENIED and a wrong one 400 INVALID_ARGUMENT.
 *
 * Vertex AI: POST /v1/projects/{p}/locations/{l}/publishers/google/models/{model}:{op}, same bodies,
 * `Authorization: Bearer` required (401 UNAUTHENTICATED otherwise).
 */

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export function googleError(status: number, message: string): Reply {
  return jsonReply(status, { error: { code: status, message, status: STATUS_NAMES[status] ?? 'UNKNOWN' } });
}

function authenticateGemini(req: AuthInput, { requireKey }: AuthConfig): Reply | undefined {
  const key = (req.query.get('key') ?? '').trim() || (header(req.headers, 'x-goog-api-key') ?? '').trim() || bearer(req.headers);
  return checkKey(key, requireKey, (reason) =>
    reason === 'missing'
      ? googleError(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.")
      : googleError(400, 'API key not valid. Please pass a valid API key.'),
  );
}

function authenticateVertex(req: AuthInput, { requireKey }: AuthConfig): Reply | undefined {
  return checkKey(bearer(req.headers), requireKey, (reason) =>
    googleError(
      401,
      reason === 'missing'
        ? 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.'
        : 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    ),
  );
}

function tools(body: JsonObject): ToolSpec[] {
  return list(body.tools).flatMap((t) =>
    list(field(t, 'functionDeclarations') ?? field(t, 'function_declarations'))
      .filter(isRecord)
      .map((f) => ({ name: str(f.name) ?? 'tool', schema: f.parameters })),
  );
}

function toolChoice(body: JsonObject): ToolChoice {
  const config = field(field(body, 'toolConfig') ?? field(body, 'tool_config'), 'functionCallingConfig');
  const mode = str(field(config, 'mode'));
  const allowed = list(field(config, 'allowedFunctionNames')).filter((n): n is string => typeof n === 'string');
  if (mode === 'NONE') return { mode: 'none' };
  if (mode === 'ANY') return allowed.length === 1 ? { mode: 'named', name: allowed[0] } : { mode: 'required' };
  return { mode: 'auto' };
}

function geminiConversation(body: JsonObject): Conversation {
  const contents = list(body.contents).filter(isRecord);
  const isUser = (c: JsonObject) => c.role === undefined || c.role === 'user';
  const users = contents.filter((c) => isUser(c) && list(c.parts).some((p) => isRecord(p) && typeof p.text === 'string'));
  const last = contents[contents.length - 1];
  const responses = last === undefined ? [] : list(last.parts).filter((p) => isRecord(p) && p.functionResponse !== undefined);
  const system = textOf(field(body.systemInstruction ?? body.system_instruction, 'parts'));
  return conversation({
    texts: [system, ...contents.map((c) => textOf(c.parts))],
    lastUser: users.length === 0 ? '' : textOf(users[users.length - 1].parts),
    toolResult: responses.length === 0 ? undefined : textOf(responses.map((p) => field(p, 'functionResponse'))),
    tools: tools(body),
    toolChoice: toolChoice(body),
    maxTokens: num(field(body.generationConfig ?? body.generation_config, 'maxOutputTokens')),
  });
}

function usage(a: Answer, completion: number): JsonObject {
  return { promptTokenCount: a.promptTokens, candidatesTokenCount: completion, totalTokenCount: a.promptTokens + completion };
}

function candidate(parts: JsonObject[], finishReason: string | undefined): JsonObject {
  return { content: { parts, role: 'model' }, ...(finishReason === undefined ? {} : { finishReason }), index: 0 };
}

function finishReason(a: Answer): string {
  return a.finish === 'length' ? 'MAX_TOKENS' : 'STOP';
}

function elements(a: Answer, model: string): JsonObject[] {
  const base = { modelVersion: model };
  if (a.toolCall !== undefined) {
    const part = { functionCall: { name: a.toolCall.name, args: a.toolCall.args } };
    return [{ candidates: [candidate([part], 'STOP')], usageMetadata: usage(a, a.completionTokens), ...base }];
  }
  const pieces = a.pieces.length === 0 ? [''] : a.pieces;
  return pieces.map((text, i) => {
    const last = i === pieces.length - 1;
    return { candidates: [candidate([{ text }], last ? finishReason(a) : undefined)], usageMetadata: usage(a, last ? a.completionTokens : i + 1), ...base };
  });
}

function generate(c: MockCall, model: string, stream: boolean): Reply {
  const body = c.body;
  if (!isRecord(body) || list(body.contents).length === 0) return googleError(400, '* GenerateContentRequest.contents: contents is not specified');
  const a = answer(geminiConversation(body));
  if (!stream) {
    const parts = a.toolCall === undefined ? [{ text: a.text }] : [{ functionCall: { name: a.toolCall.name, args: a.toolCall.args } }];
    return jsonReply(200, { candidates: [candidate(parts, finishReason(a))], usageMetadata: usage(a, a.completionTokens), modelVersion: model });
  }
  const items = elements(a, model);
  if (c.query.get('alt') === 'sse') return sseReply(items.map((data) => ({ data })), { eol: '\r\n' });
  const chunks = items.map((item, i) => Buffer.from(`${i === 0 ? '[' : ',\r\n'}${JSON.stringify(item)}`, 'utf8'));
  chunks.push(Buffer.from(']', 'utf8'));
  return chunksReply(chunks, 'application/json; charset=UTF-8');
}

function dims(request: unknown, settings: MockCall['settings']): number {
  return num(field(request, 'outputDimensionality')) ?? settings.embeddingDims;
}

function operation(c: MockCall, model: string, op: string): Reply {
  switch (op) {
    case 'generateContent':
      return generate(c, model, false);
    case 'streamGenerateContent':
      return generate(c, model, true);
    case 'embedContent':
      return jsonReply(200, { embedding: { values: embedding(textOf(field(field(c.body, 'content'), 'parts')), dims(c.body, c.settings)) } });
    case 'batchEmbedContents': {
      const requests = list(field(c.body, 'requests'));
      if (requests.length === 0) return googleError(400, '* BatchEmbedContentsRequest.requests: requests is not specified');
      return jsonReply(200, { embeddings: requests.map((r) => ({ values: embedding(textOf(field(field(r, 'content'), 'parts')), dims(r, c.settings)) })) });
    }
    case 'predict': {
      // Vertex AI text embeddings: {instances: [{content}]} → {predictions: [{embeddings: {values, statistics}}]}
      const instances = list(field(c.body, 'instances'));
      if (instances.length === 0) return googleError(400, 'instances is not specified');
      const dim = num(field(field(c.body, 'parameters'), 'outputDimensionality')) ?? c.settings.embeddingDims;
      return jsonReply(200, { predictions: instances.map((i) => {
        const text = str(field(i, 'content')) ?? '';
        return { embeddings: { values: embedding(text, dim), statistics: { token_count: text.match(/\S+/g)?.length ?? 0, truncated: false } } };
      }) });
    }
    case 'countTokens':
      return jsonReply(200, { totalTokens: isRecord(c.body) ? geminiConversation(c.body).texts.reduce((n, t) => n + (t.match(/\S+/g)?.length ?? 0), 0) : 0 });
    default:
      return googleError(404, `Method ${op} not found for model ${model}.`);
  }
}

export const gemini: MockProvider = {
  name: 'gemini',
  base: '/v1beta/models/{model}:{op}',
  authenticate: authenticateGemini,
  error: googleError,
  routes: [{ method: 'POST', pattern: /^\/(?:v1|v1beta)\/models\/([^/:]+):([A-Za-z]+)$/, handle: (c) => operation(c, c.params[0], c.params[1]) }],
};

export const vertex: MockProvider = {
  name: 'vertex',
  base: '/v1/projects/{p}/locations/{l}/publishers/google/models/{model}:{op}',
  authenticate: authenticateVertex,
  error: googleError,
  routes: [
    {
      method: 'POST',
      pattern: /^\/(?:v1|v1beta1)\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/models\/([^/:]+):([A-Za-z]+)$/,
      handle: (c) => operation(c, c.params[2], c.params[3]),
    },
  ],
};
