/**
 * `aigw file namespace` (decK, go-apiops namespace/): prefix the paths of the selected routes (default:
 * every route) with `--path-prefix`, and/or add `--host`s. Where a route does not strip its path, a
 * `pre-function` plugin that strips the prefix goes on the route, or on its service when every route
 * of that service needs it (or the service `path` absorbs it) — exactly as decK does.
 */
import { isMap, isSeq } from 'yaml';
import { AigwError } from '../../errors.js';
import type { Command } from '../types.js';
import { appendTo, data, FILE_IO_OPTIONS, FILE_NOTE, nodeAt, readDoc, select, setField, writeDoc, type DeckDoc, type Path } from './document.js';
import { ENTITY_POINTERS } from './entity-pointers.js';

const collect = (value: string, previous: unknown): string[] => [...(Array.isArray(previous) ? (previous as string[]) : []), value];
type Obj = Record<string, unknown>;
const key = (p: Path): string => JSON.stringify(p);

export function checkNamespace(ns: string): void {
  if (!ns.startsWith('/') || ns.length === 1 || ns.startsWith('//')) {
    throw new AigwError('AIGW_USAGE', `invalid path-prefix '${ns}': invalid namespace; the namespace MUST start with '/', and cannot be empty, got: '${ns}'`);
  }
}

export function prefixPath(path: string, namespace: string): string {
  let ns = namespace;
  let strip = '/';
  if (path.startsWith('~')) {
    ns = `~${ns}`;
    strip = `~${strip}`;
  }
  const extra = !ns.endsWith('/') && path !== '/' && path !== '~/' && path !== '~/$' ? '/' : '';
  return ns + extra + (path.startsWith(strip) ? path.slice(strip.length) : path);
}

/** The Lua go-apiops injects to strip the namespace before proxying (kept verbatim: it is decK's output). */
export function stripFunction(ns: string): string {
  return `local ns='${ns}' -- this strips the '${ns}' namespace from the path
local nst=ns:sub(-1,-1)=='/' and ns or (ns..'/')
local function sn(u)
\tlocal s,e=u:find(nst,1,true)
\tif s then
\t\treturn u:sub(1,s)..u:sub(e+1,-1)
\tend
\tif u:sub(-#ns,-1)==ns then
\t\tu=u:sub(1,-#ns-1)
\t\tif u=='' then u='/' end
\tend
\treturn u
end
ngx.var.upstream_uri=sn(ngx.var.upstream_uri)`;
}

const preFunction = (ns: string): Obj => ({ name: 'pre-function', config: { access: [stripFunction(ns)] } });

/** Prefix one route's paths; true when it does not strip them (so something must). */
function updateRoute(d: DeckDoc, route: Path, ns: string): boolean {
  const r = (d.doc.getIn(route) ?? {}) as unknown;
  const obj = (isMap(r) ? r.toJSON() : {}) as Obj;
  if (nodeAt(d, [...route, 'paths']) === undefined) setField(d, route, 'paths', []);
  if (!isSeq(nodeAt(d, [...route, 'paths']))) return false;
  const stripPath = obj.strip_path === undefined ? true : obj.strip_path === true;
  const paths = Array.isArray(obj.paths) ? (obj.paths as string[]) : [];
  if (paths.length === 0) {
    appendTo(d, [...route, 'paths'], ns);
    return !stripPath;
  }
  let updates = 0;
  paths.forEach((p, i) => {
    const next = prefixPath(p, ns);
    if (next !== p) {
      d.doc.setIn([...route, 'paths', i], next);
      updates++;
    }
  });
  return updates !== 0 && !stripPath;
}

function serviceOf(d: DeckDoc, route: Path, services: Path[]): Path | null {
  if (route[0] === 'services' && route.length === 4) return route.slice(0, 2);
  const ref = d.doc.getIn([...route, 'service']);
  if (typeof ref !== 'string') return null;
  return services.find((s) => d.doc.getIn([...s, 'id']) === ref) ?? services.find((s) => d.doc.getIn([...s, 'name']) === ref) ?? null;
}

function stripOnService(d: DeckDoc, service: Path, ns: string): void {
  const raw = d.doc.getIn([...service, 'path']);
  let path = typeof raw === 'string' ? (raw.endsWith('/') ? raw : `${raw}/`) : '';
  if (path === '/') path = '';
  const suffix = ns.endsWith('/') ? ns : `${ns}/`;
  if (path !== '' && path.endsWith(suffix)) d.doc.setIn([...service, 'path'], `${path.slice(0, -suffix.length)}/`);
  else addStrip(d, service, ns);
}

function addStrip(d: DeckDoc, owner: Path, ns: string): void {
  if (nodeAt(d, [...owner, 'plugins']) === undefined) setField(d, owner, 'plugins', []);
  appendTo(d, [...owner, 'plugins'], preFunction(ns));
}

