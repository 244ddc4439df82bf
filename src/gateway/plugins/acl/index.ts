/**
 * acl: allow or deny consumer groups.
 */
import type { KongPlugin } from '../../plugin.js';

interface AclConfig {
  allow: Set<string> | null;
  deny: Set<string> | null;
  hideGroupsHeader: boolean;
}

export const acl: KongPlugin<'acl', AclConfig> = {
  name: 'acl',
  parse: (c) => ({
    allow: Array.isArray(c.allow) ? new Set((c.allow ?? [])) : null,
    deny: Array.isArray(c.deny) ? new Set((c.deny ?? [])) : null,
    hideGroupsHeader: (c.hide_groups_header ?? false),
  }),
  create(c, deps) {
    return {
      access(ctx) {
        const consumer = ctx.consumer;
        if (!consumer) return { status: 401, message: 'Unauthorized' };
        const groups = deps.consumers.groups(consumer.id);
        ctx.groups = groups;
        const blocked = c.deny ? groups.some((g) => c.deny?.has(g)) : !groups.some((g) => c.allow?.has(g));
        if (blocked) return { status: 403, message: 'You cannot consume this service' };
        if (c.hideGroupsHeader) delete ctx.upstreamHeaders['x-consumer-groups'];
        else if (groups.length) ctx.upstreamHeaders['x-consumer-groups'] = groups.join(', ');
        return undefined;
      },
    };
  },
};
