/**
 * The young generation during `aigw serve`'s start. V8 doubles the new space (up to 2 × 16 MiB)
 * whenever most of what a scavenge finds is still alive, and nearly everything a start allocates
 * stays (modules, schemas, the configuration, the Runtime): the new space grows to its maximum
 * for objects that move to the old space anyway, and an idle gateway keeps those pages resident
 * (~12 MiB of its RSS at start). Growth is held during the start and given back to V8's default
 * once the gateway listens, so traffic sizes the new space as before.
 */
import { setFlagsFromString } from 'node:v8';

const V8_DEFAULT_GROWTH = 2; // --semi-space-growth-factor's default (node --v8-options)

/** Before the gateway's modules load: keep the new space at its initial size. */
export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/** Once listening: V8 sizes the new space again. */
export function releaseYoungGeneration(): void {
  setFlagsFromString(`--semi-space-growth-factor=${V8_DEFAULT_GROWTH}`);
}
