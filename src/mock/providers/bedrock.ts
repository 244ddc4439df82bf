import { answer, conversation, type Answer, type Conversation, type ToolChoice } from '../answer.js';
import { embedding } from '../embedding.js';
import { eventFrame } from '../eventstream.js';
import { parseSigV4, signatureMatches } from '../sigv4.js';
import { field, isRecord, list, num, str, textOf, type JsonObject } from '../json.js';
import { type AuthConfig, type AuthInput, bearer, header, type MockCall, type MockProvider } from '../provider.js';
import { chunksReply, jsonReply, type Reply } from '../reply.js';
import { messageBody, messagesConversation } from './anthropic.js';

/**
 * AWS Bedrock runtime: POST /model/{modelId}/converse, /converse-stream (binary AWS event-stream
 * frames with prelude and message CRC32), /invoke (Titan/Cohere embeddings, Titan text, Claude
 * messages). Model ids may be URL-encoded (`%3A`). Auth: a well-formed SigV4 `Authorization`
 * header (`AWS4-HMAC-SHA256 Credential=AKID/yyyymmdd/region/bedrock/aws4_request,
 * SignedHeaders=…, Signature=<64 hex>` plus X-Amz-Date) or a Bedrock API key as Bearer. With
 * `requireKey`, the access key id (or API key) must equal it; with `awsSecretKey`, the signature
 * is verified (see sigv4.ts).
 */

const ERROR_NAMES: Record<number, string> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

function awsError(status: number, name: string, message: string): Reply {
  return jsonReply(status, { message }, { 'x-amzn-errortype': name });
}

function bedrockError(status: number, message: string): Reply {
  return awsError(status, ERROR_NAMES[status] ?? 'InternalServerException', message);
}

function authenticate(req: AuthInput, { requireKey, awsSecretKey }: AuthConfig): Reply | undefined {
  const authorization = (header(req.headers, 'authorization') ?? '').trim();
  if (authorization === '') return awsError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  const apiKey = bearer(req.headers);
  const sig = parseSigV4(authorization);
  if (apiKey === '' && (sig === undefined || sig.service !== 'bedrock')) {
    return awsError(403, 'IncompleteSignatureException', `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters in AWS4-HMAC-SHA256 form for service bedrock. Authorization=${authorization.slice(0, 40)}`);
  }
  if (sig !== undefined && !header(req.headers, 'x-amz-date') && !header(req.headers, 'date')) {
    return awsError(403, 'IncompleteSignatureException', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  const keyId = sig === undefined ? apiKey : sig.accessKeyId;
  if (requireKey !== undefined && keyId !== requireKey) return awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (sig !== undefined && awsSecretKey !== undefined && !signatureMatches({ ...req, body: req.raw }, sig, awsSecretKey)) {
    return awsError(
      403,
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return undefined;
}

function toolChoice(choice: unknown): ToolChoice {
  if (field(choice, 'any') !== undefined) return { mode: 'required' };
  const name = str(field(field(choice, 'tool'), 'name'));
  return name === undefined ? { mode: 'auto' } : { mode: 'named', name };
}

function converseConversation(body: JsonObject): Conversation {
  const messages = list(body.messages).filter(isRecord);
  const users = messages.filter((m) => m.role === 'user' && list(m.content).some((b) => isRecord(b) && typeof b.text === 'string'));
  const last = messages[messages.length - 1];
  const results = last === undefined ? [] : list(last.content).filter((b) => isRecord(b) && b.toolResult !== undefined);
  const config = isRecord(body.toolConfig) ? body.toolConfig : {};
  return conversation({
    texts: [textOf(body.system), ...messages.map((m) => textOf(m.content))],
    lastUser: users.length === 0 ? '' : textOf(users[users.length - 1].content),
    toolResult: results.length === 0 ? undefined : textOf(results.map((r) => field(r, 'toolResult'))),
    tools: list(config.tools)
      .map((t) => field(t, 'toolSpec'))
      .filter(isRecord)
      .map((s) => ({ name: str(s.name) ?? 'tool', schema: field(s.inputSchema, 'json') })),
    toolChoice: toolChoice(config.toolChoice),
    maxTokens: num(field(body.inferenceConfig, 'maxTokens')),
  });
}

function stopReason(a: Answer): string {
  return a.finish === 'tool' ? 'tool_use' : a.finish === 'length' ? 'max_tokens' : 'end_turn';
}

function usage(a: Answer): JsonObject {
  return { inputTokens: a.promptTokens, outputTokens: a.completionTokens, totalTokens: a.promptTokens + a.completionTokens };
}

function converseStream(a: Answer): Reply {
  const frames = [eventFrame('messageStart', { role: 'assistant' })];
  if (a.toolCall !== undefined) {
    const call = a.toolCall;
    frames.push(eventFrame('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId: `tooluse_${call.id}`, name: call.name } } }));
    for (const input of call.jsonPieces) frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input } } }));
  } else {
    for (const text of a.pieces) frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text } }));
  }
  frames.push(eventFrame('contentBlockStop', { contentBlockIndex: 0 }));
  frames.push(eventFrame('messageStop', { stopReason: stopReason(a) }));
  frames.push(eventFrame('metadata', { usage: usage(a), metrics: { latencyMs: 1 } }));
  return chunksReply(frames, 'application/vnd.amazon.eventstream');
}

