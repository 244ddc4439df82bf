/**
 * Property tests explore new random cases on every local run; in CI (CI=true) they use one fixed
 * seed so a landing never depends on luck. A failure prints its seed and path to replay it.
 */
import fc from 'fast-check';

if (process.env.CI) fc.configureGlobal({ seed: 20261121 });
