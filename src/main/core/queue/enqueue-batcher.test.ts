import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/result';
import { ManualClock } from '../testing/manual-clock';
import { migrations } from '../db/migrations';
import { openStore } from '../db/store';
import { EventBus } from '../events';
import { tempDir } from '../testing/test-core';
import { createEnqueueBatcher } from './enqueue-batcher';
import type { JobStore } from './job-store';
import { createSqliteJobStore } from './sqlite-job-store';

const cleanups: (() => void)[] = [];
afterEach(() =>
  cleanups
    .splice(0)
    .reverse()
    .forEach((fn) => fn()),
);

function queue(): JobStore {
  const dir = tempDir('flightdeck-batcher-');
  const clock = new ManualClock();
  const store = openStore({ dataDir: dir.path, bus: new EventBus(), migrations, now: () => clock.now() });
  cleanups.push(dir.remove, () => store.close());
  return createSqliteJobStore({ store, clock });
}

describe('enqueue batcher', () => {
  it('commits the enqueues of one turn together and answers each after the commit', async () => {
    const jobs = queue();
    const calls: number[] = [];
    const counting: JobStore = {
      ...jobs,
      enqueueMany: (inputs) => (calls.push(inputs.length), jobs.enqueueMany(inputs)),
    };
    const enqueue = createEnqueueBatcher(counting);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => enqueue({ instanceId: 'i', mappingId: 'm', payload: i })),
    );
    expect(calls).toEqual([30]);
    expect(results.map((r) => r.job.payload)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(jobs.counts().total.waiting).toBe(30);
  });

  it('fails only the bad input of a batch', async () => {
    const jobs = queue();
    const enqueue = createEnqueueBatcher(jobs);
    const settled = await Promise.allSettled([
      enqueue({ instanceId: 'i', mappingId: 'm', payload: 1 }),
      enqueue({ instanceId: '', mappingId: 'm', payload: 2 }),
      enqueue({ instanceId: 'i', mappingId: 'm', payload: 3 }),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(settled[1]!.status === 'rejected' && (settled[1]!.reason as AppError).code).toBe('VALIDATION');
    expect(jobs.counts().total.waiting).toBe(2);
  });
});