function converse(c: MockCall, stream: boolean): Reply {
  const body = c.body;
  if (!isRecord(body) || list(body.messages).length === 0) return bedrockError(400, 'The model returned the following errors: messages: field required');
  const a = answer(converseConversation(body));
  if (stream) return converseStream(a);
  const content = a.toolCall === undefined ? [{ text: a.text }] : [{ toolUse: { toolUseId: `tooluse_${a.toolCall.id}`, name: a.toolCall.name, input: a.toolCall.args } }];
  return jsonReply(200, { output: { message: { role: 'assistant', content } }, stopReason: stopReason(a), usage: usage(a), metrics: { latencyMs: 1 } });
}

function invoke(c: MockCall, modelId: string): Reply {
  const body = c.body;
  if (!isRecord(body)) return bedrockError(400, 'Malformed input request, please reformat your input and try again.');
  const dims = num(body.dimensions) ?? c.settings.embeddingDims;
  if (Array.isArray(body.texts)) {
    const texts = body.texts.filter((t): t is string => typeof t === 'string');
    return jsonReply(200, { id: modelId, texts, embeddings: texts.map((t) => embedding(t, dims)), response_type: 'embeddings_floats' });
  }
  if (typeof body.inputText === 'string' && /embed/i.test(modelId)) {
    return jsonReply(200, { embedding: embedding(body.inputText, dims), inputTextTokenCount: body.inputText.match(/\S+/g)?.length ?? 0 });
  }
  if (typeof body.inputText === 'string') {
    const a = answer(conversation({ texts: [body.inputText], lastUser: body.inputText, maxTokens: num(field(body.textGenerationConfig, 'maxTokenCount')) }));
    const reason = a.finish === 'length' ? 'LENGTH' : 'FINISH';
    return jsonReply(200, { inputTextTokenCount: a.promptTokens, results: [{ tokenCount: a.completionTokens, outputText: a.text, completionReason: reason }] });
  }
  if (Array.isArray(body.messages)) return jsonReply(200, messageBody(answer(messagesConversation(body)), modelId));
  return bedrockError(400, 'Malformed input request, please reformat your input and try again.');
}

function route(c: MockCall): Reply {
  const [modelId, op] = c.params;
  if (op === 'converse') return converse(c, false);
  if (op === 'converse-stream') return converse(c, true);
  return invoke(c, modelId);
}

export const bedrock: MockProvider = {
  name: 'bedrock',
  base: '/model/{modelId}/{converse|converse-stream|invoke}',
  authenticate,
  error: bedrockError,
  routes: [{ method: 'POST', pattern: /^\/model\/([^/]+)\/(converse|converse-stream|invoke)$/, handle: route }],
};

