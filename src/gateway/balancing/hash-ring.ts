/**
 * Consistent hashing (`consistent-hashing`, Kong's ring balancer with `slots` points), for both
 * upstreams and ai-proxy-advanced: each target owns a share of the ring's points proportional to
 * its weight, placed by hashing its id; a key maps to the first point clockwise from its hash.
 * Adding or removing a target only moves the keys of its points. Skipped targets (already tried,
 * unhealthy) are passed over by walking on clockwise.
 */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // murmur3 finaliser: spreads the low-entropy FNV output over all 32 bits
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class HashRing {
  private readonly points: Uint32Array;
  private readonly owners: Uint32Array;

  /** `ids[i]` names target i on the ring (stable across configurations: a target's name, not its position). */
  constructor(ids: readonly string[], weights: readonly number[], slots: number) {
    const total = weights.reduce((s, w) => s + w, 0);
    const entries: Array<[number, number]> = [];
    weights.forEach((w, target) => {
      const n = Math.max(1, Math.round((slots * w) / total));
      for (let k = 0; k < n; k++) entries.push([fnv1a(`${ids[target]}#${k}`), target]);
    });
    entries.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.points = Uint32Array.from(entries.map((e) => e[0]));
    this.owners = Uint32Array.from(entries.map((e) => e[1]));
  }

  /** The owner of `key`, passing over targets in `skip`; null when every target is skipped. */
  lookup(key: string, skip: { has(target: number): boolean }): number | null {
    const n = this.points.length;
    if (n === 0) return null;
    const h = fnv1a(key);
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid] < h) lo = mid + 1;
      else hi = mid;
    }
    for (let step = 0; step < n; step++) {
      const owner = this.owners[(lo + step) % n];
      if (!skip.has(owner)) return owner;
    }
    return null;
  }
}
