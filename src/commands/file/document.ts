/**
 * The file commands' working copy of a decK file: a YAML document (JSON is YAML) edited in place, so
 * comments, key order and layout the commands do not touch survive — unlike decK, which re-serialises
 * everything with sorted keys. Selectors are RFC 9535 JSONPath (jsonpath-rfc9535), as go-apiops uses
 * pb33f/jsonpath; a selector without `$` is taken relative to the root (`services[*]`).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { paths as jsonPaths } from 'jsonpath-rfc9535';
import { Document, isMap, isSeq, parseDocument, type Node } from 'yaml';
import type { Io } from '../../cli/io.js';
import { AigwError } from '../../errors.js';

export type Path = Array<string | number>;
type Obj = Record<string, unknown>;

export interface DeckDoc {
  doc: Document;
  /** Where it came from (`-` for stdin), for messages. */
  name: string;
  /** The input was JSON: a YAML output is written afresh, not as JSON-in-YAML. */
  json: boolean;
}

export async function readDoc(name: string, io: Io): Promise<DeckDoc> {
  let text: string;
  try {
    text = name === '-' ? await io.readStdin() : await readFile(resolve(io.cwd, name), 'utf8');
  } catch (err) {
    throw new AigwError('AIGW_IO', `failed to read input file '${name}'; ${(err as Error).message}`);
  }
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) throw new AigwError('AIGW_SYNTAX', `failed to read input file '${name}'; ${doc.errors[0].message}`);
  const contents = doc.contents;
  if (contents !== null && !isMap(contents)) throw new AigwError('AIGW_SYNTAX', `failed to read input file '${name}'; expected the data to be an Object`);
  if (contents === null) doc.contents = doc.createNode({}) as Node as typeof doc.contents;
  return { doc, name, json: /^\s*\{/.test(text) };
}

/** The document as plain data. */
export function data(d: DeckDoc): Obj {
  return (d.doc.toJS() ?? {}) as Obj;
}

/** `$['services'][0]['name']` → `['services', 0, 'name']`. */
function parsePath(normalized: string): Path {
  const out: Path = [];
  for (const m of normalized.matchAll(/\[(?:'((?:[^'\\]|\\.)*)'|(\d+))\]/g)) {
    out.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? '').replace(/\\(.)/g, (_x, c: string) => (c === 'b' ? '\b' : c === 'f' ? '\f' : c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c)));
  }
  return out;
}

/** Paths of every value the selectors match (each once, in selector order). */
export function select(value: unknown, selectors: readonly string[]): Path[] {
  const seen = new Set<string>();
  const out: Path[] = [];
  for (const raw of selectors) {
    const selector = raw.startsWith('$') ? raw : `$.${raw}`;
    let found: string[];
    try {
      found = jsonPaths(value as Parameters<typeof jsonPaths>[0], selector);
    } catch (err) {
      throw new AigwError('AIGW_USAGE', `selector '${raw}' is not a valid JSONpath expression; ${(err as Error).message}`);
    }
    for (const p of found) {
      if (seen.has(p)) continue;
      seen.add(p);
      out.push(parsePath(p));
    }
  }
  return out;
}

export function nodeAt(d: DeckDoc, path: Path): unknown {
  return path.length === 0 ? d.doc.contents : d.doc.getIn(path, true);
}

export const isObjectAt = (d: DeckDoc, path: Path): boolean => isMap(nodeAt(d, path));
export const isArrayAt = (d: DeckDoc, path: Path): boolean => isSeq(nodeAt(d, path));

/** Set `key` of the object at `path` (a new key goes last, as decK appends it). */
export function setField(d: DeckDoc, path: Path, key: string, value: unknown): void {
  d.doc.setIn([...path, key], d.doc.createNode(value));
}

export function deleteField(d: DeckDoc, path: Path, key: string): void {
  d.doc.deleteIn([...path, key]);
}

export function appendTo(d: DeckDoc, path: Path, value: unknown): void {
  const seq = nodeAt(d, path);
  if (isSeq(seq)) seq.items.push(d.doc.createNode(value) as Node);
}

/** Serialise as yaml or json, to a file or stdout. */
export async function writeDoc(d: DeckDoc, output: string, format: string, io: Io): Promise<void> {
  const f = format.toLowerCase();
  if (f !== 'yaml' && f !== 'json') throw new AigwError('AIGW_USAGE', `expected 'format' to be either 'yaml' or 'json', got: '${format}'`);
  const text = f === 'json' ? `${JSON.stringify(d.doc.toJS() ?? {}, null, 2)}\n` : d.json ? new Document(d.doc.toJS()).toString({ lineWidth: 0, flowCollectionPadding: false }) : d.doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  if (output === '-') io.out(text.replace(/\n$/, ''));
  else {
    try {
      await writeFile(resolve(io.cwd, output), text);
    } catch (err) {
      throw new AigwError('AIGW_IO', `failed to create output file '${output}'; ${(err as Error).message}`);
    }
  }
}

/** The options every file command shares (decK's names and defaults). */
export const FILE_IO_OPTIONS = [
  { flags: '-s, --state <file>', description: 'decK file to process; - for stdin', default: '-' },
  { flags: '-o, --output-file <file>', description: 'output file; - for stdout', default: '-' },
  { flags: '--format <format>', description: 'output format: yaml or json', default: 'yaml' },
];

export const FILE_NOTE = 'Differs from decK on purpose: the file is edited in place, so comments, key order and layout survive (decK re-serialises with sorted keys).';
