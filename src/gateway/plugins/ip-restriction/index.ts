/**
 * ip-restriction: allow/deny lists of IPs and CIDRs (IPv4 and IPv6).
 */
import { BlockList, isIP } from 'node:net';
import type { KongPlugin } from '../../plugin.js';

interface IpRestrictionConfig {
  allow: BlockList | null;
  deny: BlockList | null;
  status: number;
  message: string | null;
}

export function blockList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const e of entries) {
    const [addr, bits] = e.split('/');
    const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (isIP(addr) === 0) throw new Error(`invalid ip or cidr range: '${e}'`);
    if (bits === undefined) list.addAddress(addr, family);
    else list.addSubnet(addr, Number(bits), family);
  }
  return list;
}

const contains = (list: BlockList, ip: string): boolean => list.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');

export const ipRestriction: KongPlugin<'ip-restriction', IpRestrictionConfig> = {
  name: 'ip-restriction',
  parse: (c) => {
    const allow = (c.allow ?? []);
    const deny = (c.deny ?? []);
    if (!allow.length && !deny.length) throw new Error('at least one of these fields must be non-empty: allow, deny');
    return {
      allow: allow.length ? blockList(allow) : null,
      deny: deny.length ? blockList(deny) : null,
      status: (c.status ?? 403),
      message: (c.message ?? null),
    };
  },
  create(c) {
    return {
      access(ctx) {
        const ip = ctx.clientIp;
        const known = isIP(ip) !== 0;
        const blocked = !known || (c.deny !== null && contains(c.deny, ip)) || (c.allow !== null && !contains(c.allow, ip));
        if (!blocked) return undefined;
        return { status: c.status, message: c.message ?? `IP address not allowed: ${ip}` };
      },
    };
  },
};
