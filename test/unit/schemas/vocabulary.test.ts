import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { SCHEMAS_DIR, schemaFiles, readJson, walk } from './schema-set.js';

const addFormats = addFormatsModule as unknown as (a: Ajv) => void;
const vocabulary = JSON.parse(readFileSync(join(SCHEMAS_DIR, 'aigw-keywords.json'), 'utf8')) as string[];

/** A fresh strict ajv, as a user's tool would make it; with or without aigw's vocabulary. */
function strictAjv(withVocabulary: boolean): Ajv {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true });
  addFormats(ajv);
  if (withVocabulary) ajv.addVocabulary(vocabulary);
  return ajv;
}

describe('published schemas in a strict JSON Schema tool', () => {
  // every schema of every profile compiles in strict mode with this same published list: schema-set.ts
  // (used by the schema tests) reads its keywords from schemas/aigw-keywords.json
  it('a published plugin schema compiles in ajv strict mode with schemas/aigw-keywords.json as vocabulary', () => {
    const ai = readJson(join(SCHEMAS_DIR, 'plugins', 'ai-proxy-advanced.json'));
    expect(() => strictAjv(true).compile(ai)).not.toThrow();
  });

  it('the vocabulary is needed (strict mode refuses an undeclared x- keyword) and complete (lists every x- keyword used)', () => {
    const ai = readJson(join(SCHEMAS_DIR, 'plugins', 'ai-proxy-advanced.json'));
    expect(() => strictAjv(false).compile(ai)).toThrow(/unknown keyword: "x-/);
    const used = new Set<string>();
    for (const profile of ['', '3.10', 'konnect'] as const) {
      for (const rel of schemaFiles(profile)) {
        walk(readJson(join(SCHEMAS_DIR, profile, rel)), (node) => {
          for (const k of Object.keys(node)) if (k.startsWith('x-')) used.add(k);
        });
      }
    }
    expect([...used].sort()).toEqual(vocabulary);
  });
});
