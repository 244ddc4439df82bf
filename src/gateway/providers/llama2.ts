import { ollamaFormat } from './ollama.js';
import { openAICompatible } from './openai-compatible.js';
import { selectVariant } from './select.js';
import { afterLastInst, llama2Prompt, tgiFormat } from './tgi.js';

const ALL = ['llm/v1/chat', 'llm/v1/completions', 'llm/v1/embeddings'] as const;

/** Self-hosted only: every variant needs `model.options.upstream_url`. */
const openaiFormat = openAICompatible({ name: 'llama2', routeTypes: ALL, url: () => null });
const ollama = ollamaFormat('llama2');
const raw = tgiFormat({
  name: 'llama2', routeTypes: ['llm/v1/chat', 'llm/v1/completions'], url: () => null,
  inputs: (_ctx, req) => llama2Prompt(req),
  output: afterLastInst,
});

/** Llama 2 in one of three wire formats, chosen by `model.options.llama2_format`. */
export const llama2 = selectVariant('llama2', { routeTypes: ALL, streaming: true, usageInStream: true }, (ctx) => {
  switch (ctx.options.llama2_format) {
    case 'openai': return openaiFormat;
    case 'ollama': return ollama;
    default: return raw;
  }
});
