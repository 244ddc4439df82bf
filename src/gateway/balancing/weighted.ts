/**
 * Smooth weighted round-robin (nginx's algorithm): over any subset of candidates, each pick adds
 * every candidate's weight to its running score, takes the highest, and subtracts the candidates'
 * total from the winner. Weights 5:1:1 give a a b a c a a, never bursts; equal weights give plain
 * round-robin. Ties go to the lowest index, so the order is deterministic.
 */
export class SmoothWeighted {
  private readonly current: number[];

  constructor(private readonly weights: readonly number[]) {
    this.current = weights.map(() => 0);
  }

  /** One of `candidates` (indexes into the weights); null when there are none. */
  pick(candidates: readonly number[]): number | null {
    if (candidates.length === 0) return null;
    let total = 0;
    let best = -1;
    for (const i of candidates) {
      const w = this.weights[i];
      this.current[i] += w;
      total += w;
      if (best < 0 || this.current[i] > this.current[best]) best = i;
    }
    this.current[best] -= total;
    return best;
  }
}
