/**
 * `aigw file merge` (decK, go-apiops merge/): top-level arrays are concatenated in file order, other
 * keys are taken from the later file; files must agree on `_transform` and on the major
 * `_format_version` (the result gets the highest minor). No validation, as in decK.
 */
import { isMap, isScalar, isSeq, type Pair } from 'yaml';
import type { Io } from '../../cli/io.js';
import { AigwError } from '../../errors.js';
import type { Command } from '../types.js';
import { FILE_NOTE, readDoc, writeDoc, type DeckDoc } from './document.js';

type Version = { major: number; minor: number } | null;

function version(d: DeckDoc, io: Io): Version {
  let v = d.doc.get('_format_version');
  if (v === undefined || v === null) return null;
  // decK resolves a templated version: "${{ env "DECK_X" }}"
  const m = typeof v === 'string' ? /^\$\{\{ env "([^"]+)" \}\}$/.exec(v) : null;
  if (m !== null) {
    if (!m[1].startsWith('DECK_')) throw new AigwError('AIGW_USAGE', `environment variables in the state file must be prefixed with 'DECK_', found: '${m[1]}'`);
    v = io.env[m[1]];
    if (v === undefined || v === '') throw new AigwError('AIGW_USAGE', `environment variable '${m[1]}' is not set`);
    d.doc.set('_format_version', v);
  }
  const parts = String(v).split('.');
  if (typeof v !== 'string' || parts.length > 2 || parts.some((p) => !/^\d+$/.test(p))) throw new AigwError('AIGW_USAGE', "expected field '._format_version' to be a string in 'x.y' format");
  return { major: Number(parts[0]), minor: Number(parts[1] ?? 0) };
}

function transform(d: DeckDoc): boolean {
  const t = d.doc.get('_transform');
  return t === undefined || t === null ? true : t === true;
}

export async function mergeFiles(names: readonly string[], io: Io): Promise<DeckDoc> {
  const first = await readDoc(names[0], io);
  let v = version(first, io);
  let minor = v?.minor ?? 0;
  for (const name of names.slice(1)) {
    const next = await readDoc(name, io);
    const nv = version(next, io);
    if (transform(first) !== transform(next)) throw new AigwError('AIGW_USAGE', `failed to merge ${name}: files are incompatible; files with '_transform: true' (default) and '_transform: false' are not compatible`);
    if (v !== null && nv !== null && v.major !== nv.major) {
      throw new AigwError('AIGW_USAGE', `failed to merge ${name}: files are incompatible; major versions are incompatible; ${v.major}.${v.minor} and ${nv.major}.${nv.minor}`);
    }
    v ??= nv;
    minor = Math.max(minor, nv?.minor ?? 0);
    const target = first.doc.contents;
    const source = next.doc.contents;
    if (!isMap(target) || !isMap(source)) continue;
    for (const pair of source.items as Pair[]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (key === '_format_version') continue;
      const existing = target.get(key, true);
      if (isSeq(existing) && isSeq(pair.value)) existing.items.push(...pair.value.items);
      else target.set(key, pair.value);
    }
  }
  if (v !== null) first.doc.set('_format_version', `${v.major}.${minor}`);
  return first;
}

export const command: Command = {
  name: 'merge',
  summary: 'merge decK files into one (top-level arrays concatenated)',
  args: '<files...>',
  options: [
    { flags: '-o, --output-file <file>', description: 'output file; - for stdout', default: '-' },
    { flags: '--format <format>', description: 'output format: yaml or json', default: 'yaml' },
  ],
  notes: [FILE_NOTE],
  examples: ['aigw file merge -o merged.yaml file1.yaml file2.yaml file3.yaml'],
  async run({ args, opts }, io) {
    if (args.length === 0) throw new AigwError('AIGW_USAGE', 'requires at least 1 arg(s), only received 0');
    const merged = await mergeFiles(args, io);
    await writeDoc(merged, String(opts.outputFile ?? '-'), String(opts.format ?? 'yaml'), io);
    return 0;
  },
};
