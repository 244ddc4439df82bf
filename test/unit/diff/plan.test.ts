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

  it('a consumer renamed but keeping its custom_id is updated in place, never deleted and re-created (issue 10 #5)', () => {
    const cur = stateOf({
      consumers: [{ id: ID(1), username: 'old-name', custom_id: 'cust-1' }],
      keyauth_credentials: [{ id: ID(2), key: 'k1', consumer: { id: ID(1) } }],
    });
    const tgt = stateOf({
      consumers: [{ id: ID(51), username: 'new-name', custom_id: 'cust-1' }],
      keyauth_credentials: [{ id: ID(52), key: 'k1', consumer: { id: ID(51) } }],
    });
    const p = plan(cur, tgt);
    expect(p.ops.map((o) => `${o.action} ${o.kind}`)).toEqual(['update consumers']);
    const upd = p.ops[0];
    expect(upd.action === 'update' && [upd.after.id, upd.after.username]).toEqual([ID(1), 'new-name']);
    // the credential follows the adopted id: nothing to do
    expect(p.target.entities.keyauth_credentials[0]).toMatchObject({ id: ID(2), consumer: { id: ID(1) } });
  });

  it('matches on every unique key: plugin instance_name, certificate PEM, custom_id', () => {
    const cur = stateOf({
      plugins: [{ id: ID(1), name: 'cors', instance_name: 'edge-cors', service: null, route: null, consumer: null, consumer_group: null, config: { a: 1 } }],
      certificates: [{ id: ID(2), cert: 'PEM-A', key: 'KEY-A' }],
      consumers: [{ id: ID(3), username: null, custom_id: 'c-9' }],
    });
    const tgt = stateOf({
      plugins: [{ id: ID(51), name: 'cors', instance_name: 'edge-cors', route: { id: ID(99) }, config: { a: 1 } }],
      certificates: [{ id: ID(52), cert: 'PEM-A\n', key: 'KEY-A' }],
      consumers: [{ id: ID(53), username: 'now-named', custom_id: 'c-9' }],
    });
    const p = plan(cur, tgt);
    expect(p.ops.map((o) => `${o.action} ${o.kind}`).sort()).toEqual(['update certificates', 'update consumers', 'update plugins']);
    expect(p.ops.every((o) => o.action === 'update' && o.after.id === o.before.id)).toBe(true);
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
  it('deletes an entity holding a unique key an upsert takes before that upsert', () => {
    // the target's consumer matches 'a' by username; 'b' holds the custom_id it wants and is not in the file
    const cur = stateOf({ consumers: [{ id: ID(1), username: 'a' }, { id: ID(2), username: 'b', custom_id: 'X' }] });
    const tgt = stateOf({ consumers: [{ id: ID(51), username: 'a', custom_id: 'X' }] });
    const stages = order(plan(cur, tgt).ops);
    expect(stages.map((s) => `${s.phase}:${s.ops.map((o) => `${o.action} ${o.action === 'delete' ? o.before.username : o.after.username}`).join(',')}`)).toEqual([
      'clear:delete b',
      'upsert:update a',
    ]);
  });

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
