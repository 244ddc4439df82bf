/**
 * The responses a translated Responses route issued with `store` (the default), kept in memory so
 * that `previous_response_id`, `item_reference`, `GET /responses/{id}`, `DELETE` and
 * `GET /responses/{id}/input_items` work on providers that keep no state. Bounded: the least
 * recently used responses are dropped beyond `maxResponses` or `maxBytes` (their JSON size), and
 * after `ttlMs`. A response is visible to the consumer that created it only (`owner`; null when
 * the route authenticates nobody). One store per ai-proxy plugin (it survives reloads that keep the
 * plugin's config); restarting the gateway forgets everything, which clients see as a 400 naming
 * `previous_response_id` or the `item_reference`.
 */
import type { JsonObject } from '../wire/openai-types.js';
import type { ConversationStore } from './types.js';

export interface StoredResponse {
  id: string;
  owner: string | null;
  /** The Responses object as the client got it. */
  response: JsonObject;
  /** This request's input items, with ids. */
  input: JsonObject[];
  /** The response this one continued. */
  previous: string | null;
}

interface Entry extends StoredResponse { bytes: number; at: number }

export interface ResponseStoreLimits {
  maxResponses: number;
  maxBytes: number;
  ttlMs: number;
  /** Longest `previous_response_id` chain followed. */
  maxChain: number;
}

export const DEFAULT_STORE_LIMITS: ResponseStoreLimits = { maxResponses: 10_000, maxBytes: 256 * 1024 * 1024, ttlMs: 24 * 3600_000, maxChain: 10_000 };

const outputOf = (r: JsonObject): JsonObject[] => (Array.isArray(r.output) ? (r.output as JsonObject[]) : []);

export class ResponseStore implements ConversationStore {
  private readonly entries = new Map<string, Entry>();
  private readonly items = new Map<string, string>();
  private bytes = 0;

  constructor(private readonly limits: ResponseStoreLimits = DEFAULT_STORE_LIMITS, private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  put(r: StoredResponse): void {
    this.remove(r.id);
    const entry: Entry = { ...r, bytes: JSON.stringify(r.response).length + JSON.stringify(r.input).length, at: this.now() };
    this.entries.set(r.id, entry);
    this.bytes += entry.bytes;
    for (const item of [...r.input, ...outputOf(r.response)]) if (typeof item.id === 'string') this.items.set(item.id, r.id);
    this.evict();
  }

  get(id: string, owner: string | null): StoredResponse | undefined {
    const e = this.entries.get(id);
    if (e === undefined) return undefined;
    if (this.now() - e.at > this.limits.ttlMs) {
      this.remove(id);
      return undefined;
    }
    if (e.owner !== owner) return undefined;
    this.entries.delete(id);
    this.entries.set(id, e);
    return e;
  }

  delete(id: string, owner: string | null): boolean {
    if (this.get(id, owner) === undefined) return false;
    this.remove(id);
    return true;
  }

  conversation(responseId: string, owner: string | null): { items: JsonObject[] } | { missing: string } | undefined {
    const head = this.get(responseId, owner);
    if (head === undefined) return undefined;
    const chain: StoredResponse[] = [];
    for (let r: StoredResponse | undefined = head; r !== undefined && chain.length < this.limits.maxChain; ) {
      chain.push(r);
      if (r.previous === null) break;
      const prev: StoredResponse | undefined = this.get(r.previous, owner);
      if (prev === undefined) return { missing: r.previous };
      r = prev;
    }
    return { items: chain.reverse().flatMap((r) => [...r.input, ...outputOf(r.response)]) };
  }

  item(itemId: string, owner: string | null): JsonObject | undefined {
    const rid = this.items.get(itemId);
    const r = rid === undefined ? undefined : this.get(rid, owner);
    return r === undefined ? undefined : [...r.input, ...outputOf(r.response)].find((i) => i.id === itemId);
  }

  private remove(id: string): void {
    const e = this.entries.get(id);
    if (e === undefined) return;
    this.entries.delete(id);
    this.bytes -= e.bytes;
    for (const item of [...e.input, ...outputOf(e.response)]) if (typeof item.id === 'string' && this.items.get(item.id) === id) this.items.delete(item.id);
  }

  private evict(): void {
    for (const id of this.entries.keys()) {
      if (this.entries.size <= this.limits.maxResponses && this.bytes <= this.limits.maxBytes) return;
      this.remove(id);
    }
  }
}
