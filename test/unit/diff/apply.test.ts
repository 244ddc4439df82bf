import { describe, expect, it } from 'vitest';
import { apply } from '../../../src/diff/apply.js';
import { order } from '../../../src/diff/order.js';
import { plan, type Op } from '../../../src/diff/plan.js';
import { ID, stateOf } from './build.js';

const opId = (op: Op) => (op.action === 'delete' ? op.before.id : op.after.id);

describe('apply', () => {
  const cur = stateOf({
    services: [{ id: ID(1), name: 'old' }],
    routes: [{ id: ID(2), name: 'old-r', service: { id: ID(1) } }],
  });
  const tgt = stateOf({
    services: [{ id: ID(3), name: 'a' }, { id: ID(4), name: 'b' }],
    routes: [
      { id: ID(5), name: 'ra', service: { id: ID(3) } },
      { id: ID(6), name: 'rb', service: { id: ID(4) } },
    ],
    plugins: [{ id: ID(7), name: 'cors', route: { id: ID(5) } }],
  });

  it('runs everything in order when all succeed', async () => {
    const seen: string[] = [];
    const r = await apply(order(plan(cur, tgt).ops), { run: async (op) => void seen.push(`${op.action}:${opId(op)}`) }, { parallelism: 3 });
    expect(r.failed).toEqual([]);
    expect(r.dropped).toEqual([]);
    expect(r.done).toHaveLength(7);
    expect(seen.indexOf(`create:${ID(3)}`)).toBeLessThan(seen.indexOf(`create:${ID(5)}`));
    expect(seen.indexOf(`delete:${ID(2)}`)).toBeLessThan(seen.indexOf(`delete:${ID(1)}`));
  });

  it('keeps going, collects failures and drops dependants', async () => {
    const r = await apply(
      order(plan(cur, tgt).ops),
      {
        run: async (op) => {
          if (opId(op) === ID(3)) throw new Error('boom');
          if (opId(op) === ID(2)) throw new Error('cannot delete');
        },
      },
      { parallelism: 2 },
    );
    expect(r.failed.map((f) => [opId(f.op), f.error.message])).toEqual([
      [ID(3), 'boom'],
      [ID(2), 'cannot delete'],
    ]);
    // route ra depends on service a; plugin depends on route ra; service old is still referenced by old-r
    expect(r.dropped.map((d) => opId(d.op)).sort()).toEqual([ID(1), ID(5), ID(7)].sort());
    expect(r.done.map(opId).sort()).toEqual([ID(4), ID(6)].sort());
  });

  it('never exceeds the parallelism bound', async () => {
    const many = stateOf({ services: Array.from({ length: 40 }, (_, i) => ({ id: ID(100 + i), name: `s${i}` })) });
    let active = 0;
    let peak = 0;
    const r = await apply(order(plan(stateOf({}), many).ops), {
      run: async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((res) => setTimeout(res, 2));
        active--;
      },
    }, { parallelism: 5 });
    expect(r.done).toHaveLength(40);
    expect(peak).toBe(5);
  });

  it('reports non-Error rejections as errors', async () => {
    const r = await apply(order(plan(stateOf({}), stateOf({ services: [{ id: ID(1), name: 'a' }] })).ops), {
      run: () => Promise.reject('plain string'),
    }, { parallelism: 1 });
    expect(r.failed[0].error.message).toBe('plain string');
  });

  it('stops starting ops after consecutive connection failures and lists what was never attempted (issue 10 #8)', async () => {
    const many = stateOf({ services: Array.from({ length: 50 }, (_, i) => ({ id: ID(200 + i), name: `s${i}` })) });
    const gone = new Error('connect ECONNREFUSED');
    let calls = 0;
    const r = await apply(order(plan(stateOf({}), many).ops), {
      run: async () => {
        calls++;
        if (calls > 5) throw gone;
      },
    }, { parallelism: 2, isConnectionFailure: (e) => e === gone, maxConnectionFailures: 3 });
    expect(r.done).toHaveLength(5);
    expect(r.halted?.error).toBe(gone);
    expect(r.halted?.failures).toBeGreaterThanOrEqual(3);
    // at most the ops in flight when the breaker tripped were tried after it
    expect(r.failed.length).toBeLessThanOrEqual(4);
    expect(r.done.length + r.failed.length + (r.halted?.notAttempted.length ?? 0)).toBe(50);
  });

  it('an answer from the target resets the count: scattered failures never stop a run', async () => {
    const many = stateOf({ services: Array.from({ length: 30 }, (_, i) => ({ id: ID(300 + i), name: `s${i}` })) });
    let calls = 0;
    const blip = new Error('socket hang up');
    const r = await apply(order(plan(stateOf({}), many).ops), {
      run: async () => {
        if (++calls % 3 === 0) throw blip;
      },
    }, { parallelism: 1, isConnectionFailure: (e) => e === blip, maxConnectionFailures: 2 });
    expect(r.halted).toBeUndefined();
    expect(r.failed).toHaveLength(10);
    expect(r.done).toHaveLength(20);
  });
});
