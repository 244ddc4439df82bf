import { describe, expect, it } from 'vitest';
import { plan, consumerKinds, countOps } from '../../../src/diff/plan.js';
import { order } from '../../../src/diff/order.js';
import { ID, stateOf } from './build.js';

const svc = (id: number, name: string, extra: Record<string, unknown> = {}) => ({ id: ID(id), name, host: 'example.com', port: 80, created_at: 1, ...extra });

describe('plan', () => {
  it('is empty for equal states, ignoring timestamps and null vs absent', () => {
    const a = stateOf({ services: [svc(1, 's1', { created_at: 5, path: null })] });
    const b = stateOf({ services: [svc(1, 's1', { created_at: 9, updated_at: 3 })] });
    expect(plan(a, b).ops).toEqual([]);
  });

  it('creates, updates and deletes by id', () => {
    const cur = stateOf({ services: [svc(1, 'a'), svc(2, 'b')] });
    const tgt = stateOf({ services: [svc(1, 'a', { port: 81 }), svc(3, 'c')] });
    const p = plan(cur, tgt);
    expect(countOps(p.ops)).toEqual({ creating: 1, updating: 1, deleting: 1, total: 3 });
    const upd = p.ops.find((o) => o.action === 'update');
    expect(upd?.action === 'update' && upd.before.port).toBe(80);
  });

  it('matches by natural key and adopts the current id, rewriting foreign keys', () => {
    const cur = stateOf({
      services: [svc(1, 'a')],
      routes: [{ id: ID(10), name: 'r', paths: ['/x'], service: { id: ID(1) } }],
    });
    const tgt = stateOf({
      services: [svc(101, 'a')],
      routes: [{ id: ID(110), name: 'r', paths: ['/x'], service: { id: ID(101) } }],
    });
    const p = plan(cur, tgt);
    expect(p.ops).toEqual([]);
    expect(p.target.entities.routes[0]).toMatchObject({ id: ID(10), service: { id: ID(1) } });
  });

  it('matches composite natural keys through re-identified parents (plugins, acls)', () => {
    const cur = stateOf({
      consumers: [{ id: ID(1), username: 'alice' }],
      acls: [{ id: ID(2), group: 'admins', consumer: { id: ID(1) } }],
      plugins: [{ id: ID(3), name: 'key-auth', consumer: { id: ID(1) }, service: null, route: null, config: { a: 1 } }],
    });
    const tgt = stateOf({
      consumers: [{ id: ID(51), username: 'alice' }],
      acls: [{ id: ID(52), group: 'admins', consumer: { id: ID(51) } }],
      plugins: [{ id: ID(53), name: 'key-auth', consumer: { id: ID(51) }, config: { a: 2 } }],
    });
    const p = plan(cur, tgt);
    expect(p.ops.map((o) => `${o.action} ${o.kind}`)).toEqual(['update plugins']);
    const upd = p.ops[0];
    expect(upd.action === 'update' && upd.after.id).toBe(ID(3));
  });

  it('consumer natural key: username first, custom_id as alternative', () => {
    const cur = stateOf({ consumers: [{ id: ID(1), username: null, custom_id: 'c-1' }] });
    const tgt = stateOf({ consumers: [{ id: ID(2), custom_id: 'c-1' }] });
    expect(plan(cur, tgt).ops).toEqual([]);
  });

  it('a changed natural key is a delete plus a create', () => {
    const p = plan(stateOf({ services: [svc(1, 'old')] }), stateOf({ services: [svc(2, 'new')] }));
    expect(p.ops.map((o) => o.action).sort()).toEqual(['create', 'delete']);
  });

  it('skips consumers and everything scoped to them', () => {
    const cur = stateOf({ consumers: [{ id: ID(1), username: 'a' }], keyauth_credentials: [{ id: ID(2), key: 'k', consumer: { id: ID(1) } }] });
    const tgt = stateOf({ plugins: [{ id: ID(3), name: 'cors', consumer: { id: ID(9) } }] });
    const skip = consumerKinds();
    expect(skip.has('consumers')).toBe(true);
    expect(skip.has('keyauth_credentials')).toBe(true);
    expect(skip.has('consumer_groups')).toBe(true);
    expect(skip.has('services')).toBe(false);
    expect(plan(cur, tgt, { skip }).ops).toEqual([]);
  });
});

describe('order', () => {
  it('creates parents first and deletes children first', () => {
    const cur = stateOf({
      services: [svc(1, 'gone')],
      routes: [{ id: ID(2), name: 'gone-r', service: { id: ID(1) } }],
    });
    const tgt = stateOf({
      services: [svc(3, 'new')],
      routes: [{ id: ID(4), name: 'new-r', service: { id: ID(3) } }],
      plugins: [{ id: ID(5), name: 'cors', route: { id: ID(4) } }],
    });
    const stages = order(plan(cur, tgt).ops);
    expect(stages.map((s) => `${s.phase}${s.level}:${s.ops.map((o) => o.kind).join(',')}`)).toEqual([
      'upsert2:services',
      'upsert3:routes',
      'upsert4:plugins',
      'delete3:routes',
      'delete2:services',
    ]);
  });
});
