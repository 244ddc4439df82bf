#!/usr/bin/env node
// first: which threads are node's own platform threads (gateway/v8-thread-priority.ts)
import '../src/gateway/v8-thread-priority.js';
import { runCli } from '../src/cli/program.js';
import { AigwError, hintFor } from '../src/errors.js';

/** The only place that exits the process. */
runCli(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof AigwError) {
      if (err.message) process.stderr.write(`error: ${err.code}: ${err.message}\n  hint: ${hintFor(err.code)}\n`);
      process.exit(err.exitCode);
    }
    process.stderr.write(`error: AIGW_INTERNAL: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
