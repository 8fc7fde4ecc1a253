// Partition planning shared by the archive sources: a FlightInfo is consumed by reading all of
// its FlightEndpoints, in any order and in parallel (Flight spec, FlightInfo.endpoint), so the
// sources cut their members into endpoints of near-equal weight. Members are never split
// and never reordered: a partition is a contiguous run, which keeps rowids and ranges simple.

/**
 * Cut `items` into at most `n` contiguous groups of near-equal total `weight`. An item goes to
 * the partition its weight's midpoint falls in (midpoint × n / total), so one heavy item takes a
 * partition of its own and the groups never number more than `n`. Weights should be positive;
 * if they all are 0, every item weighs the same.
 */
export function balancePartitions<T>(items: readonly T[], n: number, weight: (item: T) => number): T[][] {
  const parts = Math.max(1, n);
  const weights = items.map(weight);
  const sum = weights.reduce((s, w) => s + w, 0);
  const weightAt = sum > 0 ? (i: number) => weights[i] : () => 1;
  const total = sum > 0 ? sum : items.length;
  const groups: T[][] = [];
  let before = 0;
  let current = -1;
  items.forEach((item, i) => {
    const p = Math.min(parts - 1, Math.floor(((before + weightAt(i) / 2) * parts) / total));
    before += weightAt(i);
    if (p !== current) groups.push([]);
    current = p;
    groups[groups.length - 1].push(item);
  });
  return groups;
}
