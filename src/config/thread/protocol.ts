/**
 * Messages between the main thread and the configuration-loading thread (load-thread.ts): a
 * request names the inputs, the answer carries the State and the issues as plain data (structured
 * clone); everything else of a LoadResult (source files, positions) stays in the thread.
 */
import { hash } from 'node:crypto';
import type { KongProfile } from '../kong-version.js';
import type { Issue } from '../issues.js';
import type { Entity, State } from '../state.js';
import type { KindName } from '../kinds.js';

export type LoadRequest = {
  id: number;
  /** The schema profile active on the main thread (`--kong-version`). */
  profile: KongProfile;
  env: Record<string, string | undefined>;
  /** The digest (`entityDigest`) of every entity the main thread holds from earlier answers, by `reuseKey`. */
  known: Array<[string, string]>;
} & ({ kind: 'files'; inputs: string[]; cwd: string } | { kind: 'text'; text: string | Uint8Array; name: string; json?: boolean });

/**
 * A State crosses in parts of at most PART_SIZE entities (each message is deserialised in its own
 * task on the main thread, so no single task copies 5,000 entities), then the rest. An entity
 * whose digest is the one the request listed for its kind and id crosses as its id (a string):
 * the main thread keeps the object it has. `digests`: the digest of each entity that crossed whole,
 * in order (one sent as its id has the digest the request listed: nothing new is allocated for it).
 * `refused`: a `json` text that is not a JSON body (config-body.ts), with the Admin API's message.
 */
export type LoadAnswer =
  /** The configuration process started (sent once, first). */
  | { ready: true }
  | { id: number; part: { kind: KindName; entities: Array<Entity | string>; digests: string[] } }
  | { id: number; refused: string }
  | { id: number; state: (Omit<State, 'entities'> & { entities: Partial<Record<KindName, Entity[]>> }) | null; issues: Issue[] }
  | { id: number; error: string };

export const PART_SIZE = 250;

/** A request's text: bytes (a body, transferred without a copy) are UTF-8. */
export const textOf = (t: string | Uint8Array): string => (typeof t === 'string' ? t : Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString('utf8'));

/** Key of an entity (kind and id) in `LoadRequest.known`. */
export const reuseKey = (kind: KindName, id: string): string => `${kind}\0${id}`;

/**
 * The values JSON has no text of its own for (`undefined`, which JSON drops or writes as null; NaN,
 * ±Infinity and −0, which it writes as null or 0; a bigint, which it refuses) written as objects
 * with a key of one NUL character, which state files do not use: entities that differ only in them
 * still differ in their digests.
 */
function distinct(_key: string, v: unknown): unknown {
  if (v === undefined) return { '\0': 'undefined' };
  if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return { '\0': Object.is(v, -0) ? '-0' : String(v) };
  if (typeof v === 'bigint') return { '\0': `${v}n` };
  return v;
}

/**
 * A digest of an entity: SHA-1 of its JSON with the values JSON would lose kept apart (`distinct`),
 * key order included, so equal digests are equal entities. The thread digests what it loads; the
 * main thread digests a State it loaded itself (the first load, in-process) to list it in its
 * first request, in slices while the proxy serves. It was SHA-1 of `v8.serialize()`: 5,003
 * entities took 125–160 ms and left +27 MiB of RSS (a Buffer and a Hash object each); JSON and the
 * one-shot `crypto.hash` take 15 ms and nothing (bench/README.md, "The first reload: escalation only when starved, …").
 */
export const entityDigest = (e: Entity): string => hash('sha1', JSON.stringify(e, distinct), 'base64');
