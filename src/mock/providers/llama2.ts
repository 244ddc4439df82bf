import { answer, conversation } from '../answer.js';
import { field, isRecord, num } from '../json.js';
import { type AuthConfig, type AuthInput, bearer, checkKey, type MockCall, type MockProvider } from '../provider.js';
import { jsonReply, type Reply } from '../reply.js';

/**
 * Llama2 "raw" format, as Kong's llama2 driver (`llama2_format: raw`) reads it: POST /raw/generate
 * with `{"inputs": "<s>[INST] <<SYS>> … <</SYS>> question [/INST]", "parameters": {…}}` answers
 * `{"data": [{"generated_text": "<inputs>\n\n<answer>"}]}` (Kong keeps the text after the last
 * `[/INST]`). No streaming. Auth: any `Authorization: Bearer` token.
 */

function rawError(status: number, message: string): Reply {
  return jsonReply(status, { error: message });
}

function authenticate(req: AuthInput, { requireKey }: AuthConfig): Reply | undefined {
  return checkKey(bearer(req.headers), requireKey, () => rawError(401, 'Authorization header is correct, but the token seems invalid'));
}

/** The last user turn of a Llama2 chat prompt. */
export function lastInstruction(inputs: string): string {
  const turns = inputs.split('[INST]');
  const last = (turns[turns.length - 1] ?? '').split('[/INST]')[0];
  return last.replace(/<<SYS>>[\s\S]*?<<\/?SYS>>/g, '').trim();
}

function generate(c: MockCall): Reply {
  const body = c.body;
  if (!isRecord(body) || typeof body.inputs !== 'string') return rawError(400, 'Failed to deserialize the JSON body into the target type: missing field `inputs`');
  const a = answer(conversation({ texts: [body.inputs], lastUser: lastInstruction(body.inputs), maxTokens: num(field(body.parameters, 'max_new_tokens')) }));
  return jsonReply(200, { data: [{ generated_text: `${body.inputs}\n\n${a.text}` }] });
}

export const llama2: MockProvider = {
  name: 'llama2',
  base: '/raw/generate',
  authenticate,
  error: rawError,
  routes: [{ method: 'POST', pattern: /^\/raw\/generate$/, handle: generate }],
};
