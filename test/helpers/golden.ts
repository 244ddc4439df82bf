import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

/**
 * Compare `actual` with a committed expected file. A missing file FAILS (a golden test never writes
 * its own expectation); UPDATE_GOLDEN=1 rewrites the files after a deliberate change, for review.
 */
export function expectGolden(path: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  expect(existsSync(path), `${path} is missing: review the output and write it with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
