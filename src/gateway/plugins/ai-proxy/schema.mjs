// ai-proxy: config schema source (built into schemas/plugins/ai-proxy.json, and per profile under
// schemas/<profile>/plugins/, by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, llmFormat, maxRequestBodySize, pluginConfig, since } from '../../../../schemas/src/dsl.mjs';
import { genaiCategory, llmChecks, llmFields, modelNameHeader, responseStreaming } from '../../../../schemas/src/llm.mjs';

export const name = 'ai-proxy';
export const priority = 770;

/** Kong's `protocols` of the plugin: ws and wss from 3.11 (realtime). */
export function protocols(kong = KONG_REFERENCE) {
  const list = ['grpc', 'grpcs', 'http', 'https', ...(since(kong, '3.11') ? ['ws', 'wss'] : [])];
  return { default: list, one_of: list };
}

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  return pluginConfig(name, priority, 'Proxies requests to an LLM provider, translating to and from the OpenAI format.', {
    ...llmFields(),
    ...genaiCategory(),
    response_streaming: responseStreaming(),
    max_request_body_size: maxRequestBodySize(),
    model_name_header: modelNameHeader(),
    llm_format: llmFormat(),
  }, [
    ...llmChecks(),
    {
      custom: 'llm-format-native',
      message: "a native llm_format (not 'openai') requires route_type 'llm/v1/chat' and the provider of the same name",
    },
  ]);
}
