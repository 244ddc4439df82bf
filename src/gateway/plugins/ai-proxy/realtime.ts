/**
 * ai-proxy with `route_type: realtime/v1/realtime` (Kong 3.11): the client's WebSocket upgrade goes
 * to the provider's Realtime endpoint (OpenAI `wss://api.openai.com/v1/realtime?model=…`, Azure
 * `wss://{instance}.openai.azure.com/openai/realtime?api-version=…&deployment=…`) with the configured
 * credentials instead of the client's; the configured `model.name` is the `model` query parameter
 * (another one from the client is Kong's `cannot use own model`). The frames are passed through
 * untouched (gateway/upgrade.ts joins the sockets); a plain HTTP request is refused.
 */
import type { GatewayContext } from '../../context.js';
import type { PluginDeps } from '../../plugin.js';
import { UPGRADE_TARGET } from '../../upgrade-target.js';
import { TranslationError } from '../../llm/wire/errors.js';
import { aiError } from '../../llm/formats/request.js';
import { resolveModelFields, targetFor, type AiProxyConfig } from './config.js';
import { droppedCredentials, effectiveAuth } from './request.js';

const ROUTE_TYPE = 'realtime/v1/realtime';

export async function planRealtime(ctx: GatewayContext, c: AiProxyConfig, llm: PluginDeps['llm']): Promise<void> {
  if ((ctx.header('upgrade') ?? '').toLowerCase() !== 'websocket') {
    throw aiError(400, `route type ${ROUTE_TYPE} accepts WebSocket upgrades only`);
  }
  const { name, options } = resolveModelFields(ctx, c);
  const own = ctx.queryParams().get('model');
  if (name !== null && own !== null && own !== '' && own !== name && own !== c.modelAlias) throw aiError(400, `cannot use own model - must be: ${name}`);
  const model = name ?? own ?? null;
  const auth = effectiveAuth(ctx, c.auth, {});
  const target = targetFor(c, 'llm/v1/chat', model, options, auth);
  const query = new URLSearchParams(ctx.queryParams());
  query.delete('model');
  try {
    const up = await llm.prepareApi(target, {
      routeType: ROUTE_TYPE, method: 'GET', resource: '/realtime', model, query, headers: {}, body: undefined,
    }, { requestId: ctx.requestId, clientQuery: ctx.queryParams() });
    delete up.headers['Content-Type'];
    ctx.set(UPGRADE_TARGET, { url: up.url, headers: up.headers, drop: droppedCredentials(auth) });
  } catch (err) {
    if (err instanceof TranslationError) throw aiError(err.status, err.message);
    throw err;
  }
}
