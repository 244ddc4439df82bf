/** Start a gateway from YAML (through the real loader) for tests. */
import { loadStateFromText } from '../../src/config/index.js';
import type { State } from '../../src/config/state.js';
import { memoryLogger } from '../../src/gateway/log.js';
import { startGateway, type Gateway, type GatewayOptions } from '../../src/gateway/server.js';

export async function stateFrom(yaml: string, env: Record<string, string> = {}): Promise<State> {
  return loadStateFromText(yaml, { env });
}

export type TestGateway = Gateway & { logger: ReturnType<typeof memoryLogger> };

export async function gatewayFrom(yaml: string, opts: Partial<GatewayOptions> = {}): Promise<TestGateway> {
  const logger = memoryLogger();
  const state = await stateFrom(yaml, (opts.env ?? {}) as Record<string, string>);
  const gw = await startGateway({ state, listen: '127.0.0.1:0', adminListen: '127.0.0.1:0', logger, accessLog: 'off', ...opts });
  return Object.assign(gw, { logger });
}
