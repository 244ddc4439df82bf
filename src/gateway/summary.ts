/**
 * The startup summary of `aigw serve`: listeners, routes (paths, hosts, methods, service,
 * plugins) and warnings. Pure: Runtime in, lines out.
 */
import { describeTarget } from './upstream.js';
import type { Runtime } from './runtime.js';

const list = (v: unknown): string => (Array.isArray(v) && v.length ? v.join(',') : '');

export function summaryLines(rt: Runtime, proxyUrl: string, adminUrl: string | null, dashboardUrl: string | null = null): string[] {
  const lines = [`proxy listening on ${proxyUrl}`];
  lines.push(adminUrl ? `status/admin listening on ${adminUrl} (/status, /metrics, Admin API)` : 'status/admin listener disabled');
  if (dashboardUrl) lines.push(`dashboard: ${dashboardUrl}`);
  lines.push(`${rt.router.routes.length} route${rt.router.routes.length === 1 ? '' : 's'}:`);
  for (const r of rt.router.routes) {
    const e = r.entity;
    const svc = r.serviceId ? rt.services.get(r.serviceId) : undefined;
    const plugins = rt.chains.get(r.id)?.entries.map((p) => (p.base ? p.name : `${p.name}(consumer)`)) ?? [];
    const parts = [
      `  ${r.name ?? r.id}`,
      list(e.methods) && `methods=${list(e.methods)}`,
      list(e.hosts) && `hosts=${list(e.hosts)}`,
      list(e.paths) && `paths=${list(e.paths)}`,
      e.headers && typeof e.headers === 'object' && Object.keys(e.headers).length ? `headers=${Object.keys(e.headers).join(',')}` : '',
      typeof e.expression === 'string' && e.expression !== '' ? `expression=${e.expression} priority=${typeof e.priority === 'number' ? e.priority : 0}` : '',
      `→ ${svc ? `${svc.info.name ?? svc.info.id} (${describeTarget(svc.target)})` : 'no service'}`,
      plugins.length ? `plugins=${plugins.join(',')}` : '',
    ];
    lines.push(parts.filter(Boolean).join('  '));
  }
  for (const w of rt.warnings) lines.push(`warning: ${w}`);
  return lines;
}
