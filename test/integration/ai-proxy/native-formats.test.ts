/** `llm_format` values without a client-format adapter (Kong's native Gemini/Bedrock inputs) are refused at startup, clearly. */
import { describe, expect, it } from 'vitest';
import { gatewayFrom } from '../../helpers/gateway.js';

const file = (format: string, provider: string): string => `
_format_version: "3.0"
routes:
- name: native
  paths: [/native]
  plugins:
  - name: ai-proxy
    config:
      route_type: llm/v1/chat
      llm_format: ${format}
      auth: { param_name: key, param_value: k, param_location: query }
      model: { provider: ${provider}, name: some-model, options: { upstream_url: "http://127.0.0.1:9/x" } }
`;

describe('unsupported native client formats', () => {
  it.each([['gemini', 'gemini'], ['bedrock', 'bedrock'], ['cohere', 'cohere'], ['huggingface', 'huggingface']])(
    'llm_format %s: the gateway does not start, and says which field and why',
    async (format, provider) => {
      await expect(gatewayFrom(file(format, provider))).rejects.toThrow(
        new RegExp(`plugin 'ai-proxy' \\([^)]+\\): config\\.llm_format '${format}' is not served: aigw serve speaks the openai and anthropic client formats`),
      );
    },
  );
});
