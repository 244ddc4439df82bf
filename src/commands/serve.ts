/**
 * `aigw serve [files...]`: run the state file as an embedded gateway, with hot reload and a
 * status/admin listener. SIGINT/SIGTERM drain in-flight requests, then exit 0.
 */
import type { Io } from '../cli/io.js';
import { loadState } from '../config/index.js';
import { refuseGatewayReferences } from '../config/gateway-refs.js';
import { configThread } from '../config/thread/off-thread.js';
import { formatIssue, type Issue } from '../config/issues.js';
import type { State } from '../config/state.js';
import { AigwError } from '../errors.js';
import { createAdminApi } from '../gateway/admin-api/api.js';
import { configHash } from '../gateway/admin-api/node.js';
import { memoryStore, type Store } from '../gateway/admin-api/store.js';
import { emptyState } from '../config/state.js';
import { AIGW_VERSION, lineLogger } from '../gateway/log.js';
import { filesSnapshot, watchState, type Reloader } from '../gateway/reload.js';
import { filesDigest } from '../gateway/file-digest.js';
import type { MockServer } from '../mock/index.js';
import { parseListen } from '../listen-address.js';
import { startGateway } from '../gateway/server.js';
import { createDashboard, DASHBOARD_PATH, type Dashboard } from '../gateway/dashboard/index.js';
import { summaryLines } from '../gateway/summary.js';
import { compactHeap, releaseYoungGeneration } from '../gateway/startup-heap.js';
import { helperThreadNice, lowerHelperThreads } from '../gateway/v8-thread-priority.js';
import type { Command, CommandInput } from './types.js';
import { KONG_VERSION_OPTION, applyKongVersion } from './kong-version-option.js';

export interface ServeHooks {
  /** Resolves when the gateway should stop (default: SIGINT or SIGTERM). */
  stop?: Promise<void>;
  /** Called once the gateway is listening (tests). */
  onReady?: (urls: { proxyUrl: string; adminUrl: string | null }) => void;
  /** Awaited after the first configuration is serving, before the files are watched (tests: a change while the gateway starts). */
  beforeWatch?: () => Promise<void>;
}

