import { describe, expect, it } from 'vitest';
import { filled, problems } from './check.js';

describe('response-transformer schema', () => {
  it('accepts Kong configurations and fills every list with []', () => {
    expect(problems('response-transformer', {
      add: { headers: ['x-served-by:aigw'], json: ['gateway:aigw'], json_types: ['string'] },
      remove: { headers: ['x-powered-by'], json: ['internal'] },
      rename: { headers: ['x-a:x-b'], json: ['a:b'] },
    })).toEqual([]);
    expect(filled('response-transformer', {})).toEqual({
      remove: { json: [], headers: [] },
      rename: { json: [], headers: [] },
      replace: { json: [], json_types: [], headers: [] },
      add: { json: [], json_types: [], headers: [] },
      append: { json: [], json_types: [], headers: [] },
    });
  });

  it("refuses what Kong refuses, with Kong's messages", () => {
    expect(problems('response-transformer', { add: { headers: ['no-colon'] } })[0]).toMatch(/^add\.headers\.0: /);
    expect(problems('response-transformer', { add: { json_types: ['object'] } })).toEqual(['add.json_types.0: expected one of: boolean, number, string']);
    expect(problems('response-transformer', { rename: { headers: ['x-ok:bad header'] } })).toEqual(["rename.headers.0: 'bad header' is not a valid header"]);
    expect(problems('response-transformer', { rename: { headers: ['x-ok:'] } })).toEqual(["rename.headers.0: '' is not a valid header"]);
  });
});
