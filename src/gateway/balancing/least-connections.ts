/**
 * Least-connections (Kong's and nginx's `least_conn`): the candidates with the lowest
 * (in-flight + 1) ÷ weight. Several may tie; the caller breaks ties by weighted round-robin.
 */
export function fewestConnections(candidates: readonly number[], active: (i: number) => number, weight: (i: number) => number): number[] {
  let min = Number.POSITIVE_INFINITY;
  let tied: number[] = [];
  for (const i of candidates) {
    const s = (active(i) + 1) / weight(i);
    if (s < min - 1e-9) {
      min = s;
      tied = [i];
    } else if (Math.abs(s - min) <= 1e-9) tied.push(i);
  }
  return tied;
}