function namespacePaths(d: DeckDoc, targets: Path[], all: Path[], ns: string): void {
  const services = select(data(d), ENTITY_POINTERS.services).filter((p) => isMap(nodeAt(d, p)));
  const needs: Path[] = [];
  const noNeed = all.filter((r) => !targets.some((t) => key(t) === key(r)));
  for (const r of targets) (updateRoute(d, r, ns) ? needs : noNeed).push(r);
  const perService = new Map<string, { service: Path; routes: Path[] }>();
  const onRoutes: Path[] = [];
  for (const r of needs) {
    const s = serviceOf(d, r, services);
    if (s === null) onRoutes.push(r);
    else perService.set(key(s), { service: s, routes: [...(perService.get(key(s))?.routes ?? []), r] });
  }
  for (const r of noNeed) {
    const s = serviceOf(d, r, services);
    const hit = s === null ? undefined : perService.get(key(s));
    if (hit !== undefined && s !== null) {
      onRoutes.push(...hit.routes);
      perService.delete(key(s));
    }
  }
  for (const r of onRoutes) addStrip(d, r, ns);
  for (const { service } of perService.values()) stripOnService(d, service, ns);
}

function namespaceHosts(d: DeckDoc, targets: Path[], hosts: string[], clear: boolean): void {
  for (const r of targets) {
    const node = nodeAt(d, [...r, 'hosts']);
    if (node === undefined) {
      if (hosts.length === 0) continue;
      setField(d, r, 'hosts', []);
    } else if (!isSeq(node)) continue;
    const current = clear ? [] : ((d.doc.getIn([...r, 'hosts']) as { toJSON(): unknown } | undefined)?.toJSON() as string[] | undefined) ?? [];
    if (clear) setField(d, r, 'hosts', []);
    for (const h of hosts) if (!current.includes(h)) {
      appendTo(d, [...r, 'hosts'], h);
      current.push(h);
    }
  }
}

export const command: Command = {
  name: 'namespace',
  summary: 'apply a namespace to routes of a decK file, by path prefix or host',
  options: [
    ...FILE_IO_OPTIONS,
    { flags: '--selector <jsonpath>', description: 'JSONPath of the routes to namespace (repeatable; default: every route)', parse: collect },
    { flags: '-p, --path-prefix <prefix>', description: 'the path-based namespace to apply' },
    { flags: '--host <host>', description: 'hostname to add for host-based namespacing (repeatable)', parse: collect },
    { flags: '-c, --clear-hosts', description: 'clear existing hosts' },
    { flags: '--allow-empty-selectors', description: 'do not fail when the selectors match no route' },
  ],
  notes: [FILE_NOTE],
  examples: ['aigw file namespace -s kong.yaml --path-prefix=/team-a', `aigw file namespace -s kong.yaml --selector='$.services[?(@.name=="llm")].routes[*]' --host ai.example.com --clear-hosts`],
  async run({ opts }, io) {
    const ns = typeof opts.pathPrefix === 'string' ? opts.pathPrefix : '';
    if (ns !== '') checkNamespace(ns);
    const hosts = Array.isArray(opts.host) ? (opts.host as string[]) : [];
    const d = await readDoc(String(opts.state ?? '-'), io);
    const all = select(data(d), ENTITY_POINTERS.routes).filter((p) => isMap(nodeAt(d, p)));
    const selectors = Array.isArray(opts.selector) ? (opts.selector as string[]) : [];
    const chosen = selectors.length === 0 ? all : select(data(d), selectors);
    if (chosen.some((c) => !all.some((r) => key(r) === key(c)))) throw new AigwError('AIGW_USAGE', `the selectors returned non-route entities; ${chosen.filter((c) => !all.some((r) => key(r) === key(c))).length}`);
    const allowEmpty = opts.allowEmptySelectors === true;
    const empty = chosen.length === 0 && !allowEmpty;
    if (ns !== '') {
      if (empty) throw new AigwError('AIGW_USAGE', 'failed to apply the path namespace: no routes matched the selectors (use --allow-empty-selectors to suppress this error)');
      if (chosen.length > 0) namespacePaths(d, chosen, all, ns);
    }
    if (hosts.length > 0 || opts.clearHosts === true) {
      if (empty) throw new AigwError('AIGW_USAGE', 'failed to apply the host namespace: no routes matched the selectors (use --allow-empty-selectors to suppress this error)');
      namespaceHosts(d, chosen, hosts, opts.clearHosts === true);
    }
    await writeDoc(d, String(opts.outputFile ?? '-'), String(opts.format ?? 'yaml'), io);
    return 0;
  },
};
