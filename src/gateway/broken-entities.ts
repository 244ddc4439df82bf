/**
 * Entities that do not build, in database mode. A database may hold one (written by an older aigw,
 * or before a check existed); one such entity must never freeze the control plane. The Runtime is
 * then built without it, fail closed: a plugin that does not build is replaced by an instance that
 * answers every request in its scope with 500 (a security plugin is never skipped), a route whose
 * matcher does not compile is not routed, a vault that is not installed resolves nothing. Each one
 * is logged when the Runtime is built and listed by `GET /status` (`configuration_errors`).
 * Declarative mode stays strict: a file that does not build is refused whole.
 */
import type { Entity, State } from '../config/state.js';
import type { KindName } from '../config/kinds.js';
import { errorReply, NotRunHere, type PluginInstance } from './plugin.js';
import { compileAnyRoute, Routing } from './routing.js';
import { vaultResolver, type VaultResolver } from './vault.js';
import type { Steps } from './time-slices.js';

export interface BrokenEntity {
  kind: KindName;
  id: string;
  name: string | null;
  /** Why it does not build. */
  message: string;
  /**
   * A valid configuration of a plugin Kong runs and aigw serve cannot (NotRunHere): the Admin API stores it
   * as Kong would, and its scope is served fail closed; not a reason to refuse the write.
   */
  stored?: true;
}

export function brokenEntity(kind: KindName, e: Entity, message: string): BrokenEntity {
  return { kind, id: e.id, name: typeof e.name === 'string' ? e.name : null, message };
}

/** A plugin that does not build because of `err` (a NotRunHere error marks a configuration kept as written). */
export function brokenPlugin(e: Entity, err: unknown): BrokenEntity {
  const b = brokenEntity('plugins', e, (err as Error).message);
  return err instanceof NotRunHere ? { ...b, stored: true } : b;
}

/** The one line a broken entity is logged with. */
export function brokenLine(b: BrokenEntity): string {
  const what = `${b.kind.replace(/s$/, '')} '${b.name ?? b.id}'${b.name === null ? '' : ` (${b.id})`}`;
  const effect = b.kind === 'plugins' || b.kind === 'filter_chains' ? 'requests in its scope answer 500' : b.kind === 'routes' ? 'it is not routed' : 'it is ignored';
  if (b.stored === true) return `${what} is stored but not run: ${b.message}; ${effect} until it is disabled or deleted through the Admin API`;
  return `${what} does not build: ${b.message}; ${effect} until it is fixed or deleted through the Admin API`;
}

/** A filter chain aigw serve cannot run (it runs no Wasm): stored as Kong would, its scope served fail closed. */
export function brokenFilterChain(e: Entity, message: string): BrokenEntity {
  return { ...brokenEntity('filter_chains', e, message), stored: true };
}

/** Stands in for a plugin that does not build: every request that reaches it is refused. */
export function failClosedInstance(): PluginInstance {
  return { access: () => errorReply(500, 'An unexpected error occurred') };
}

/** The router over the routes that compile; the others join `broken`. */
export function* routerWithout(routes: readonly Entity[], broken: BrokenEntity[]): Steps<Routing> {
  try {
    return yield* Routing.build(routes);
  } catch {
    const good = routes.filter((r) => {
      try {
        compileAnyRoute(r);
        return true;
      } catch (err) {
        broken.push(brokenEntity('routes', r, (err as Error).message));
        return false;
      }
    });
    return yield* Routing.build(good);
  }
}

/** The vault resolver over the vaults that are installed; the others join `broken`. */
export function vaultsWithout(state: State, env: Readonly<Record<string, string | undefined>>, broken: BrokenEntity[]): VaultResolver {
  try {
    return vaultResolver(state, env);
  } catch {
    const good = state.entities.vaults.filter((v) => {
      try {
        vaultResolver({ ...state, entities: { ...state.entities, vaults: [v] } }, env);
        return true;
      } catch (err) {
        broken.push(brokenEntity('vaults', v, (err as Error).message));
        return false;
      }
    });
    return vaultResolver({ ...state, entities: { ...state.entities, vaults: good } }, env);
  }
}
