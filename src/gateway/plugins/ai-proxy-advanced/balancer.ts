/**
 * The target balancer of ai-proxy-advanced (kong.md §1.3). One instance per plugin config; it
 * keeps the per-target statistics between requests (and across reloads, through the plugin
 * store). For each attempt of a request the plugin calls `pick` with the targets already tried
 * excluded, then `started` / `finished` around the call.
 *
 *   round-robin         smooth weighted round-robin
 *   lowest-latency      lowest decaying EWMA of time-per-output-token (`tpot`) or end-to-end (`e2e`) ms
 *   lowest-usage        lowest decaying token (or cost) sum ÷ weight, by `tokens_count_strategy`
 *   least-connections   fewest (in-flight + 1) ÷ weight
 *   consistent-hashing  ring of `slots` points on the `hash_on_header` value
 *   priority            highest weight group first; round-robin inside a group; lower groups are fallbacks
 *   semantic            the target whose description embedding is nearest to the prompt's
 *
 * Ties of the score-based algorithms are broken by weighted round-robin among the tied targets.
 */
import { HashRing } from '../../balancing/hash-ring.js';
import { fewestConnections } from '../../balancing/least-connections.js';
import { DecayingEwma, DecayingSum } from './scores.js';
import { SmoothWeighted } from '../../balancing/weighted.js';

export type Algorithm = 'round-robin' | 'lowest-latency' | 'lowest-usage' | 'least-connections' | 'consistent-hashing' | 'priority' | 'semantic';
export type LatencyStrategy = 'tpot' | 'e2e';
export type TokensCountStrategy = 'total-tokens' | 'prompt-tokens' | 'completion-tokens' | 'cost';

export interface BalancerOptions {
  algorithm: Algorithm;
  weights: readonly number[];
  latencyStrategy: LatencyStrategy;
  tokensCountStrategy: TokensCountStrategy;
  slots: number;
}

export interface PickRequest {
  /** Targets already tried by this request. */
  exclude: ReadonlySet<number>;
  /** consistent-hashing: the `hash_on_header` value (the request id when absent). */
  hashKey?: string;
  /** semantic: distance of the prompt to each target's description (lower is nearer). */
  distances?: readonly number[];
}

export interface Observation {
  ok: boolean;
  latencyMs: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

export interface Balancer {
  readonly algorithm: Algorithm;
  pick(req: PickRequest): number | null;
  started(target: number): void;
  finished(target: number, obs: Observation): void;
}

export class TargetBalancer implements Balancer {
  readonly algorithm: Algorithm;
  private readonly rr: SmoothWeighted;
  private readonly ring: HashRing | null;
  private readonly latency: DecayingEwma[];
  private readonly usage: DecayingSum[];
  private readonly inflight: number[];
  private readonly groups: number[][];
  private readonly groupRr: SmoothWeighted[];

  constructor(private readonly o: BalancerOptions, private readonly now: () => number) {
    this.algorithm = o.algorithm;
    this.rr = new SmoothWeighted(o.weights);
    // a target's ring id is its position in `targets` (ai-proxy-advanced targets have no name)
    this.ring = o.algorithm === 'consistent-hashing' ? new HashRing(o.weights.map((_, i) => String(i)), o.weights, o.slots) : null;
    this.latency = o.weights.map(() => new DecayingEwma());
    this.usage = o.weights.map(() => new DecayingSum());
    this.inflight = o.weights.map(() => 0);
    const byWeight = [...new Set(o.weights)].sort((a, b) => b - a);
    this.groups = byWeight.map((w) => o.weights.flatMap((x, i) => (x === w ? [i] : [])));
    this.groupRr = this.groups.map(() => new SmoothWeighted(o.weights.map(() => 1)));
  }

  pick(req: PickRequest): number | null {
    const candidates = this.o.weights.flatMap((_, i) => (req.exclude.has(i) ? [] : [i]));
    if (candidates.length === 0) return null;
    switch (this.o.algorithm) {
      case 'round-robin': return this.rr.pick(candidates);
      case 'lowest-latency': return this.lowest(candidates, (i) => this.latency[i].read(this.now()));
      case 'lowest-usage': return this.lowest(candidates, (i) => this.usage[i].read(this.now()) / this.o.weights[i]);
      case 'least-connections': return this.tieBreak(fewestConnections(candidates, (i) => this.inflight[i], (i) => this.o.weights[i]));
      case 'consistent-hashing': return this.ring?.lookup(req.hashKey ?? '', req.exclude) ?? null;
      case 'priority': return this.priority(req.exclude);
      case 'semantic': return this.nearest(candidates, req.distances);
    }
  }

  started(target: number): void {
    this.inflight[target]++;
  }

  finished(target: number, obs: Observation): void {
    this.inflight[target] = Math.max(0, this.inflight[target] - 1);
    const now = this.now();
    const metric = this.o.latencyStrategy === 'tpot' ? obs.latencyMs / Math.max(1, obs.completionTokens) : obs.latencyMs;
    if (obs.ok) this.latency[target].observe(metric, now);
    else this.latency[target].penalise(metric, now);
    if (obs.ok) this.usage[target].add(this.tokens(obs), now);
  }

  private tokens(obs: Observation): number {
    switch (this.o.tokensCountStrategy) {
      case 'prompt-tokens': return obs.promptTokens;
      case 'completion-tokens': return obs.completionTokens;
      case 'cost': return obs.cost;
      case 'total-tokens': return obs.promptTokens + obs.completionTokens;
    }
  }

  /** Lowest score wins; ties by weighted round-robin among the tied. */
  private lowest(candidates: readonly number[], score: (i: number) => number): number | null {
    let min = Number.POSITIVE_INFINITY;
    let tied: number[] = [];
    for (const i of candidates) {
      const s = score(i);
      if (s < min - 1e-9) {
        min = s;
        tied = [i];
      } else if (Math.abs(s - min) <= 1e-9) tied.push(i);
    }
    return this.tieBreak(tied);
  }

  private tieBreak(tied: number[]): number | null {
    return tied.length === 1 ? tied[0] : this.rr.pick(tied);
  }

  private priority(exclude: ReadonlySet<number>): number | null {
    for (let g = 0; g < this.groups.length; g++) {
      const open = this.groups[g].filter((i) => !exclude.has(i));
      if (open.length > 0) return this.groupRr[g].pick(open);
    }
    return null;
  }

  private nearest(candidates: readonly number[], distances: readonly number[] | undefined): number | null {
    if (!distances) return this.rr.pick(candidates);
    return this.lowest(candidates, (i) => distances[i] ?? Number.POSITIVE_INFINITY);
  }
}
