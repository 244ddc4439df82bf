import { createHash } from 'node:crypto';
import type { JsonObject } from './json.js';

/** A file uploaded to the mock's Files API. */
export interface StoredFile {
  id: string;
  filename: string;
  purpose: string;
  data: Buffer;
}

/**
 * What the mock's stateful APIs (files, batches, videos) remember, per server; `reset()` forgets it.
 * Ids are digests of the content, so the same uploads give the same ids in every run.
 */
export class MockState {
  readonly files = new Map<string, StoredFile>();
  readonly batches = new Map<string, JsonObject>();
  readonly videos = new Map<string, JsonObject>();

  addFile(filename: string, purpose: string, data: Buffer): StoredFile {
    const id = `file-${createHash('sha256').update(purpose).update('\n').update(filename).update('\n').update(data).digest('hex').slice(0, 24)}`;
    const file = { id, filename, purpose, data };
    this.files.set(id, file);
    return file;
  }

  listFiles(): StoredFile[] {
    return [...this.files.values()];
  }

  clear(): void {
    this.files.clear();
    this.batches.clear();
    this.videos.clear();
  }
}
