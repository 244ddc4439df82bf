import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pluginPriority, schemas } from '../../../src/config/schemas.js';
import { PLUGIN_NAMES, loadAllPlugins } from '../../../src/gateway/plugins/index.js';

const PLUGINS = await loadAllPlugins();

const PLUGINS_DIR = join(import.meta.dirname, '../../../src/gateway/plugins');
const folders = readdirSync(PLUGINS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

describe('the plugin registry', () => {
  it('lists exactly the plugin folders, and each folder has a schema source', () => {
    expect([...PLUGIN_NAMES].sort()).toEqual(folders);
    expect([...PLUGINS].filter(([name, p]) => p.name !== name)).toEqual([]);
    for (const f of folders) expect(existsSync(join(PLUGINS_DIR, f, 'schema.mjs')), f).toBe(true);
  });

  it('has a built schema for every plugin and no other', () => {
    expect(schemas().knownPlugins()).toEqual(folders);
  });

  it.each(folders)('%s: the runtime priority is the one its schema source declares', async (name) => {
    const source = (await import(pathToFileURL(join(PLUGINS_DIR, name, 'schema.mjs')).href)) as { name: string; priority: number };
    expect(source.name).toBe(name);
    expect(pluginPriority(name)).toBe(source.priority);
    expect(PLUGINS.get(name)?.priority).toBeUndefined();
  });
});