function signals(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

function format(opts: Record<string, unknown>, io: Io): 'json' | 'pretty' {
  const f = opts.logFormat;
  if (f === 'json' || f === 'pretty') return f;
  if (f !== undefined) throw new AigwError('AIGW_USAGE', `--log-format must be pretty or json, not '${String(f)}'`);
  return io.stdoutIsTTY ? 'pretty' : 'json';
}

/** `--mock [host:port]`: the built-in mock LLM next to the gateway (default 127.0.0.1:9000). */
async function startMockIfAsked(value: unknown, logger: ReturnType<typeof lineLogger>): Promise<MockServer | null> {
  if (value === undefined || value === false) return null;
  const { host, port } = parseListen(typeof value === 'string' ? value : '127.0.0.1:9000');
  try {
    // Loaded only with --mock (like better-sqlite3 with --db): a gateway without it starts smaller.
    const { startMock } = await import('../mock/index.js');
    const server = await startMock({ host, port });
    logger.info(`mock LLM listening on ${server.url}`);
    return server;
  } catch (err) {
    throw new AigwError('AIGW_SERVE', `the mock LLM could not listen on ${host}:${port}: ${(err as Error).message}`, { cause: err });
  }
}

interface Source {
  store: Store;
  mode: 'declarative' | 'db';
  state: State;
  /** What the startup log says about where the configuration lives. */
  describe: string;
  /** Warnings of the first load (files). */
  issues: readonly Issue[];
}

/**
 * Where the configuration comes from, as Kong: files → declarative (DB-less: entity writes 405,
 * `POST /config` replaces everything); `--db PATH` → writable Admin API persisted in SQLite;
 * neither → the same writable Admin API, in memory.
 */
async function openSource(args: string[], opts: Record<string, unknown>, io: Io, load: () => ReturnType<typeof loadState>): Promise<Source | null> {
  const db = typeof opts.db === 'string' ? opts.db : null;
  if (db !== null && args.length > 0) {
    throw new AigwError('AIGW_USAGE', '--db and state files exclude each other: serve the database, then load files into it with `aigw sync FILE`');
  }
  if (db !== null) {
    let store: Store;
    const { sqliteStore } = await import('../gateway/admin-api/sqlite-store.js');
    try {
      store = sqliteStore(db);
    } catch (err) {
      throw new AigwError('AIGW_SERVE', `cannot open database '${db}': ${(err as Error).message}`, { cause: err });
    }
    return { store, mode: 'db', state: store.snapshot(), issues: [], describe: `database mode: configuration persisted in ${db} (write it with the Admin API or aigw sync)` };
  }
  if (args.length === 0) {
    const state = emptyState();
    return { store: memoryStore(state), mode: 'db', state, issues: [], describe: 'no state file and no --db: database mode in memory (the configuration is lost at exit; load one with aigw sync)' };
  }
  const first = await load();
  for (const issue of first.issues) io.err(formatIssue(issue));
  if (!first.state) return null;
  return { store: memoryStore(first.state), mode: 'declarative', state: first.state, issues: first.issues, describe: `declarative mode: serving ${args.join(', ')} (reloaded on change; Admin API read-only, POST /config replaces it)` };
}

/** Run a reload and tell the dashboard how it went. */
async function reported(dash: Dashboard | null, source: 'file' | 'admin', run: () => Promise<void>, issues: readonly Issue[] = []): Promise<void> {
  try {
    await run();
  } catch (err) {
    dash?.reloaded(source, issues, (err as Error).message);
    throw err;
  }
  dash?.reloaded(source, issues, null);
}

export async function serve({ args, opts }: CommandInput, io: Io, hooks: ServeHooks = {}): Promise<number> {
  const fmt = format(opts, io);
  applyKongVersion(opts, io);
  const helperNice = helperThreadNice(io.env.AIGW_HELPER_THREADS);
  const load = async () => refuseGatewayReferences(await loadState(args, { env: io.env, cwd: io.cwd, readStdin: () => io.readStdin() }));
  // both taken before the files are read: a change in between is reloaded (at the watcher's start
  // when no event follows it), never the reverse
  const watching = opts.watch !== false && args.length > 0 && !args.includes('-');
  const firstMarks = watching ? await filesSnapshot(args, io.cwd) : undefined;
  const firstDigest = watching ? await filesDigest(args, io.cwd) : null;
  const source = await openSource(args, opts, io, load);
  if (!source) return 1;
  const { store } = source;
  // the first load ran in-process: the first reload still sends what it does not change as ids
  if (source.mode === 'declarative') configThread.adopt(source.state);
  const logger = lineLogger((l) => io.err(l), fmt);
  const mock = await startMockIfAsked(opts.mock, logger);
  const adminListen = typeof opts.adminListen === 'string' && opts.adminListen !== 'off' ? opts.adminListen : null;
  let apply: (s: State) => Promise<void> = async () => undefined;
  const token = typeof opts.adminToken === 'string' && opts.adminToken !== '' ? opts.adminToken : undefined;
  let gw: Awaited<ReturnType<typeof startGateway>> | undefined;
  /** Digest of the state files serving now (file-digest.ts); null when POST /config replaced them. */
  let serving: string | null = null;
  const admin = createAdminApi({
    store, mode: source.mode, token, version: AIGW_VERSION, onChange: (s) => apply(s).catch((e: Error) => logger.error(e.message)),
    pluginApi: async (method, segments) => gw?.pluginApi(method, segments),
    pluginInstance: (id) => gw?.runtime().pluginInstances.get(id),
    unbuildable: (candidate, changed) => gw?.unbuildable(candidate, changed) ?? [],
    applyConfig: async (s) => {
      const running = gw;
      if (running === undefined) throw new Error('the gateway is not running yet');
      await reported(dash, 'admin', () => running.reload(s));
      serving = null;
    },
  });
  const dash = adminListen === null || opts.dashboard === false ? null : createDashboard({ token, mode: source.mode, describe: source.describe, configHash: () => configHash(store), version: AIGW_VERSION });
  try {
    gw = await startGateway({
      state: source.state,
      listen: typeof opts.listen === 'string' ? opts.listen : '127.0.0.1:8000',
      adminListen,
      logger,
      accessLog: opts.accessLog === false ? 'off' : fmt,
      accessWrite: (line) => io.out(line),
      adminHandler: dash ? async (req, res) => (await dash.handler(req, res)) || admin(req, res) : admin,
      onRequest: dash?.feed.record,
      configHash: () => configHash(store),
      env: io.env,
      tolerant: source.mode === 'db',
      warmUp: opts.warmUp !== false,
      beforeListen: () => {
        compactHeap();
        // opt-in (AIGW_HELPER_THREADS=<nice>): V8's compiles and GC helpers on the CPU the proxy leaves idle (v8-thread-priority.ts)
        if (helperNice !== null) logger.info(`V8 helper threads lowered to nice ${helperNice} (AIGW_HELPER_THREADS): ${lowerHelperThreads(helperNice)} threads`);
      },
    });
  } catch (err) {
    await mock?.close();
    store.close();
    throw err;
  }
  dash?.attach(gw);
  dash?.reloaded('startup', source.issues, null);
  apply = (s) => reported(dash, 'admin', () => gw.reload(s));
  logger.info(source.describe);
  if (token === undefined && adminListen !== null && !/^(127\.|localhost|\[?::1)/.test(adminListen)) {
    logger.warn(`the Admin API listens on ${adminListen} without --admin-token: anyone who can reach it can change the gateway`);
  }
  for (const line of summaryLines(gw.runtime(), gw.proxyUrl, gw.adminUrl, dash && gw.adminUrl ? `${gw.adminUrl}${DASHBOARD_PATH}` : null)) logger.info(line);
  let watcher: Reloader | null = null;
  if (source.mode === 'declarative' && opts.watch !== false && !args.includes('-')) {
    let issues: readonly Issue[] = [];
    // the digest of the files that serve now (null once POST /config replaced them), and of the last loaded
    serving = firstDigest;
    let loaded: string | null = null;
    // the digest of the last files read: after an invalid change, restoring the serving bytes is
    // loaded (and reported as the good reload it is), not skipped as unchanged
    let lastRead: string | null = firstDigest;
    await hooks.beforeWatch?.();
    watcher = await watchState({
      paths: args,
      cwd: io.cwd,
      // a file changed while the gateway started is reloaded once the watcher is up
      initial: firstMarks,
      // parsed and validated in the configuration process: a big file never stalls the proxy
      load: async () => {
        loaded = await filesDigest(args, io.cwd);
        const again = loaded !== null && loaded === serving && lastRead === serving;
        lastRead = loaded;
        if (again) return { state: null, issues: [], unchanged: true };
        const r = refuseGatewayReferences(await configThread.files(args, { env: io.env, cwd: io.cwd }));
        issues = r.issues;
        if (!r.state) dash?.reloaded('file', issues, null);
        return r;
      },
      apply: (s) => reported(dash, 'file', async () => {
        const digest = loaded;
        await gw.reload(s);
        serving = digest;
        await store.replaceAllInSlices(s);
      }, issues),
      logger,
      format: (i) => formatIssue(i),
    });
  }
  const stopYoungGenerationWatch = releaseYoungGeneration();
  hooks.onReady?.({ proxyUrl: gw.proxyUrl, adminUrl: gw.adminUrl });
  await (hooks.stop ?? signals());
  logger.info('shutting down: draining in-flight requests');
  stopYoungGenerationWatch();
  watcher?.close();
  const drain = typeof opts.drainTimeout === 'number' ? opts.drainTimeout : 10_000;
  admin.flush();
  dash?.close();
  await gw.close(drain);
  await mock?.close();
  await configThread.close();
  store.close();
  logger.info('stopped');
  return 0;
}

export const command: Command = {
  name: 'serve',
  summary: 'run state files as an embedded Kong-compatible gateway, with hot reload',
  args: '[files...]',
  options: [
    { flags: '--listen <host:port>', description: 'proxy listener', default: '127.0.0.1:8000', env: 'AIGW_LISTEN' },
    { flags: '--admin-listen <host:port>', description: 'status/admin listener (/status, /metrics, Admin API); "off" to disable', default: '127.0.0.1:8001', env: 'AIGW_ADMIN_LISTEN' },
    { flags: '--log-format <format>', description: 'pretty or json (default: pretty on a TTY, json otherwise)', env: 'AIGW_LOG_FORMAT' },
    { flags: '--no-access-log', description: 'do not print a line per request' },
    { flags: '--no-watch', description: 'do not reload when the files change' },
    { flags: '--db <path>', description: 'database mode: a writable Admin API persisted in this SQLite file (instead of state files)', env: 'AIGW_DB' },
    { flags: '--admin-token <token>', description: 'require this token as Kong-Admin-Token on every Admin API request', env: 'AIGW_ADMIN_TOKEN' },
    { flags: '--mock [host:port]', description: 'also run the built-in mock LLM (default 127.0.0.1:9000)' },
    { flags: '--warm-up', description: 'before listening, run up to 100 requests (at most 0.5 s of CPU time of the process, or 2 s) through the proxy against an internal stub (the default; nothing of the configuration is called)' },
    { flags: '--no-warm-up', description: 'listen without the warm-up (the first requests then run cold code)' },
    { flags: '--no-dashboard', description: 'do not serve the live dashboard (/dashboard/ on the status listener)' },
    { flags: '--drain-timeout <ms>', description: 'longest wait for in-flight requests on shutdown', default: 10000, parse: (v) => Number(v) },
    KONG_VERSION_OPTION,
  ],
  examples: ['aigw serve kong-ai.yaml', 'aigw serve --db ./gw.db   # then: aigw sync kong-ai.yaml', 'aigw serve examples/quickstart.yaml --mock', 'aigw serve config/ --listen 0.0.0.0:8000 --log-format json', 'aigw serve kong.yaml --no-watch --admin-listen off'],
  run: (input, io) => serve(input, io),
};
