// The mock LLM for the AI benchmark in its own process; prints its port on stdout.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = process.env.AIGW_DIST ?? join(import.meta.dirname, '..', '..', 'dist');
const { startMock } = await import(pathToFileURL(join(dist, 'src/mock/index.js')).href);
const mock = await startMock({ requireKey: 'bench-key' });
process.stdout.write(`${mock.port}\n`);
process.on('SIGTERM', () => mock.close().then(() => process.exit(0)));
