/**
 * undici's Agent and Pool without the rest of the package (issue 10, RSS at start). `import … from
 * 'undici'` loads its index: fetch, WebSocket, EventSource, the cache and mock dispatchers, ~110
 * files, +20.6 MiB RSS and 7.3 MiB of heap in a fresh node against +12.0 MiB and 4.3 MiB for the
 * dispatchers and their request API alone. The gateway's LLM caller and the warm-up use only these.
 * The request API (`dispatcher.request()`, `.stream()`…) is put on Dispatcher.prototype the way
 * undici's index does (`Object.assign(Dispatcher.prototype, api)`), so a dispatcher made here is the
 * same as one made by `new (require('undici').Agent)()`; loading the index later assigns it again.
 * The paths are undici's own files (the package has no exports map); test/unit/gateway/undici-core.test.ts
 * checks the classes against the index's.
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);
const DispatcherBase = require('undici/lib/dispatcher/dispatcher.js') as typeof Undici.Dispatcher;
Object.assign(DispatcherBase.prototype, require('undici/lib/api/index.js') as object);

/** undici's abstract Dispatcher with the request API on it: a subclass's `dispatch()` serves `request()` (warm-up.ts's stub). */
export const Dispatcher = DispatcherBase;

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
export const Pool = require('undici/lib/dispatcher/pool.js') as typeof Undici.Pool;
export type Agent = Undici.Agent;
export type Pool = Undici.Pool;
