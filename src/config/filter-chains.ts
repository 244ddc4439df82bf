/**
 * Proxy-Wasm filter chains (Kong 3.4+ `filter_chains`). Kong accepts a filter only when it is
 * installed on the gateway (its schema: `one_of` the installed filters, "no such filter"); aigw
 * serve installs none and runs no Wasm. `aigw validate` warns (the Kong gateway a file is synced
 * to may have the filters); `aigw serve` refuses an enabled chain from a file and serves one from
 * its database fail closed (gateway/broken-entities.ts).
 */
import type { Entity } from './state.js';

const NONE_INSTALLED = 'aigw serve installs no Proxy-Wasm filters';

/** The filters of a chain, as written (anything else is left to the schema). */
function filtersOf(e: Readonly<Record<string, unknown>>): Array<{ index: number; name: string }> {
  const filters = Array.isArray(e.filters) ? e.filters : [];
  return filters.flatMap((f: unknown, index) => {
    const name = f !== null && typeof f === 'object' ? (f as { name?: unknown }).name : undefined;
    return typeof name === 'string' ? [{ index, name }] : [];
  });
}

/** One warning per filter of a chain (`aigw validate`): it must be installed on the Kong gateway. */
export function filterNameWarnings(e: Readonly<Record<string, unknown>>): Array<{ path: Array<string | number>; message: string }> {
  return filtersOf(e).map(({ index, name }) => ({
    path: ['filters', index, 'name'],
    message: `filter '${name}' must be a Proxy-Wasm filter installed on the Kong gateway (Kong: no such filter); ${NONE_INSTALLED}, `
      + 'so it refuses an enabled filter chain from a file and answers 500 in its scope in database mode',
  }));
}

/** Why `aigw serve` cannot run a filter chain (Kong's error on its first filter), or null when the chain is disabled. */
export function filterChainRefusal(e: Entity): string | null {
  if (e.enabled === false) return null;
  const first = filtersOf(e)[0];
  const kong = first === undefined ? 'no filters' : `filters.${first.index + 1}.name: no such filter ('${first.name}')`;
  return `${kong}: ${NONE_INSTALLED}; disable the filter chain (enabled: false) or remove it to serve the configuration locally`;
}
