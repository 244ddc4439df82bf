/**
 * The rate-limit key of a request, as Kong's rate-limiting-advanced and ai-rate-limiting-advanced
 * build it (`id_lookup`): the consumer (else the credential), the credential, the service, the
 * route, a header, the path (when it is the configured one), or the consumer group; the client IP
 * when the identifier finds nothing.
 */
import type { GatewayContext } from '../../context.js';
import type { Consumers } from '../../consumers.js';

export type Identifier = 'ip' | 'credential' | 'consumer' | 'service' | 'route' | 'header' | 'path' | 'consumer-group';

export interface IdentifyConfig {
  identifier: Identifier;
  headerName: string | null;
  path: string | null;
  /**
   * The consumer group the plugin is scoped to (Kong's `consumer_group_id`): `consumer-group`
   * counts per that group when the consumer belongs to it; null (an unscoped rate-limiting-advanced,
   * as Kong): no group, so the client IP. Absent (ai-rate-limiting-advanced): the consumer's first group.
   */
  consumerGroup?: string | null;
}

function lookup(ctx: GatewayContext, c: IdentifyConfig, consumers: Consumers, identifier: Identifier): string | null {
  switch (identifier) {
    case 'consumer': return ctx.consumer ? `consumer:${ctx.consumer.id}` : ctx.credential ? `credential:${ctx.credential.id}` : null;
    case 'credential': return ctx.credential ? `credential:${ctx.credential.id}` : null;
    case 'service': return ctx.service ? `service:${ctx.service.id}` : null;
    case 'route': return ctx.route ? `route:${ctx.route.id}` : null;
    case 'header': {
      const v = c.headerName ? ctx.header(c.headerName.toLowerCase()) : undefined;
      return v !== undefined ? `header:${v}` : null;
    }
    case 'path': return c.path !== null && ctx.path === c.path ? `path:${ctx.path}` : null;
    case 'consumer-group': {
      if (!ctx.consumer) return null;
      const groups = consumers.consumerGroups(ctx.consumer.id);
      if (c.consumerGroup === undefined) return groups.length ? `group:${groups[0]}` : null;
      if (c.consumerGroup === null) return null;
      const ids = consumers.consumerGroupIds(ctx.consumer.id);
      return ids.includes(c.consumerGroup) ? `group:${c.consumerGroup}` : null;
    }
    default: return null;
  }
}

/** The key of one identifier, the client IP when it finds nothing. */
export function identify(ctx: GatewayContext, c: IdentifyConfig, consumers: Consumers, identifier: Identifier = c.identifier): string {
  return lookup(ctx, c, consumers, identifier) ?? `ip:${ctx.clientIp}`;
}
