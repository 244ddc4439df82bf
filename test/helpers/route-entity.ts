import type { Entity } from '../../src/config/state.js';

let n = 0;

/** A route entity as the router gets it (Kong's defaults), with a fresh id; `fields` override. */
export function route(name: string, fields: Record<string, unknown>): Entity {
  n++;
  return {
    id: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
    name,
    protocols: ['http', 'https'],
    methods: null,
    hosts: null,
    paths: null,
    headers: null,
    regex_priority: 0,
    strip_path: true,
    path_handling: 'v0',
    preserve_host: false,
    created_at: n,
    service: { id: 'svc' },
    ...fields,
  };
}
