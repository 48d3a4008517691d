import { afterEach, describe, expect, it } from 'vitest';
import { metricsOnDisk } from '../testing/metrics-kit';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((fn) => fn()));
const ctx = { transport: 'direct' as const };

describe('time to decision', () => {
  it('gives exact nearest-rank percentiles of the decisions in the range', async () => {
    const asked: [number, number][] = [];
    const t = metricsOnDisk({
      decisionTimes: (from, to) => (
        asked.push([from, to]),
        [9_000, 1_000, 5_000, 3_000, 7_000, 2_000, 4_000, 6_000, 8_000, 10_000]
      ),
    });
    cleanups.push(t.cleanup);
    const answer = await t.module.handlers['metrics:decisions']({ range: '24h' }, ctx);
    // n = 10: p50 → rank 5, p95 → rank 10 (nearest rank, 1-based).
    expect(answer).toEqual({ provided: true, decided: 10, p50Ms: 5_000, p95Ms: 10_000, maxMs: 10_000 });
    expect(asked[0]![1] - asked[0]![0]).toBe(86_400_000);
  });

  it('says so when nothing was decided, or when no approvals area reports', async () => {
    const empty = metricsOnDisk({ decisionTimes: () => [] });
    const none = metricsOnDisk();
    cleanups.push(empty.cleanup, none.cleanup);
    expect(await empty.module.handlers['metrics:decisions']({ range: '1h' }, ctx)).toEqual({
      provided: true,
      decided: 0,
      p50Ms: null,
      p95Ms: null,
      maxMs: null,
    });
    expect(await none.module.handlers['metrics:decisions']({ range: '1h' }, ctx)).toMatchObject({
      provided: false,
      decided: 0,
    });
  });
});
