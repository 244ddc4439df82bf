// ai-proxy: config schema source (built into schemas/plugins/ai-proxy.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, llmFormat, maxRequestBodySize, pluginConfig, since } from '../../../../schemas/src/dsl.mjs';
import { AIGW_ROUTE_TYPES, EMBEDDINGS_EXT, llmChecks, llmFields, modelNameHeader, responseStreaming } from '../../../../schemas/src/llm.mjs';

export const name = 'ai-proxy';
export const priority = 770;

/** OpenAI's Responses API (Kong 3.11): native on openai/azure, translated by aigw for every other provider. */
const RESPONSES = 'llm/v1/responses';

/** The config schema for Kong version `kong`. */
export function schema(kong = KONG_REFERENCE) {
  const routeTypes = since(kong, '3.11') ? [...AIGW_ROUTE_TYPES, RESPONSES] : AIGW_ROUTE_TYPES;
  return pluginConfig(name, priority, 'Proxies requests to an LLM provider, translating to and from the OpenAI format.', {
    ...llmFields(routeTypes, EMBEDDINGS_EXT),
    response_streaming: responseStreaming(),
    max_request_body_size: maxRequestBodySize(),
    model_name_header: modelNameHeader(),
    llm_format: llmFormat({
      one_of: ['openai', 'bedrock', 'gemini', 'anthropic'],
      extensionValues: { anthropic: 'aigw extension: accept the native Anthropic Messages format; Kong 3.10 rejects it' },
    }),
  }, [
    ...llmChecks(),
    {
      custom: 'llm-format-native',
      message: "a native llm_format (not 'openai') requires route_type 'llm/v1/chat' and the provider of the same name",
    },
  ]);
}
