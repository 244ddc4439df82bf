/**
 * `aigw file patch` (decK, go-apiops patch/): set or remove fields on every object a selector
 * matches (`--selector` + `--value key:json` / `--value key:` / `--value '[json array]'`), or apply
 * patch files `{_format_version, patches: [{selectors, values, remove}]}`.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import type { Io } from '../../cli/io.js';
import { AigwError } from '../../errors.js';
import type { Command } from '../types.js';
import { appendTo, data, deleteField, FILE_IO_OPTIONS, FILE_NOTE, isArrayAt, isObjectAt, readDoc, select, setField, writeDoc, type DeckDoc } from './document.js';

const collect = (value: string, previous: unknown): string[] => [...(Array.isArray(previous) ? (previous as string[]) : []), value];
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface Patch {
  selectors: string[];
  values: Record<string, unknown>;
  append: unknown[];
  remove: string[];
}

/** `--value` entries → values, removals and array items (go-apiops patch/patchcli.go). */
export function parseValues(values: readonly string[]): Omit<Patch, 'selectors'> {
  const out: Omit<Patch, 'selectors'> = { values: {}, append: [], remove: [] };
  for (const content of values) {
    const t = content.trim();
    if (t.startsWith('[') && t.endsWith(']')) {
      try {
        out.append.push(...(JSON.parse(content) as unknown[]));
      } catch {
        throw new AigwError('AIGW_USAGE', `failed parsing '--value' entry; expected '--value' entry to be a valid json array '[ entry1, entry2, ... ]', failed parsing json-string in '${content}'`);
      }
      continue;
    }
    const i = content.indexOf(':');
    if (i < 0) throw new AigwError('AIGW_USAGE', `failed parsing '--value' entry; expected '--value' entry to have format 'key:json-string', or '[ json-array ], got: '${content}'`);
    const key = content.slice(0, i);
    const val = content.slice(i + 1).trim();
    if (val === '') {
      out.remove.push(key);
      continue;
    }
    try {
      out.values[key] = JSON.parse(val);
    } catch {
      throw new AigwError('AIGW_USAGE', `failed parsing '--value' entry; expected '--value' entry to have format 'key:json-string', failed parsing json-string in '${content}' (did you forget to wrap a json-string-value in quotes?)`);
    }
  }
  return out;
}

/** Apply one patch: objects get values/removals, arrays get the appended items; other matches are skipped. */
export function applyPatch(d: DeckDoc, p: Patch): void {
  if (Object.keys(p.values).length + p.remove.length + p.append.length === 0) return;
  for (const path of select(data(d), p.selectors)) {
    if (p.append.length > 0) {
      if (isArrayAt(d, path)) for (const v of p.append) appendTo(d, path, v);
      continue;
    }
    if (!isObjectAt(d, path)) continue;
    for (const [k, v] of Object.entries(p.values)) setField(d, path, k, v);
    for (const k of p.remove) deleteField(d, path, k);
  }
}

async function patchFile(name: string, io: Io): Promise<Patch[]> {
  let content: unknown;
  try {
    content = parse(await readFile(resolve(io.cwd, name), 'utf8'));
  } catch (err) {
    throw new AigwError('AIGW_IO', `failed to parse '${name}': ${(err as Error).message}`);
  }
  if (!isObj(content) || !Array.isArray(content.patches)) throw new AigwError('AIGW_USAGE', `failed to parse '${name}': ${name}: field 'patches' is not an array`);
  return content.patches.filter(isObj).filter((p) => p.values !== undefined || p.remove !== undefined).map((p, i) => {
    const where = `${name}: patches[${i}]`;
    const selectors = p.selectors === undefined ? ['$'] : p.selectors;
    if (!Array.isArray(selectors) || !selectors.every((s) => typeof s === 'string')) throw new AigwError('AIGW_USAGE', `${where}.selectors is not a string-array`);
    const remove = p.remove ?? [];
    if (!Array.isArray(remove) || !remove.every((s) => typeof s === 'string')) throw new AigwError('AIGW_USAGE', `${where}.remove is not an array`);
    const values = isObj(p.values) ? p.values : {};
    const append = Array.isArray(p.values) ? p.values : [];
    if (p.values !== undefined && !isObj(p.values) && !Array.isArray(p.values)) throw new AigwError('AIGW_USAGE', `${where}.values is neither an object nor an array`);
    for (const k of remove as string[]) if (k in values) throw new AigwError('AIGW_USAGE', `${where} is trying to change and remove '${k}' at the same time`);
    return { selectors: selectors as string[], values, append, remove: remove as string[] };
  });
}

export const command: Command = {
  name: 'patch',
  summary: 'set, remove or append values on selected objects of a decK file',
  args: '[patch-files...]',
  options: [
    ...FILE_IO_OPTIONS,
    { flags: '--selector <jsonpath>', description: 'JSONPath of the objects (or arrays) to patch (repeatable)', parse: collect },
    { flags: '--value <key:json>', description: "value to set ('key:json'), remove ('key:') or append ('[json, …]'); repeatable", parse: collect },
  ],
  notes: [FILE_NOTE],
  examples: [`aigw file patch -s kong.yaml --selector='$..services[*]' --value='read_timeout:10000'`, `aigw file patch -s kong.yaml --selector='$..routes[*].methods' --value='["OPTIONS"]'`, 'aigw file patch -s kong.yaml patches.yaml'],
  async run({ args, opts }, io) {
    const selectors = Array.isArray(opts.selector) ? (opts.selector as string[]) : [];
    const values = Array.isArray(opts.value) ? (opts.value as string[]) : [];
    if (args.length > 0 && (selectors.length > 0 || values.length > 0)) throw new AigwError('AIGW_USAGE', "cannot use patch file argument along with '--selector' and '--value'");
    if (args.length === 0 && selectors.length === 0 && values.length === 0) {
      throw new AigwError('AIGW_USAGE', "must specify at least one of these: a patch file argument or a '--selector' and '--value' combination");
    }
    if ((selectors.length === 0) !== (values.length === 0)) throw new AigwError('AIGW_USAGE', 'if any flags in the group [selector value] are set they must all be set');
    const patches: Patch[] = values.length > 0 ? [{ selectors, ...parseValues(values) }] : [];
    for (const f of args) patches.push(...(await patchFile(f, io)));
    const d = await readDoc(String(opts.state ?? '-'), io);
    for (const p of patches) applyPatch(d, p);
    await writeDoc(d, String(opts.outputFile ?? '-'), String(opts.format ?? 'yaml'), io);
    return 0;
  },
};
