/**
 * Log-spaced duration histograms and nearest-rank percentiles.
 *
 * Bins: 8 per doubling. Bin 0 holds durations below 1 ms; bin b ≥ 1 holds
 * [2^((b-1)/8), 2^(b/8)) ms. The same formula is written in SQL in the 0006 migration's
 * triggers (`1 + CAST(8 * log2(d) AS INTEGER)`); `BIN_SQL` below is the one used by queries.
 *
 * Error bound: a percentile read from a histogram is reported as the geometric middle of the
 * bin that holds the nearest-rank value, rounded to a whole ms. The true value lies in the same
 * bin, so the relative error is at most 2^(1/16) − 1 ≈ 4.4 % (plus ≤ 0.5 ms from rounding).
 */
export const BINS_PER_DOUBLING = 8;
export const HISTOGRAM_ERROR_BOUND = 2 ** (1 / (2 * BINS_PER_DOUBLING)) - 1;

/** SQL for the bin of a duration column (SQLite's log2 from its math functions). */
export const binSql = (column: string) =>
  `CASE WHEN ${column} < 1 THEN 0 ELSE 1 + CAST(${BINS_PER_DOUBLING} * log2(${column}) AS INTEGER) END`;

export function binOf(durationMs: number): number {
  return durationMs < 1 ? 0 : 1 + Math.floor(BINS_PER_DOUBLING * Math.log2(durationMs));
}

/** The value reported for a bin: the geometric middle of its edges, in whole ms. */
export function binValue(bin: number): number {
  if (bin <= 0) return 0;
  return Math.round(2 ** ((bin - 0.5) / BINS_PER_DOUBLING));
}

/** Counts per bin. */
export type Histogram = Map<number, number>;

export function mergeInto(target: Histogram, bin: number, count: number): void {
  if (count !== 0) target.set(bin, (target.get(bin) ?? 0) + count);
}

/** 1-based nearest rank of percentile p (0–100) among n values. */
export const nearestRank = (p: number, n: number) => Math.max(1, Math.ceil((p / 100) * n));

/** Exact nearest-rank percentile of values sorted ascending; null when empty. */
export function exactPercentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[nearestRank(p, sorted.length) - 1] ?? null;
}

/** Nearest-rank percentile estimated from a histogram; null when it holds nothing. */
export function histogramPercentile(hist: Histogram, p: number): number | null {
  let n = 0;
  for (const count of hist.values()) n += count;
  if (n <= 0) return null;
  const rank = nearestRank(p, n);
  let seen = 0;
  for (const bin of [...hist.keys()].sort((a, b) => a - b)) {
    seen += hist.get(bin) ?? 0;
    if (seen >= rank) return binValue(bin);
  }
  return null;
}
