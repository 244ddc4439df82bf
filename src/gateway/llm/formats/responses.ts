/**
 * OpenAI's Responses API as a client format: the format of every `route_type: llm/v1/responses`
 * route. On providers that serve the Responses API themselves (openai, azure; `capabilities`)
 * ai-proxy passes the client's body through and only reads this format's canonical view (for the
 * other AI plugins); on every other provider it translates both ways through the canonical chat
 * format — Responses in, any provider out:
 *
 *   POST /v1/responses ─► responsesRequestToCanonical ─► (any provider) ─► chatToResponse
 *   stream:  canonical chunks ─► ResponsesEventWriter ─► response.created … response.completed
 *
 * Errors are OpenAI's `{error:{message, type, param, code}}`.
 */
import { isObject, type CanonicalRequest, type JsonObject } from '../wire/openai-types.js';
import { openAIErrorBody } from '../wire/responses.js';
import { upstreamErrorMessage } from '../wire/upstream-error.js';
import { responsesExchange, responsesRequestToCanonical } from './responses-request.js';
import { chatToResponse } from './responses-response.js';
import { ResponsesEventWriter } from './responses-stream.js';
import type { ClientFormat, StreamTextField } from './types.js';

export { responsesExchange, type ResponsesExchange } from './responses-request.js';

function ridOf(request: CanonicalRequest, fallback: string): string {
  return responsesExchange(request)?.rid ?? fallback;
}

/** `response.output_text.delta` frames: their `delta` is the text (ai-sanitizer restores placeholders in it). */
function streamTextFields(obj: JsonObject): StreamTextField[] {
  if (obj.type !== 'response.output_text.delta' || typeof obj.delta !== 'string') return [];
  const base = { item_id: obj.item_id, output_index: obj.output_index, content_index: obj.content_index };
  return [{
    key: `text:${String(obj.item_id)}`, final: false,
    get: () => (typeof obj.delta === 'string' ? obj.delta : ''),
    set: (v) => { obj.delta = v; },
    synth: (text) => ({ type: 'response.output_text.delta', ...base, delta: text, logprobs: [] }),
  }];
}

export const responses: ClientFormat = {
  name: 'responses',
  routeType: 'llm/v1/responses',
  identity: false,
  anyProvider: true,
  // `model` is a required field of the Responses API: SDKs and Codex always send one.
  sdkSendsModel: true,
  // OpenAI-Beta opts into OpenAI-only features (e.g. Codex's responses_websockets); native routes forward it
  protocolHeaders: ['openai-beta'],
  toCanonical: responsesRequestToCanonical,
  response: (r, request) => (r.object === 'chat.completion' ? chatToResponse(r, responsesExchange(request), ridOf(request, r.id)) : r),
  errorBody: (status, message) => openAIErrorBody(status, message),
  errorIsOwn: (body) => isObject(body) && isObject(body.error) && typeof body.error.type === 'string',
  upstreamError: (status, body) => Buffer.from(JSON.stringify(openAIErrorBody(status, upstreamErrorMessage(body)))),
  stream: ({ id, model, request }) => new ResponsesEventWriter({
    rid: request === undefined ? id : ridOf(request, id), model,
    exchange: request === undefined ? undefined : responsesExchange(request),
  }),
  streamTextFields,
};

export const isResponsesObject = (v: unknown): v is JsonObject => isObject(v) && v.object === 'response';
