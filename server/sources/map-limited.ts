// Bounded concurrency for planning: sources read many central directories at once (each a few
// small ranged reads), but not all of them, so one GetFlightInfo over thousands of archives does
// not open thousands of file handles.

/** Run `fn` over `items` with at most `limit` at once, keeping the input order in the output. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(lanes);
  return out;
}
