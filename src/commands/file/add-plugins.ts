/**
 * `aigw file add-plugins` (decK, go-apiops plugins/): add plugins to the objects the selectors match
 * (default: the file's top level), skipping a plugin of the same name already there unless
 * `--overwrite`. Foreign keys (service, route, consumer, consumer_group) only in the top-level list.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isMap, isScalar, isSeq, parse, type Node } from 'yaml';
import type { Io } from '../../cli/io.js';
import { AigwError } from '../../errors.js';
import type { Command } from '../types.js';
import { data, FILE_IO_OPTIONS, FILE_NOTE, isObjectAt, nodeAt, readDoc, select, setField, type DeckDoc, type Path, writeDoc } from './document.js';

const collect = (value: string, previous: unknown): string[] => [...(Array.isArray(previous) ? (previous as string[]) : []), value];
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const FOREIGN = ['service', 'route', 'consumer', 'consumer_group'];

/** go-apiops ForeignKey: the scalar foreign keys joined, `svc:::` style. */
function foreignKey(p: Obj): string {
  return FOREIGN.map((k) => (typeof p[k] === 'string' || typeof p[k] === 'number' ? String(p[k]) : '')).join(':') + ':';
}

interface AddPlugins {
  selectors: string[];
  plugins: Obj[];
  overwrite: boolean;
}

function addTo(d: DeckDoc, owner: Path, plugin: Obj, overwrite: boolean, main: boolean): void {
  if (!isSeq(nodeAt(d, [...owner, 'plugins']))) setField(d, owner, 'plugins', []);
  const seq = nodeAt(d, [...owner, 'plugins']);
  if (!isSeq(seq)) return;
  const idx = seq.items.findIndex((n) => {
    if (!isMap(n)) return false;
    const name = n.get('name', true);
    if (!isScalar(name) || String(name.value) !== plugin.name) return false;
    return !main || foreignKey(n.toJSON() as Obj) === foreignKey(plugin);
  });
  if (idx < 0) seq.items.push(d.doc.createNode(plugin) as Node);
  else if (overwrite) seq.items[idx] = d.doc.createNode(plugin) as Node;
}

export function addPlugins(d: DeckDoc, a: AddPlugins): void {
  const owners = select(data(d), a.selectors.length > 0 ? a.selectors : ['$']).filter((p) => isObjectAt(d, p));
  const onlyMain = owners.length === 1 && owners[0].length === 0;
  a.plugins.forEach((p, i) => {
    if (!onlyMain && foreignKey(p) !== '::::') throw new AigwError('AIGW_USAGE', `failed to add plugins; plugin ${i} has foreign keys, but they are only supported in the main plugin array`);
  });
  for (const p of a.plugins) for (const owner of owners) addTo(d, owner, p, a.overwrite, owner.length === 0);
}

async function pluginFile(name: string, io: Io): Promise<AddPlugins[]> {
  let content: unknown;
  try {
    content = parse(await readFile(resolve(io.cwd, name), 'utf8'));
  } catch (err) {
    throw new AigwError('AIGW_IO', `failed to parse plugin file '${name}'; ${(err as Error).message}`);
  }
  const list = isObj(content) ? content['add-plugins'] : undefined;
  if (!Array.isArray(list)) throw new AigwError('AIGW_USAGE', `failed to parse plugin file '${name}'; ${name}: field 'add-plugins' is not an array`);
  return list.filter(isObj).map((p, i) => {
    const where = `${name}: add-plugins[${i}]`;
    if (p.selectors !== undefined && (!Array.isArray(p.selectors) || !p.selectors.every((s) => typeof s === 'string'))) throw new AigwError('AIGW_USAGE', `${where}.selectors: is not an array`);
    if (!Array.isArray(p.plugins) || !p.plugins.every(isObj)) throw new AigwError('AIGW_USAGE', `${where}.plugins is not an array`);
    return { selectors: (p.selectors as string[] | undefined) ?? [], plugins: p.plugins as Obj[], overwrite: p.overwrite === true };
  });
}

export const command: Command = {
  name: 'add-plugins',
  summary: 'add plugins to selected objects of a decK file',
  args: '[plugin-files...]',
  options: [
    ...FILE_IO_OPTIONS,
    { flags: '--selector <jsonpath>', description: "JSONPath of the plugin owners (repeatable; default '$', the top level)", parse: collect },
    { flags: '--config <json>', description: 'plugin to add, as JSON; repeatable', parse: collect },
    { flags: '--overwrite', description: 'replace a plugin of the same name (default: keep the existing one)' },
  ],
  notes: [FILE_NOTE],
  examples: [`aigw file add-plugins -s kong.yaml --selector='$..services[*]' --config='{"name":"prometheus"}'`, 'aigw file add-plugins -s kong.yaml plugins.yaml'],
  async run({ args, opts }, io) {
    const configs = Array.isArray(opts.config) ? (opts.config as string[]) : [];
    const selectors = Array.isArray(opts.selector) ? (opts.selector as string[]) : [];
    if (configs.length === 0 && selectors.length > 0) throw new AigwError('AIGW_USAGE', '--selector flag given, but no --config specified');
    const plugins = configs.map((c) => {
      let v: unknown;
      try {
        v = parse(c);
      } catch {
        v = undefined;
      }
      if (!isObj(v)) throw new AigwError('AIGW_USAGE', `failed to deserialize plugin config '${c}'; expected the data to be an Object`);
      return v;
    });
    const files: AddPlugins[] = [];
    for (const f of args) files.push(...(await pluginFile(f, io)));
    const d = await readDoc(String(opts.state ?? '-'), io);
    if (plugins.length > 0) addPlugins(d, { selectors, plugins, overwrite: opts.overwrite === true });
    for (const f of files) addPlugins(d, f);
    await writeDoc(d, String(opts.outputFile ?? '-'), String(opts.format ?? 'yaml'), io);
    return 0;
  },
};
