import { describe, expect, it } from 'vitest';
import { readable } from '../../../src/gateway/plugins/ai-rag-injector/index.js';

type Config = Parameters<typeof readable>[0];
const cfg = (c: Partial<Config>): Config => c as Config;

describe('ai-rag-injector ACLs', () => {
  it('without any ACL every chunk is readable', () => {
    expect(readable(cfg({}), [], { collection: 'payroll' })).toBe(true);
    expect(readable(cfg({ global_acl_config: { allow: [], deny: [] }, collection_acl_config: {} }), [], null)).toBe(true);
  });

  it("a collection's own ACL, else the global one; deny wins; an empty global list admits nobody once ACLs exist", () => {
    const c = cfg({ global_acl_config: { allow: ['staff'], deny: ['interns'] }, collection_acl_config: { payroll: { allow: ['hr'], deny: ['interns'] }, handbook: { allow: [], deny: [] } } });
    expect(readable(c, ['hr'], { collection: 'payroll' })).toBe(true);
    expect(readable(c, ['staff'], { collection: 'payroll' })).toBe(false);
    expect(readable(c, ['hr', 'interns'], { collection: 'payroll' })).toBe(false);
    expect(readable(c, ['anyone'], { collection: 'handbook' })).toBe(true);
    expect(readable(c, ['staff'], { collection: 'wiki' })).toBe(true);
    expect(readable(c, ['staff', 'interns'], null)).toBe(false);
    expect(readable(cfg({ collection_acl_config: { payroll: { allow: ['hr'], deny: [] } } }), ['staff'], null)).toBe(false);
  });
});
