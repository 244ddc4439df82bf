/**
 * A provider whose wire format depends on configuration (llama2/mistral `*_format`) or on the route
 * type (huggingface): every call is delegated to the variant `pick(ctx)` returns.
 */
import type { Provider, ProviderCapabilities, ProviderContext } from './types.js';

export function selectVariant(name: string, capabilities: ProviderCapabilities, pick: (ctx: ProviderContext) => Provider): Provider {
  return {
    name,
    capabilities,
    endpoint: (ctx) => pick(ctx).endpoint(ctx),
    authorize: (ctx, req) => pick(ctx).authorize(ctx, req),
    toUpstream: (ctx, body) => pick(ctx).toUpstream(ctx, body),
    fromUpstream: (ctx, status, body) => pick(ctx).fromUpstream(ctx, status, body),
    framing: (ctx) => pick(ctx).framing(ctx),
    streamTranslator: (ctx) => pick(ctx).streamTranslator(ctx),
  };
}
