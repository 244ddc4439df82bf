/**
 * The old generation's growth during `aigw serve`. After each full GC V8 lets the old space grow
 * to its live size times a factor it picks for throughput (up to 4×) before it marks again. A
 * gateway's live heap is nearly all configuration (the Runtime: routers, plugin instances, their
 * compiled configs), while what requests promote out of the young generation dies soon after: with
 * 1,000 ai-proxy routes (~26 MiB live) sustained load filled the old space with that garbage up to
 * the next limit, RSS 183 MiB after 40 s of load at ~900 req/s against 146 MiB with the growth
 * held at 20 % (bench/memory, bench/README.md "Memory with 1,000 routes"), and the building of a
 * large configuration at start leaves the same kind of garbage (−10 MiB at start with 1,000
 * routes). The price is more frequent full GCs, mostly concurrent marking: server CPU per request
 * within the noise of the measurement (+5 %, 306 vs 291 µs).
 */
import { setFlagsFromString } from 'node:v8';

/** Old space allowed after a full GC: live size × (1 + this / 100). */
export const OLD_GENERATION_GROWTH_PERCENT = 20;

/** Hold the old generation's growth (before the configuration is built; V8 reads it at every full GC). */
export function holdOldGenerationGrowth(set: (flags: string) => void = setFlagsFromString): void {
  set(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
}
