/** Kong's partials in `aigw serve`: a plugin's linked partials fill its config before the plugin is created. */
import { applyPartials } from '../config/partials.js';
import type { Entity, State } from '../config/state.js';
import { AigwError } from '../errors.js';

/** The config of `plugin` with its partials applied; a link serve cannot apply refuses the plugin at startup. */
export function configWithPartials(plugin: Entity, state: State): Record<string, unknown> {
  const { config, unapplied } = applyPartials(plugin.config, plugin.partials, (id) => state.entities.partials.find((p) => p.id === id)?.config);
  const first = unapplied[0];
  if (first !== undefined) {
    throw new AigwError('AIGW_SERVE', `plugin '${String(plugin.name)}' (${plugin.id}): partial ${String(first.name ?? first.id)} at '${String(first.path)}' is not served: `
      + 'aigw serve applies partials to a config record (config.redis, config.vectordb, config.embeddings, config.llm), not to targets[]');
  }
  return config;
}
