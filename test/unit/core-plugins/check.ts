import { fillPluginDefaults } from '../../../src/config/defaults.js';
import { validatePluginConfig } from '../../../src/config/validate/index.js';

/** The errors (as `path: message`) and warnings (`warning path: message`) of a plugin config. */
export function problems(name: string, config: unknown): string[] {
  const out = validatePluginConfig(name, config);
  if (out === null) throw new Error(`unknown plugin ${name}`);
  return out.map((p) => `${p.severity === 'warning' ? 'warning ' : ''}${p.path.join('.')}: ${p.message}`);
}

/** The config with Kong's defaults filled in (what `parse` receives). */
export function filled<T>(name: string, config: Record<string, unknown>): T {
  return fillPluginDefaults(name, config) as T;
}
