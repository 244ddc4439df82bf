/**
 * `aigw file add-tags | remove-tags | list-tags` (decK, go-apiops tags/tags.go): tags on every entity
 * the selectors match (default: every entity that can hold tags).
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Document, isScalar, isSeq } from 'yaml';
import type { Io } from '../../cli/io.js';
import { AigwError } from '../../errors.js';
import type { Command, OptionSpec } from '../types.js';
import { appendTo, data, deleteField, FILE_IO_OPTIONS, FILE_NOTE, isObjectAt, nodeAt, readDoc, select, setField, writeDoc, type DeckDoc, type Path } from './document.js';
import { TAG_OWNERS } from './entity-pointers.js';

const collect = (value: string, previous: unknown): string[] => [...(Array.isArray(previous) ? (previous as string[]) : []), value];
const SELECTOR: OptionSpec = { flags: '--selector <jsonpath>', description: 'JSONPath of the objects to work on (repeatable; default: every Kong entity)', parse: collect };
const selectorsOf = (opts: Record<string, unknown>): string[] => (Array.isArray(opts.selector) && opts.selector.length > 0 ? (opts.selector as string[]) : TAG_OWNERS);

/** The matched objects (non-objects are skipped, as decK does). */
function owners(d: DeckDoc, opts: Record<string, unknown>): Path[] {
  return select(data(d), selectorsOf(opts)).filter((p) => isObjectAt(d, p));
}

function tagsOf(d: DeckDoc, owner: Path): string[] | null {
  const seq = nodeAt(d, [...owner, 'tags']);
  if (!isSeq(seq)) return null;
  return seq.items.filter((i) => isScalar(i)).map((i) => String((i as { value: unknown }).value));
}

export const addTags: Command = {
  name: 'add-tags',
  summary: 'add tags to the entities of a decK file',
  args: '<tags...>',
  options: [...FILE_IO_OPTIONS, SELECTOR],
  notes: [FILE_NOTE],
  examples: ["aigw file add-tags --selector='services[*]' tag1 tag2 < kong.yaml", 'aigw file add-tags -s kong.yaml -o tagged.yaml team-a'],
  async run({ args, opts }, io) {
    if (args.length === 0) throw new AigwError('AIGW_USAGE', 'give at least one tag');
    const d = await readDoc(String(opts.state ?? '-'), io);
    for (const owner of owners(d, opts)) {
      const have = tagsOf(d, owner);
      if (have === null) setField(d, owner, 'tags', []);
      for (const tag of args) if (!(have ?? []).includes(tag)) appendTo(d, [...owner, 'tags'], tag);
    }
    await writeDoc(d, String(opts.outputFile ?? '-'), String(opts.format ?? 'yaml'), io);
    return 0;
  },
};

export const removeTags: Command = {
  name: 'remove-tags',
  summary: 'remove tags from the entities of a decK file',
  args: '[tags...]',
  options: [
    ...FILE_IO_OPTIONS,
    SELECTOR,
    { flags: '--keep-empty-array', description: 'keep empty tag arrays in the output' },
    { flags: '--keep-only', description: 'remove every tag except the ones listed (none listed: remove all)' },
  ],
  notes: [FILE_NOTE],
  examples: ['aigw file remove-tags -s kong.yaml tag1', 'aigw file remove-tags -s kong.yaml --keep-only team-a'],
  async run({ args, opts }, io) {
    const keepOnly = opts.keepOnly === true;
    if (!keepOnly && args.length === 0) throw new AigwError('AIGW_USAGE', 'no tags to remove');
    const d = await readDoc(String(opts.state ?? '-'), io);
    for (const owner of owners(d, opts)) {
      const have = tagsOf(d, owner);
      if (have === null) continue;
      const keep = have.filter((t) => (keepOnly ? args.includes(t) : !args.includes(t)));
      if (keep.length === have.length) {
        if (keep.length === 0 && opts.keepEmptyArray !== true) deleteField(d, owner, 'tags');
        continue;
      }
      if (keep.length === 0 && opts.keepEmptyArray !== true) deleteField(d, owner, 'tags');
      else setField(d, owner, 'tags', keep);
    }
    await writeDoc(d, String(opts.outputFile ?? '-'), String(opts.format ?? 'yaml'), io);
    return 0;
  },
};

async function writeTagList(list: string[], opts: Record<string, unknown>, io: Io): Promise<void> {
  const format = String(opts.format ?? 'plain').toLowerCase();
  const out = String(opts.outputFile ?? '-');
  if (format !== 'plain') return writeDoc({ doc: new Document({ tags: list }), name: '-', json: false }, out, format, io);
  if (out === '-') io.out(list.join('\n'));
  else await writeFile(resolve(io.cwd, out), list.join('\n'));
}

export const listTags: Command = {
  name: 'list-tags',
  summary: 'list the tags used in a decK file',
  options: [
    { flags: '-s, --state <file>', description: 'decK file to process; - for stdin', default: '-' },
    { flags: '-o, --output-file <file>', description: 'output file; - for stdout', default: '-' },
    { flags: '--format <format>', description: 'output format: plain (one per line), yaml or json', default: 'plain' },
    SELECTOR,
  ],
  examples: ['aigw file list-tags -s kong.yaml', 'aigw file list-tags -s kong.yaml --format json'],
  async run({ opts }, io) {
    const d = await readDoc(String(opts.state ?? '-'), io);
    const all = new Set<string>();
    for (const owner of owners(d, opts)) for (const t of tagsOf(d, owner) ?? []) all.add(t);
    await writeTagList([...all].sort(), opts, io);
    return 0;
  },
};
