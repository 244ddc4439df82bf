import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { command, mockOptions, runMock } from '../../../src/commands/mock.js';
import { parseListen } from '../../../src/listen-address.js';
import { AigwError } from '../../../src/errors.js';
import { startMock } from '../../../src/mock/index.js';
import { at, call } from './client.js';

describe('aigw mock command', () => {
  it('declares its name and options', () => {
    expect(command.name).toBe('mock');
    expect(command.options.map((o) => o.flags.split(' ')[0])).toEqual(
      expect.arrayContaining(['--listen', '--latency-ms', '--require-key', '--embedding-dims', '--fail-rate', '--chunk-delay-ms']),
    );
  });

  it('parses --listen forms', () => {
    expect(parseListen('127.0.0.1:9000')).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(parseListen(':8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen('9001')).toEqual({ host: '127.0.0.1', port: 9001 });
    expect(parseListen('[::1]:9002')).toEqual({ host: '::1', port: 9002 });
    expect(parseListen('0.0.0.0:0')).toEqual({ host: '0.0.0.0', port: 0 });
    for (const bad of ['host:', 'a:b', '1.2.3.4:70000', '']) expect(() => parseListen(bad)).toThrow(AigwError);
  });

  it('rejects bad numeric options with AIGW_USAGE', () => {
    const io = bufferIo();
    expect(() => mockOptions({ latencyMs: 'soon' }, io)).toThrow(/--latency-ms/);
    expect(() => mockOptions({ failRate: '1.5' }, io)).toThrow(/--fail-rate/);
    expect(() => mockOptions({ embeddingDims: '2.5' }, io)).toThrow(/--embedding-dims/);
    expect(() => mockOptions({ requireKey: '' }, io)).toThrow(/--require-key/);
    try {
      mockOptions({ listen: 'nope:x' }, io);
    } catch (err) {
      expect(err).toBeInstanceOf(AigwError);
      expect((err as AigwError).code).toBe('AIGW_USAGE');
    }
    expect(mockOptions({ latencyMs: '5', requireKey: 'k', embeddingDims: '32', awsSecretKey: 's' }, io)).toMatchObject({ latencyMs: 5, requireKey: 'k', embeddingDims: 32, awsSecretKey: 's', port: 9000 });
    expect(() => mockOptions({ awsSecretKey: '' }, io)).toThrow(/--aws-secret-key/);
  });

  it('prints the URL and provider paths, serves until stopped, and exits 0', async () => {
    const io = bufferIo();
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((r) => (stop = r));
    const running = runMock({ args: [], opts: { listen: '127.0.0.1:0', requireKey: 'k1', logRequests: true } }, io, () => stopped);
    let url = '';
    for (let i = 0; i < 100 && url === ''; i++) {
      await new Promise((r) => setTimeout(r, 10));
      url = /listening on (http:\/\/\S+)/.exec(io.stdout())?.[1] ?? '';
    }
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(io.stdout()).toContain(`${url}/v1/messages`);
    expect(io.stdout()).toContain('bedrock');
    const ok = await call(`${url}/v1/chat/completions`, { headers: { authorization: 'Bearer k1' }, body: { model: 'm', messages: [{ role: 'user', content: 'What is 1 + 1?' }] } });
    expect(at(ok.json(), 'choices', 0, 'message', 'content')).toBe('The answer to 1 + 1 is 2.');
    const denied = await call(`${url}/v1/chat/completions`, { headers: { authorization: 'Bearer other' }, body: { model: 'm', messages: [] } });
    expect(denied.status).toBe(401);
    stop();
    expect(await running).toBe(0);
    expect(io.stderr()).toContain('POST /v1/chat/completions → 200');
    expect(io.stderr()).toContain('aigw mock stopped');
    await expect(call(`${url}/v1/models`)).rejects.toThrow();
  });

  it('fails with AIGW_SERVE when the port is taken', async () => {
    const taken = await startMock();
    try {
      const io = bufferIo();
      await expect(runMock({ args: [], opts: { listen: `127.0.0.1:${taken.port}` } }, io, () => Promise.resolve())).rejects.toMatchObject({ code: 'AIGW_SERVE' });
    } finally {
      await taken.close();
    }
  });
});
