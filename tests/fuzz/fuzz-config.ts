import fc from 'fast-check';

/**
 * One seed per run of the suite: FLIGHTDECK_FUZZ_SEED replays a run (the same inputs in the same
 * order against the same seeded store); without it a fresh seed is drawn and printed, so every CI
 * run tries new inputs and a failure names the seed that reproduces it.
 */
function readSeed(): number {
  const given = process.env.FLIGHTDECK_FUZZ_SEED;
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isInteger(seed)) throw new Error(`FLIGHTDECK_FUZZ_SEED must be an integer, got "${given}".`);
    return seed | 0;
  }
  return (Math.random() * 2 ** 31) | 0;
}

export const FUZZ_SEED = readSeed();

/** FLIGHTDECK_FUZZ_SCALE multiplies the number of cases (2 = twice as many; 0.2 for a smoke run). */
export const FUZZ_SCALE = Number(process.env.FLIGHTDECK_FUZZ_SCALE ?? 1) || 1;

/** How to replay this run, printed at the start and in every failure. */
export const replayHint = (file: string) => `FLIGHTDECK_FUZZ_SEED=${FUZZ_SEED} npx vitest run --project fuzz ${file}`;

/**
 * fast-check parameters for one property: a seed derived from the run's seed and the property's
 * index (so each property's inputs do not depend on how many cases the others ran) and a number
 * of cases. Time is bounded by `budget` below, never by fast-check's interrupt options: those
 * abandon a call mid-flight, and the abandoned call would go on writing while the next is judged.
 */
export function fuzzParameters<T>(index: number, numRuns: number): fc.Parameters<T> {
  return {
    seed: (FUZZ_SEED + Math.imul(index + 1, 0x9e3779b1)) | 0,
    numRuns: Math.max(1, Math.round(numRuns * FUZZ_SCALE)),
    endOnFailure: false,
  };
}

/**
 * A time budget for one property: `spend()` is true while the property should still make real
 * calls (always for the first `minRuns`, and while shrinking a failure), false once the budget is
 * used up, when the remaining cases return at once.
 */
export function budget(ms: number, minRuns = 3) {
  const deadline = Date.now() + ms * FUZZ_SCALE;
  let runs = 0;
  let failing = false;
  return {
    spend(): boolean {
      if (failing || runs < minRuns || Date.now() < deadline) {
        runs++;
        return true;
      }
      return false;
    },
    failed(): void {
      failing = true;
    },
    get runs() {
      return runs;
    },
  };
}

/**
 * Runs a property and throws a readable error: fast-check's own report prints the counterexample
 * recursively, which overflows the stack on the 5,000-level inputs this suite sends.
 */
export async function checkProperty<T>(
  property: fc.IAsyncProperty<[T]>,
  parameters: fc.Parameters<[T]>,
  describe: (value: T) => string,
  replay: string,
): Promise<void> {
  const out = await fc.check(property, parameters);
  if (!out.failed) return;
  const error = out.errorInstance as Error | undefined;
  const example = out.counterexample ? describe(out.counterexample[0]) : '(none)';
  throw new Error(
    [
      `Failed after ${out.numRuns} case(s), shrunk ${out.numShrinks} time(s); fast-check seed ${out.seed}, path "${out.counterexamplePath ?? ''}".`,
      `Counterexample: ${example}`,
      `Error: ${error?.message ?? String(out.errorInstance)}`,
      `Replay: ${replay}`,
    ].join('\n'),
  );
}
