/**
 * The Config and limits views, read from the Runtime being served. Only names and non-secret facts
 * leave here: credentials, certificates and plugin configs are counted, never shown.
 */
import type { Entity } from '../../config/state.js';
import { refId } from '../../config/state.js';
import type { Runtime } from '../runtime.js';
import type { ConfigView, LimitRow, LimitsView } from './api-types.js';
import type { ConfigLog } from './feed.js';

const nameOf = (e: Entity | undefined): string => (e === undefined ? '?' : typeof e.name === 'string' ? e.name : typeof e.username === 'string' ? e.username : e.id);
const list = (v: unknown): string => (Array.isArray(v) && v.length ? v.join(', ') : '');

function serviceDetail(e: Entity): string {
  const port = e.port === null || e.port === undefined ? '' : `:${String(e.port)}`;
  return `${String(e.protocol ?? 'http')}://${String(e.host ?? '')}${port}${typeof e.path === 'string' ? e.path : ''}`;
}

function pluginScope(rt: Runtime, p: Entity): string {
  const find = (kind: 'routes' | 'services' | 'consumers', id: string | null) => (id === null ? null : rt.state.entities[kind].find((e) => e.id === id));
  const parts = [
    refId(p.route) !== null ? `route ${nameOf(find('routes', refId(p.route)) ?? undefined)}` : null,
    refId(p.service) !== null ? `service ${nameOf(find('services', refId(p.service)) ?? undefined)}` : null,
    refId(p.consumer) !== null ? `consumer ${nameOf(find('consumers', refId(p.consumer)) ?? undefined)}` : null,
  ].filter((x) => x !== null);
  return `${parts.length ? parts.join(', ') : 'global'}${p.enabled === false ? ' (disabled)' : ''}`;
}

function entitiesOf(rt: Runtime): ConfigView['entities'] {
  const e = rt.state.entities;
  return [
    ...e.services.map((s) => ({ kind: 'service', name: nameOf(s), detail: serviceDetail(s) })),
    ...e.routes.map((r) => ({ kind: 'route', name: nameOf(r), detail: [list(r.methods), list(r.hosts), list(r.paths), typeof r.expression === 'string' ? r.expression : ''].filter(Boolean).join('  ') })),
    ...e.plugins.map((p) => ({ kind: 'plugin', name: String(p.name), detail: pluginScope(rt, p) })),
    ...e.consumers.map((c) => ({ kind: 'consumer', name: nameOf(c), detail: typeof c.custom_id === 'string' ? `custom_id ${c.custom_id}` : '' })),
    ...e.upstreams.map((u) => ({ kind: 'upstream', name: nameOf(u), detail: `${String(u.algorithm ?? 'round-robin')}, ${e.targets.filter((t) => refId(t.upstream) === u.id).length} targets` })),
  ];
}

export function configView(rt: Runtime, log: ConfigLog, mode: string, describe: string, hash: string): ConfigView {
  const counts: Record<string, number> = {};
  for (const [kind, items] of Object.entries(rt.state.entities)) if (items.length > 0) counts[kind] = items.length;
  return { mode, describe, hash, counts, entities: entitiesOf(rt), warnings: [...rt.warnings], reloads: log.reloads.toArray().reverse(), lastInvalid: log.lastInvalid };
}

/** A counter's subject in words: consumers by name, `ip:`/`consumer:` prefixes spelled out. */
function subjectName(rt: Runtime, subject: string): string {
  const [kind, rest] = subject.includes(':') && /^[a-z-]+:/.test(subject) ? [subject.slice(0, subject.indexOf(':')), subject.slice(subject.indexOf(':') + 1)] : [null, subject];
  const consumer = rt.consumers.find(rest);
  if (consumer && consumer.id === rest) return `consumer ${consumer.username ?? consumer.custom_id ?? consumer.id}`;
  return kind === null ? rest : `${kind} ${rest}`;
}

export async function limitsView(rt: Runtime, now: number): Promise<LimitsView> {
  const rows: LimitRow[] = [];
  const unavailable: LimitsView['unavailable'] = [];
  for (const { entity, instance } of rt.plugins) {
    if (!instance.limits) continue;
    const plugin = String(entity.name);
    try {
      for (const l of await instance.limits(now)) {
        rows.push({ plugin, pluginId: entity.id, scope: pluginScope(rt, entity), subject: subjectName(rt, l.subject), window: l.window, unit: l.unit, limit: l.limit, used: l.used, remaining: Math.max(0, l.limit - l.used), resetSeconds: l.resetSeconds });
      }
    } catch (err) {
      unavailable.push({ plugin, pluginId: entity.id, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  rows.sort((a, b) => a.remaining / (a.limit || 1) - b.remaining / (b.limit || 1));
  return { rows, unavailable };
}
