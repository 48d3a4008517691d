/** One measured line of a bench: a number, its unit, and optionally the baseline it is compared to. */
export interface Measurement {
  name: string;
  value: number;
  unit: string;
  /** Value of the baseline measured in the same run; the ratio value/baseline is printed. */
  baseline?: { name: string; value: number };
  /** What "good" means for the ratio, e.g. "≥ 0.8". */
  goal?: string;
}

/** Prints a bench's results as a plain table (stdout), so runs can be compared by eye or diff. */
export function report(title: string, rows: Measurement[]): void {
  const lines = [`\n== ${title} ==`];
  for (const r of rows) {
    let line = `${r.name.padEnd(48)} ${format(r.value).padStart(12)} ${r.unit}`;
    if (r.baseline) {
      line += `   vs ${r.baseline.name}: ${format(r.baseline.value)} ${r.unit}, ratio ${(r.value / r.baseline.value).toFixed(2)}`;
      if (r.goal) line += ` (goal ${r.goal})`;
    }
    lines.push(line);
  }
  console.log(lines.join('\n'));
}

const format = (n: number) => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));

/** Runs `fn` `count` times with up to `concurrency` in flight; returns calls per second. */
export async function throughput(
  count: number,
  concurrency: number,
  fn: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await fn(next++);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

/** p-th percentile (0–100) of a list of numbers, nearest-rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
