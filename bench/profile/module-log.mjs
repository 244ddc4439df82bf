// Preloaded into a profiled process (`node --import`): appends the URL of every module the
// process loads to the file named by AIGW_MODULE_LOG (hooks run off the main thread).
import { register } from 'node:module';

register(new URL('./module-log-hooks.mjs', import.meta.url), { data: { log: process.env.AIGW_MODULE_LOG } });
