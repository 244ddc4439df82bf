/**
 * ai-prompt-decorator: inserts the configured `prompts.prepend` messages before the
 * conversation and `prompts.append` after it, in order (kong.md §1.5). Chat requests only:
 * anything without a `messages` array gets 400 `this LLM route only supports llm/chat type
 * requests`. Edits the shared canonical body in place.
 */
import type { PluginConfigs } from '../../../config/generated/plugin-configs.js';
import type { Reply } from '../../context.js';
import { promptRequest, syncBody } from '../../llm/formats/prompt.js';
import { aiError, type InputFormat } from '../../llm/formats/request.js';
import { CANONICAL_FORMAT } from '../../llm/formats/index.js';
import { isObject, type ChatMessage } from '../../llm/wire/openai-types.js';
import type { KongPlugin } from '../../plugin.js';

export const CHAT_ONLY = 'this LLM route only supports llm/chat type requests';

interface DecoratorConfig {
  prepend: ChatMessage[];
  append: ChatMessage[];
  maxBodySize: number;
  llmFormat: InputFormat;
}

function messages(v: unknown): ChatMessage[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((m) => ({
    role: typeof m.role === 'string' ? m.role : 'system',
    content: typeof m.content === 'string' ? m.content : '',
  }));
}

function parse(c: PluginConfigs['ai-prompt-decorator']): DecoratorConfig {
  const prepend = messages(c.prompts?.prepend);
  const append = messages(c.prompts?.append);
  if (prepend.length === 0 && append.length === 0) throw new Error('at least one of these fields must be non-empty: prompts.prepend, prompts.append');
  return { prepend, append, maxBodySize: (c.max_request_body_size ?? 8192), llmFormat: (c.llm_format ?? CANONICAL_FORMAT) };
}

export const aiPromptDecorator: KongPlugin<'ai-prompt-decorator', DecoratorConfig> = {
  name: 'ai-prompt-decorator',
  parse,
  create(c) {
    return {
      async access(ctx): Promise<Reply | undefined> {
        const req = await promptRequest(ctx, c.maxBodySize, c.llmFormat, 'ai-prompt-decorator');
        const current: unknown = req.body.messages;
        if (!Array.isArray(current)) throw aiError(400, CHAT_ONLY);
        const copy = (m: ChatMessage): ChatMessage => ({ role: m.role, content: m.content });
        req.body.messages = [...c.prepend.map(copy), ...(current as ChatMessage[]), ...c.append.map(copy)];
        syncBody(ctx, req);
        return undefined;
      },
    };
  },
};
