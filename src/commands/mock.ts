import type { Io } from '../cli/io.js';
import { AigwError } from '../errors.js';
import { parseListen } from '../listen-address.js';
import { startMock, type MockOptions, type MockServer } from '../mock/index.js';
import type { Command, CommandInput } from './types.js';

/**
 * `aigw mock`: run the mock LLM server (every provider's wire format on one port) until SIGINT or
 * SIGTERM. Faults per request: x-mock-* headers (see src/mock/faults.ts).
 */

function number(opts: Record<string, unknown>, key: string, flag: string, max: number): number | undefined {
  const raw = opts[key];
  if (raw === undefined || raw === null || raw === false) return undefined;
  const n = typeof raw === 'number' ? raw : Number(String(raw));
  if (!Number.isFinite(n) || n < 0 || n > max) throw new AigwError('AIGW_USAGE', `${flag} expects a number between 0 and ${max}, got "${String(raw)}"`);
  return n;
}

/** Turns the command line into startMock options; throws AigwError (AIGW_USAGE) on bad values. */
export function mockOptions(opts: Record<string, unknown>, io: Io): MockOptions {
  const { host, port } = parseListen(typeof opts.listen === 'string' ? opts.listen : '127.0.0.1:9000');
  const dims = number(opts, 'embeddingDims', '--embedding-dims', 8192);
  if (dims !== undefined && (!Number.isInteger(dims) || dims < 1)) throw new AigwError('AIGW_USAGE', '--embedding-dims expects an integer from 1 to 8192');
  const requireKey = typeof opts.requireKey === 'string' ? opts.requireKey : undefined;
  if (requireKey === '') throw new AigwError('AIGW_USAGE', '--require-key expects a non-empty key');
  const awsSecretKey = typeof opts.awsSecretKey === 'string' ? opts.awsSecretKey : undefined;
  if (awsSecretKey === '') throw new AigwError('AIGW_USAGE', '--aws-secret-key expects a non-empty secret');
  return {
    host,
    port,
    latencyMs: number(opts, 'latencyMs', '--latency-ms', 3_600_000),
    chunkDelayMs: number(opts, 'chunkDelayMs', '--chunk-delay-ms', 3_600_000),
    failRate: number(opts, 'failRate', '--fail-rate', 1),
    embeddingDims: dims,
    requireKey,
    awsSecretKey,
    logger: opts.logRequests === true ? (line) => io.err(line) : undefined,
  };
}

export function banner(server: MockServer, io: Io): void {
  io.out(`${io.c.bold('aigw mock')} listening on ${io.c.cyan(server.url)}`);
  const width = Math.max(...server.providers.map((p) => p.name.length));
  for (const p of server.providers) io.out(`  ${p.name.padEnd(width)}  ${server.url}${p.base.startsWith('/') ? p.base : ` ${p.base}`}`);
  io.out('Any non-empty key is accepted unless --require-key is set. Faults: x-mock-* request headers. Ctrl-C stops.');
}

/** Runs the mock until `waitForStop()` resolves; the testable core of the command. */
export async function runMock(input: CommandInput, io: Io, waitForStop: () => Promise<unknown>): Promise<number> {
  const options = mockOptions(input.opts, io);
  let server: MockServer;
  try {
    server = await startMock(options);
  } catch (err) {
    throw new AigwError('AIGW_SERVE', `the mock could not listen on ${options.host}:${options.port}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  banner(server, io);
  await waitForStop();
  await server.close();
  io.err('aigw mock stopped');
  return 0;
}

function nextSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

export const command: Command = {
  name: 'mock',
  summary: 'run a local mock LLM server speaking every supported provider wire format',
  options: [
    { flags: '--listen <host:port>', description: 'address to listen on', default: '127.0.0.1:9000', env: 'AIGW_MOCK_LISTEN' },
    { flags: '--latency-ms <n>', description: 'delay before every answer (header x-mock-latency-ms overrides)' },
    { flags: '--chunk-delay-ms <n>', description: 'delay between stream chunks (header x-mock-chunk-delay-ms overrides)' },
    { flags: '--require-key <key>', description: 'accept only this API key (SigV4: this access key id)', env: 'AIGW_MOCK_REQUIRE_KEY' },
    { flags: '--aws-secret-key <secret>', description: 'verify SigV4 signatures with this secret access key', env: 'AIGW_MOCK_AWS_SECRET_KEY' },
    { flags: '--embedding-dims <n>', description: 'embedding vector size when the request does not set one (default 16)' },
    { flags: '--fail-rate <r>', description: 'fail this share (0..1) of requests with a 500 in the provider shape' },
    { flags: '--log-requests', description: 'print one line per request on stderr' },
  ],
  examples: [
    'aigw mock',
    'aigw mock --listen 127.0.0.1:9000 --latency-ms 50',
    'curl -s localhost:9000/v1/chat/completions -H "Authorization: Bearer x" -d \'{"model":"m","messages":[{"role":"user","content":"What is 1 + 1?"}]}\'',
  ],
  run: (input, io) => runMock(input, io, nextSignal),
};
