import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FailCounter, seededRandom } from './faults.js';
import type { MockProvider, MockRoute } from './provider.js';
import { MOCK_PROVIDERS } from './providers/index.js';
import { Recorder, type Recorded } from './recorder.js';
import type { Reply } from './reply.js';
import { handleRequest, type PipelineDeps } from './server.js';
import { MockState } from './state.js';
import { realtimeUpgrader } from './providers/realtime.js';

/**
 * `aigw mock`: a local server speaking the wire formats of every provider aigw supports, with
 * deterministic answers (see answer.ts), configurable faults (see faults.ts) and a record of the
 * requests it received. node:http only; replies are cached by request so benchmarks measure the
 * gateway, not the mock.
 */

export type { Recorded } from './recorder.js';

export interface MockOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Delay before every answer (x-mock-latency-ms overrides). */
  latencyMs?: number;
  /** Delay between stream chunks (x-mock-chunk-delay-ms overrides). */
  chunkDelayMs?: number;
  /** When set, only this credential is accepted (SigV4: the access key id). */
  requireKey?: string;
  /** When set, SigV4-signed requests must carry a valid signature made with this secret. */
  awsSecretKey?: string;
  /** Default embedding size when a request does not ask for one. Default 16. */
  embeddingDims?: number;
  /** Share of requests (0..1) failed with a 500 in the provider's shape. Default 0. */
  failRate?: number;
  /** Seed of the failRate PRNG. Default 1. */
  seed?: number;
  /** How many requests `requests()` keeps. Default 100. */
  maxRecorded?: number;
  /** One line per answered request. */
  logger?: (line: string) => void;
}

export interface MockServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  host: string;
  /** The provider APIs served, with their base paths. */
  providers: ReadonlyArray<{ name: string; base: string }>;
  /** The last received requests, oldest first. */
  requests(): Recorded[];
  /** Forget recorded requests, fail-first counters and stored files, batches and videos. */
  reset(): void;
  /** Stop listening and drop every open connection (hanging ones included). */
  close(): Promise<void>;
}

function flatRoutes(providers: readonly MockProvider[]): Array<{ provider: MockProvider; route: MockRoute }> {
  return providers.flatMap((provider) => provider.routes.map((route) => ({ provider, route })));
}

function checkOptions(o: MockOptions): void {
  const bad = (what: string) => {
    throw new RangeError(`aigw mock: invalid ${what}`);
  };
  if (o.embeddingDims !== undefined && (!Number.isInteger(o.embeddingDims) || o.embeddingDims < 1 || o.embeddingDims > 8192)) bad('embeddingDims (1..8192)');
  if (o.failRate !== undefined && !(o.failRate >= 0 && o.failRate <= 1)) bad('failRate (0..1)');
  if (o.latencyMs !== undefined && !(o.latencyMs >= 0)) bad('latencyMs');
  if (o.chunkDelayMs !== undefined && !(o.chunkDelayMs >= 0)) bad('chunkDelayMs');
  if (o.requireKey !== undefined && o.requireKey === '') bad('requireKey (empty)');
  if (o.awsSecretKey !== undefined && o.awsSecretKey === '') bad('awsSecretKey (empty)');
}

export async function startMock(options: MockOptions = {}): Promise<MockServer> {
  checkOptions(options);
  const abort = new AbortController();
  const recorder = new Recorder(options.maxRecorded ?? 100);
  const counter = new FailCounter();
  const state = new MockState();
  const deps: PipelineDeps = {
    routes: flatRoutes(MOCK_PROVIDERS),
    settings: { embeddingDims: options.embeddingDims ?? 16 },
    state,
    globals: { latencyMs: options.latencyMs ?? 0, chunkDelayMs: options.chunkDelayMs ?? 0, failRate: options.failRate ?? 0 },
    auth: { requireKey: options.requireKey, awsSecretKey: options.awsSecretKey },
    recorder,
    counter,
    random: seededRandom(options.seed ?? 1),
    signal: abort.signal,
    logger: options.logger,
  };
  const cache = new Map<string, Reply>();
  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => void handleRequest(deps, cache, req, res));
  const realtime = realtimeUpgrader({ auth: deps.auth, globals: deps.globals, recorder });
  server.on('upgrade', (req, socket, head) => realtime.upgrade(req, socket, head));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    host,
    providers: MOCK_PROVIDERS.map((p) => ({ name: p.name, base: p.base })),
    requests: () => recorder.list(),
    reset: () => {
      recorder.clear();
      counter.reset();
      state.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        abort.abort();
        realtime.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
