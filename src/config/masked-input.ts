/**
 * A dump written without `--show-secrets` holds `[masked]` where its secrets were. Used as input
 * it would overwrite every secret on the gateway with that text, and the credentials whose ids
 * derive from their keys would all collide ("key-auth '[masked]' is defined more than once").
 * The loader recognises such a file here, before normalisation, and refuses it with one message
 * per file that says what it is and how to get a restorable dump.
 */
import type { RawEntity } from './collect.js';
import type { Issue } from './issues.js';
import { kongProfile, schemas } from './schemas.js';
import { MASK, secretPathsFromSchema } from './secret-paths.js';
import type { JsonPath, SourceFile } from './source.js';

const pluginPaths = new Map<string, string[][]>();

/** Secret paths of one raw entity: its kind's fields and, for a plugin, its `x-secret` config fields. */
function secretPaths(raw: RawEntity): string[][] {
  const paths = raw.kind.secrets.map((p) => p.split('.'));
  const name = raw.data.name;
  if (raw.kind.name === 'plugins' && typeof name === 'string') {
    const key = `${kongProfile()}:${name}`;
    let own = pluginPaths.get(key);
    if (own === undefined) {
      const schema = schemas().plugin(name);
      own = schema === undefined ? [] : secretPathsFromSchema(schema);
      pluginPaths.set(key, own);
    }
    paths.push(...own.map((p) => ['config', ...p]));
  }
  return paths;
}

/** Concrete paths (wildcards expanded) under `value` where a masked string sits. */
function maskedAt(value: unknown, path: readonly string[], at: JsonPath, out: JsonPath[]): void {
  if (path.length === 0) {
    if (typeof value === 'string' && value.includes(MASK)) out.push(at);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const [seg, ...rest] = path;
  if (Array.isArray(value)) {
    if (seg === '*') value.forEach((v, i) => maskedAt(v, rest, [...at, i], out));
    return;
  }
  const obj = value as Record<string, unknown>;
  for (const key of seg === '*' ? Object.keys(obj) : [seg]) if (key in obj) maskedAt(obj[key], rest, [...at, key], out);
}

function describe(path: JsonPath): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** One error per file whose secret fields hold `[masked]`, at the first of them; none otherwise. */
export function maskedInputIssues(raws: readonly RawEntity[]): Issue[] {
  const byFile = new Map<SourceFile, JsonPath[]>();
  for (const raw of raws) {
    const found: JsonPath[] = [];
    for (const p of secretPaths(raw)) maskedAt(raw.data, p, raw.path, found);
    if (found.length === 0) continue;
    const list = byFile.get(raw.file) ?? [];
    list.push(...found);
    byFile.set(raw.file, list);
  }
  return [...byFile].map(([file, paths]) => {
    const n = paths.length;
    const message =
      `${file.name} holds masked secrets: ${n} secret field${n === 1 ? ' is' : 's are'} "${MASK}" (first: ${describe(paths[0])}). ` +
      'It looks like a dump written without --show-secrets, and using it would overwrite those secrets on the gateway. ' +
      `Write a restorable dump with: aigw dump --show-secrets -o ${file.name === '<stdin>' ? 'kong.yaml' : file.name}`;
    return file.issueAt(paths[0], 'value', 'error', 'AIGW_MASKED_INPUT', message);
  });
}
